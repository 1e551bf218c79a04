"""Owners' activation codes (开通码): the one-time code on an activation letter.

One row per letter issued: the owner (a registry `Person`) and the compound whose residents'
committee printed it. Only the code's SHA-256 is stored (`code_hash`, for lookup); the
printable code is derived again from the row (compounds.accounts.codes), so a reprint shows
the same code and a copy of the database does not reveal any.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.types import UTCDateTime, utcnow


class ActivationCode(db.Model):
    """A letter's code: open until used, voided (a reissue) or past `expires_at`."""

    __tablename__ = "activation_code"
    __table_args__ = (
        CheckConstraint("expires_at > issued_at", name="expires_after_issue"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: SHA-256 (hex) of the 12 characters of the code, without the dashes
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: random; the code is HMAC(SECRET_KEY, "activation:<compound>:<person>:<nonce>")
    nonce: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: the owner account the code opened (or whose password it reset)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)

    def is_open(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.voided_at is None and self.expires_at > now
