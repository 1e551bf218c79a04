"""QR codes of short texts (addresses), fast enough for thousands per document.

The ``qrcode`` package makes a code in about a millisecond; most of it is spent on things
that are the same for every code of one version — the finder, timing and alignment patterns,
the format bits, the path the data takes through the matrix — and on Reed–Solomon arithmetic
through its polynomial objects. Here the patterns and the path are taken from ``qrcode``
once per version (``_Template``), and the error correction is done with log tables. The
codes are byte mode, error correction level M, mask pattern 0 (any mask is valid; searching
for the best one is what costs most). tests/reports/test_qr.py checks module for module
that they equal what ``qrcode`` makes with the same settings.
"""

from __future__ import annotations

from functools import cache

from qrcode import QRCode
from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_M

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _generator_logs(n: int) -> tuple[int, ...]:
    """Logs of the coefficients (after the leading 1) of Π (x − α^i), i < n."""
    poly = [1]
    for i in range(n):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(_LOG[c] for c in poly[1:])


def _ecc(data: list[int], n: int) -> list[int]:
    gen = _generator_logs(n)
    rest = [0] * n
    for byte in data:
        factor = byte ^ rest[0]
        rest = rest[1:]
        rest.append(0)
        if factor:
            lf = _LOG[factor]
            for i, g in enumerate(gen):
                rest[i] ^= _EXP[lf + g]
    return rest


class _Template:
    """What every code of one version shares: the fixed modules and the data path."""

    def __init__(self, version: int) -> None:
        code = QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0,
                      mask_pattern=0)
        n = code.modules_count = version * 4 + 17
        code.modules = [[None] * n for _ in range(n)]
        for row, col in ((0, 0), (n - 7, 0), (0, n - 7)):
            code.setup_position_probe_pattern(row, col)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(False, 0)
        if version >= 7:
            code.setup_type_number(False)
        self.size = n
        self.fixed = [[bool(m) for m in line] for line in code.modules]
        self.path: list[tuple[int, int]] = []  # the data modules, in the order bits fill them
        row, step = n - 1, -1
        for col in range(n - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if code.modules[row][c] is None:
                        self.path.append((row, c))
                row += step
                if row < 0 or row >= n:
                    row -= step
                    step = -step
                    break
        self.blocks = rs_blocks(version, ERROR_CORRECT_M)
        self.capacity = sum(b.data_count for b in self.blocks)
        self.length_bits = 8 if version < 10 else 16


@cache
def _template(version: int) -> _Template:
    return _Template(version)


def _version_for(length: int) -> int:
    for version in range(1, 41):
        t = _template(version)
        if 4 + t.length_bits + 8 * length <= 8 * t.capacity:
            return version
    raise ValueError("text too long for a QR code")


def _codewords(data: bytes, t: _Template) -> list[int]:
    bits = (0b0100 << t.length_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    nbits = 4 + t.length_bits + 8 * len(data)
    pad = min(8 * t.capacity - nbits, 4)  # the terminator
    bits, nbits = bits << pad, nbits + pad
    if nbits % 8:
        bits, nbits = bits << (8 - nbits % 8), nbits + 8 - nbits % 8
    words = list(bits.to_bytes(nbits // 8, "big"))
    words += [0xEC, 0x11] * ((t.capacity - len(words)) // 2 + 1)
    words = words[:t.capacity]
    data_blocks, ecc_blocks, at = [], [], 0
    for block in t.blocks:
        part = words[at:at + block.data_count]
        at += block.data_count
        data_blocks.append(part)
        ecc_blocks.append(_ecc(part, block.total_count - block.data_count))
    out = []
    for blocks in (data_blocks, ecc_blocks):
        for i in range(max(len(b) for b in blocks)):
            out += [b[i] for b in blocks if i < len(b)]
    return out


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of the QR code of `text` (True = dark), row by row, without a border."""
    data = text.encode("utf-8")
    t = _template(_version_for(len(data)))
    matrix = [line[:] for line in t.fixed]
    words = _codewords(data, t)
    total = 8 * len(words)
    for k, (row, col) in enumerate(t.path):
        dark = k < total and bool(words[k >> 3] >> (7 - (k & 7)) & 1)
        matrix[row][col] = dark != ((row + col) % 2 == 0)  # mask pattern 0
    return matrix
