"""The audit chain anchored on paper: a published result notice prints the chain, sequence
and hash of the entry that recorded its publication; `flask audit verify --anchor` proves
the chain still holds it, and catches newest entries deleted with the head rewound."""

from __future__ import annotations

import re
import subprocess

import pytest
import sqlalchemy as sa

from core import audit
from core.extensions import db
from core.models import AuditEntry, AuditHead
from tests.core.audit_tools import anchors_in, pdf_text, rewind, verify_cli
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler


@pytest.fixture
def published(flow):
    vid = flow.open()
    assert flow.cast(vid, "7-1-101", "agree", who="a").status_code == 201
    assert flow.cast(vid, "8-1-101", "oppose", who="f").status_code == 201
    flow.close(vid)
    assert flow.rc.post(f"/votes/{vid}/publish").status_code == 200
    return vid


def test_the_published_notice_prints_the_publication_entry(flow, published, estate, tmp_path):
    pdf = flow.rc.get(f"/votes/{published}/notice.pdf").data
    text = pdf_text(pdf, tmp_path, "notice")
    assert "审计链锚点" in text
    [token] = anchors_in(pdf, tmp_path)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "vote.publish"))
    assert token == f"{estate.compound.id}/{entry.seq}:{entry.hash}"
    assert entry.chain == estate.compound.id and entry.version == 2
    # a reprint, after more entries, shows the same anchor
    flow.open(title="另一事项")
    assert anchors_in(flow.rc.get(f"/votes/{published}/notice.pdf").data, tmp_path) == [token]


def test_a_closed_notice_has_no_anchor_until_published(flow, tmp_path):
    vid = flow.open()
    flow.cast(vid, "7-1-101", "agree", who="a")
    flow.close(vid)
    pdf = flow.rc.get(f"/votes/{vid}/notice.pdf").data
    assert "审计链锚点" not in pdf_text(pdf, tmp_path, "closed")


def test_the_cli_proves_the_anchor_and_catches_a_rewound_chain(app, flow, published, estate,
                                                                tmp_path):
    [token] = anchors_in(flow.rc.get(f"/votes/{published}/notice.pdf").data, tmp_path)
    chain, seq = estate.compound.id, int(token.split("/")[1].split(":")[0])
    flow.open(title="公告后又一事项")  # the chain goes on after the notice
    ok = verify_cli(app, token, token.split("/", 1)[1])  # CHAIN/SEQ:HASH and SEQ:HASH
    assert ok.exit_code == 0, ok.output
    assert ok.output.count(f"entry {seq} of chain compound {chain} is in place") == 2

    # the publication and what followed are deleted, the head rewound, later entries
    # re-created: the chain verifies on its own, the paper anchor does not
    rewind(chain, seq - 1)
    flow.open(title="重写的历史")
    assert db.session.get(AuditHead, chain).seq >= seq
    assert audit.verify().ok
    bad = verify_cli(app, token)
    assert bad.exit_code == 1
    failed = [line for line in bad.output.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and f"entry {seq} of chain compound {chain} now has hash" in failed[0]


def test_an_anchor_past_the_rewound_head_is_missing(app, flow, published, estate, tmp_path):
    [token] = anchors_in(flow.rc.get(f"/votes/{published}/notice.pdf").data, tmp_path)
    seq = int(token.split("/")[1].split(":")[0])
    rewind(estate.compound.id, seq - 1)
    bad = verify_cli(app, token)
    assert bad.exit_code == 1 and f"has no entry {seq}" in bad.output


def test_a_malformed_anchor_is_one_clear_line(app, published):
    bad = verify_cli(app, "12/34:abc")
    assert bad.exit_code == 1
    assert "is not an anchor (CHAIN/SEQ:HASH or SEQ:HASH" in bad.output


def test_the_anchor_line_fits_the_page(flow, published, tmp_path):
    """The anchor's two lines stay inside the text block (pdftotext -bbox gives each word's
    box): the hash is not cut, wrapped or pushed into the margin."""
    pdf = flow.rc.get(f"/votes/{published}/notice.pdf").data
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    word = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>'
                     r"(\d+/\d+:[0-9a-f]{64})</word>", html)
    assert word is not None, "the anchor is one word, on one line"
    x_min, x_max = float(word[1]), float(word[2])
    left, right = 20 / 25.4 * 72, (210 - 20) / 25.4 * 72  # A4, 20 mm margins
    assert left - 1 <= x_min and x_max <= right + 1
