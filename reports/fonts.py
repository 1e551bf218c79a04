"""The CJK font every Tongxin PDF is set in.

PDF viewers on owners' phones cannot be trusted to have a Chinese font, so the font is
always *embedded* (a TrueType subset, ``FontFile2`` in the PDF). ReportLab only embeds
TrueType outlines: the OpenType/CFF files of Noto Sans CJK (``.otf``/``.ttc`` from
fonts-noto-cjk) are tried but usually refused; WenQuanYi Micro Hei is the font we rely on.

Lookup order: the ``path`` argument, Flask config ``TONGXIN_CJK_FONT`` (inside an app
context), environment ``TONGXIN_CJK_FONT``, then the well-known system paths below.
A configured path that does not work is an error, never a silent fallback.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: Name under which the regular face is registered with ReportLab.
FONT_NAME = "TongxinCJK"
#: Name of the bold face when a bold file exists (otherwise bold is ``FONT_NAME`` itself).
BOLD_FONT_NAME = "TongxinCJK-Bold"
#: Setting (Flask config key and environment variable) naming the font file to use.
FONT_SETTING = "TONGXIN_CJK_FONT"
#: Optional setting naming a separate bold font file.
BOLD_FONT_SETTING = "TONGXIN_CJK_BOLD_FONT"

#: System fonts tried in order when nothing is configured.
SYSTEM_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora, Arch
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",  # macOS developer machines
)

#: Bold system fonts; used only if they load, otherwise bold = regular (drawn stroked).
SYSTEM_BOLD_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto/NotoSansSC-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
)

INSTALL_HINT = (
    "Install one with `apt-get install fonts-wqy-microhei` (Debian/Ubuntu; gives "
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc), or set the environment variable "
    f"{FONT_SETTING}=/path/to/a/TrueType-CJK-font.ttf (or .ttc)."
)


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font: PDFs with Chinese text cannot be produced."""


@dataclass(frozen=True)
class RegisteredFonts:
    """What ``register_cjk_fonts`` set up: ReportLab font names and their source files."""

    regular: str
    #: ``BOLD_FONT_NAME``, or ``FONT_NAME`` when no bold file was found.
    bold: str
    path: Path
    bold_path: Path
    #: False when ``bold`` is the regular face; builders then fake bold by stroking.
    has_real_bold: bool


_lock = threading.Lock()
_registered: RegisteredFonts | None = None


def _configured(setting: str) -> str | None:
    """The value of ``setting`` from Flask config (if in an app context) or the environment."""
    if has_app_context():
        value = current_app.config.get(setting)
        if value:
            return str(value)
    return os.environ.get(setting) or None


def _load(path: Path, name: str) -> TTFont:
    """Load ``path`` as a ReportLab TrueType font (first face of a collection)."""
    return TTFont(name, str(path), subfontIndex=0)


def _locate(path: str | os.PathLike[str] | None, name: str) -> tuple[Path, TTFont]:
    """Find the regular CJK font and load it under ``name``; see ``find_cjk_font``."""
    configured = str(path) if path else _configured(FONT_SETTING)
    if configured:
        candidate = Path(configured).expanduser()
        if not candidate.is_file():
            raise FontNotFound(
                f"{FONT_SETTING} points to {candidate}, which does not exist. {INSTALL_HINT}"
            )
        try:
            return candidate, _load(candidate, name)
        except TTFError as exc:
            raise FontNotFound(
                f"{FONT_SETTING} points to {candidate}, which ReportLab cannot embed "
                f"({exc}); it needs TrueType outlines. {INSTALL_HINT}"
            ) from exc

    refused: list[str] = []
    for raw in SYSTEM_FONT_PATHS:
        candidate = Path(raw)
        if not candidate.is_file():
            continue
        try:
            return candidate, _load(candidate, name)
        except TTFError as exc:
            refused.append(f"{candidate} ({exc})")
    tried = "; ".join(refused) if refused else "none of " + ", ".join(SYSTEM_FONT_PATHS)
    raise FontNotFound(f"No usable CJK TrueType font found (tried {tried}). {INSTALL_HINT}")


def find_cjk_font(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the file of the CJK font to embed, without registering it.

    Raises ``FontNotFound`` when the configured file is missing or unusable, or when no
    system font is usable; the message says how to install one.
    """
    return _locate(path, "TongxinCJK-probe")[0]


def _locate_bold() -> tuple[Path, TTFont] | None:
    """A separate bold face that loads, or None (bold then reuses the regular face)."""
    configured = _configured(BOLD_FONT_SETTING)
    candidates = [configured] if configured else list(SYSTEM_BOLD_FONT_PATHS)
    for raw in candidates:
        candidate = Path(raw).expanduser()
        if not candidate.is_file():
            continue
        try:
            return candidate, _load(candidate, BOLD_FONT_NAME)
        except TTFError:
            continue
    return None


def register_cjk_fonts(path: str | os.PathLike[str] | None = None) -> RegisteredFonts:
    """Register ``FONT_NAME`` and ``BOLD_FONT_NAME`` with ReportLab, once per process.

    Later calls return the first registration unchanged (ReportLab keeps the first font
    registered under a name). ``<b>`` in paragraphs maps to the bold face.
    """
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        regular_path, regular = _locate(path, FONT_NAME)
        bold = _locate_bold()
        pdfmetrics.registerFont(regular)
        bold_name = FONT_NAME
        bold_path = regular_path
        if bold is not None:
            bold_path = bold[0]
            bold_name = BOLD_FONT_NAME
            pdfmetrics.registerFont(bold[1])
        addMapping(FONT_NAME, 0, 0, FONT_NAME)
        addMapping(FONT_NAME, 1, 0, bold_name)
        addMapping(FONT_NAME, 0, 1, FONT_NAME)
        addMapping(FONT_NAME, 1, 1, bold_name)
        _registered = RegisteredFonts(
            regular=FONT_NAME,
            bold=bold_name,
            path=regular_path,
            bold_path=bold_path,
            has_real_bold=bold is not None,
        )
        return _registered
