"""The attachment row: which record, what file (by its SHA-256), who added it, and — never
deleted — who withdrew it and why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.types import UTCDateTime, utcnow


class Attachment(db.Model):
    __tablename__ = "attachment"
    __table_args__ = (
        Index("ix_attachment_record", "kind", "record_id"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_reason IS NULL)",
                        name="withdrawn_with_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the API's kind of the record: "requests", "meetings", … (core.attachments.kinds)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    #: the record's compound (None for district-wide records: credit records, objections,
    #: rectifications); its audit chain holds the file's hash
    compound_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: the uploaded file's name, cleaned (no path, no control characters), its extension
    #: the one of the stored content
    name: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str] = mapped_column(String(200), default="")
    #: judged from the content, never from the name or the browser's word
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the stored bytes (after EXIF removal): the file's address in the store
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: the thumbnail's SHA-256 (images only)
    thumb_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    uploaded_by_name: Mapped[str] = mapped_column(String(100), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_image(self) -> bool:
        return self.thumb_sha256 is not None

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.kind}/{self.record_id} {self.sha256[:12]}>"
