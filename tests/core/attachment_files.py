"""Files for the attachment tests, made here: photos with GPS EXIF (Pillow), PDFs, XLSX and
DOCX packages, and the hostile ones (an EXE, HTML, SVG renamed .jpg; a plain ZIP)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size=(640, 480), orientation: int | None = None, color=(30, 120, 200)
                  ) -> bytes:
    """A JPEG whose EXIF holds a GPS position (Beijing) and a camera model."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 16):  # something to see in a thumbnail
        image.paste((250, 250, 250), (x, 0, x + 4, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "TestPhone 12"  # Model
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(size=(200, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 10, 128)).save(out, format="PNG")
    return out.getvalue()


def heic(size=(120, 80)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="HEIF")
    return out.getvalue()


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "minutes")
    c.save()
    return out.getvalue()


def _package(main_part: str, main_type: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                   'ContentType="application/xml"/><Override PartName="/' + main_part +
                   '" ContentType="' + main_type + '"/></Types>')
        z.writestr(main_part, "<x/>")
    return out.getvalue()


def docx() -> bytes:
    return _package("word/document.xml", "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document.main+xml")


def xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "发票"
    wb.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(1)</script></svg>')
