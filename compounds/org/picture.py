"""The 1+3+X as one picture: who leads whom, cross-appointments (交叉任职), the party's share
of the owners' committee, and what is open around them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from compounds.models import Compound
from compounds.org.models import (
    ACTION_OPEN,
    SINGLE_KINDS,
    X_KINDS,
    Action,
    Organisation,
    OrgKind,
    OrgMember,
    RequestStatus,
    ResidentRequest,
)
from compounds.org.organisations import organisations, party_people, serving_company
from core.extensions import db
from core.inputs import local_today
from core.types import utcnow


@dataclass(frozen=True)
class Appointment:
    org_id: int
    org_name: str
    kind: str
    position: str


@dataclass(frozen=True)
class CrossAppointment:
    """One person serving in two or more of the compound's organisations (交叉任职)."""

    person_id: int
    name: str
    appointments: tuple[Appointment, ...]


def cross_appointments(orgs: list[Organisation]) -> list[CrossAppointment]:
    """People holding positions in more than one organisation, by their registry person."""
    by_person: dict[int, list[tuple[OrgMember, Organisation]]] = defaultdict(list)
    for org in orgs:
        for m in org.members:
            by_person[m.person_id].append((m, org))
    out = []
    for pid, pairs in by_person.items():
        if len({o.id for _, o in pairs}) > 1:
            out.append(CrossAppointment(pid, pairs[0][0].name, tuple(
                Appointment(o.id, o.name, o.kind, m.position) for m, o in pairs)))
    return sorted(out, key=lambda c: c.name)


@dataclass(frozen=True)
class PartyShare:
    """Party members on the owners' committee (many places aim for at least half)."""

    party: int
    total: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.party, self.total) if self.total else None

    @property
    def at_least_half(self) -> bool:
        return self.total > 0 and 2 * self.party >= self.total


def party_share(orgs: list[Organisation]) -> PartyShare:
    """OC members who are party members: flagged as such, or members of the party org."""
    oc = next((o for o in orgs if o.kind == OrgKind.owners_committee.value), None)
    if oc is None:
        return PartyShare(0, 0)
    members = party_people(orgs)
    n = sum(1 for m in oc.members if m.party_member or m.person_id in members)
    return PartyShare(n, len(oc.members))


@dataclass
class Overview:
    compound: Compound
    party: Organisation | None
    residents_committee: Organisation | None
    owners_committee: Organisation | None
    property: Organisation | None
    x: list[Organisation]
    orgs: list[Organisation]
    #: the property company of the current contract (hook "compounds.serving_company")
    company: object | None
    cross: list[CrossAppointment]
    share: PartyShare
    open_actions: int
    overdue_actions: int
    open_requests: int
    overdue_requests: int
    dual_registered: int = 0


def overview(compound: Compound) -> Overview:
    """The 1+3+X as one picture, with the actions and requests open around it. (What the
    packages above add — open votes, the fund, the company's rating — are the panels of
    the hook "org.overview_panels", asked by the page.)"""
    orgs = organisations(compound)
    by_kind = {o.kind: o for o in orgs if OrgKind(o.kind) in SINGLE_KINDS}
    company = serving_company(compound.id)
    today, now = local_today(), utcnow()
    actions = db.session.execute(
        select(Action.status, Action.due_on).where(
            Action.compound_id == compound.id,
            Action.status.in_([s.value for s in ACTION_OPEN]))).all()
    requests = db.session.execute(
        select(ResidentRequest.due_at, ResidentRequest.replied_at).where(
            ResidentRequest.compound_id == compound.id,
            ResidentRequest.status != RequestStatus.closed.value)).all()
    return Overview(
        compound=compound,
        party=by_kind.get(OrgKind.party.value),
        residents_committee=by_kind.get(OrgKind.residents_committee.value),
        owners_committee=by_kind.get(OrgKind.owners_committee.value),
        property=by_kind.get(OrgKind.property.value),
        x=[o for o in orgs if OrgKind(o.kind) in X_KINDS],
        orgs=orgs,
        company=company,
        cross=cross_appointments(orgs),
        share=party_share(orgs),
        open_actions=len(actions),
        overdue_actions=sum(1 for _, due in actions if today > due),
        open_requests=len(requests),
        overdue_requests=sum(1 for due, replied in requests if replied is None and now > due),
        dual_registered=sum(1 for o in orgs if o.kind == OrgKind.party.value
                            for m in o.members if m.dual_registered),
    )
