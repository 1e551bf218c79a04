"""What an uploaded file is, judged from its bytes — never from its name or the browser's
word — and what is stored for it.

Allowed: JPEG, PNG, WebP and HEIC photos, PDF, XLSX and DOCX. Anything else (an EXE, an HTML
page or an SVG renamed .jpg, a ZIP that is no Office document) is refused `415
unsupported_type`. Photos are decoded with Pillow (HEIC through pillow-heif), turned upright
by their EXIF orientation, then re-encoded without any metadata: a phone photo's EXIF holds
the GPS position of the owner's home. HEIC becomes JPEG (browsers other than Safari cannot
show HEIC). Each photo gets a 320 px JPEG thumbnail for lists. A picture claiming more than
ATTACHMENT_MAX_PIXELS is refused before it is decoded (a decompression bomb: a few KB that
unpack to gigabytes).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError
from core.spreadsheet import office_type

try:  # HEIC photos (iPhones) — pillow-heif registers a Pillow opener
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover — pinned in requirements.txt
    HEIC = False

#: the content types a photo may have, what Pillow calls them, and what it is stored as
_IMAGES = {"image/jpeg": ("JPEG", "image/jpeg"), "image/png": ("PNG", "image/png"),
           "image/webp": ("WEBP", "image/webp"), "image/heic": ("HEIF", "image/jpeg"),
           "image/heif": ("HEIF", "image/jpeg")}
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
              PDF: ".pdf", XLSX: ".xlsx", DOCX: ".docx"}
#: what the file input offers (a phone then opens its camera or its files)
ACCEPT = "image/*,.heic,application/pdf,.pdf,.xlsx,.docx"
THUMB_PX = 320
JPEG_QUALITY = 88


@dataclass(frozen=True)
class Stored:
    """What is kept of an upload: the bytes, their type and extension, and a thumbnail."""

    data: bytes
    content_type: str
    extension: str
    thumbnail: bytes | None = None


def unsupported() -> DomainError:
    return DomainError("unsupported_type",
                       _("Only photos (JPEG, PNG, WebP, HEIC), PDF, Excel (.xlsx) and Word "
                         "(.docx) files can be attached."), field="file", status=415)


def judge(data: bytes, *, max_pixels: int) -> Stored:
    """The file as it will be stored, or `415 unsupported_type` / `413 image_too_large`."""
    mime = filetype.guess_mime(data[:8192]) if data else None
    if mime in _IMAGES:
        return _photo(data, mime, max_pixels)
    if mime == PDF or data.startswith(b"%PDF-"):
        return _pdf(data)
    if mime in (None, "application/zip", XLSX, DOCX) and data.startswith(b"PK\x03\x04"):
        kind = office_type(data)
        if kind is not None:
            return Stored(data, kind, EXTENSIONS[kind])
    raise unsupported()


def _pdf(data: bytes) -> Stored:
    """A PDF starts with its header and ends with its end-of-file marker (a few trailing
    bytes allowed). It is not parsed here: it is stored and served, never rendered by us,
    and browsers open it under `nosniff` and a sandboxing CSP."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise unsupported()
    return Stored(data, PDF, ".pdf")


def _photo(data: bytes, mime: str, max_pixels: int) -> Stored:
    pil_format, stored_type = _IMAGES[mime]
    if pil_format == "HEIF" and not HEIC:  # pragma: no cover
        raise unsupported()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pil_format])
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            image = ImageOps.exif_transpose(image)  # upright before the EXIF goes
            image.load()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise unsupported() from None
    clean = _encode(image, stored_type)
    return Stored(clean, stored_type, EXTENSIONS[stored_type], _thumbnail(image))


def _too_many_pixels(max_pixels: int) -> DomainError:
    return DomainError("image_too_large",
                       _("The picture has more than %(n)s million pixels.",
                         n=max_pixels // 1_000_000), field="file", status=413)


def _encode(image: Image.Image, content_type: str) -> bytes:
    """The picture alone: no EXIF, XMP, ICC or text chunks are passed to the encoder."""
    out = io.BytesIO()
    if content_type == "image/jpeg":
        _rgb(image).save(out, format="JPEG", quality=JPEG_QUALITY, optimize=False)
    elif content_type == "image/png":
        keep = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I") else \
            image.convert("RGBA")
        keep.save(out, format="PNG", compress_level=6)
    else:
        keep = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        keep.save(out, format="WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _thumbnail(image: Image.Image) -> bytes:
    small = _rgb(image).copy()
    small.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.BILINEAR, reducing_gap=2.0)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_name(raw: str | None, extension: str) -> str:
    """The uploaded name without any path or control characters, at most 120 characters,
    ending in the extension of what is stored ("发票.JPG" stays, "x.exe" → "x.exe.pdf" is
    impossible: a PDF named x.exe is stored as "x.pdf")."""
    name = unicodedata.normalize("NFC", os.path.basename((raw or "").replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, ext = os.path.splitext(name)
    if ext.lower() in (extension, ".jpeg" if extension == ".jpg" else extension):
        ext_kept = ext
    else:
        ext_kept = extension
    stem = stem[:120 - len(ext_kept)] or "file"
    return stem + ext_kept
