"""Core tables: accounts, role grants, API tokens and the audit chain."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """The roles of ARCHITECTURE.md; each is granted with a scope."""

    district_admin = "district_admin"  # 区房管/地区办 — scope: district
    street_staff = "street_staff"  # 街镇 — scope: street
    party_secretary = "party_secretary"  # 居民区党组织书记 — scope: compound
    rc_secretary = "rc_secretary"  # 居委会 — scope: compound
    oc_member = "oc_member"  # 业委会 — scope: compound
    property_manager = "property_manager"  # 物业 — scope: company
    owner = "owner"  # 业主 — scope: the linked person's own units
    volunteer = "volunteer"  # 楼组长/志愿者 — scope: compound (sees votes, records deliveries)


#: which kind of object each role's scope_id points at
ROLE_SCOPE = {
    Role.district_admin: "district",
    Role.street_staff: "street",
    Role.party_secretary: "compound",
    Role.rc_secretary: "compound",
    Role.oc_member: "compound",
    Role.property_manager: "company",
    Role.owner: "person",
    Role.volunteer: "compound",
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    #: werkzeug scrypt hash; never the password
    password_hash: Mapped[str] = mapped_column(String(256))
    #: system administrator: may do everything
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: an owner account is linked to the person who holds title to units
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: where e-mail notices go (core.messaging); "" for none
    email: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.active

    def roles(self) -> set[Role]:
        return {Role(g.role) for g in self.grants}

    #: the key of the browser sign-in (LoginSession) this object was loaded through;
    #: set by core.auth, never stored on the account
    login_key = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the account and
        the sign-in, so that ending the sign-in (core.auth) ends every copy of the cookie."""
        return f"{self.id}:{self.login_key}" if self.login_key else str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(db.Model):
    """One role held by a user over one scope (a district, street, compound, company)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    #: id of the district / street / compound / company; null for owner (uses user.person_id)
    scope_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    user: Mapped[User] = relationship(back_populates="grants")


class ApiToken(db.Model):
    """A bearer token for /api/v1. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class LoginSession(db.Model):
    """One browser sign-in. The session and remember cookies carry its key (see
    User.get_id); deleting the row signs out every copy of those cookies. Only the key's
    SHA-256 is stored, like an API token's."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: refreshed at most every few minutes (core.auth); a sign-in idle too long is dead
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


#: The chain of records that concern no compound (accounts, district-wide ratings), and of
#: every entry written before chains were per compound (migration 0004). Compound ids
#: start at 1, so 0 never names a compound's chain.
DISTRICT_CHAIN = 0


class AuditHead(db.Model):
    """One row per chain: its last sequence number and hash.

    Updating it first takes the chain's write lock (a row lock on PostgreSQL, the database
    lock on SQLite), so concurrent writers to one chain append one after the other and it
    never forks, while writers to different compounds' chains do not wait for each other.
    The database refuses to move a head backwards or delete it (the *_GUARDS_* below).
    """

    __tablename__ = "audit_head"

    #: the compound's id, or DISTRICT_CHAIN
    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    #: the hash before the last append: lets PostgreSQL append an entry in one statement
    #: (UPDATE … SET prev_hash = hash, hash = … RETURNING feeds the INSERT)
    prev_hash: Mapped[str] = mapped_column(String(64), default="0" * 64,
                                           server_default="0" * 64)


class AuditEntry(db.Model):
    """Append-only audit chain (审计链): each entry carries the SHA-256 of the previous one
    in its chain. Version 1 entries (before migration 0004) hashed seq, at, actor, action,
    object and data; version 2 hashes every column but the surrogate id (core.audit)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the chain it belongs to: AuditHead.chain
    chain: Mapped[int] = mapped_column(Integer)
    #: 1, 2, 3, … within the chain, without gaps; a gap is a missing entry
    seq: Mapped[int] = mapped_column(BigInteger)
    #: how the hash is computed (core.audit.HASHERS)
    version: Mapped[int] = mapped_column(SmallInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    #: compound the entry concerns, for per-compound history views
    compound_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: canonical JSON (sorted keys) of what changed
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("chain", "seq"),
                      db.Index("ix_audit_entry_object", "object_type", "object_id"))


# The database itself guards the chain: entries are never changed or deleted, and a head
# only moves forward (an attacker rewinding it to hide the newest entries must first get
# past these, which takes the rights of the tables' owner). SQLite has no TRUNCATE.
AUDIT_ENTRY_GUARDS_PG = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_entry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""
AUDIT_HEAD_GUARDS_PG = """
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'an audit chain head only moves forward';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
  FOR EACH ROW WHEN (NEW.seq < OLD.seq OR NEW.chain <> OLD.chain)
  EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
"""
AUDIT_ENTRY_GUARDS_SQLITE = (
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
)
AUDIT_HEAD_GUARDS_SQLITE = (
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
    "WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head only moves forward'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head only moves forward'); END",
)

for _table, _pg, _sqlite in (
        (AuditEntry.__table__, AUDIT_ENTRY_GUARDS_PG, AUDIT_ENTRY_GUARDS_SQLITE),
        (AuditHead.__table__, AUDIT_HEAD_GUARDS_PG, AUDIT_HEAD_GUARDS_SQLITE)):
    db.event.listen(_table, "after_create", db.DDL(_pg).execute_if(dialect="postgresql"))
    for _sql in _sqlite:
        db.event.listen(_table, "after_create", db.DDL(_sql).execute_if(dialect="sqlite"))


# the outbox's tables live with their code (core/messaging) and are core tables all the same
from core.messaging import models as messaging_models  # noqa: E402, F401
