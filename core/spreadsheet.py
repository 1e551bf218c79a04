"""One hardened reader for uploaded spreadsheets (XLSX and CSV), used by every import.

`read_rows(filename, content, limits)` yields the file's rows, blank ones included, as
lists of cell texts (what a CSV would hold), so that row numbers are those the spreadsheet
shows. A file an import cannot safely read raises `SpreadsheetError` (status, code, a
Chinese-first message that names the limit passed); the importing service turns it into
its own error type. Nothing here touches the database.

Why so careful: an XLSX is a zip of XML, and an 80 KB upload can unpack into a million
rows or a 300 MB text. openpyxl (read_only=True) streams the sheet, but it loads the
shared-strings table whole, builds every row element before looking at it, and keeps
elements it does not know. So before openpyxl sees a workbook it is checked here:

- the zip directory: at most `max_members` parts, none encrypted, only stored/deflated,
  declared sizes within `max_unzipped_bytes` (all parts), `max_shared_strings_bytes`
  (the text table) and `max_part_bytes` (anything else), and no part packed more densely
  than `max_ratio` to 1;
- the package: a real workbook part ([Content_Types].xml names it), no macros;
- every part inflated once, counting the real bytes (declared sizes can lie), and every XML
  part run through expat with no DTD allowed: bounded depth, bounded elements outside the
  cells, at most `max_columns` cells per row and `max_cells` in all, rows counted while
  reading (stop at the first row past the limit), at most `max_shared_strings` texts.

Then openpyxl reads the first sheet row by row and the rows are counted again as they are
yielded, blank rows included up to a ceiling. CSV gets the same treatment: its encoding
checked over the whole file (UTF-8 with or without BOM, UTF-16 with BOM, GB18030), then
decoded line by line as it is read, rows counted, every cell's length checked.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from flask import current_app, has_app_context
from flask_babel import gettext as _

from core.errors import DomainError

MiB = 1024 * 1024

XLSX_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm")
CSV_EXTENSIONS = ("", ".csv", ".txt", ".tsv")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # .xls, and any password-protected .xlsx
_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_MACRO_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-office.vbaProject",
}
_SHEET, _SHARED = "worksheet", "sst"
_READ = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. `max_rows` counts non-blank rows after the header."""

    max_rows: int
    #: cells per row handed to the import (XLSX); a sheet may claim 16,384 columns
    read_columns: int = 30
    max_bytes: int = 10 * MiB
    max_cell_chars: int = 2_000
    #: cells present in one row, however empty (formatted blanks count)
    max_columns: int = 256
    #: cells in the whole sheet; None: 12 per allowed row
    max_cells: int | None = None
    max_members: int = 1_000
    max_unzipped_bytes: int = 64 * MiB
    max_part_bytes: int = 4 * MiB
    max_ratio: int = 100
    max_shared_strings: int = 200_000
    max_shared_strings_bytes: int = 24 * MiB
    #: XML elements outside rows and texts, per part (styles, merged cells, …)
    max_other_elements: int = 100_000

    @property
    def cell_budget(self) -> int:
        return self.max_cells if self.max_cells is not None else (self.max_rows + 1) * 12

    @property
    def row_ceiling(self) -> int:
        """Rows read at most, blank ones included."""
        return 2 * self.max_rows + 1


def request_limits(max_rows: int, read_columns: int = 30, max_bytes: int = 10 * MiB) -> Limits:
    """An import's limits, read at call time: the app's MAX_CONTENT_LENGTH when there is an
    app (a file larger than a request cannot arrive anyway), and `max_rows` as the caller's
    module has it now (tests lower it)."""
    if has_app_context():
        max_bytes = current_app.config.get("MAX_CONTENT_LENGTH") or max_bytes
    return Limits(max_rows=max_rows, max_bytes=max_bytes, read_columns=read_columns)


def clean_cell(text: str) -> str:
    """Trim, and drop one leading apostrophe (the exports' guard against formulas)."""
    text = text.strip().lstrip("\ufeff")
    return text[1:].strip() if text.startswith("'") else text


@dataclass(frozen=True)
class RowError:
    """One problem of one row of an import, as the API's details.rows list it."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def rows_refused(status: int, code: str, message, rows: list[RowError] | None = None):
    """An import's refusal (a DomainError): for bad rows, every problem in details["rows"]."""
    return DomainError(code, message, status=status,
                       details={"rows": [r.as_dict() for r in rows]} if rows else None)


class SpreadsheetError(Exception):
    """A file refused before any of it is imported: `status`, `code`, `message`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _invalid(message: str) -> SpreadsheetError:
    return SpreadsheetError(422, "invalid_file", message)


def _not_xlsx() -> SpreadsheetError:
    return _invalid(_("The file is not a valid XLSX workbook; open it in Excel and save "
                      "it again as .xlsx"))


def _damaged() -> SpreadsheetError:
    return _invalid(_("The XLSX workbook is damaged and cannot be read"))


def _too_big(message: str) -> SpreadsheetError:
    return SpreadsheetError(422, "workbook_too_large", message)


def _too_many_rows(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(422, "too_many_rows", _("The file has more than %(n)s rows",
                                                    n=f"{limits.max_rows:,}"))


def _mb(n: int) -> str:
    return f"{n / MiB:g}"


def read_rows(filename: str, content: bytes, limits: Limits) -> Iterator[list[str]]:
    """The rows of an uploaded CSV or XLSX file; SpreadsheetError if it cannot be read
    within `limits`. Format by content (a zip is an XLSX whatever its name), else by name.
    Errors in the directory and the parts come at once; row errors while iterating."""
    if len(content) > limits.max_bytes:
        raise SpreadsheetError(413, "file_too_large",
                               _("The file is too large (at most %(mb)s MB)",
                                 mb=_mb(limits.max_bytes)))
    if not content.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise SpreadsheetError(422, "empty_file", _("The file is empty"))
    ext = os.path.splitext(filename or "")[1].lower()
    if content.startswith(_ZIP):
        _check_workbook(content, limits)
        return _counted(_xlsx_rows(content, limits), limits)
    if content.startswith(_OLE2):
        raise SpreadsheetError(415, "unsupported_file",
                               _("Old Excel files (.xls) and password-protected workbooks "
                                 "cannot be read; save the file as .xlsx without a "
                                 "password, or as CSV"))
    if ext in XLSX_EXTENSIONS:
        raise _not_xlsx()
    if ext in CSV_EXTENSIONS:
        return _counted(_csv_rows(content, limits), limits)
    raise SpreadsheetError(415, "unsupported_file", _("Upload the file as .xlsx or .csv"))


def _counted(rows: Iterator[list[str]], limits: Limits) -> Iterator[list[str]]:
    """Count rows as they are read: the first past the limit ends the reading."""
    filled = 0
    for seen, cells in enumerate(rows, start=1):
        if any(c.strip() for c in cells):
            filled += 1
            if filled > limits.max_rows + 1:  # + the header
                raise _too_many_rows(limits)
        elif seen > limits.row_ceiling:
            raise _too_many_rows(limits)
        for col, text in enumerate(cells, start=1):
            if len(text) > limits.max_cell_chars:
                raise _cell_too_long(seen, limits, col=col, n=len(text))
        yield cells


def _cell_too_long(row: int, limits: Limits, *, col: int | None = None,
                   n: int | None = None) -> SpreadsheetError:
    if col is None:
        message = _("Line %(row)s holds a cell longer than %(max)s characters",
                    row=row, max=f"{limits.max_cell_chars:,}")
    else:
        message = _("Row %(row)s, column %(col)s holds %(n)s characters; one cell may hold "
                    "at most %(max)s", row=row, col=col, n=f"{n:,}",
                    max=f"{limits.max_cell_chars:,}")
    return SpreadsheetError(422, "cell_too_long", message)


# -- CSV ------------------------------------------------------------------------------------

def _encoding(content: bytes) -> tuple[str, int]:
    """(codec, bytes of BOM to skip): UTF-8 with or without BOM, UTF-16 with BOM, or
    GB18030 — what Excel in China saves. The whole file is validated, chunk by chunk, so
    that a bad byte at the end fails before any row is used, without a second copy."""
    if content.startswith(codecs.BOM_UTF8):
        if not _decodes(content, "utf-8", len(codecs.BOM_UTF8)):
            raise _invalid(_("The file's text encoding is broken; save it again as CSV "
                             "UTF-8"))
        return "utf-8", len(codecs.BOM_UTF8)
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(content, "utf-16", 0):
            raise _invalid(_("The file's text encoding is broken; save it again as CSV "
                             "UTF-8"))
        return "utf-16", 0
    for codec in ("utf-8", "gb18030"):
        if _decodes(content, codec, 0):
            return codec, 0
    raise _invalid(_("The file is not a CSV text file (UTF-8 or GB18030)"))


def _decodes(content: bytes, codec: str, start: int) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(content)
    try:
        for at in range(start, len(content), MiB):
            decoder.decode(view[at:at + MiB])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _lines(content: bytes) -> Iterator[str]:
    """The text's lines with their endings (\\r, \\n or \\r\\n, as csv wants), decoded as
    they are read: no copy of the whole text."""
    codec, start = _encoding(content)
    raw = io.BytesIO(content)
    raw.seek(start)
    for line in io.TextIOWrapper(raw, encoding=codec, newline=""):
        if "\x00" in line:
            raise _invalid(_("The file is not a CSV text file (UTF-8 or GB18030)"))
        yield line


def _csv_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    lines = _lines(content)
    head = []  # blank lines up to the first line with text, which tells the delimiter
    for line in lines:
        head.append(line)
        if line.strip("\r\n"):
            break
    first = head[-1] if head else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)

    def rows():
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                if "field larger than field limit" in str(err):
                    raise _cell_too_long(reader.line_num, limits) from None
                raise _invalid(_("The CSV file is malformed near line %(n)s",
                                 n=reader.line_num)) from None
            if len(cells) > limits.max_columns:
                raise _too_wide(reader.line_num, limits)
            yield cells

    return rows()


def _too_wide(row: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        422, "too_many_cells",
        _("Row %(row)s has more than %(n)s cells; delete the unused columns",
          row=row, n=limits.max_columns))


# -- XLSX: the zip directory ------------------------------------------------------------------

def _central_directory(content: bytes) -> tuple[int, int]:
    """(entries, bytes) of the zip's central directory, read from its end record before
    zipfile parses it: zipfile builds an object per entry, whatever their number."""
    tail = content[-(65_535 + 22):]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _not_xlsx()
    entries, size = struct.unpack("<HI", tail[at + 10:at + 16])
    return entries, size


def _check_workbook(content: bytes, limits: Limits) -> None:
    entries, cd_size = _central_directory(content)
    if entries > limits.max_members or cd_size > limits.max_members * 1024:
        raise _too_big(_("The workbook has more than %(n)s parts", n=limits.max_members))
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _not_xlsx() from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _too_big(_("The workbook has more than %(n)s parts", n=limits.max_members))
        _check_directory(infos, limits)
        _check_package(zf, limits)
        total = 0
        for info in infos:
            total += _inflate(zf, info, limits)
            if total > limits.max_unzipped_bytes:
                raise _unzipped_too_big(limits)


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(415, "unsupported_file",
                                   _("The workbook is password-protected; save it again "
                                     "without a password"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged()
        _check_part_size(info, info.file_size, limits)
        total += info.file_size
    if total > limits.max_unzipped_bytes:
        raise _unzipped_too_big(limits)


def _unzipped_too_big(limits: Limits) -> SpreadsheetError:
    return _too_big(_("The workbook unpacks to more than %(mb)s MB; save it as CSV, or "
                      "remove pictures and unused sheets", mb=_mb(limits.max_unzipped_bytes)))


def _check_part_size(info: zipfile.ZipInfo, size: int, limits: Limits) -> None:
    """`size`: declared, or counted so far while inflating. Sheets are bounded by the
    total and by their rows and cells, pictures by the total; openpyxl parses the rest
    whole (styles, workbook, theme …), so each of those is small."""
    name = info.filename.lower()
    if name.endswith("sharedstrings.xml"):
        if size > limits.max_shared_strings_bytes:
            raise _too_big(_("The workbook's table of texts is larger than %(mb)s MB",
                             mb=_mb(limits.max_shared_strings_bytes)))
    elif size > limits.max_part_bytes and _parsed(name) and not _is_sheet_name(name):
        raise _too_big(_("A part of the workbook (%(name)s) is larger than %(mb)s MB",
                         name=info.filename[:60], mb=_mb(limits.max_part_bytes)))
    if size > limits.max_unzipped_bytes:
        raise _unzipped_too_big(limits)
    if size > MiB and size > limits.max_ratio * max(info.compress_size, 1):
        raise _too_big(_("The workbook is packed more than %(n)s to 1, which no spreadsheet "
                         "is; it is refused as a zip bomb", n=limits.max_ratio))


def _is_sheet_name(name: str) -> bool:
    return name.startswith("xl/worksheets/")


#: XML parts openpyxl (read_only) never parses: only counted, so that a workbook with many
#: formulas (calcChain) or comments is not refused for them
_UNREAD = ("xl/calcchain.xml", "xl/comments", "xl/threadedcomments/", "xl/persons/",
           "docprops/app.xml", "xl/printersettings/", "customxml/", "xl/drawings/vmldrawing")


def _parsed(name: str) -> bool:
    """`name` (lower case) is XML that openpyxl parses, so it goes through the guard."""
    return name.endswith((".xml", ".rels")) and not name.startswith(_UNREAD)


def _check_package(zf: zipfile.ZipFile, limits: Limits) -> None:
    """A workbook part as [Content_Types].xml declares it, present, and no macros."""
    names = {i.filename for i in zf.infolist()}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros()
    if "[Content_Types].xml" not in names:
        raise _not_xlsx()
    types = _ContentTypes()
    _inflate(zf, zf.getinfo("[Content_Types].xml"), limits, types)
    if types.kinds & _MACRO_TYPES:
        raise _macros()
    if not any(part.lstrip("/") in names for part in types.workbook_parts):
        raise _not_xlsx()


def _macros() -> SpreadsheetError:
    return SpreadsheetError(415, "unsupported_file",
                            _("Workbooks with macros cannot be imported; save the file as "
                              ".xlsx (Excel workbook)"))


class _ContentTypes:
    """Collects the content types and the workbook parts of [Content_Types].xml."""

    def __init__(self):
        self.kinds: set[str] = set()
        self.workbook_parts: list[str] = []
        #: part name → content type, every Override (office_main_type reads it)
        self.overrides: dict[str, str] = {}

    def start(self, local: str, attrs: dict) -> None:
        kind = attrs.get("ContentType")
        if local in ("Override", "Default") and kind:
            self.kinds.add(kind)
            if local == "Override":
                self.overrides[attrs.get("PartName", "")] = kind
            if local == "Override" and kind in _WORKBOOK_TYPES:
                self.workbook_parts.append(attrs.get("PartName", ""))


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits,
             listener: _ContentTypes | None = None) -> int:
    """Inflate one part, counting its real bytes (returned); XML parts through the guard."""
    name = info.filename.lower()
    guard = _XmlGuard(limits, listener) if _parsed(name) else None
    size = 0
    try:
        with zf.open(info) as part:
            while chunk := part.read(_READ):
                size += len(chunk)
                _check_part_size(info, size, limits)
                if guard:
                    guard.feed(chunk)
        if guard:
            guard.close()
        return size
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError, expat.ExpatError):
        raise _damaged() from None


# -- any Office Open XML package (attachments: XLSX, DOCX) --------------------------------

#: what a package's main part may be for it to be stored as an attachment (no macros)
OFFICE_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def office_type(content: bytes) -> str | None:
    """The MIME type of an XLSX or DOCX package, or None when `content` is not one.

    The same checks as a workbook's directory (parts counted, none encrypted, sizes and
    packing ratio bounded, real bytes counted) and [Content_Types].xml read through the XML
    guard; then the main part it declares must be there. Nothing else is inflated: the file
    is stored and served, never parsed. Macros (vbaProject, macro-enabled main parts) → None.
    """
    limits = Limits(max_rows=1, max_part_bytes=64 * MiB)
    try:
        entries, _size = _central_directory(content)
        if entries > limits.max_members:
            return None
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            _check_directory(infos, limits)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or any(
                    n.lower().endswith("vbaproject.bin") for n in names):
                return None
            types = _ContentTypes()
            _inflate(zf, zf.getinfo("[Content_Types].xml"), limits, types)
    except (SpreadsheetError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError,
            EOFError, OSError):
        return None
    for part, kind in types.overrides.items():
        if kind in OFFICE_MAIN_TYPES and part.lstrip("/") in names:
            return OFFICE_MAIN_TYPES[kind]
    return None


# -- XLSX: the XML guard ---------------------------------------------------------------------

class _XmlGuard:
    """Expat over one XML part, refusing what openpyxl could not read in bounded memory.

    openpyxl clears a row when it ends and the shared strings one by one, so what must stay
    small is one row (cells, elements, bytes), one text, the number of rows and texts, and
    everything outside them (kept whole). No DTD: entity expansion is impossible. Names are
    compared without their prefix (`x:row` is a row); this is a guard, not a validator.
    Inside a row or text a second, lean handler runs: a sheet has a million elements.
    """

    MAX_DEPTH = 48
    MAX_UNIT_BYTES = MiB
    MAX_UNIT_ELEMENTS = 16_384

    def __init__(self, limits: Limits, listener: _ContentTypes | None = None):
        self.limits, self.listener = limits, listener
        self.cell_budget, self.filled_budget = limits.cell_budget, limits.max_rows + 1
        self.parser = parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        self.depth = 0
        self.root = ""
        self.other = 0  # elements outside rows and texts
        self.rows = self.filled = self.cells = self.texts = 0
        self.unit_depth = 0  # depth of the open row or text, 0 if none
        self.unit_start = self.unit_elements = self.unit_cells = 0
        self.unit_filled = False

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    def close(self) -> None:
        self.parser.Parse(b"", True)

    def _doctype(self, *args) -> None:
        raise _not_xlsx()

    def _start(self, name: str, attrs: dict) -> None:
        local = name[name.find(":") + 1:]
        self.depth += 1
        if self.depth == 1:
            self.root = local
        elif self.depth == 3 and local == "row" and self.root == _SHEET:
            self.rows += 1
            if self.rows > self.limits.row_ceiling:
                raise _too_many_rows(self.limits)
            return self._open_unit()
        elif self.depth == 2 and local == "si" and self.root == _SHARED:
            self.texts += 1
            if self.texts > self.limits.max_shared_strings:
                raise _too_big(_("The workbook holds more than %(n)s different texts",
                                 n=f"{self.limits.max_shared_strings:,}"))
            return self._open_unit()
        if self.depth > self.MAX_DEPTH:
            raise _damaged()
        self.other += 1
        if self.other > self.limits.max_other_elements:
            raise _too_big(_("The workbook has more than %(n)s entries outside its cells "
                             "(formats, merged cells …); save it as CSV",
                             n=f"{self.limits.max_other_elements:,}"))
        if self.listener:
            self.listener.start(local, attrs)

    def _open_unit(self) -> None:
        self.unit_depth = self.depth
        self.unit_start = self.parser.CurrentByteIndex
        self.unit_elements = self.unit_cells = 0
        self.unit_filled = self.root != _SHEET  # a text needs no "has a value" check
        self.parser.StartElementHandler = self._start_in_unit

    def _start_in_unit(self, name: str, attrs: dict) -> None:
        self.depth += 1
        self.unit_elements += 1
        if self.unit_elements > self.MAX_UNIT_ELEMENTS or self.depth > self.MAX_DEPTH:
            raise _damaged()
        if self.depth == self.unit_depth + 1:
            if name == "c" or name.endswith(":c"):
                self.unit_cells += 1
                self.cells += 1
                if self.unit_cells > self.limits.max_columns:
                    raise _too_wide(self.rows, self.limits)
                if self.cells > self.cell_budget:
                    raise SpreadsheetError(
                        422, "too_many_cells",
                        _("The sheet has more than %(n)s cells; delete unused columns or "
                          "import the file in parts", n=f"{self.cell_budget:,}"))
        elif not self.unit_filled and name[name.find(":") + 1:] in ("v", "is"):
            self.unit_filled = True  # a row with a value: it counts against max_rows
            self.filled += 1
            if self.filled > self.filled_budget:
                raise _too_many_rows(self.limits)

    def _end(self, name: str) -> None:
        if self.depth == self.unit_depth:
            if self.parser.CurrentByteIndex - self.unit_start > self.MAX_UNIT_BYTES:
                if self.root == _SHEET:
                    raise _too_big(_("Row %(row)s of the sheet takes more than %(mb)s MB",
                                     row=self.rows, mb=_mb(self.MAX_UNIT_BYTES)))
                raise _too_big(_("A text in the workbook takes more than %(mb)s MB",
                                 mb=_mb(self.MAX_UNIT_BYTES)))
            self.unit_depth = 0
            self.parser.StartElementHandler = self._start
        self.depth -= 1


# -- XLSX: the rows -----------------------------------------------------------------------------

def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a corrupt workbook raises all sorts; none is the user's 500
        raise _not_xlsx() from None

    def rows():
        try:
            if not wb.worksheets:
                raise _invalid(_("The workbook has no sheet"))
            sheet = wb.worksheets[0]
            for values in sheet.iter_rows(max_col=limits.read_columns, values_only=True):
                yield [cell_text(v) for v in values]
        except SpreadsheetError:
            raise
        except Exception:
            raise _damaged() from None
        finally:
            wb.close()

    return rows()


def cell_text(value) -> str:
    """An XLSX cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if abs(value) >= 1e15:  # an ID number Excel turned into a number: digits are lost
            return repr(value).upper()
        if value.is_integer():
            return str(int(value))
        # 89.55 may come back as 89.55000000000001; nine places undo that, not a typo
        return f"{value:.9f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
