"""Attaching a 5 MB phone photo (target: under 1 s): its type judged from the bytes, decoded,
turned upright, re-encoded without its EXIF (GPS), a 320 px thumbnail made, both stored
content-addressed (temporary file, fsync, rename).

    python -m bench bench_attachments
"""

from __future__ import annotations

import io
import random
import tempfile
import time

from bench.common import make_app, table

TARGET_BYTES = 5 * 1024 * 1024


def phone_photo(seed: int) -> bytes:
    """A ~5 MB JPEG of 4032×3024 (a 12 MP phone camera) with GPS EXIF: noisy enough that
    the encoder cannot shrink it much."""
    from PIL import Image

    rng = random.Random(seed)
    tile = Image.frombytes("RGB", (2016, 1512), rng.randbytes(2016 * 1512 * 3))
    image = tile.resize((4032, 3024), Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    quality = 50
    while True:
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, exif=exif)
        if out.tell() >= TARGET_BYTES or quality >= 100:
            return out.getvalue()
        quality += 5


def main() -> None:
    from core.attachments import content, storage

    app = make_app("sqlite:///" + tempfile.mkdtemp() + "/attachments.sqlite3")
    app.config["ATTACHMENT_ROOT"] = tempfile.mkdtemp(prefix="tongxin-bench-attachments-")
    rows = []
    with app.app_context():
        for seed in range(3):
            photo = phone_photo(seed)
            t0 = time.perf_counter()
            judged = content.judge(photo, max_pixels=app.config["ATTACHMENT_MAX_PIXELS"])
            t1 = time.perf_counter()
            storage.put(judged.data)
            storage.put(judged.thumbnail)
            t2 = time.perf_counter()
            rows.append({"photo": f"{len(photo) / 2**20:.1f} MB 4032×3024, GPS EXIF",
                         "re-encode + thumbnail": f"{t1 - t0:.2f} s",
                         "store": f"{t2 - t1:.3f} s", "total": f"{t2 - t0:.2f} s",
                         "stored": f"{len(judged.data) / 2**20:.1f} MB",
                         "target": "< 1 s"})
    print(table(rows, ["photo", "re-encode + thumbnail", "store", "total", "stored", "target"]),
          flush=True)


if __name__ == "__main__":
    main()
