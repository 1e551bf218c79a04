"""Votes use-cases: load with permission, apply votes.rules, write, audit, commit — one
transaction each. The HTML views, the JSON API, the CLI and the demo all call these;
refusals are `core.errors.DomainError`.

By concern: `lifecycle` (create, edit, announce, open, close, publish, cancel), `roll` (the
frozen roll and its lookups), `ballots` (cast, void, receipts), `tally` (the count),
`results` (result, progress, door list, building picture), `documents` (the PDFs' data),
`access` (which votes a user sees). Other packages use the names below.
"""

from votes.services.access import (
    compounds_for_new_votes,
    fetch_vote,
    get_vote,
    list_votes,
    may_see_result,
    on_roll,
    owner_votes,
    visible_votes_query,
)
from votes.services.ballots import (
    CastResult,
    ReceiptCheck,
    cast_ballot,
    check_receipt,
    own_ballot_page,
    recent_paper_ballots,
    void_ballot,
)
from votes.services.common import (
    accepting_ballots,
    format_receipt,
    iso,
    issuer_of,
    make_serial,
    matter_label,
    rule_of,
    scope_json,
    scope_label,
    scope_text,
)
from votes.services.deliveries import note_online_view
from votes.services.documents import ballots_document, door_list_document, notice_document
from votes.services.lifecycle import (
    announce,
    cancel_vote,
    close_due_vote,
    close_due_votes,
    close_vote,
    create_vote,
    open_vote,
    publish_result,
    resolve_scope,
    update_vote,
)
from votes.services.results import (
    DOOR_SORTS,
    DoorList,
    DoorRow,
    Progress,
    building_picture,
    door_list,
    progress,
    result,
)
from votes.services.roll import (
    OwnerGroup,
    find_roll_unit,
    freeze_roll,
    group_by_serial,
    group_labels,
    live_ballot,
    owner_groups,
)
from votes.services.tally import compute_tally

__all__ = [
    "DOOR_SORTS",
    "CastResult",
    "DoorList",
    "DoorRow",
    "OwnerGroup",
    "Progress",
    "ReceiptCheck",
    "accepting_ballots",
    "announce",
    "ballots_document",
    "building_picture",
    "cancel_vote",
    "cast_ballot",
    "check_receipt",
    "close_due_vote",
    "close_due_votes",
    "close_vote",
    "compounds_for_new_votes",
    "compute_tally",
    "create_vote",
    "door_list",
    "door_list_document",
    "fetch_vote",
    "find_roll_unit",
    "format_receipt",
    "freeze_roll",
    "get_vote",
    "group_by_serial",
    "group_labels",
    "iso",
    "issuer_of",
    "list_votes",
    "live_ballot",
    "make_serial",
    "matter_label",
    "may_see_result",
    "note_online_view",
    "notice_document",
    "on_roll",
    "open_vote",
    "own_ballot_page",
    "owner_groups",
    "owner_votes",
    "progress",
    "publish_result",
    "recent_paper_ballots",
    "resolve_scope",
    "result",
    "rule_of",
    "scope_json",
    "scope_label",
    "scope_text",
    "update_vote",
    "visible_votes_query",
    "void_ballot",
]

