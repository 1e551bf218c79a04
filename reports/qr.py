"""QR codes of short texts (addresses), fast enough for thousands per document.

The ``qrcode`` package spends most of a code's time searching the eight mask patterns for
the best-looking one; any mask is valid, so a fixed one (``mask_pattern=0``, the package's
own option) makes a code in well under a millisecond. Byte mode, error correction level M.
"""

from __future__ import annotations

from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of the QR code of `text` (True = dark), row by row, without a border."""
    code = QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()
