"""Catalog endpoints of the sandbox: categories, attributes, rules, brands, images, products."""

import copy

import pytest
from tiktok_shop.errors import TikTokShopError

from tiktok_shop_sandbox import catalog, orders
from tiktok_shop_sandbox.routing import ApiError

from .handler_fixtures import DAY, World, jpeg_header, png_bytes, seller_client

PRODUCTS = "/product/202309/products"


@pytest.fixture
def world():
    return World()


def upload(world, width=800, height=800, use_case="MAIN_IMAGE", data=None):
    files = {
        "data": ("image.png", data or png_bytes(width, height), "image/png"),
        "use_case": use_case,
    }
    return world.call("POST", "/product/202309/images/upload", files=files)


def valid_body(world, shop=None):
    """A complete listing in the T-shirt leaf: two SKUs, three uploaded images."""
    shop = shop or world.us
    leaf = catalog.leaf_categories(world.state, shop.region, "apparel")[0]
    images = [upload(world, 800 + n, 800)["uri"] for n in range(3)]
    return listing_body(shop, leaf, images, world.warehouses(shop)[0].id)


PRICES = {"USD": "19.90", "IDR": "149000", "JPY": "1980", "GBP": "15.90"}


def listing_body(shop, leaf, image_uris, warehouse_id):
    price = {"amount": PRICES[shop.currency], "currency": shop.currency}
    return {
        "title": "Organic Cotton Tee",
        "description": "<p>" + "Soft organic cotton, cut for everyday wear. " * 8 + "</p>",
        "category_id": leaf,
        "category_version": catalog.tree_version(shop),
        "main_images": [{"uri": uri} for uri in image_uris],
        "product_attributes": [{"id": "101001", "values": [{"id": "101001001"}]}],
        "size_chart": {"template": {"id": "7100000000000000001"}},
        "package_weight": {"value": "0.3", "unit": "POUND"},
        "package_dimensions": {"length": "10", "width": "8", "height": "2", "unit": "INCH"},
        "skus": [
            _sku("TEE-BLK-S", "100000001", "100007002", price, warehouse_id, "012345678905"),
            _sku("TEE-BLK-M", "100000001", "100007003", price, warehouse_id, None),
        ],
    }


def _sku(seller_sku, color, size, price, warehouse_id, upc):
    sku = {
        "seller_sku": seller_sku,
        "sales_attributes": [
            {"id": "100000", "value_id": color},
            {"id": "100007", "value_id": size},
        ],
        "price": dict(price),
        "inventory": [{"warehouse_id": warehouse_id, "quantity": 30}],
    }
    if upc:
        sku["identifier_code"] = {"type": "UPC", "code": upc}
    return sku


def create(world, body, shop=None):
    return world.call("POST", PRODUCTS, shop or world.us, json=body)


def depth(world, category_id):
    levels = 0
    while category_id != "0":
        category_id = world.state.categories[category_id]["parent_id"]
        levels += 1
    return levels


# --- categories, attributes, rules, brands -----------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"category_version": "v1"}])
def test_us_shop_is_refused_the_v1_tree(world, query):
    with pytest.raises(ApiError) as refused:
        world.call("GET", "/product/202309/categories", world.us, query=query)

    assert refused.value.code == 36009004
    assert "category_version=v2" in refused.value.message


def test_us_shop_gets_the_seven_level_v2_tree(world):
    categories = world.call(
        "GET", "/product/202309/categories", world.us, query={"category_version": "v2"}
    )["categories"]

    leaves = [c for c in categories if c["is_leaf"]]
    assert leaves and {depth(world, c["id"]) for c in leaves} == {7}
    assert all(c["parent_id"] == "0" for c in categories if depth(world, c["id"]) == 1)
    assert set(categories[0]) == {"id", "parent_id", "local_name", "is_leaf", "permission_statuses"}
    food = next(c for c in leaves if c["local_name"] == "Sea Salt Kettle Chips")
    assert food["permission_statuses"] == ["INVITE_ONLY"]


def test_other_markets_get_the_three_level_v1_tree_and_no_v2(world):
    categories = world.call("GET", "/product/202309/categories", world.id)["categories"]
    assert {depth(world, c["id"]) for c in categories if c["is_leaf"]} == {3}

    with pytest.raises(ApiError, match="category_version=v1"):
        world.call("GET", "/product/202309/categories", world.id, query={"category_version": "v2"})


def test_keyword_filters_categories(world):
    found = world.call(
        "GET", "/product/202309/categories", world.jp, query={"keyword": "mug", "locale": "ja-JP"}
    )["categories"]

    assert [c["local_name"] for c in found] == ["Mugs"]


def test_attributes_flag_required_product_properties(world):
    leaf = catalog.leaf_categories(world.state, "US", "apparel")[0]
    path = f"/product/202309/categories/{leaf}/attributes"

    attributes = world.call("GET", path, world.us, query={"category_version": "v2"})["attributes"]

    by_name = {a["name"]: a for a in attributes}
    assert by_name["Color"]["type"] == "SALES_PROPERTY"
    assert by_name["Size"]["values"][0] == {"id": "100007001", "name": "XS"}
    assert by_name["Fabric"]["type"] == "PRODUCT_PROPERTY"
    assert by_name["Fabric"]["is_requried"] is True
    assert by_name["Pattern"]["is_requried"] is False


def test_attributes_of_a_parent_category_are_refused(world):
    leaf = catalog.leaf_categories(world.state, "US", "apparel")[0]
    parent = world.state.categories[leaf]["parent_id"]

    with pytest.raises(ApiError, match="not a leaf"):
        world.call(
            "GET",
            f"/product/202309/categories/{parent}/attributes",
            world.us,
            query={"category_version": "v2"},
        )


def test_rules_require_certifications_in_restricted_categories(world):
    def rules(shop, kind):
        leaf = catalog.leaf_categories(world.state, shop.region, kind)[0]
        query = {"category_version": catalog.tree_version(shop)}
        return world.call("GET", f"/product/202309/categories/{leaf}/rules", shop, query=query)

    cosmetics = rules(world.us, "cosmetics")
    required = [c["name"] for c in cosmetics["product_certifications"] if c["is_required"]]
    assert required == ["Cosmetic Product Safety Report"]
    toys = rules(world.us, "toys")
    assert toys["package_dimension"] == {"is_required": True}
    assert any(c["is_required"] for c in toys["product_certifications"])
    assert rules(world.us, "apparel")["size_chart"] == {"is_supported": True, "is_required": True}
    assert rules(world.id, "kitchen")["cod"] == {"is_supported": True}
    assert rules(world.us, "kitchen")["cod"] == {"is_supported": False}
    germany = world.add_shop("DE", "Aurora Living DE")
    eu = rules(germany, "kitchen")
    assert eu["manufacturer"]["is_required"] and eu["responsible_person"]["is_required"]
    assert eu["epr"] == {"is_required": True}


def test_brands_page_and_filter(world):
    first = world.call("GET", "/product/202309/brands", world.us, query={"page_size": 5})
    assert len(first["brands"]) == 5 and first["total_count"] == len(catalog.BRANDS)
    second = world.call(
        "GET",
        "/product/202309/brands",
        world.us,
        query={"page_size": 5, "page_token": first["next_page_token"]},
    )
    assert not {b["id"] for b in first["brands"]} & {b["id"] for b in second["brands"]}

    everything = world.call("GET", "/product/202309/brands", world.us, query={"page_size": 100})
    statuses = {b["authorized_status"] for b in everything["brands"]}
    assert statuses == {"AUTHORIZED", "UNAUTHORIEZD"}
    authorized = world.call(
        "GET", "/product/202309/brands", world.us, query={"page_size": 100, "is_authorized": "true"}
    )
    assert {b["authorized_status"] for b in authorized["brands"]} == {"AUTHORIZED"}
    named = world.call(
        "GET", "/product/202309/brands", world.us, query={"page_size": 10, "brand_name": "lego"}
    )
    assert [(b["name"], b["is_t1_brand"]) for b in named["brands"]] == [("LEGO", True)]


# --- image upload ------------------------------------------------------------------------------


def test_upload_reads_png_and_jpeg_dimensions(world):
    png = upload(world, 640, 480, use_case="ATTRIBUTE_IMAGE")
    assert (png["width"], png["height"], png["use_case"]) == (640, 480, "ATTRIBUTE_IMAGE")
    assert png["uri"] in world.state.images and png["url"].startswith("https://")

    jpeg = upload(world, data=jpeg_header(1200, 900))
    assert (jpeg["width"], jpeg["height"]) == (1200, 900)


@pytest.mark.parametrize(
    ("data", "use_case", "code"),
    [
        (b"GIF89a not an image we take", "MAIN_IMAGE", 12038001),
        (png_bytes(50, 50), "MAIN_IMAGE", 12038001),
        (png_bytes(200, 200) + b"\0" * (5 * 1024 * 1024), "MAIN_IMAGE", 36009021),
        (png_bytes(200, 200), "PROFILE_PICTURE", 36009004),
    ],
    ids=["not-an-image", "too-small", "over-5-mb", "unknown-use-case"],
)
def test_upload_refusals(world, data, use_case, code):
    with pytest.raises(ApiError) as refused:
        upload(world, data=data, use_case=use_case)

    assert refused.value.code == code


# --- create, audit, validation -----------------------------------------------------------------


def test_listed_product_is_pending_then_active_with_a_webhook(world):
    created = create(world, valid_body(world))

    product = world.state.products[created["product_id"]]
    assert product.status == "PENDING"
    assert [s["seller_sku"] for s in created["skus"]] == ["TEE-BLK-S", "TEE-BLK-M"]
    assert created["skus"][0]["sales_attributes"] == [
        {"id": "100000", "value_id": "100000001"},
        {"id": "100007", "value_id": "100007002"},
    ]

    world.advance(catalog.AUDIT_SECONDS)

    assert product.status == "ACTIVATE"
    pushed = [n for n in world.state.outbox if n["type"] == 5]
    assert [n["data"]["status"] for n in pushed] == ["PRODUCT_FIRST_PASS_REVIEW"]
    assert pushed[0]["data"]["product_id"] == product.id
    assert pushed[0]["shop_id"] == world.us.id


def test_forbidden_title_fails_the_audit(world):
    body = valid_body(world)
    body["title"] = "Forbidden replica tee"
    product_id = create(world, body)["product_id"]

    world.advance(catalog.AUDIT_SECONDS)

    product = world.call("GET", f"{PRODUCTS}/{product_id}", world.us)
    assert product["status"] == "FAILED"
    assert product["audit_failed_reasons"][0]["position"] == "title"
    pushed = [n["data"] for n in world.state.outbox if n["type"] == 5]
    assert pushed[-1]["status"] == "PRODUCT_AUDIT_FAILURE"
    assert pushed[-1]["suspended_reason"]


def _mutations(world):
    state = world.state
    parent = state.categories[catalog.leaf_categories(state, "US", "apparel")[0]]["parent_id"]
    v1_leaf = catalog.leaf_categories(state, "ID", "apparel")[0]
    food = catalog.leaf_categories(state, "US", "food")[0]
    fbt = world.warehouses(world.us, fbt=True)[0].id
    japan = world.warehouses(world.jp)[0].id

    def sku(body, **changes):
        body["skus"][0].update(changes)

    return {
        "title-too-long": (lambda b: b.update(title="x" * 256), 12019000, "title"),
        "parent-category": (lambda b: b.update(category_id=parent), 12019000, "not a leaf"),
        "v1-category-for-us": (
            lambda b: b.update(category_id=v1_leaf, category_version="v1"),
            12019000,
            "must be v2",
        ),
        "invite-only-category": (lambda b: b.update(category_id=food), 12019002, "whitelisted"),
        "missing-required-attribute": (
            lambda b: b.update(product_attributes=[]),
            12019000,
            "Fabric is required",
        ),
        "ten-images": (lambda b: b.update(main_images=b["main_images"] * 4), 12019000, "at most 9"),
        "image-not-uploaded": (
            lambda b: b["main_images"].append({"uri": "tos-maliva-i-o3syd03w52-us/nope"}),
            12038001,
            "image upload",
        ),
        "wrong-currency": (
            lambda b: sku(b, price={"amount": "19.90", "currency": "EUR"}),
            12019000,
            "shop currency USD",
        ),
        "zero-price": (
            lambda b: sku(b, price={"amount": "0", "currency": "USD"}),
            12019000,
            "greater than 0",
        ),
        "too-many-decimals": (
            lambda b: sku(b, price={"amount": "19.999", "currency": "USD"}),
            12019000,
            "2 decimals",
        ),
        "stock-over-99999": (
            lambda b: b["skus"][0]["inventory"][0].update(quantity=100_000),
            12019024,
            "[0,99999]",
        ),
        "fbt-warehouse": (
            lambda b: sku(b, inventory=[{"warehouse_id": fbt, "quantity": 5}]),
            12019000,
            "Fulfilled by TikTok",
        ),
        "foreign-warehouse": (
            lambda b: sku(b, inventory=[{"warehouse_id": japan, "quantity": 5}]),
            12019000,
            "not a warehouse of the shop",
        ),
        "gtin-with-13-digits": (
            lambda b: sku(b, identifier_code={"type": "GTIN", "code": "1234567890123"}),
            12019000,
            "14 digits",
        ),
        "ean-not-numeric": (
            lambda b: sku(b, identifier_code={"type": "EAN", "code": "12345A78"}),
            12019000,
            "8 or 13 or 14 digits",
        ),
        "four-sales-dimensions": (
            lambda b: b["skus"][0]["sales_attributes"].extend(
                [{"name": "Fit", "value_name": "Slim"}, {"name": "Sleeve", "value_name": "Short"}]
            ),
            12019000,
            "at most 3",
        ),
        "same-combination-twice": (
            lambda b: b["skus"][1].update(sales_attributes=b["skus"][0]["sales_attributes"]),
            12019000,
            "combination",
        ),
        "missing-seller-sku": (lambda b: sku(b, seller_sku=""), 12019000, "seller_sku"),
        "seller-sku-too-long": (lambda b: sku(b, seller_sku="S" * 51), 12019059, "50 characters"),
        "missing-size-chart": (lambda b: b.pop("size_chart"), 12019000, "size_chart"),
        "missing-package-size-in-us": (
            lambda b: b.pop("package_dimensions"),
            12019000,
            "package_dimensions",
        ),
    }


@pytest.mark.parametrize("case", list(_mutations(World())))
def test_listing_problems_are_refused_and_listed(world, case):
    mutate, code, text = _mutations(world)[case]
    body = valid_body(world)
    mutate(body)
    products_before = len(world.state.products)

    with pytest.raises(ApiError) as refused:
        create(world, body)

    assert refused.value.code == code
    assert text in refused.value.message
    assert len(world.state.products) == products_before
    check = world.call("POST", f"{PRODUCTS}/listing_check", world.us, json=body)
    assert check["check_result"] == "FAILED"
    assert any(text in reason["message"] for reason in check["fail_reasons"])


def test_cosmetics_need_their_certification(world):
    body = valid_body(world)
    body["category_id"] = catalog.leaf_categories(world.state, "US", "cosmetics")[0]
    body["product_attributes"] = [{"id": "101010", "values": [{"name": "Shea butter, wax"}]}]
    body["skus"] = body["skus"][:1]
    body["skus"][0]["sales_attributes"] = [{"id": "100025", "value_id": "100025002"}]

    check = world.call("POST", f"{PRODUCTS}/listing_check", world.us, json=body)
    assert [r["message"] for r in check["fail_reasons"]] == [
        "certifications: Cosmetic Product Safety Report is required"
    ]

    leaf = body["category_id"]
    rules = catalog.category_rules(world.state, leaf, "US")
    cpsr = next(c for c in rules["product_certifications"] if c["is_required"])
    document = upload(world, 1200, 1600, use_case="CERTIFICATION_IMAGE")["uri"]
    body["certifications"] = [{"id": cpsr["id"], "images": [{"uri": document}]}]
    check = world.call("POST", f"{PRODUCTS}/listing_check", world.us, json=body)
    assert check["check_result"] == "PASS"
    assert create(world, body)["product_id"]


def test_listing_check_passes_a_valid_body_without_creating_anything(world):
    body = valid_body(world)

    check = world.call("POST", f"{PRODUCTS}/listing_check", world.us, json=body)

    assert check["check_result"] == "PASS" and check["fail_reasons"] == []
    assert check["listing_quality"]["current_tier"] == "GOOD"
    assert world.state.products == {}


def test_idempotency_key_returns_the_first_result(world):
    body = valid_body(world)
    body["idempotency_key"] = "create-tee-1"

    first = create(world, body)
    again = create(world, copy.deepcopy(body))

    assert again == first
    assert len(world.state.products) == 1


def test_two_shops_may_use_the_same_idempotency_key(world):
    for shop in (world.us, world.gb):
        body = valid_body(world, shop)
        body["idempotency_key"] = "create-tee-1"
        create(world, body, shop)

    assert sorted(p.shop_id for p in world.state.products.values()) == sorted(
        [world.us.id, world.gb.id]
    )


def test_idr_and_jpy_prices_take_no_decimals(world):
    for shop, amount in ((world.id, "150000.5"), (world.jp, "1500.5")):
        body = valid_body(world, shop)
        body["skus"][0]["price"] = {"amount": amount, "currency": shop.currency}
        with pytest.raises(ApiError, match="0 decimals"):
            create(world, body, shop)


def test_indonesian_listing_in_the_v1_tree(world):
    body = valid_body(world, world.id)

    created = create(world, body, world.id)

    sku = world.state.skus[created["skus"][0]["id"]]
    assert (sku.price, sku.currency) == ("149000", "IDR")


# --- drafts, edits, reads ----------------------------------------------------------------------


def test_draft_skips_completeness_until_activated(world):
    body = valid_body(world)
    body.update(save_mode="AS_DRAFT", product_attributes=[])
    product_id = create(world, body)["product_id"]
    assert world.state.products[product_id].status == "DRAFT"

    refused = world.call(
        "POST", f"{PRODUCTS}/activate", world.us, json={"product_ids": [product_id]}
    )
    assert "Fabric is required" in refused["errors"][0]["message"]
    assert world.state.products[product_id].status == "DRAFT"

    fix = {"product_attributes": [{"id": "101001", "values": [{"id": "101001002"}]}]}
    world.call("POST", f"{PRODUCTS}/{product_id}/partial_edit", world.us, json=fix)
    result = world.call(
        "POST", f"{PRODUCTS}/activate", world.us, json={"product_ids": [product_id]}
    )
    assert result == {}
    assert world.state.products[product_id].status == "PENDING"


def test_edit_replaces_the_product_and_keeps_sku_ids(world):
    body = valid_body(world)
    created = create(world, body)
    world.advance(catalog.AUDIT_SECONDS)
    product_id = created["product_id"]

    body["title"] = "Organic Cotton Tee, relaxed fit"
    body["skus"][0]["id"] = created["skus"][0]["id"]
    body["skus"] = body["skus"][:1]
    edited = world.call("PUT", f"{PRODUCTS}/{product_id}", world.us, json=body)

    assert edited["audit"] == {"status": "AUDITING"}
    assert [s["id"] for s in edited["skus"]] == [created["skus"][0]["id"]]
    assert created["skus"][1]["id"] not in world.state.skus
    product = world.call("GET", f"{PRODUCTS}/{product_id}", world.us)
    assert product["title"] == "Organic Cotton Tee, relaxed fit"
    # A live product stays on sale while its edit is reviewed.
    assert (product["status"], product["audit"]) == ("ACTIVATE", {"status": "AUDITING"})
    world.advance(catalog.AUDIT_SECONDS)
    assert world.call("GET", f"{PRODUCTS}/{product_id}", world.us)["audit"]["status"] == "APPROVED"


def test_edit_with_a_forbidden_title_takes_a_live_product_down(world):
    product_id = create(world, valid_body(world))["product_id"]
    world.advance(catalog.AUDIT_SECONDS)

    world.call(
        "POST",
        f"{PRODUCTS}/{product_id}/partial_edit",
        world.us,
        json={"title": "Forbidden logo tee"},
    )
    assert world.state.products[product_id].status == "ACTIVATE"
    world.advance(catalog.AUDIT_SECONDS)

    assert world.state.products[product_id].status == "FAILED"
    assert [n["data"]["status"] for n in world.state.outbox if n["type"] == 5] == [
        "PRODUCT_FIRST_PASS_REVIEW",
        "PRODUCT_AUDIT_FAILURE",
    ]


def test_partial_edit_changes_only_what_is_sent(world):
    created = create(world, valid_body(world))
    product_id = created["product_id"]

    world.call(
        "POST",
        f"{PRODUCTS}/{product_id}/partial_edit",
        world.us,
        json={"description": "<p>New description.</p>"},
    )

    product = world.call("GET", f"{PRODUCTS}/{product_id}", world.us)
    assert product["description"] == "<p>New description.</p>"
    assert product["title"] == "Organic Cotton Tee"
    assert [s["id"] for s in product["skus"]] == [s["id"] for s in created["skus"]]


def test_edits_leave_tiktok_warehouse_stock_alone(world):
    created = create(world, valid_body(world))
    world.advance(catalog.AUDIT_SECONDS)
    sku = world.state.skus[created["skus"][0]["id"]]
    fbt = world.warehouses(world.us, fbt=True)[0].id
    sku.inventory[fbt] = 12  # stock TikTok received in its own warehouse

    world.call(
        "POST",
        f"{PRODUCTS}/{created['product_id']}/partial_edit",
        world.us,
        json={"title": "Organic Cotton Tee, second run"},
    )

    assert sku.inventory[fbt] == 12
    assert sum(sku.inventory.values()) == 42


def test_a_full_edit_may_repeat_tiktok_warehouse_stock_but_not_change_it(world):
    body = valid_body(world)
    created = create(world, body)
    sku = world.state.skus[created["skus"][0]["id"]]
    fbt = world.warehouses(world.us, fbt=True)[0].id
    sku.inventory[fbt] = 12  # as Get Product shows it
    body["skus"][0]["id"] = sku.id
    body["skus"][0]["inventory"].append({"warehouse_id": fbt, "quantity": 12})
    path = f"{PRODUCTS}/{created['product_id']}"

    world.call("PUT", path, world.us, json=body)
    body["skus"][0]["inventory"][-1]["quantity"] = 13
    with pytest.raises(ApiError) as refused:
        world.call("PUT", path, world.us, json=body)

    assert "Fulfilled by TikTok" in refused.value.message
    assert sku.inventory[fbt] == 12


def test_custom_sales_attributes_survive_an_edit(world):
    body = valid_body(world)
    body["skus"][0]["sales_attributes"].append({"name": "Fit", "value_name": "Relaxed"})
    body["skus"][1]["sales_attributes"].append({"name": "Fit", "value_name": "Slim"})
    created = create(world, body)

    product_id = created["product_id"]
    path = f"{PRODUCTS}/{product_id}/partial_edit"
    world.call("POST", path, world.us, json={"title": "Organic Cotton Tee, two fits"})

    fits = [
        a["value_name"]
        for sku in world.call("GET", f"{PRODUCTS}/{product_id}", world.us)["skus"]
        for a in sku["sales_attributes"]
        if a["name"] == "Fit"
    ]
    assert fits == ["Relaxed", "Slim"]
    fit_ids = {s["sales_attributes"][2]["id"] for s in created["skus"]}
    assert len(fit_ids) == 1 and fit_ids.pop().isdigit()


def test_get_product_shows_the_listing(world):
    created = create(world, valid_body(world))

    product = world.call("GET", f"{PRODUCTS}/{created['product_id']}", world.us)

    assert [c["local_name"] for c in product["category_chains"]][-1] == "Basic Cotton Tees"
    assert len(product["category_chains"]) == 7
    assert product["main_images"][0]["width"] == 800
    sku = product["skus"][0]
    assert sku["price"] == {
        "currency": "USD",
        "sale_price": "19.90",
        "tax_exclusive_price": "19.90",
    }
    assert sku["inventory"] == [{"warehouse_id": world.warehouses(world.us)[0].id, "quantity": 30}]
    assert sku["identifier_code"] == {"type": "UPC", "code": "012345678905"}
    assert product["size_chart"] == {"template": {"id": "7100000000000000001"}}


def test_another_shops_product_is_refused(world):
    mug = world.add_product(world.jp, prices=("1500",))

    with pytest.raises(ApiError) as refused:
        world.call("GET", f"{PRODUCTS}/{mug.id}", world.us)

    assert refused.value.code == 12052048


def test_search_filters_by_status_seller_sku_and_time(world):
    old = world.add_product(world.us, title="Old Mug")
    world.advance(DAY)
    new = world.add_product(world.us, title="New Bowl")
    new.status = "SELLER_DEACTIVATED"
    world.add_product(world.jp, title="Japanese Mug", prices=("1500",))

    def search(body=None, **query):
        return world.call(
            "POST", f"{PRODUCTS}/search", world.us, query={"page_size": 10, **query}, json=body
        )

    assert [p["id"] for p in search()["products"]] == [new.id, old.id]
    assert [p["id"] for p in search({"status": "ACTIVATE"})["products"]] == [old.id]
    assert [p["id"] for p in search({"seller_skus": ["NEW-1"]})["products"]] == [new.id]
    assert [p["id"] for p in search({"create_time_le": old.create_time})["products"]] == [old.id]
    first = search(page_size=1)
    assert first["total_count"] == 2 and first["next_page_token"]
    assert first["products"][0]["sales_regions"] == ["US"]


def test_status_changes_follow_the_lifecycle(world):
    mug = world.add_product(world.us)

    def post(action, ids):
        return world.call("POST", f"{PRODUCTS}/{action}", world.us, json={"product_ids": ids})

    assert post("deactivate", [mug.id]) == {} and mug.status == "SELLER_DEACTIVATED"
    assert post("activate", [mug.id]) == {} and mug.status == "ACTIVATE"
    world.call("DELETE", PRODUCTS, world.us, json={"product_ids": [mug.id]})
    assert mug.status == "DELETED"
    assert post("activate", [mug.id])["errors"][0]["code"] == 12052003
    assert post("recover", [mug.id]) == {} and mug.status == "SELLER_DEACTIVATED"
    assert post("recover", [mug.id])["errors"][0]["detail"] == {"product_id": mug.id}
    with pytest.raises(ApiError) as refused:
        post("deactivate", [str(n) for n in range(21)])
    assert refused.value.code == 12019120


# --- inventory and prices ----------------------------------------------------------------------


def test_inventory_update_is_what_buyers_can_buy(world):
    mug = world.add_product(world.us, stock=3)
    sku = mug.skus[0]
    main, overflow = world.warehouses(world.us)
    stock = [{"warehouse_id": main.id, "quantity": 0}, {"warehouse_id": overflow.id, "quantity": 1}]

    world.call(
        "POST",
        f"{PRODUCTS}/{mug.id}/inventory/update",
        world.us,
        json={"skus": [{"id": sku.id, "inventory": stock}]},
    )

    found = world.call(
        "POST", "/product/202309/inventory/search", world.us, json={"product_ids": [mug.id]}
    )
    entry = found["inventory"][0]["skus"][0]
    assert entry["total_available_quantity"] == 1
    assert {w["warehouse_id"]: w["available_quantity"] for w in entry["warehouse_inventory"]} == {
        main.id: 0,
        overflow.id: 1,
    }
    orders.place_order(world.state, world.us, [(sku.id, 1)], shipping_type="SELLER")
    with pytest.raises(orders.OrderRefused, match="out of stock"):
        orders.place_order(world.state, world.us, [(sku.id, 1)], shipping_type="SELLER")
    after = world.call(
        "POST", "/product/202309/inventory/search", world.us, json={"sku_ids": [sku.id]}
    )
    assert after["inventory"][0]["skus"][0]["total_available_quantity"] == 0
    assert after["inventory"][0]["skus"][0]["total_committed_quantity"] == 1


def test_inventory_search_prefers_sku_ids(world):
    mug = world.add_product(world.us, prices=("10.00", "12.00"))
    bowl = world.add_product(world.us, title="Bowl")

    found = world.call(
        "POST",
        "/product/202309/inventory/search",
        world.us,
        json={"product_ids": [bowl.id], "sku_ids": [mug.skus[1].id]},
    )

    assert [(g["product_id"], [s["id"] for s in g["skus"]]) for g in found["inventory"]] == [
        (mug.id, [mug.skus[1].id])
    ]
    with pytest.raises(ApiError, match="600"):
        world.call(
            "POST", "/product/202309/inventory/search", world.us, json={"sku_ids": ["1"] * 601}
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w, sku, main, other: [{"warehouse_id": main, "quantity": 5}], "is missing"),
        (
            lambda w, sku, main, other: [
                {"warehouse_id": main, "quantity": 100_000},
                {"warehouse_id": other, "quantity": 1},
            ],
            "[0,99999]",
        ),
        (
            lambda w, sku, main, other: [
                {"warehouse_id": main, "quantity": 1},
                {"warehouse_id": other, "quantity": 1},
                {"warehouse_id": w.warehouses(w.us, fbt=True)[0].id, "quantity": 9},
            ],
            "Fulfilled by TikTok",
        ),
    ],
    ids=["every-warehouse-listed", "quantity-range", "fbt-not-settable"],
)
def test_inventory_update_refusals(world, change, message):
    mug = world.add_product(world.us, stock=7)
    sku = mug.skus[0]
    main, other = (w.id for w in world.warehouses(world.us))
    body = {"skus": [{"id": sku.id, "inventory": change(world, sku, main, other)}]}

    with pytest.raises(ApiError, match=message.replace("[", r"\[")):
        world.call("POST", f"{PRODUCTS}/{mug.id}/inventory/update", world.us, json=body)

    assert set(sku.inventory.values()) == {7}


def test_inventory_update_refuses_a_sku_of_another_product(world):
    mug, bowl = world.add_product(world.us), world.add_product(world.us, title="Bowl")
    stock = [{"warehouse_id": w.id, "quantity": 1} for w in world.warehouses(world.us)]

    with pytest.raises(ApiError, match="not a SKU of this product"):
        world.call(
            "POST",
            f"{PRODUCTS}/{mug.id}/inventory/update",
            world.us,
            json={"skus": [{"id": bowl.skus[0].id, "inventory": stock}]},
        )


def test_price_update_checks_the_shop_currency(world):
    mug = world.add_product(world.us)
    sku = mug.skus[0]
    path = f"{PRODUCTS}/{mug.id}/prices/update"

    with pytest.raises(ApiError, match="shop currency USD"):
        world.call(
            "POST",
            path,
            world.us,
            json={"skus": [{"id": sku.id, "price": {"amount": "9.99", "currency": "GBP"}}]},
        )
    world.call(
        "POST",
        path,
        world.us,
        json={
            "skus": [
                {
                    "id": sku.id,
                    "price": {"amount": "17.5", "currency": "USD"},
                    "list_price": {"amount": "24", "currency": "USD"},
                }
            ]
        },
    )

    shown = world.call("GET", f"{PRODUCTS}/{mug.id}", world.us)["skus"][0]
    assert shown["price"]["sale_price"] == "17.50"
    assert shown["list_price"] == {"amount": "24.00", "currency": "USD"}


def test_complete_listing_lets_a_seeded_product_be_edited(world):
    leaf = catalog.leaf_categories(world.state, "US", "cosmetics")[0]
    apple = next(b["id"] for b in world.state.brands.values() if b["name"] == "Apple")
    gloss = world.add_product(
        world.us,
        title="Hydrating Lip Gloss",
        category_id=leaf,
        brand_id=apple,
        main_images=[{"uri": "tos-maliva-i-o3syd03w52-us/seeded"}],
        package_weight={"value": "0.1", "unit": "KILOGRAM"},
        package_dimensions={"length": "5", "width": "5", "height": "10", "unit": "CENTIMETER"},
    )
    gloss.description = "<p>Gloss.</p>"
    gloss.skus[0].sales_attributes = [
        {"id": "100025", "name": "Shade", "value_id": "777", "value_name": "Rose"}
    ]
    path = f"{PRODUCTS}/{gloss.id}/partial_edit"
    with pytest.raises(ApiError):
        world.call("POST", path, world.us, json={"title": "Hydrating Lip Gloss, 4 ml"})

    catalog.complete_listing(world.state, gloss, "US")
    world.call("POST", path, world.us, json={"title": "Hydrating Lip Gloss, 4 ml"})

    assert gloss.title == "Hydrating Lip Gloss, 4 ml"
    assert gloss.brand_id == ""  # not authorized for Apple
    assert gloss.skus[0].sales_attributes[0]["value_id"] == "100025002"


def test_catalog_through_http(sandbox):
    shop = sandbox.shop("US")
    warehouse = next(w for w in sandbox.state.warehouses_of(shop.id) if w.is_default)
    with seller_client(sandbox, shop) as client:

        def call(method, path, **options):
            return client.request(method, path, shop_cipher=shop.cipher, **options)

        with pytest.raises(TikTokShopError) as refused:
            call("GET", "/product/202309/categories", params={"category_version": "v1"})
        assert refused.value.code == 36009004
        tree = call("GET", "/product/202309/categories", params={"category_version": "v2"})
        leaf = next(c["id"] for c in tree["categories"] if c["local_name"] == "Basic Cotton Tees")
        image = client.request(
            "POST",
            "/product/202309/images/upload",
            files={"data": ("tee.png", png_bytes(900, 900), "image/png")},
            form={"use_case": "MAIN_IMAGE"},
        )
        assert (image["width"], image["height"]) == (900, 900)
        body = listing_body(shop, leaf, [image["uri"]], warehouse.id)
        body["skus"][0]["inventory"][0]["quantity"] = 100_000
        with pytest.raises(TikTokShopError) as refused:
            call("POST", "/product/202309/products", json=body, idempotent=False)
        assert refused.value.code == 12019024

        body["skus"][0]["inventory"][0]["quantity"] = 30
        created = call("POST", "/product/202309/products", json=body, idempotent=False)
        product_id, sku_id = created["product_id"], created["skus"][0]["id"]
        sandbox.advance(catalog.AUDIT_SECONDS)
        assert call("GET", f"/product/202309/products/{product_id}")["status"] == "ACTIVATE"

        stock = [{"warehouse_id": warehouse.id, "quantity": 7}]
        call(
            "POST",
            f"/product/202309/products/{product_id}/inventory/update",
            json={"skus": [{"id": sku_id, "inventory": stock}]},
        )
        found = call("POST", "/product/202309/inventory/search", json={"sku_ids": [sku_id]})

    assert found["inventory"][0]["skus"][0]["total_available_quantity"] == 7
    assert sandbox.state.skus[sku_id].inventory == {warehouse.id: 7}
