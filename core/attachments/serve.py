"""A stored file as an HTTP response: its type from the content, Content-Disposition (inline
for photos and PDFs, a download otherwise; RFC 5987 `filename*` for Chinese names, which
Werkzeug's send_file writes), `nosniff`, and not kept in shared caches."""

from __future__ import annotations

import logging

from flask import Response, abort, send_file

from core.attachments import storage
from core.attachments.models import Attachment

log = logging.getLogger("tongxin.attachments")
INLINE = ("image/jpeg", "image/png", "image/webp", "application/pdf")


def file_response(att: Attachment, *, thumbnail: bool = False) -> Response:
    digest = att.thumb_sha256 if thumbnail else att.sha256
    if digest is None:
        abort(404)  # not a picture: no thumbnail
    try:
        handle = storage.open_file(digest)
    except FileNotFoundError:
        log.error("attachment %s: stored file %s is missing", att.id, digest)
        abort(404)
    mimetype = "image/jpeg" if thumbnail else att.content_type
    name = f"thumbnail-{att.id}.jpg" if thumbnail else att.name
    response = send_file(handle, mimetype=mimetype, download_name=name,
                         as_attachment=mimetype not in INLINE, etag=digest, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
