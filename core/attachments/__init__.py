"""Attachments (附件): the photos, scans and documents the records depend on.

One model for every kind of record that takes files (resident requests, joint meetings,
follow-up actions, credit records, objections, rectifications, repair projects, votes,
elevator projects, candidates). Core never imports the packages that own those records:
each declares its kinds through the hook `attachments.kinds` (see `kinds.py`), and the
record is loaded through `core.loader` with the record's own actions, so a file is seen by
whoever may see its record and added by whoever may act on it.

- `content.py`  what a file is, judged from its bytes; images re-encoded without EXIF,
                thumbnails
- `storage.py`  content-addressed files under ATTACHMENT_ROOT, written atomically, re-hashed
                by `flask audit verify`
- `services.py` attach, list, withdraw (evidence is never deleted), the files of a record
                as plain data for PDFs
- `api.py`, `views.py`  the JSON API and the pages' upload and download routes
"""
