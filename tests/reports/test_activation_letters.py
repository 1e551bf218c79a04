"""Activation letters read back: two to an A4 page with the cut line between, each with its
owner, units, the code as XXXX-XXXX-XXXX and a QR code that says the activation address; and
each letter's QR code scans to that letter's own activation address."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from pypdf import PdfReader

from reports.activation_letters import LettersData, LetterSheet, render_letters
from tests.pdf_tools import needs_poppler

SHOTS = Path("tests/_artifacts/pdf")


def _letters(n: int) -> LettersData:
    names = ["王芳", "张伟", "欧阳娜娜"]
    return LettersData(
        compound="枫林苑", issuer="枫林苑居民委员会", issued_on=dt.date(2026, 12, 7),
        activation_url="https://tongxin.example.cn/activate",
        letters=tuple(LetterSheet(
            name=names[i % 3], units=("7-1-101",) if i else tuple(f"7-1-{k}01" for k in
                                                                   range(1, 15)),
            code=f"ABCD-EFGH-JK{i:02d}".replace("0", "2").replace("1", "3"),
            expires_on=dt.date(2027, 3, 7),
            url=f"https://tongxin.example.cn/activate?code=ABCD-EFGH-JK{i:02d}")
            for i in range(n)))


@needs_poppler
def test_two_letters_a_page_with_names_codes_units(tmp_path):
    pdf = render_letters(_letters(3))
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(str(path))
    assert len(reader.pages) == 2
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    page1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"],
                           check=True, capture_output=True, text=True).stdout
    assert page1.count("业主账户开通函") == 2 and "沿虚线剪开" in page1
    assert "业主：王芳" in page1 and "业主：张伟" in page1
    assert "ABCD-EFGH-JK22" in page1 and "ABCD-EFGH-JK23" in page1
    assert "7-1-101" in page1 and "有效期至 2027年3月7日" in page1
    assert "等共 14 套" in page1  # many units: counted, not run off the letter
    assert "https://tongxin.example.cn/activate" in page1
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert page2.count("业主账户开通函") == 1 and "欧阳娜娜" in page2
    fonts = {f["/BaseFont"] for p in reader.pages for f in
             p["/Resources"].get_object().get("/Font", {}).values()}
    fonts |= {f.get_object()["/BaseFont"]
              for x in reader.pages[0]["/Resources"]["/XObject"].values()
              for f in x.get_object()["/Resources"].get("/Font", {}).values()}
    assert fonts and all("+" in f for f in fonts)  # only embedded subsets
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / "activation")],
                   check=True)
    assert (SHOTS / "activation-1.png").exists()


@needs_poppler
def test_each_letters_qr_code_scans_to_its_own_activation_address(tmp_path):
    """What a phone camera reads: the page rendered to pixels, the codes decoded (zbarimg)."""
    data = _letters(2)
    path = tmp_path / "letters.pdf"
    path.write_bytes(render_letters(data))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sqrcode.enable=1", str(png)],
                             capture_output=True, text=True).stdout.split()
    assert sorted(scanned) == sorted(sheet.url for sheet in data.letters)
