"""The 1+3+X's services as the packages above call them (`from compounds import
org_services`). They live by concern in `compounds.org` (organisations, picture,
meetings, actions, resident_requests, violations); inside compounds, import them from
there."""

from compounds.org.actions import (
    dispatch_action,
    evaluate_action,
    give_feedback,
    list_actions,
    start_handling,
)
from compounds.org.meetings import (
    add_agenda_item,
    add_decision,
    create_meeting,
    finalise_minutes,
    list_meetings,
    minutes_document,
    set_attendance,
    update_meeting,
)
from compounds.org.models import OrgKind
from compounds.org.organisations import (
    add_member,
    org_of_kind,
    organisations,
    party_people,
    save_organisation,
    serving_company,
)
from compounds.org.picture import cross_appointments, overview
from compounds.org.resident_requests import (
    close_request,
    file_request,
    list_requests,
    record_request,
    reply_request,
    route_request,
    set_request_followup,
    valid_complaints,
    valid_complaints_by_compound,
)
from compounds.org.violations import correct_violation, open_violations, record_violation
from compounds.registry.services import owns_in_compound, person_units

__all__ = [
    "OrgKind",
    "add_agenda_item",
    "add_decision",
    "add_member",
    "close_request",
    "correct_violation",
    "create_meeting",
    "cross_appointments",
    "dispatch_action",
    "evaluate_action",
    "file_request",
    "finalise_minutes",
    "give_feedback",
    "list_actions",
    "list_meetings",
    "list_requests",
    "minutes_document",
    "open_violations",
    "org_of_kind",
    "organisations",
    "overview",
    "owns_in_compound",
    "party_people",
    "person_units",
    "record_request",
    "record_violation",
    "reply_request",
    "route_request",
    "save_organisation",
    "serving_company",
    "set_attendance",
    "set_request_followup",
    "start_handling",
    "update_meeting",
    "valid_complaints",
    "valid_complaints_by_compound",
]
