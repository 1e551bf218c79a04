"""The file control of a form that creates (or moves) a record: `files = files_field()` on
the WTForms class, `{{ files_input(form.files) }}` (attachments/_panel.html) in the template,
`services.stage(form.files.data)` in the service before it writes and
`services.add_staged(kind, record, staged)` before it commits — the record and its files one
transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField


def files_field(label=None) -> MultipleFileField:
    """Optional photos or documents (a phone offers its camera); judged by the service."""
    return MultipleFileField(label or _l("Photos or documents"))
