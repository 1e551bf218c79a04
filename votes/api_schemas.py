"""The votes' API schemas (core.schemas): one class per resource, shared by the votes'
API modules (votes.api, votes.api_more, votes.notice_api, votes.elevator.api). Every class
name starts with its resource (Vote…, Ballot…, Delivery…, Elevator…): the OpenAPI
components are keyed by class name across the whole app."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from core.schemas import Body, Day, DecimalText, Moment, MoneyText, Out, Query, UnitRef, text
from votes.models import MATTERS

VoteMatter = Literal["rules", "covenant", "committee", "manager", "use_fund", "raise_fund",
                     "rebuild", "common_use", "other"]
assert set(VoteMatter.__args__) == set(MATTERS)  # the enum and the API agree

VoteStatusText = Literal["draft", "announced", "open", "closed", "published", "cancelled",
                         "revoked"]
BallotChoice = Literal["agree", "oppose", "abstain"]
BallotChannel = Literal["online", "paper", "proxy"]
DeliveryMethodText = Literal["posted", "in_person", "mail", "sms", "electronic"]

#: an area the services already formatted: "749.62"
AreaText = MoneyText


# -- a vote ---------------------------------------------------------------------------------

class VoteScopeIn(Body):
    """A building of the compound, whole or one entrance of it, named by their numbers."""

    building: Annotated[str, Field(min_length=1, max_length=20)] | int
    entrance: Annotated[str, Field(max_length=20)] | int | None = None


def _scope_shape(value):
    """A scope entry that names no building is the scope's fault (422 on `scope`)."""
    if isinstance(value, list) and any(
            not isinstance(item, dict) or "building" not in item for item in value):
        raise ValueError("each scope entry names a building, and maybe an entrance")
    return value


VoteScopeList = Annotated[list[VoteScopeIn], Field(max_length=500),
                          BeforeValidator(_scope_shape)]


class VoteIn(Body):
    """A new draft vote: the art. 278 matter, what owners read, who votes, when."""

    title: text(200, min_length=1)
    matter: VoteMatter = Field(description="Civil Code art. 278 item: rules (1), covenant (2), "
                                           "committee (3), manager (4), use_fund (5), "
                                           "raise_fund (6), rebuild (7), common_use (8), "
                                           "other (9)")
    question: text(20000) = Field("", description="the full text owners read (default: the "
                                                  "title)")
    scope: VoteScopeList | None = Field(None, description="omitted or [] = the whole "
                                                          "compound")
    opens_at: Moment | None = None
    closes_at: Moment | None = Field(None, description="needed before the vote is announced")
    publish_names: bool = Field(False, description="the result notice and the ballots' "
                                                   "export show each voter's choice")
    issuer: text(100) = Field("", description="issuing body printed on the notice (default: "
                                              "the compound's residents' committee)")
    paper_collection: text(200) = Field("", description="where paper ballots are collected "
                                                        "(printed on the notice)")


class VotePatch(Body):
    """Some fields of a draft; only those given change (null clears a time)."""

    title: text(200, min_length=1) | None = None
    matter: VoteMatter | None = None
    text_: text(20000) | None = Field(None, alias="text", description="the full text")
    question: text(20000) | None = Field(None, description="the full text (older name of "
                                                           "`text`)")
    scope: VoteScopeList | None = None
    opens_at: Moment | None = None
    closes_at: Moment | None = None
    publish_names: bool | None = None
    issuer: text(100) | None = None
    paper_collection: text(200) | None = None


class VoteRuleOut(Out):
    """The counting rule: turnout (quorum) and consent (approval) fractions."""

    matter: VoteMatter
    quorum: str
    approval: str


class VoteScopeOut(TypedDict):
    building: str
    entrance: NotRequired[str]


VoteExtensionOut = TypedDict("VoteExtensionOut", {
    "from": Annotated[Moment, Field(description="closing time before")],
    "to": Annotated[Moment, Field(description="closing time after")],
    "reason": str, "at": Moment})


class VoteRevokedOut(Out):
    at: Moment | None
    by: str
    reason: str
    basis: str


class VoteRollOut(Out):
    """The frozen roll's totals (the vote's denominators)."""

    units: int | None = None
    area: AreaText
    heads: int


class VoteOut(Out):
    id: int
    compound: int
    title: str
    question: str
    matter: VoteMatter
    rule: VoteRuleOut
    status: VoteStatusText
    scope: list[VoteScopeOut]
    publish_names: bool
    issuer: str
    paper_collection: str
    public_key: str | None = Field(description="key of the notice's public page "
                                               "(GET /votes/public/{key}); null for a draft")
    opens_at: Moment | None
    closes_at: Moment | None
    announced_at: Moment | None
    may_open_at: Moment | None
    opened_at: Moment | None
    closed_at: Moment | None
    published_at: Moment | None
    cancelled_at: Moment | None
    cancel_reason: str | None
    extensions: list[VoteExtensionOut]
    revoked: VoteRevokedOut | None
    roll: VoteRollOut | None
    elevator_project: int | None = Field(description="the elevator retrofit project the vote "
                                                     "belongs to, if any")


class VoteCreated(Out):
    id: int
    status: VoteStatusText


class VoteAnnounced(Out):
    status: VoteStatusText
    may_open_at: Moment


class VoteOpened(Out):
    status: VoteStatusText
    roll: VoteRollOut


class VotePublished(Out):
    status: VoteStatusText
    published_at: Moment


class VoteReasonIn(Body):
    reason: text(2000, min_length=1)


class VoteCancelled(Out):
    status: VoteStatusText
    cancelled_at: Moment
    reason: str


class VoteExtendIn(Body):
    closes_at: Moment = Field(description="the new, later closing time")
    reason: text(2000, min_length=1)


class VoteExtended(Out):
    closes_at: Moment
    extensions: int = Field(description="how many extensions the vote has had")


class VoteRevokeIn(Body):
    reason: text(2000, min_length=1)
    basis: text(500, min_length=1) = Field(description="the legal basis of the revocation")


class VoteRevoked(Out):
    status: VoteStatusText
    revoked: VoteRevokedOut


class VoteListQuery(Query):
    status: VoteStatusText | None = Field(None, description="only the votes in this state")


# -- the count ------------------------------------------------------------------------------

class VoteFigure(Out):
    """Area (m², two decimals) and heads (voters)."""

    area: AreaText
    heads: int


class VoteRatios(Out):
    """Percentages, rounded down to two decimals."""

    turnout_area: str
    turnout_heads: str
    consent_area: str
    consent_heads: str


class VoteReason(Out):
    code: str
    zh: str
    en: str


class VoteResultOut(Out):
    """The result, computed once when the vote closed (the four ratios rounded down;
    `fractions` gives them exactly)."""

    status: VoteStatusText
    vote: int
    closed_at: Moment | None
    published_at: Moment | None
    revoked: VoteRevokedOut | None
    rule: VoteRuleOut
    roll: VoteRollOut
    participated: VoteFigure
    agree: VoteFigure
    oppose: VoteFigure
    abstain: VoteFigure
    ratios: VoteRatios
    fractions: VoteRatios | None = None
    quorum_met: bool
    approved: bool
    passed: bool
    reasons: list[VoteReason] = Field(default_factory=list)
    voided_ballots: int | None = None
    rule_text: dict[str, str] | None = None


class VoteByChannel(Out):
    online: int
    paper: int
    proxy: int


class BallotAttemptOut(Out):
    """A second ballot of a voter, refused (the first stands): for the secretary to follow
    up — never the choice."""

    at: Moment
    serial: str
    channel: BallotChannel
    reason: Literal["duplicate", "conflicting"]
    username: str


class VoteProgressOut(Out):
    """The count so far, and what the 2/3 turnout still needs."""

    status: VoteStatusText
    rule: VoteRuleOut
    roll: VoteRollOut
    participated: VoteFigure
    agree: VoteFigure
    oppose: VoteFigure
    abstain: VoteFigure
    ratios: VoteRatios
    fractions: VoteRatios
    quorum_met: bool
    approved: bool
    passed: bool
    reasons: list[VoteReason]
    needed: VoteFigure = Field(description="area and heads still needed for 2/3 turnout")
    quorum_needed: VoteFigure = Field(description="the 2/3 turnout bar itself, in area "
                                                  "(rounded up) and heads")
    by_channel: VoteByChannel
    voided_ballots: int
    refused_attempts: int
    attempts: list[BallotAttemptOut] = Field(description="the latest refused attempts (at "
                                                         "most 100), newest first")


class VoteDoorQuery(Query):
    sort: Literal["area_desc", "area_asc", "unit"] = "area_desc"
    building: int | None = Field(None, ge=1, le=2_147_483_647,
                                 description="only voters with a unit in this building (id)")
    undelivered: bool = Field(False, description="only voters the notice has not reached "
                                                 "(未送达)")


class VoteDoorRow(Out):
    """A voter (title-holder group) that has not voted, or no longer (after a void)."""

    serial: str
    units: list[str]
    owners: str
    phones: str
    area: AreaText
    voided: bool
    delivered: bool


class VoteDoorPdfQuery(Query):
    sort: Literal["area_desc", "area_asc", "unit"] = "area_desc"
    building: int | None = Field(None, ge=1, le=2_147_483_647)


class VoteBallotsPdfQuery(Query):
    building: text(20, min_length=1) | None = Field(None, description="building number, as "
                                                                     "in the roll")
    entrance: text(20, min_length=1) | None = Field(None, description="entrance number "
                                                                     "(with building)")


class VoteBuildingRoom(Out):
    label: str
    number: str
    state: Literal["voted", "voided", "none"]


class VoteBuildingFloor(Out):
    floor: int | None
    rooms: list[VoteBuildingRoom]


class VoteBuildingEntrance(Out):
    number: str
    voted: int
    units: int
    floors: list[VoteBuildingFloor]


class VoteBuildingOut(Out):
    """A building of the roll as floors × rooms (top floor first), each room with its voter's
    ballot state — never the choice."""

    building_id: int
    number: str
    voted: int
    units: int
    entrances: list[VoteBuildingEntrance]


# -- ballots --------------------------------------------------------------------------------

class BallotIn(Body):
    """A voter's ballot: online by the owner, paper or proxy by the residents' committee."""

    unit: UnitRef | None = Field(None, description="unit id or label 7-2-301 (or give "
                                                       "`serial`)")
    choice: BallotChoice
    channel: BallotChannel
    serial: Annotated[str, Field(max_length=32)] | int | None = Field(
        None, description="the printed ballot's number (paper, proxy)")
    proxy_name: text(64) = Field("", description="proxy: the proxy's name")
    proxy_ref: text(64) = Field("", description="proxy: the written authorisation's "
                                                "reference")


class BallotCast(Out):
    receipt: str = Field(description="the receipt code, XXXX-XXXX-XXXX-XXXX")
    covers: list[str] = Field(description="the unit labels the ballot counts for")
    id: int


class BallotVoided(Out):
    id: int
    voided_at: Moment


class BallotPaperOut(Out):
    """A paper or proxy ballot as the residents' committee entered it (voided ones too)."""

    id: int
    serial: str
    units: list[str]
    choice: BallotChoice
    channel: BallotChannel
    proxy_name: str
    proxy_ref: str
    cast_at: Moment
    cast_by: str
    voided_at: Moment | None
    voided_by: str
    void_reason: str


class BallotReceiptVote(Out):
    id: int
    title: str
    compound: str


class BallotReceiptOut(Out):
    """What a receipt proves, and nothing more."""

    counted: bool
    vote: BallotReceiptVote
    cast_at: Moment
    voided_at: Moment | None


# -- the owner's own votes -------------------------------------------------------------------

class VoteMineBallot(Out):
    channel: BallotChannel
    cast_at: Moment


class VoteMineShare(Out):
    """An elevator project's vote: the voter's share of the owners' part, per unit."""

    unit: str
    floor: int | None
    coefficient: str
    amount: MoneyText


class VoteMineGroup(Out):
    """One of the owner's voters (title-holder groups) in the vote's roll."""

    serial: str
    units: list[str]
    ballot: VoteMineBallot | None = Field(description="the standing ballot (never its "
                                                      "choice), or null: not voted")
    elevator_shares: list[VoteMineShare] | None = None


class VoteMineOut(Out):
    """A vote of the signed-in owner: their voters and ballots, and whether one awaits."""

    vote: VoteOut
    groups: list[VoteMineGroup]
    waiting: bool = Field(description="the vote is open and one of the owner's voters has "
                                      "not voted")
    note: str | None = Field(description="why the owner casts several ballots (None for "
                                         "one voter)")


# -- the notice and its delivery -------------------------------------------------------------

class DeliveryIn(Body):
    unit: UnitRef
    method: DeliveryMethodText
    delivered_at: Moment | None = Field(None, description="default now; Beijing time when "
                                                          "naive")
    signed_by: text(64) = Field("", description="who signed for it (in_person: required)")
    ref: text(64) = Field("", description="mail number etc. (mail: required)")


class DeliveryRecorded(Out):
    id: int
    unit: str
    method: DeliveryMethodText
    delivered_at: Moment


class DeliveryRecordOut(Out):
    """One delivery as recorded (送达记录)."""

    id: int
    unit_id: int
    label: str = Field(description="the unit's label")
    method: DeliveryMethodText
    delivered_at: Moment
    signed_by: str
    ref: str
    recorded_by: str


class DeliverySummaryOut(Out):
    voters: int
    delivered: int
    by_method: dict[str, int]
    missing: list[str]


class DeliveryCell(Out):
    unit_id: int
    label: str
    number: str
    reached: bool
    method: str = Field(description="the unit's own first delivery method, or \"\" (its "
                                    "voter was reached through another unit)")


class DeliveryFloor(Out):
    floor: int | None
    units: list[DeliveryCell]


class DeliveryEntrance(Out):
    number: str
    reached: int
    units: int
    floors: list[DeliveryFloor]


class DeliveryBuilding(Out):
    number: str
    entrances: list[DeliveryEntrance]


class DeliveryGridOut(Out):
    """The register as the volunteers' grid: each unit reached or not."""

    summary: DeliverySummaryOut
    buildings: list[DeliveryBuilding]


class VoteReachOut(Out):
    """Whom one of the vote's messages reached: people, and per channel how many messages
    are in each state ({"sms": {"sent": 312, "skipped": 4}})."""

    event: Literal["vote.announced", "vote.opened", "vote.extended", "vote.reminder",
                   "vote.result"]
    label: str
    people: int
    by_channel: dict[str, dict[str, int]]


class VoteReminded(Out):
    sent: int = Field(description="people reminded")


class VotePublicNoticeOut(Out):
    """The notice as anyone may read it (no personal data)."""

    id: int
    compound: str
    title: str
    question: str
    matter: VoteMatter
    matter_label: str
    rule: VoteRuleOut
    rule_text: str
    status: VoteStatusText
    scope: str
    issuer: str
    paper_collection: str
    opens_at: Moment | None
    may_open_at: Moment | None
    closes_at: Moment | None
    announced_at: Moment | None
    roll: VoteRollOut | None


# -- elevator retrofit projects --------------------------------------------------------------

#: floor → coefficient: {"1": "0", "2": "0.6"} (checked by the service, so that a refusal
#: names `coefficients`: every floor 1…N of the building, none beyond, exact decimals ≥ 0)
Coefficients = Annotated[dict[str, str], Field(max_length=200, examples=[
    {"1": "0", "2": "0.6", "3": "1.0"}])]


class ElevatorProjectIn(Body):
    title: text(200, min_length=1)
    building: text(20, min_length=1)
    entrance: text(16) | None = Field(None, description="omitted: the whole building")
    cost: DecimalText
    lifts: int = Field(1, ge=1, le=20)
    subsidy_rate: Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$")] = Field(
        "40", description="percent of the cost")
    subsidy_cap: DecimalText = Field("280000.00", description="per lift")
    fund: DecimalText = Field("0.00", description="from the maintenance fund")
    coefficients: Coefficients | None = Field(
        None, description="floor → coefficient, e.g. {\"1\": \"0\", \"2\": \"0.6\"}; "
                          "omitted: a starting table for every floor")
    uses_common_land: bool = False
    notice_from: Day | None = None
    notice_days: int = Field(7, ge=7, le=90)


class ElevatorProjectPatch(Body):
    """Some fields of the plan; only those given change (the place stays)."""

    title: text(200, min_length=1) | None = None
    cost: DecimalText | None = None
    lifts: int | None = Field(None, ge=1, le=20)
    subsidy_rate: Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$")] | None = None
    subsidy_cap: DecimalText | None = None
    fund: DecimalText | None = None
    coefficients: Coefficients | None = None
    uses_common_land: bool | None = None
    notice_from: Day | None = None
    notice_days: int | None = Field(None, ge=7, le=90)


class ElevatorShare(Out):
    unit: str
    floor: int | None
    coefficient: str
    amount: MoneyText


class ElevatorVoteState(Out):
    role: Literal["building", "land"]
    id: int | None
    state: str


class ElevatorVoteHistory(Out):
    role: Literal["building", "land"]
    id: int
    title: str
    status: VoteStatusText
    state: str
    created_at: Moment | None


class ElevatorWithdrawn(Out):
    at: Moment | None
    by: str
    reason: str


class ElevatorProjectOut(Out):
    """The project: its plan, each unit's share to the fen, its votes and state: draft
    (草拟中), announced (公示中), voting (表决中), approved (已通过), failed (未通过: a new vote
    may be called), withdrawn (已撤回)."""

    id: int
    compound: int
    title: str
    building: str
    entrance: str | None
    cost: MoneyText
    lifts: int
    subsidy_rate: str
    subsidy_cap: MoneyText
    fund: MoneyText
    coefficients: dict[str, str]
    uses_common_land: bool
    notice_from: Day | None
    notice_days: int
    subsidy: MoneyText
    owners_share: MoneyText
    shares: list[ElevatorShare]
    votes: list[ElevatorVoteState]
    history: list[ElevatorVoteHistory]
    renewable: list[str]
    approved: bool
    error: str | None
    state: Literal["draft", "announced", "voting", "approved", "failed", "withdrawn"]
    withdrawn: ElevatorWithdrawn | None


class ElevatorNewVotesIn(Body):
    role: Literal["building", "land"] | None = Field(
        None, description="omitted: every required vote that ended without passing")


class ElevatorNewVote(Out):
    id: int
    role: Literal["building", "land"]
    title: str
    status: VoteStatusText


class ElevatorNewVotesOut(Out):
    votes: list[ElevatorNewVote]
    project: ElevatorProjectOut


class ElevatorWithdrawIn(Body):
    reason: text(500, min_length=1)
