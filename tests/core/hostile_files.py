"""Hostile uploads, built cheaply by writing the zip by hand (shared by the tests of
core.spreadsheet and bench/bench_uploads.py).

Each builder returns bytes of at most 10 MiB, the app's upload limit, that a careless
reader would turn into hundreds of megabytes: a million rows, a shared-strings bomb,
a zip whose directory lies about its sizes, and CSV files at the limit.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
LEDGER_HEADER = ("楼号", "单元", "室号", "楼层", "建筑面积", "面积来源", "开发商持有", "业主姓名",
                 "身份证号")


def content_types(main: str = SHEET_MAIN, shared: bool = False) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>',
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
    ]
    if shared:
        parts.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return ("".join(parts) + "</Types>").encode()


def _package(shared: bool) -> dict[str, bytes]:
    rels = [f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    if shared:
        rels.append(f'<Relationship Id="rId2" Type="{REL}/sharedStrings" '
                    'Target="sharedStrings.xml"/>')
    return {
        "_rels/.rels": (f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>").encode(),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
                            "</workbook>").encode(),
        "xl/_rels/workbook.xml.rels": (f'<Relationships xmlns="{PKG_REL}">{"".join(rels)}'
                                       "</Relationships>").encode(),
    }


def workbook(sheet: Iterable[bytes], *, shared: Iterable[bytes] | None = None,
             main: str = SHEET_MAIN, extra: dict[str, bytes] | None = None,
             level: int = 6) -> bytes:
    """A minimal XLSX whose sheet (and shared strings) are written chunk by chunk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", content_types(main, shared is not None))
        for name, data in _package(shared is not None).items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as f:
            for chunk in sheet:
                f.write(chunk)
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w") as f:
                for chunk in shared:
                    f.write(chunk)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows: Iterable[bytes], header: Iterable[str] = LEDGER_HEADER) -> Iterator[bytes]:
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield ("<row>" + "".join(_inline(h) for h in header) + "</row>").encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def repeated(block: bytes, times: int, per: int = 1000) -> Iterator[bytes]:
    """`block` `times` times, `per` copies per chunk."""
    chunk = block * per
    for _ in range(times // per):
        yield chunk
    yield block * (times % per)


# -- the hostile files ------------------------------------------------------------------------

def million_rows(rows: int = 1_000_000) -> bytes:
    """A million identical tiny rows: ~26 MB of sheet XML in a ~40 KB file."""
    return workbook(sheet(repeated(b"<row><c><v>1</v></c></row>", rows)))


def numbered_rows(rows: int) -> bytes:
    """`rows` rows numbered 1..n, compressing like a real sheet (no ratio bomb): only the
    row count is wrong."""
    def body():
        for start in range(0, rows, 10_000):
            yield "".join(f'<row r="{n + 2}"><c r="A{n + 2}"><v>{n}</v></c></row>'
                          for n in range(start, min(rows, start + 10_000))).encode()
    return workbook(sheet(body()))


def shared_string_bomb(chars: int = 300 * 1024 * 1024) -> bytes:
    """One shared string of `chars` characters (a 300 MB text in a ~300 KB file)."""
    def table():
        yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        yield from repeated(b"A" * 1024, chars // 1024, per=1024)
        yield b"</t></si></sst>"
    row = b'<row><c t="s"><v>0</v></c></row>'
    return workbook(sheet([row]), shared=table(), level=1)


def shared_string_count_bomb(count: int = 1_000_000) -> bytes:
    """`count` short distinct shared strings (~20 MB of XML, compressing like real text):
    one Python string each once loaded."""
    def table():
        yield f'<sst xmlns="{MAIN}">'.encode()
        for start in range(0, count, 10_000):
            yield "".join(f"<si><t>{n}</t></si>"
                          for n in range(start, min(count, start + 10_000))).encode()
        yield b"</sst>"
    return workbook(sheet([b'<row><c t="s"><v>0</v></c></row>']), shared=table())


def lying_zip_bomb(real: int = 1024 * 1024 * 1024, declared: int = 4096) -> bytes:
    """A sheet of `real` bytes (1 GiB of spaces inside the sheet) whose local header and
    central directory both declare `declared` bytes, with the CRC of the whole."""
    def body():
        yield from repeated(b" " * 1024, real // 1024, per=1024)
    content = workbook(sheet(body()), level=1)
    return patch_declared_size(content, "xl/worksheets/sheet1.xml", declared)


def patch_declared_size(content: bytes, name: str, size: int) -> bytes:
    """Rewrite `name`'s uncompressed size in its local header and central directory."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, size)
    encoded = name.encode()
    at = data.find(b"PK\x01\x02", local)
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_len]) == encoded:
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the central directory")


def macro_workbook() -> bytes:
    rows = [b"<row><c><v>1</v></c></row>"]
    return workbook(sheet(rows), main=MACRO_MAIN, extra={"xl/vbaProject.bin": b"\x00" * 64})


def encrypted_member_workbook() -> bytes:
    """A workbook whose sheet's zip entry has the 'encrypted' flag set."""
    content = workbook(sheet([b"<row><c><v>1</v></c></row>"]))
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<H", data, info.header_offset + 6, info.flag_bits | 1)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_len]) == info.filename.encode():
            struct.pack_into("<H", data, at + 8, info.flag_bits | 1)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def docx_named_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", content_types(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"))
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def csv_ledger_rows(size: int, row_bytes: int = 60) -> bytes:
    """A ledger CSV of about `size` bytes whose rows are well-formed units (developer-held,
    so no owner is needed), padded to `row_bytes` each."""
    lines = [",".join(LEDGER_HEADER).encode() + b"\r\n"]
    total, n = len(lines[0]), 0
    while total < size:
        line = f"{n // 1000 + 1},1,{n % 1000 + 1},1,89.50,登记,1,,".encode()
        line += b" " * max(0, row_bytes - len(line) - 2) + b"\r\n"
        lines.append(line)
        total += len(line)
        n += 1
    return b"".join(lines)
