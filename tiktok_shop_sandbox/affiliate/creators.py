"""The creator marketplace (§5.9): the creators a seller can find, invite and be sold by.

A creator's `user_id` is derived from the username, so the same creator has the same id in every
sandbox, whatever its seed. A few creators are there from the start (`seed_creators`); a creator
named on an order the sandbox never heard of (a test's "mugmaker") joins the marketplace when
the affiliate order search first shows that order (`register_creator`), with a nickname and an
audience drawn from the username. Creators are platform-wide: every shop's search finds all of them.
"""

import hashlib

from ..constants import CODE_INVALID_PARAMETER
from ..logistics import stable_id
from ..routing import ApiError, paginate, route
from ..state import Creator

# (username, nickname, follower count); the `stream` scenario's creators are among them.
SEEDED_CREATORS = (
    ("glowwithmia", "Mia | Glow & Skincare", 1_240_000),
    ("techtok.dan", "Dan Reviews Tech", 486_000),
    ("homebyhana", "Hana at Home", 212_500),
    ("fitwithraf", "Raf Fitness", 97_300),
    ("dealsbyjules", "Jules Finds Deals", 2_050_000),
    ("tokyo.finds", "Tokyo Finds", 58_900),
    ("nusantara.style", "Putri Nusantara", 331_000),
    ("bookishben", "Ben Reads", 18_400),
)
AVATAR_HOST = "https://p16-sign-sandbox.tiktokcdn.invalid/avatar"


def creator_user_id(username):
    return stable_id("creator", username)


def seed_creators(state):
    with state.lock:
        for username, nickname, followers in SEEDED_CREATORS:
            _register(state, username, nickname, followers)


def register_creator(state, username, nickname="", follower_count=None):
    """The creator called `username`, added to the marketplace when new."""
    username = str(username or "").strip()
    if not username:
        raise ValueError("a creator needs a username")
    with state.lock:
        existing = state.creators.get(creator_user_id(username))
        if existing is not None:
            return existing
        if follower_count is None:
            digest = hashlib.sha256(username.encode()).digest()
            follower_count = 1_000 + int.from_bytes(digest[:4], "big") % 250_000
        return _register(state, username, nickname or username, follower_count)


def _register(state, username, nickname, follower_count):
    creator = Creator(creator_user_id(username), username, nickname, int(follower_count))
    state.creators[creator.user_id] = creator
    return creator


def creator_or_refusal(state, user_id):
    creator = state.creators.get(str(user_id))
    if creator is None:
        raise ApiError(CODE_INVALID_PARAMETER, f"Creator {user_id} does not exist")
    return creator


def creator_view(creator):
    """A creator as every affiliate answer shows one."""
    return {
        "user_id": creator.user_id,
        "username": creator.username,
        "nickname": creator.nickname,
        "follower_count": creator.follower_count,
        "avatar": {"url": f"{AVATAR_HOST}/{creator.user_id}.jpeg"},
    }


@route("GET", "/affiliate_seller/202406/marketplace_creators/{creator_user_id}")
def get_marketplace_creator(state, request):
    with state.lock:
        creator = creator_or_refusal(state, request.path_params["creator_user_id"])
        return {"creator": creator_view(creator)}


@route(
    "POST",
    "/affiliate_seller/202406/marketplace_creators/search",
    page_size=(1, 100),
    page_size_required=True,
)
def search_marketplace_creators(state, request):
    """Creators by `keyword` (in the username or nickname) and `follower_count_ge`, the most
    followed first."""
    body = request.json or {}
    keyword = str(body.get("keyword") or "").strip().lower()
    minimum = body.get("follower_count_ge") or 0
    if isinstance(minimum, bool) or not isinstance(minimum, int):
        raise ApiError(CODE_INVALID_PARAMETER, "follower_count_ge must be a whole number")
    with state.lock:
        found = [
            creator
            for creator in state.creators.values()
            if creator.follower_count >= minimum
            and (
                not keyword
                or keyword in creator.username.lower()
                or keyword in creator.nickname.lower()
            )
        ]
        found.sort(key=lambda creator: (-creator.follower_count, creator.user_id))
        page = paginate(found, request, "creators")
        page["creators"] = [creator_view(creator) for creator in page["creators"]]
        return page
