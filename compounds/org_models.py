"""The 1+3+X's models under the path the packages above import them by; they live in
`compounds.org.models`."""

from compounds.org.models import (
    Action,
    AgendaItem,
    Decision,
    Meeting,
    MeetingAttendee,
    Organisation,
    OrgKind,
    OrgMember,
    ResidentRequest,
    StructureViolation,
)

__all__ = ["Action", "AgendaItem", "Decision", "Meeting", "MeetingAttendee", "OrgKind",
           "OrgMember", "Organisation", "ResidentRequest", "StructureViolation"]
