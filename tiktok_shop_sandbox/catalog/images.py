"""Image upload (§5.3): JPEG or PNG, checked by size and sides, stored content-addressed."""

import hashlib
import struct
import zlib

from ..constants import CODE_INVALID_PARAMETER
from ..routing import ApiError, route
from .problems import CODE_IMAGE_INVALID, CODE_UPLOAD_TOO_LARGE

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_SIDE_RANGE = (100, 20_000)
IMAGE_USE_CASES = frozenset(
    {
        "MAIN_IMAGE",
        "ATTRIBUTE_IMAGE",
        "DESCRIPTION_IMAGE",
        "CERTIFICATION_IMAGE",
        "SIZE_CHART_IMAGE",
    }
)


@route("POST", "/product/202309/images/upload", shop_cipher=False)
def upload_image(state, request):
    data = _uploaded_bytes(request.files.get("data"))
    use_case = _form_value(request.files.get("use_case")) or "MAIN_IMAGE"
    if use_case not in IMAGE_USE_CASES:
        raise ApiError(CODE_INVALID_PARAMETER, f"Invalid use_case {use_case!r}")
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(CODE_UPLOAD_TOO_LARGE, "The image exceeds 5 MB")
    size = image_size(data)
    if size is None:
        raise ApiError(CODE_IMAGE_INVALID, "The file is not a JPEG or PNG image")
    low, high = IMAGE_SIDE_RANGE
    if not all(low <= side <= high for side in size):
        raise ApiError(
            CODE_IMAGE_INVALID, f"Image sides must be {low}-{high} px, got {size[0]}x{size[1]}"
        )
    # Same bytes, same uri: TikTok's storage is content-addressed as well.
    uri = f"tos-maliva-i-o3syd03w52-us/{hashlib.sha256(data).hexdigest()[:32]}"
    with state.lock:
        state.images[uri] = data
    return {
        "uri": uri,
        "url": image_url(uri),
        "width": size[0],
        "height": size[1],
        "use_case": use_case,
    }


def _uploaded_bytes(part):
    if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
        return part[1]
    if isinstance(part, bytes):
        return part
    raise ApiError(
        CODE_INVALID_PARAMETER, "The multipart field `data` (the image file) is required"
    )


def _form_value(part):
    if isinstance(part, tuple):
        part = part[1]
    if isinstance(part, bytes):
        part = part.decode("utf-8", "replace")
    return (part or "").strip()


def image_url(uri):
    # The .invalid host says plainly that nothing is downloadable there.
    return f"https://p16-oec-sandbox.ibyteimg.invalid/{uri}~tplv-origin.image"


def image_size(data):
    """(width, height) from a PNG or JPEG header, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data):
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC are tables, not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None


# --- images that need no upload -------------------------------------------------------------------


def keep_hosted_images(state, product):
    """The product's images are on TikTok's storage already: an edit may send their uris again."""
    for image in product.main_images:
        stored = image if isinstance(image, dict) else {"uri": image}
        size = (stored.get("width") or 800, stored.get("height") or 800)
        state.images.setdefault(stored["uri"], placeholder_png(*size))


def placeholder_png(width, height):
    """A PNG signature and header declaring `width` x `height`: enough for the upload checks."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b""))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind, data):
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
