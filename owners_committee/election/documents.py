"""The data of the election's printed documents (for reports/): the candidate notice
(候选人公示), the ballots of the frozen roll, and the result notice. Each checks who may
have it; the PDF builders in reports/ turn the data into pages.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds import org_services
from core.attachments.services import files_of
from core.errors import DomainError, conflict
from core.extensions import db
from core.inputs import local_today
from core.permissions import authorize
from core.types import utcnow
from owners_committee.election import rules
from owners_committee.election.ballots import may_see_result, vote_of
from owners_committee.election.models import Election, ElectionStatus, ReviewStage
from owners_committee.election.services import final_candidates
from owners_committee.election.vetting import too_few_candidates
from reports import candidate_notice, election_ballot, election_result
from reports.attachments import attached
from reports.candidate_notice import CandidateNoticeData, NoticeCandidate
from reports.election_ballot import ElectionBallotsData, ElectionSheet
from reports.election_result import ElectionResultData, ResultRow
from votes import rules as vote_rules
from votes.models import RollGroup

S = ElectionStatus


POLITICS_ZH = {"party_member": "中共党员", "league_member": "共青团员",
               "other_party": "民主党派", "masses": "群众"}
NOMINATION_ZH = {"self": "业主自荐", "joint": "业主联名推荐", "party": "党组织推荐",
                 "residents_committee": "居委会推荐"}


def notice_document(election: Election):
    """The data of the candidate notice (候选人公示) — once the list is published."""
    authorize("election.view", election)
    if not election.published:
        raise conflict("not_published", _l("The list is not published yet"))
    today = local_today()
    shown = [c for c in election.candidates if c.on_list]
    final = election.status != S.notice.value
    if final and not rules.enough_candidates(len(shown), election.seats):
        # a list made final before the rule (or its seats changed): not printed as final
        raise too_few_candidates(len(shown), election.seats)
    rows = []
    for c in shown:
        gender, age = rules.gender_and_age(c.person.id_number, today)
        g, p = c.review(ReviewStage.group.value), c.review(ReviewStage.party.value)
        rows.append(NoticeCandidate(
            name=c.name, gender=gender, age=age, unit=c.unit_label,
            politics=POLITICS_ZH[c.politics], education=c.education, occupation=c.occupation,
            nomination=NOMINATION_ZH[c.nomination], profile=c.profile,
            group_review="通过" if g and g.approved else "—",
            party_review="通过" if p and p.approved else "—",
            files=attached(files_of("candidates", c.id))))
    party = org_services.org_of_kind(election.compound_id, org_services.OrgKind.party)
    return CandidateNoticeData(
        compound=election.compound.name,
        issuer=f"{election.compound.name}业主大会筹备组" if election.kind == "first"
        else f"{election.compound.name}业主委员会换届改选小组",
        party_org=party.name if party else "",
        title=election.title, seats=election.seats,
        notice_from=election.notice_starts_at, notice_until=election.notice_ends_at,
        final=final, candidates=tuple(rows),
        generated_at=utcnow())


def result_document(election: Election):
    """The data of the result notice (选举结果公告): staff once counted, owners once the
    vote's result is published (403 before)."""
    authorize("election.view", election)
    if not may_see_result(election):
        raise DomainError("not_published", _l("The result is shown once it is published"),
                          status=403)
    res = election.result
    vote = vote_of(election)

    def a(c) -> Decimal:
        return vote_rules.centi_to_area(c)

    rows = tuple(ResultRow(
        name=c["name"], agree_area=a(c["agree"]["area_c"]), agree_heads=c["agree"]["heads"],
        oppose_area=a(c["oppose"]["area_c"]), oppose_heads=c["oppose"]["heads"],
        abstain_area=a(c["abstain"]["area_c"]), abstain_heads=c["abstain"]["heads"],
        consent_area=c["consent"]["area"], consent_heads=c["consent"]["heads"],
        approved=c["approved"], elected=c["elected"], tied=c["tied"]) for c in res["candidates"])
    return ElectionResultData(
        compound=election.compound.name, issuer=f"{election.compound.name}业主大会",
        title=election.title, seats=res["seats"], rule=res["rule"],
        opened_at=vote.opened_at, closed_at=vote.closed_at,
        roll_area=a(res["roll"]["area_c"]), roll_heads=res["roll"]["heads"],
        participated_area=a(res["participated"]["area_c"]),
        participated_heads=res["participated"]["heads"],
        void_heads=res["void"]["heads"],
        turnout_area=res["turnout"]["area"], turnout_heads=res["turnout"]["heads"],
        quorum_met=res["quorum_met"], rows=rows,
        elected=tuple(c["name"] for c in res["candidates"] if c["elected"]),
        tied=tuple(c["name"] for c in res["candidates"] if c["tied"]),
        open_seats=res["open_seats"],
        # the tie and the unfilled seats are written out by the notice itself
        reasons=tuple(r["zh"].rstrip("。") + "。" for r in res["reasons"]
                      if r["code"] not in ("seat_tie", "seats_unfilled")),
        generated_at=utcnow())


def ballots_document(election: Election):
    """The printable ballots: one per voter group of the frozen roll, listing the final
    candidates with agree / oppose / abstain boxes."""
    vote = vote_of(election)
    if vote is None:
        raise conflict("invalid_state", _l("There is no election vote yet"))
    authorize("vote.enter_paper", vote)
    if vote.roll_units is None:
        raise conflict("roll_not_frozen", _l("The ballots are printed once the vote is open "
                                             "(the roll is frozen then)"))
    groups = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vote.id)
                                .order_by(RollGroup.serial)).all()
    return ElectionBallotsData(
        compound=election.compound.name, issuer=f"{election.compound.name}业主大会",
        title=election.title, seats=election.seats,
        candidates=tuple((c.name, c.unit_label) for c in final_candidates(election)),
        closes_at=vote.closes_at,
        sheets=tuple(ElectionSheet(g.serial, g.labels, g.names, g.area) for g in groups))


# -- the documents as PDF files: the pages and the API serve the same bytes and names -------

def notice_pdf(election: Election) -> tuple[bytes, str]:
    return (candidate_notice.render(notice_document(election)),
            f"candidates-{election.id}.pdf")


def ballots_pdf(election: Election) -> tuple[bytes, str]:
    return (election_ballot.render(ballots_document(election)),
            f"election-ballots-{election.id}.pdf")


def result_pdf(election: Election) -> tuple[bytes, str]:
    return (election_result.render(result_document(election)),
            f"election-result-{election.id}.pdf")
