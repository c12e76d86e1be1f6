"""Keep credentials and buyer personal data out of logs.

`redact(value)` works on dicts/lists (by key), on text (embedded JSON, Python reprs, URLs, header
lines) and on bytes. `get_logger(name)` returns a logger whose every record goes through
`RedactingFilter`, so a forgotten `redact()` call cannot leak a secret.
"""

import json
import logging
import re
import threading
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

from .const import (
    PERSONAL_DATA_CONTAINER_SAFE_KEYS,
    PERSONAL_DATA_CONTAINERS,
    PERSONAL_DATA_KEYS,
    REDACTED,
    SECRET_KEYS,
    SECRET_QUERY_PARAMS,
)

# Secret values known at runtime (app secret, tokens). Key-based rules cannot catch a secret that
# shows up under an unexpected name, e.g. inside an exception message.
_MIN_SECRET_LENGTH = 6
_known_secrets = set()
_known_secrets_lock = threading.Lock()

_SENSITIVE_KEYS = SECRET_KEYS | PERSONAL_DATA_KEYS
_KEY_ALTERNATION = "|".join(
    re.escape(key) for key in sorted(_SENSITIVE_KEYS, key=len, reverse=True)
)
# "key": "value" / 'key': 'value' / "key": 123 (JSON, Python reprs, truncated JSON).
_QUOTED_PAIR_RE = re.compile(
    rf"""(?P<q>["'])(?P<key>{_KEY_ALTERNATION})(?P=q)(?P<sep>\s*:\s*)"""
    r"""(?:"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^,}\]\s]+)""",
    re.IGNORECASE,
)
# ?app_secret=...&code=... (URL query strings; `code` only counts inside a query string).
_QUERY_PARAM_RE = re.compile(
    r"(?P<lead>^|[?&])(?P<key>"
    + "|".join(re.escape(key) for key in sorted(SECRET_QUERY_PARAMS))
    + r")=(?P<value>[^&\s#'\"]*)",
    re.IGNORECASE,
)
# Header lines such as "Authorization: abc" or "x-tts-access-token=abc".
_HEADER_LINE_RE = re.compile(
    r"(?P<key>\bauthorization|\bx-tts-access-token)(?P<sep>\s*[:=]\s*)(?:bearer\s+)?[^\s,;'\"]+",
    re.IGNORECASE,
)
# Start of a personal-data object in text that is not valid JSON (e.g. a truncated body).
_CONTAINER_START_RE = re.compile(
    r"""(?P<q>["'])(?:"""
    + "|".join(re.escape(key) for key in sorted(PERSONAL_DATA_CONTAINERS))
    + r""")(?P=q)\s*:\s*(?=[{\[])""",
    re.IGNORECASE,
)
_JSON_DECODER = json.JSONDecoder()


def register_secret(value):
    """Remember a secret value so it is masked wherever it appears in a log line."""
    if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
        with _known_secrets_lock:
            _known_secrets.add(value)


def forget_secret(value):
    """Stop masking a value (e.g. a token that was replaced and can no longer be used)."""
    with _known_secrets_lock:
        _known_secrets.discard(value)


def redact(value, secrets=()):
    """Return a copy of `value` with credentials and buyer personal data replaced by "***".

    :param value: dict, list, tuple, str, bytes or any other object (returned unchanged)
    :param secrets: extra secret strings to mask in text, besides the registered ones
    """
    if isinstance(value, Mapping):
        return _redact_mapping(value, inside_personal_data=False, secrets=secrets)
    if isinstance(value, (list, tuple)):
        return [redact(item, secrets) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return _redact_text(bytes(value).decode("utf-8", errors="replace"), secrets)
    if isinstance(value, str):
        return _redact_text(value, secrets)
    return value


def _redact_mapping(mapping, inside_personal_data, secrets):
    redacted = {}
    for key, item in mapping.items():
        lowered = str(key).lower()
        if lowered in _SENSITIVE_KEYS:
            redacted[key] = _mask(item)
        elif lowered in PERSONAL_DATA_CONTAINERS or (
            inside_personal_data and lowered not in PERSONAL_DATA_CONTAINER_SAFE_KEYS
        ):
            redacted[key] = _redact_personal(item, secrets)
        elif inside_personal_data:
            redacted[key] = item
        else:
            redacted[key] = redact(item, secrets)
    return redacted


def _redact_personal(value, secrets):
    """Mask every leaf of a personal-data object, keeping only harmless keys."""
    if isinstance(value, Mapping):
        return _redact_mapping(value, inside_personal_data=True, secrets=secrets)
    if isinstance(value, (list, tuple)):
        return [_redact_personal(item, secrets) for item in value]
    return _mask(value)


def _mask(value):
    # Keep "absent" visible: it tells a reader that the field was empty, which is not a leak.
    return value if value in (None, "") else REDACTED


def _redact_text(text, secrets):
    text = _redact_embedded_json(text, secrets)
    text = _redact_personal_blocks(text)
    text = _QUOTED_PAIR_RE.sub(_replace_quoted_pair, text)
    text = _QUERY_PARAM_RE.sub(r"\g<lead>\g<key>=" + REDACTED, text)
    text = _HEADER_LINE_RE.sub(r"\g<key>\g<sep>" + REDACTED, text)
    return _redact_known_values(text, secrets)


def _replace_quoted_pair(match):
    quote_char = match.group("q")
    return f'{quote_char}{match.group("key")}{quote_char}{match.group("sep")}"{REDACTED}"'


def _redact_embedded_json(text, secrets):
    """Parse every JSON object/array found in `text` and redact it structurally."""
    if "{" not in text and "[" not in text:
        return text
    pieces = []
    position = 0
    index = 0
    while index < len(text):
        if text[index] not in "{[":
            index += 1
            continue
        try:
            parsed, end = _JSON_DECODER.raw_decode(text, index)
        except ValueError:
            index += 1
            continue
        cleaned = redact(parsed, secrets)
        if cleaned != parsed:
            pieces.append(text[position:index])
            pieces.append(json.dumps(cleaned, ensure_ascii=False))
            position = end
        index = end
    pieces.append(text[position:])
    return "".join(pieces)


def _redact_personal_blocks(text):
    """Mask whole personal-data objects in text that did not parse as JSON (e.g. truncated)."""
    pieces = []
    position = 0
    for match in _CONTAINER_START_RE.finditer(text):
        if match.start() < position:
            continue
        if _is_redacted_json_at(text, match.end()):
            continue  # already redacted key by key (first pass): keep its readable structure
        block_end = _matching_bracket_end(text, match.end())
        pieces.append(text[position : match.end()])
        pieces.append(f'"{REDACTED}"')
        position = block_end
    pieces.append(text[position:])
    return "".join(pieces)


def _is_redacted_json_at(text, index):
    try:
        block, _end = _JSON_DECODER.raw_decode(text, index)
    except ValueError:
        return False
    return _redact_personal(block, secrets=()) == block


def _matching_bracket_end(text, start):
    """Index just past the bracket closing the one at `start`, or len(text) if unbalanced."""
    depth = 0
    in_string = None
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == in_string:
                in_string = None
        elif char in "\"'":
            in_string = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _redact_known_values(text, secrets):
    with _known_secrets_lock:
        values = set(_known_secrets)
    values.update(secret for secret in secrets if secret and len(secret) >= _MIN_SECRET_LENGTH)
    # Longest first, so a secret containing another one is masked whole.
    for secret in sorted(values, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            if form in text:
                text = text.replace(form, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites each record with secrets and personal data masked."""

    def filter(self, record):
        try:
            _redact_record(record)
        except Exception:
            record.msg = "[log message withheld: redaction failed]"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def _redact_record(record):
    if record.args:
        if isinstance(record.args, Mapping):
            record.args = redact(record.args)
        else:
            record.args = tuple(redact(arg) for arg in record.args)
    # Freeze the final text, so no handler can re-render the raw arguments.
    record.msg = redact(record.getMessage())
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def get_logger(name):
    """Return the logger `name` with a `RedactingFilter` attached (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
