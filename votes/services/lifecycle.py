"""A vote's life (DOMAIN.md §2): created as a draft and edited, announced with its voting
period (the notice stands for the compound's notice_days), opened (the roll is frozen),
closed once its period has run (by itself when closes_at passes, or by hand at or after it;
earlier only when every voter has voted) and the result computed once, published. The
period may be extended with a reason while announced or open. Cancelled with a reason only
before the close: a count once made is never withdrawn by the people who ran it; after the
close only the street office or the district may revoke it (物业管理条例 art. 19), and the
result stays readable, marked revoked. Every move goes through `Vote.move_to`."""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from compounds.models import Building, Entrance
from core import audit
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import SHANGHAI, acting_user, choice, local_datetime
from core.inputs import text as clean_text
from core.models import Role
from core.permissions import authorize
from core.types import area_to_str, utcnow
from votes import notices, rules
from votes.models import (
    COUNTED,
    RollGroup,
    RuleVariant,
    Vote,
    VoteExtension,
    VoteScope,
    VoteStatus,
    standing_ballot,
)
from votes.services.common import LOCK_CLASS, iso, scope_json
from votes.services.roll import freeze_roll
from votes.services.tally import compute_tally, snapshot

S = VoteStatus


# -- the scope and the times ---------------------------------------------------------------

def resolve_scope(compound, scope) -> list[tuple[int, int | None]]:
    """`[{"building": "7"}, {"building": "8", "entrance": "2"}]` → [(building id, entrance
    id or None)]; None or [] = the whole compound. Buildings and entrances are named by
    their numbers, as on the doors."""
    if scope in (None, []):
        return []
    if not isinstance(scope, list):
        raise invalid(_l("Scope must be a list of buildings or entrances"), "scope")
    result: list[tuple[int, int | None]] = []
    for item in scope:
        if not isinstance(item, dict) or "building" not in item:
            raise _malformed_scope()
        bnum = item["building"]
        if isinstance(bnum, bool) or not isinstance(bnum, str | int):
            raise _malformed_scope()
        building = db.session.scalar(select(Building).where(
            Building.compound_id == compound.id, Building.number == str(bnum).strip()))
        if building is None:
            raise invalid(_l("No building %(n)s in this compound", n=bnum), "scope")
        entrance_id = None
        enum_ = item.get("entrance")
        if enum_ not in (None, ""):
            if isinstance(enum_, bool) or not isinstance(enum_, str | int):
                raise _malformed_scope()
            entrance = db.session.scalar(select(Entrance).where(
                Entrance.building_id == building.id, Entrance.number == str(enum_).strip()))
            if entrance is None:
                raise invalid(_l("No entrance %(e)s in building %(b)s", e=enum_, b=bnum),
                              "scope")
            entrance_id = entrance.id
        pair = (building.id, entrance_id)
        if pair not in result:
            result.append(pair)
    whole = {b for b, e in result if e is None}
    # an entrance of a building that is wholly in scope adds nothing
    return [(b, e) for b, e in result if e is None or b not in whole]


def _malformed_scope() -> DomainError:
    return invalid(_l("Each scope entry names a building, and maybe an entrance"), "scope")


def scope_from_choices(compound, values: list[str]) -> list[dict]:
    """The vote form's ticked boxes ("b12": building 12 whole, "e34": entrance 34) as the
    scope `resolve_scope` reads. A box that names no building or entrance of this compound
    (a hand-made post) is refused — never quietly dropped, which would widen the vote to
    the whole compound."""
    scope = []
    for v in values or []:
        kind, digits = (v[:1], v[1:]) if isinstance(v, str) else ("", "")
        found = None
        if digits.isdigit() and len(digits) <= 9:
            if kind == "b":
                b = db.session.get(Building, int(digits))
                if b is not None and b.compound_id == compound.id:
                    found = {"building": b.number}
            elif kind == "e":
                e = db.session.get(Entrance, int(digits))
                if e is not None and e.building.compound_id == compound.id:
                    found = {"building": e.building.number, "entrance": e.number}
        if found is None:
            raise invalid(_l("The scope names a building or entrance that is not in this "
                             "compound"), "scope")
        scope.append(found)
    return scope


def scope_choices_of(vote: Vote) -> list[str]:
    """The vote's scope as the form's boxes (the inverse of `scope_from_choices`)."""
    return [f"e{s.entrance_id}" if s.entrance_id else f"b{s.building_id}" for s in vote.scopes]


def _times(opens_at, closes_at) -> tuple[dt.datetime | None, dt.datetime | None]:
    opens = local_datetime(opens_at, "opens_at", _l("Opens at"), required=False)
    closes = local_datetime(closes_at, "closes_at", _l("Closes at"), required=False)
    if closes is not None and closes <= utcnow():
        raise invalid(_l("The closing time must be in the future"), "closes_at")
    if opens is not None and closes is not None and closes <= opens:
        raise invalid(_l("The closing time must be after the opening time"), "closes_at")
    return opens, closes


def _texts(title, question, issuer) -> tuple[str, str, str]:
    return (clean_text(title, "title", _l("Title"), 200),
            clean_text(question, "question", _l("Full text"), 20000, required=False),
            clean_text(issuer, "issuer", _l("Issuing body"), 100, required=False))


def _paper_collection(value) -> str:
    """Where paper ballots are collected (纸质表决票投放地点), printed on the notice."""
    return clean_text(value, "paper_collection", _l("Where paper ballots are collected"), 200,
                      required=False)


def _matter(value) -> str:
    return choice(rules.Matter, value, "matter", _l("Matter")).value


# -- creating and editing ------------------------------------------------------------------

def new_draft(compound_id: int, pairs: list[tuple[int, int | None]], **columns) -> Vote:
    """Add a draft vote with its scope (no audit, no commit): `create_vote`'s, and the
    votes an elevator project needs."""
    user = acting_user()
    vote = Vote(compound_id=compound_id, status=S.draft.value,
                created_by_id=user.id if user is not None else None, **columns)
    db.session.add(vote)
    db.session.flush()
    for b, e in pairs:
        vote.scopes.append(VoteScope(building_id=b, entrance_id=e))
    db.session.flush()
    return vote


def create_vote(compound, *, title, matter, question="", scope=None, opens_at=None,
                closes_at=None, publish_names=False, issuer="", paper_collection="",
                rule_variant: str = RuleVariant.standard.value, audit_data=None) -> Vote:
    """Create a draft vote of `compound` on an art. 278 matter within a scope (422 naming
    the field for bad input; nothing written then)."""
    authorize("vote.create", compound)
    title, question, issuer = _texts(title, question, issuer)
    matter = _matter(matter)
    if not isinstance(publish_names, bool):
        raise invalid(_l("publish_names must be true or false"), "publish_names")
    pairs = resolve_scope(compound, scope)
    opens, closes = _times(opens_at, closes_at)
    vote = new_draft(compound.id, pairs, title=title, question=question or title,
                     matter=matter, rule_variant=rule_variant, publish_names=publish_names,
                     issuer=issuer, opens_at=opens, closes_at=closes,
                     paper_collection=_paper_collection(paper_collection))
    audit.record("vote.create", "vote", vote.id,
                 {"title": title, "matter": matter, "rule": rule_variant,
                  "scope": scope_json(vote), "opens_at": iso(opens), "closes_at": iso(closes),
                  "publish_names": publish_names, **(audit_data or {})},
                 compound_id=compound.id)
    db.session.commit()
    return vote


def update_vote(vote: Vote, *, title, matter, question="", scope=None, opens_at=None,
                closes_at=None, publish_names=False, issuer="",
                paper_collection=None) -> Vote:
    """Edit a draft (409 once announced: the notice is public and the vote is fixed). The
    matter of a vote counted by a special rule (an elevator's common land) stays."""
    authorize("vote.create", vote)
    vote.check_editable()
    title, question, issuer = _texts(title, question, issuer)
    if vote.rule_variant == RuleVariant.standard.value:
        vote.matter = _matter(matter)
    pairs = resolve_scope(vote.compound, scope)
    opens, closes = _times(opens_at, closes_at)
    vote.title, vote.question, vote.issuer = title, question or title, issuer
    vote.publish_names = bool(publish_names)
    if paper_collection is not None:  # None: as it was (a change that does not name it)
        vote.paper_collection = _paper_collection(paper_collection)
    vote.opens_at, vote.closes_at = opens, closes
    vote.scopes.clear()
    db.session.flush()
    for b, e in pairs:
        vote.scopes.append(VoteScope(building_id=b, entrance_id=e))
    db.session.flush()
    audit.record("vote.update", "vote", vote.id,
                 {"title": vote.title, "matter": vote.matter, "scope": scope_json(vote),
                  "opens_at": iso(opens), "closes_at": iso(closes),
                  "publish_names": vote.publish_names}, compound_id=vote.compound_id)
    db.session.commit()
    return vote


#: what `PATCH /api/v1/votes/{vid}` may change, and the keyword `update_vote` takes for it
PATCHABLE = ("title", "matter", "question", "text", "scope", "opens_at", "closes_at",
             "publish_names", "issuer", "paper_collection")


def patch_vote(vote: Vote, changes: dict) -> Vote:
    """Change some fields of a draft, keeping the others (409 not_draft once announced;
    422 for an unknown field). `text` is the API's name of the full text."""
    authorize("vote.create", vote)
    vote.check_editable()
    unknown = sorted(set(changes) - set(PATCHABLE))
    if unknown:
        raise invalid(_l("Unknown field: %(f)s", f=", ".join(unknown)), unknown[0])
    current = {"title": vote.title, "matter": vote.matter, "question": vote.question,
               "scope": scope_json(vote), "opens_at": iso(vote.opens_at),
               "closes_at": iso(vote.closes_at), "publish_names": vote.publish_names,
               "issuer": vote.issuer}
    given = dict(changes)
    if "text" in given:
        given["question"] = given.pop("text")
    if "publish_names" in given and not isinstance(given["publish_names"], bool):
        raise invalid(_l("publish_names must be true or false"), "publish_names")
    return update_vote(vote, **{**current, **given})


# -- announce, open ------------------------------------------------------------------------

def _local(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def announce(vote: Vote) -> Vote:
    """Publish the notice (公告); the vote may open once the compound's notice_days have
    passed (and not before its planned opening). 422 when it would close before then."""
    authorize("vote.manage", vote)
    vote.check_move(S.announced)
    if vote.closes_at is None:  # the notice states the voting period: no period, no notice
        raise DomainError("closes_at_required",
                          _l("Set the closing time first: the notice states the voting "
                             "period"), field="closes_at", status=422)
    now = utcnow()
    may_open = now + dt.timedelta(days=vote.compound.notice_days)
    if vote.opens_at is not None and vote.opens_at > may_open:
        may_open = vote.opens_at
    if vote.closes_at is not None and vote.closes_at <= may_open:
        raise invalid(_l("The vote would close before the notice period ends (%(t)s); "
                         "set a later closing time", t=_local(may_open)), "closes_at")
    vote.move_to(S.announced)
    vote.announced_at, vote.may_open_at = now, may_open
    vote.public_key = Vote.new_public_key()  # the address of the notice's public page
    audit.record("vote.announce", "vote", vote.id,
                 {"announced_at": iso(now), "may_open_at": iso(may_open),
                  "notice_days": vote.compound.notice_days}, compound_id=vote.compound_id)
    notices.announced(vote)  # every owner in scope, in the same transaction
    db.session.commit()
    return vote


def _notice_period(message, may_open_at: dt.datetime | None) -> DomainError:
    return DomainError("notice_period", message, status=409,
                       details={"may_open_at": iso(may_open_at)})


def open_vote(vote: Vote) -> Vote:
    """Open the vote and freeze its roll; 409 before the notice period has passed (or for a
    draft: its notice comes first), after its closing time, or with no unit in scope."""
    authorize("vote.manage", vote)
    now = utcnow()
    if vote.status == S.draft.value:  # say what is missing rather than "wrong state"
        raise _notice_period(_l("Announce the vote first: the notice must stand for %(n)s "
                                "days before it opens", n=vote.compound.notice_days), None)
    vote.check_move(S.open)
    if now < vote.may_open_at:
        raise _notice_period(_l("The notice period has not passed: the vote may open from "
                                "%(t)s", t=_local(vote.may_open_at)), vote.may_open_at)
    if vote.closes_at is not None and vote.closes_at <= now:
        raise conflict("closes_at_passed", _l("The closing time has passed; extend the voting "
                                              "period with a reason, or cancel this vote"))
    # the status moves first, under a condition, so two clicks cannot freeze two rolls
    if db.session.execute(Vote.guarded_move(vote.id, S.open, opened_at=now)).rowcount != 1:
        db.session.rollback()
        raise Vote.refused(S.open)
    units, area, heads = freeze_roll(vote)
    if units == 0:
        db.session.rollback()
        raise conflict("empty_roll", _l("No unit is in the vote's scope"))
    vote.move_to(S.open)
    vote.opened_at = now
    vote.roll_units, vote.roll_area, vote.roll_heads = units, area, heads
    audit.record("vote.open", "vote", vote.id,
                 {"roll": {"units": units, "area": area_to_str(area), "heads": heads}},
                 compound_id=vote.compound_id)
    notices.opened(vote)
    db.session.commit()
    return vote


# -- close, publish, cancel ----------------------------------------------------------------

def _close(vote: Vote, *, actor=None, reason: str = "by_hand") -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        # waits for ballots being cast to commit; ballots arriving later wait, then see
        # the vote closed (see ballots._still_open)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k, :v)"),
                           {"k": LOCK_CLASS, "v": vote.id})
    now = utcnow()
    if db.session.execute(Vote.guarded_move(vote.id, S.closed, closed_at=now)).rowcount != 1:
        db.session.rollback()
        db.session.refresh(vote)
        return False
    vote.move_to(S.closed)
    vote.closed_at = now
    result = compute_tally(vote)
    stored = snapshot(vote, result)
    vote.result_json = json.dumps(stored, ensure_ascii=False)
    audit.record("vote.close", "vote", vote.id,
                 {"reason": reason, "passed": result.passed,
                  "participated": stored["participated"], "agree": stored["agree"]},
                 compound_id=vote.compound_id, actor=actor)
    db.session.commit()
    return True


def _everyone_voted(vote: Vote) -> bool:
    """Every voter of the frozen roll has a standing ballot."""
    waiting = db.session.scalar(select(func.count()).select_from(RollGroup).where(
        RollGroup.vote_id == vote.id, ~standing_ballot()))
    return waiting == 0


def closable_by_hand(vote: Vote) -> bool:
    """Whether the secretary's close button would be accepted now."""
    return vote.status == S.open.value and (vote.is_due() or _everyone_voted(vote))


def close_vote(vote: Vote) -> Vote:
    """Close by hand and compute the result once (409 vote_not_open unless open). The vote
    announced its period, so by hand it closes at or after closes_at, earlier only when
    every voter has voted (409 voting_period). Closing a vote that its deadline (or another
    click) already closed returns it as it is."""
    authorize("vote.manage", vote)
    if vote.status == S.closed.value:
        return vote
    vote.check_move(S.closed)
    due = vote.is_due()
    if not due and not _everyone_voted(vote):
        raise DomainError("voting_period",
                          _l("The voting period runs until %(t)s: the vote closes then, or "
                             "earlier only once every voter has voted",
                             t=_local(vote.closes_at)), status=409,
                          details={"closes_at": iso(vote.closes_at)})
    if not _close(vote, reason="by_deadline" if due else "all_voted") \
            and vote.status != S.closed.value:
        raise Vote.refused(S.closed)
    return vote


def close_due_vote(vote: Vote) -> bool:
    """Close a vote whose closes_at has passed (on reading it, or from `flask votes
    close-due`); recorded as done by the system."""
    if not vote.is_due():
        return False
    return _close(vote, actor=(None, "system"), reason="by_deadline")


def close_due_votes() -> int:
    """Close every open vote whose closing time has passed; how many were closed."""
    ids = db.session.scalars(select(Vote.id).where(
        Vote.status == S.open.value, Vote.closes_at.is_not(None),
        Vote.closes_at <= utcnow())).all()
    closed = 0
    for vid in ids:
        vote = db.session.get(Vote, vid)
        if vote is not None and close_due_vote(vote):
            closed += 1
    return closed


def publish_result(vote: Vote) -> Vote:
    """Publish the result notice (表决结果公告); owners see the result from then on. 409
    unless the vote is closed."""
    authorize("vote.manage", vote)
    vote.move_to(S.published)
    now = utcnow()
    vote.published_at = now
    audit.record("vote.publish", "vote", vote.id, {"published_at": iso(now)},
                 compound_id=vote.compound_id)
    notices.result_published(vote)
    db.session.commit()
    return vote


def cancel_vote(vote: Vote, reason) -> Vote:
    """Cancel with a reason (422 without), only before the vote closes: 409 vote_closed
    after (a count once made is never withdrawn; see `revoke_vote`). A vote whose period
    ran out is closed first, so its count stands."""
    authorize("vote.manage", vote)
    if vote.status == S.cancelled.value:
        raise conflict("invalid_state", _l("This vote is already cancelled"))
    close_due_vote(vote)
    vote.check_move(S.cancelled)
    reason = clean_text(reason, "reason", _l("Reason"), 2000)
    before = vote.move_to(S.cancelled)
    vote.cancelled_at, vote.cancel_reason = utcnow(), reason
    audit.record("vote.cancel", "vote", vote.id, {"from": before, "reason": reason},
                 compound_id=vote.compound_id)
    db.session.commit()
    return vote


# -- extend, revoke ------------------------------------------------------------------------

def extend_vote(vote: Vote, *, closes_at, reason) -> VoteExtension:
    """Move the closing time later, with a reason, while the vote is announced or open (409
    otherwise: a vote whose period has run out is closed first, and its count stands). The
    extension is announced by a notice of its own; audited."""
    authorize("vote.manage", vote)
    close_due_vote(vote)
    if vote.status not in (S.announced.value, S.open.value):
        if vote.status in COUNTED:
            raise conflict("vote_closed", _l("The vote has closed: its period can no longer "
                                             "be extended"))
        raise conflict("invalid_state", _l("Only an announced or open vote can be extended"))
    reason = clean_text(reason, "reason", _l("Reason"), 2000)
    new = local_datetime(closes_at, "closes_at", _l("Closes at"))
    old = vote.closes_at
    if new <= utcnow() or (old is not None and new <= old):
        raise invalid(_l("An extension moves the closing time later than %(t)s",
                         t=_local(old) if old is not None else _local(utcnow())), "closes_at")
    user = acting_user()
    ext = VoteExtension(vote_id=vote.id, old_closes_at=old or utcnow(), new_closes_at=new,
                        reason=reason, during=vote.status,
                        by=user.username if user is not None else "")
    db.session.add(ext)
    vote.closes_at = new
    db.session.flush()
    audit.record("vote.extend", "vote", vote.id,
                 {"from": iso(old), "to": iso(new), "reason": reason, "during": vote.status},
                 compound_id=vote.compound_id)
    notices.extended(vote, ext.id, old, reason)
    db.session.commit()
    return ext


def _authority(vote: Vote) -> str:
    """The office that revokes, as the notice names it, with the person who acted:
    "长风新村街道办事处（经办人：王敏）"."""
    user = acting_user()
    if user is None:
        return ""
    person = user.display_name or user.username
    street = vote.compound.street
    grants = {(g.role, g.scope_id) for g in user.grants}
    if (Role.street_staff.value, street.id) in grants:
        office = f"{street.name}办事处"
    elif (Role.district_admin.value, street.district_id) in grants:
        office = f"{street.district.name}房屋管理部门"
    else:
        return person
    return f"{office}（经办人：{person}）"


def revoke_vote(vote: Vote, *, reason, basis) -> Vote:
    """The street office or the district revokes a closed vote's decision (物业管理条例
    art. 19: the authority orders an unlawful decision corrected or revokes it), with its
    reason and legal basis (422 without). 409 before the close (cancel it instead). The
    result stays readable, marked revoked; nothing counts on it any more."""
    authorize("vote.revoke", vote)
    close_due_vote(vote)
    if vote.status in (S.draft.value, S.announced.value, S.open.value):
        raise conflict("not_closed", _l("Only a closed vote can be revoked; a vote still "
                                        "running is cancelled by the residents' committee"))
    reason = clean_text(reason, "reason", _l("Reason"), 2000)
    basis = clean_text(basis, "basis", _l("Legal basis"), 500)
    before = vote.move_to(S.revoked)
    vote.revoked_at, vote.revoke_reason, vote.revoke_basis = utcnow(), reason, basis
    vote.revoked_by = _authority(vote)[:100]
    audit.record("vote.revoke", "vote", vote.id,
                 {"from": before, "reason": reason, "basis": basis},
                 compound_id=vote.compound_id)
    db.session.commit()
    return vote
