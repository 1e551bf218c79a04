"""docs/API.md lists every operation of the document as the document states it: its
catalogue is written by `flask api-catalogue`, and this test refuses a docs page that has
fallen behind the code."""

from __future__ import annotations

from pathlib import Path

from core.api import openapi_document
from core.api_catalogue import BEGIN, END, catalogue

DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"


def test_the_docs_catalogue_is_the_documents(app):
    text = DOC.read_text(encoding="utf-8")
    written = text[text.index(BEGIN):text.index(END) + len(END)] + "\n"
    assert written == catalogue(openapi_document(app)), (
        "docs/API.md is behind the code: run `flask --app app api-catalogue` and paste it "
        "between the catalogue markers")


def test_the_cli_prints_the_catalogue(app):
    result = app.test_cli_runner().invoke(args=["api-catalogue"])
    assert result.exit_code == 0
    assert result.output.startswith(BEGIN) and "| POST | `/compounds/{cid}/votes` |" in \
        result.output
