"""The audit chain anchor (审计链锚点) printed at the foot of a published document.

It names the chain, the entry's sequence number and its full SHA-256, so that anyone holding
the paper can have the chain checked against it later (`flask audit verify --anchor
CHAIN/SEQ:HASH`): an entry deleted and re-written after the document was issued no longer
has the printed hash. The hash is set in a fixed-width face, small, on a line of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from reports import styles as st

MONO_NAME = "TongxinMono"
#: fixed-width TrueType faces tried in order (embedded like the CJK font: PDF's own Courier
#: is not embedded, and a phone's viewer may substitute it); (path, index in a .ttc)
MONO_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
    ("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),  # WenQuanYi Micro Hei Mono
)
SIZE = 7.5
_lock = threading.Lock()
_mono: str | None = None


def mono_font() -> str:
    """Register the first fixed-width face that loads (once); without one, the CJK font
    (its digits are fixed-width, so the hash still reads and fits)."""
    global _mono
    with _lock:
        if _mono is None:
            _mono = st.styles().font
            for path, index in MONO_FONTS:
                if Path(path).is_file():
                    try:
                        pdfmetrics.registerFont(TTFont(MONO_NAME, path, subfontIndex=index))
                    except TTFError:
                        continue
                    _mono = MONO_NAME
                    break
        return _mono


@dataclass(frozen=True)
class AuditAnchor:
    chain: int
    seq: int
    hash: str  # 64 hex digits
    #: what the chain is, for people: the compound's name, or 全区
    chain_name: str
    #: what the entry is: 本公告发布记录, 本表生成时的链头, …
    what: str

    @property
    def token(self) -> str:
        """What `flask audit verify --anchor` takes."""
        return f"{self.chain}/{self.seq}:{self.hash}"


def anchor_block(anchor: AuditAnchor) -> Flowable:
    """Two small lines kept together: which chain and entry, then CHAIN/SEQ:HASH."""
    styles = st.styles()
    label = ParagraphStyle("tongxin-anchor", parent=styles.small, fontSize=SIZE,
                           leading=SIZE * 1.45)
    mono = ParagraphStyle("tongxin-anchor-mono", parent=label, fontName=mono_font(),
                          wordWrap=None)
    caption = (f"审计链锚点：{anchor.chain_name}审计链（链 {anchor.chain}）第 {anchor.seq} 条，"
               f"{anchor.what}；下行为“链/序号:哈希（SHA-256）”，可据此核验审计链未被改写。")
    return KeepTogether([Paragraph(escape(caption), label),
                         Paragraph(escape(anchor.token), mono)])
