"""Free text of any length prints in every PDF: a 4,000-character text (the longest a
form accepts) in every text field of every builder gives a valid PDF that ends with the
text's last words, where a table row taller than a page used to be a LayoutError (500).

The builders' data is made from their dataclasses' type hints: every ``str`` field gets the
long text, so a new field of free text is covered without touching this test.
"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import types
import typing
from collections.abc import Sequence as Sequence_
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.candidate_notice import CandidateNotice, CandidateNoticeData
from reports.election_result import ElectionResultData, ElectionResultNotice
from reports.flowables import text_pieces
from reports.fund_top_up_notice import FundTopUpNotices, TopUpNoticeData
from reports.fund_unit_statement import FundUnitStatement, SubLedger, UnitStatementData
from reports.meeting_minutes import MeetingMinutes, MinutesData
from reports.rating_report import RatingReport, RatingReportData
from reports.vote_announcement import AnnouncementData, AnnouncementDocument
from reports.vote_notice import NoticeData, NoticeDocument
from tests.pdf_tools import needs_poppler

END = "全文完毕"

#: 4,000 characters each: Chinese with punctuation in one paragraph, many short lines, and
#: Latin words without a space to break at
TEXTS = {
    "chinese": ("经查，该小区消防通道长期堆放杂物（含电动自行车、纸箱等），物业服务企业"
                "未按《消防法》及合同约定及时清理；业主多次投诉，仍未整改。" * 60)[:4000 - 4] + END,
    "lines": "\n".join(f"第{n}条：楼道照明损坏，已报修。" for n in range(1, 400))[:4000 - 4] + END,
    "latin": ("Evidence-without-any-space-" * 200)[:4000 - 4] + END,
}

BUILDERS = [
    (RatingReport, RatingReportData),
    (CandidateNotice, CandidateNoticeData),
    (ElectionResultNotice, ElectionResultData),
    (FundTopUpNotices, TopUpNoticeData),
    (FundUnitStatement, UnitStatementData),
    (MeetingMinutes, MinutesData),
    (AnnouncementDocument, AnnouncementData),
    (NoticeDocument, NoticeData),
]

#: the fields people type freely (the forms allow up to 4,000 characters): they get the long
#: text; names, titles and codes get a short one
FREE = {"evidence", "reason", "reasons", "note", "explanation", "profile", "group_review",
        "party_review", "nomination", "question", "minutes", "text", "agenda", "instructions",
        "memo", "paper_collection", "cancelled", "voided", "revoked", "extensions",
        "scheme_lines", "basis", "rule"}
SHORT = "同心"


def make(hint: object, text: str, name: str = "") -> object:
    """A value of type ``hint``: dataclasses filled field by field, ``str`` the long text."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        chosen = [a for a in args if a is not type(None)]
        return make(chosen[0], text, name)
    if origin is tuple:
        if args and args[-1] is Ellipsis:
            return (make(args[0], text, name),)
        return tuple(make(a, text, name) for a in args)
    if origin in (list, typing.Sequence, Sequence_):
        return [make(args[0], text, name)]
    if origin is dict:
        return {}
    if origin is typing.Literal:
        return args[0]
    if hint is SubLedger:
        return types.SimpleNamespace(
            area=Decimal("88.50"), developer_held=False, initial_due_fen=None,
            initial_paid_fen=0, balance_fen=0, expense_arrears_fen=0, arrears_fen=0,
            low_balance=False)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: make(hints[f.name], text, f.name)
                       for f in dataclasses.fields(hint) if f.init})
    if hint is str:
        return text if name in FREE else SHORT
    if hint is bool:
        return False
    if hint is int:
        return 1
    if hint is Decimal:
        return Decimal("1.00")
    if hint is Fraction:
        return Fraction(1, 2)
    if hint is datetime:
        return datetime(2026, 10, 15, 2, 0, tzinfo=UTC)
    if hint is date:
        return date(2026, 10, 15)
    raise TypeError(f"no value for {name}: {hint!r}")


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("kind", sorted(TEXTS))
@pytest.mark.parametrize("builder,data_class", BUILDERS, ids=lambda b: getattr(b, "__name__", ""))
def test_long_free_text_prints_in_full(builder, data_class, kind: str) -> None:
    data = make(data_class, TEXTS[kind])
    pdf = builder(data).render()
    assert pdf.startswith(b"%PDF")
    assert END in text_of(pdf)


@needs_poppler
def test_long_evidence_runs_over_pages_rendered(tmp_path: Path) -> None:
    data = make(RatingReportData, TEXTS["chinese"])
    path = tmp_path / "report.pdf"
    path.write_bytes(RatingReport(data).render())
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert END in re.sub(r"\s+", "", text)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "6", str(path),
                    str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 6


@pytest.mark.parametrize("text", [*TEXTS.values(), "", "短", "一\n\n二", "（" * 900 + "）" * 900])
@pytest.mark.parametrize("per_line", [4, 9, 47])
def test_pieces_join_to_the_text_and_fit(text: str, per_line: int) -> None:
    pieces = text_pieces(text, per_line)
    assert "\n".join(pieces).replace("\n", "") == text.replace("\n", "")
    for piece in pieces:
        lines = sum(max(1, -(-len(line) // per_line)) for line in piece.split("\n"))
        assert lines <= 12 + 1
    if len(text) > per_line * 12:
        assert len(pieces) > 1
