"""The attachments' settings, from the environment (README "Configuration"):

    ATTACHMENT_ROOT            where files are stored (default instance/attachments/; a shared
                               mount, same path on every host, when several hosts serve)
    ATTACHMENT_MAX_BYTES       one file at most (default 10 MiB less 64 KiB, so that the file
                               in its form fits the 10 MiB body limit; a larger value raises
                               MAX_CONTENT_LENGTH with it)
    ATTACHMENT_MAX_PER_RECORD  files in force on one record (default 20)
    ATTACHMENT_MAX_RECORD_MB   MiB in force on one record (default 100)
    ATTACHMENT_MAX_PIXELS      a photo's pixels, checked before decoding (default 50 million)

Values the app was created with (tests) win over the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.config import ConfigError

MiB = 1024 * 1024
#: a multipart form's envelope around one file (boundaries, part headers, the caption)
FORM_ENVELOPE = 64 * 1024


def _count(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise ConfigError(f"{name}={value!r} is not a positive whole number")
    return int(value)


def apply(app) -> None:
    cfg = app.config
    cfg.setdefault("ATTACHMENT_ROOT", os.environ.get("ATTACHMENT_ROOT")
                   or str(Path(app.instance_path) / "attachments"))
    cfg.setdefault("ATTACHMENT_MAX_BYTES", _count("ATTACHMENT_MAX_BYTES",
                                                  10 * MiB - FORM_ENVELOPE))
    cfg.setdefault("ATTACHMENT_MAX_PER_RECORD", _count("ATTACHMENT_MAX_PER_RECORD", 20))
    cfg.setdefault("ATTACHMENT_MAX_RECORD_BYTES", _count("ATTACHMENT_MAX_RECORD_MB", 100) * MiB)
    cfg.setdefault("ATTACHMENT_MAX_PIXELS", _count("ATTACHMENT_MAX_PIXELS", 50_000_000))
    # a file at the limit, in its form, is never cut off by the body limit first
    if cfg.get("MAX_CONTENT_LENGTH") is not None:
        cfg["MAX_CONTENT_LENGTH"] = max(cfg["MAX_CONTENT_LENGTH"],
                                        cfg["ATTACHMENT_MAX_BYTES"] + FORM_ENVELOPE)
