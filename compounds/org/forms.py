"""Forms and display labels of the 1+3+X pages (organisations, meetings, actions, requests).

Field-level rules live in the services of `compounds.org`; these forms only parse.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from compounds.org.models import (
    ActionStatus,
    OrgKind,
    PartyType,
    Position,
    RequestCategory,
    RequestStatus,
    ViolationKind,
)
from core.attachments.forms import files_field

KIND_LABELS = {
    OrgKind.party: _l("Party organisation"),
    OrgKind.residents_committee: _l("Residents' committee"),
    OrgKind.owners_committee: _l("Owners' committee"),
    OrgKind.property: _l("Property company"),
    OrgKind.police: _l("Community police"),
    OrgKind.social_org: _l("Social organisation"),
    OrgKind.volunteers: _l("Volunteers"),
    OrgKind.co_building: _l("Co-building unit"),
    OrgKind.building_leaders: _l("Building leaders"),
    OrgKind.lawyer: _l("Community lawyer"),
    OrgKind.other: _l("Other participant"),
}
PARTY_TYPE_LABELS = {
    PartyType.committee: _l("Party committee"),
    PartyType.general_branch: _l("General party branch"),
    PartyType.branch: _l("Party branch"),
}
POSITION_LABELS = {
    Position.secretary: _l("Secretary"),
    Position.deputy_secretary: _l("Deputy secretary"),
    Position.director: _l("Director"),
    Position.deputy_director: _l("Deputy director"),
    Position.committee_member: _l("Committee member"),
    Position.manager: _l("Manager"),
    Position.deputy_manager: _l("Deputy manager"),
    Position.member: _l("Member"),
    Position.contact: _l("Contact person"),
}
ACTION_STATUS_LABELS = {
    ActionStatus.reported: _l("Reported"),
    ActionStatus.dispatched: _l("Dispatched"),
    ActionStatus.handling: _l("Being handled"),
    ActionStatus.feedback: _l("Reported back"),
    ActionStatus.evaluated: _l("Evaluated"),
}
CATEGORY_LABELS = {
    RequestCategory.property_service: _l("Property service"),
    RequestCategory.repairs: _l("Repairs"),
    RequestCategory.elevator: _l("Elevator"),
    RequestCategory.noise: _l("Noise"),
    RequestCategory.parking: _l("Parking"),
    RequestCategory.safety: _l("Safety"),
    RequestCategory.other: _l("Other"),
}
REQUEST_STATUS_LABELS = {
    RequestStatus.filed: _l("Filed"),
    RequestStatus.routed: _l("Routed"),
    RequestStatus.replied: _l("Answered"),
    RequestStatus.closed: _l("Closed"),
}
VIOLATION_LABELS = {
    ViolationKind.illegal_structure: _l("Illegal structure"),
    ViolationKind.structural_damage: _l("Damage to the load-bearing structure"),
}
SCORES = [SelectChoice(str(n), str(n)) for n in (5, 4, 3, 2, 1)]


def choices(labels: dict, only=None) -> list[SelectChoice]:
    return [SelectChoice(k.value, v) for k, v in labels.items() if only is None or k in only]


class OrganisationForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    party_type = SelectField(_l("Type of party organisation"),
                             choices=choices(PARTY_TYPE_LABELS), default="branch")
    seats = IntegerField(_l("Seats (5–11, odd)"), validators=[Optional(), NumberRange(1, 99)])
    term_starts_on = DateField(_l("Term starts"), validators=[Optional()])
    term_ends_on = DateField(_l("Term ends"), validators=[Optional()])
    contact_name = StringField(_l("Contact"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class MemberForm(FlaskForm):
    same_as = SelectField(_l("Same person as"), default="")
    unit = StringField(_l("Owner of unit (e.g. 7-2-301)"),
                       validators=[Optional(), Length(max=52)])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=18)])
    position = SelectField(_l("Position"))
    party_member = BooleanField(_l("Party member"))
    dual_registered = BooleanField(_l("In-service party member registered with the community"))
    work_unit = StringField(_l("Work unit"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class MemberEditForm(FlaskForm):
    position = SelectField(_l("Position"))
    party_member = BooleanField(_l("Party member"))
    dual_registered = BooleanField(_l("In-service party member registered with the community"))
    work_unit = StringField(_l("Work unit"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class CsrfForm(FlaskForm):
    """A form with nothing but the CSRF token (buttons, checkbox lists)."""


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    held_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    chair = StringField(_l("Chair"), validators=[Optional(), Length(max=64)])
    recorder = StringField(_l("Recorder"), validators=[Optional(), Length(max=64)])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)])


class AgendaForm(FlaskForm):
    title = StringField(_l("Agenda item"), validators=[DataRequired(), Length(max=200)])
    raised_by = StringField(_l("Raised by"), validators=[Optional(), Length(max=100)])


class GuestForm(FlaskForm):
    """Sign in someone who is not a recorded member: for an organisation (an X participant
    without members recorded) or as a guest (列席) with their unit or organisation."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=64)])
    org_id = SelectField(_l("Attends for"), default="")
    affiliation = StringField(_l("Unit or organisation (guests)"),
                              validators=[Optional(), Length(max=100)])


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[DataRequired(), Length(max=5000)])
    agenda_item_id = SelectField(_l("Agenda item"), default="")
    org_id = SelectField(_l("Assigned to"))
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    action_title = StringField(_l("Short title of the action"),
                               validators=[Optional(), Length(max=200)])


class DispatchForm(FlaskForm):
    org_id = SelectField(_l("Assigned to"))
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    note = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class HandleForm(NoteForm):
    """Taking an action in hand, with its "before" photos."""

    files = files_field(_l("Photos before (optional)"))


class FeedbackForm(FlaskForm):
    feedback = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=5000)])
    files = files_field(_l("Photos after (optional)"))


class EvaluateForm(FlaskForm):
    accept = SelectField(_l("Result"), choices=[
        SelectChoice("yes", _l("Accepted: close the action")),
        SelectChoice("no", _l("Not accepted: back to handling"))], default="yes")
    score = SelectField(_l("Score"), choices=SCORES, default="5")
    note = TextAreaField(_l("Evaluation"), validators=[Optional(), Length(max=2000)])


class RequestForm(FlaskForm):
    unit_id = SelectField(_l("Your unit"))
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS))
    text = TextAreaField(_l("Your request"), validators=[DataRequired(), Length(max=5000)])
    phone = StringField(_l("Phone for a call back"), validators=[Optional(), Length(max=32)])
    files = files_field(_l("Photos (optional)"))


class RecordRequestForm(FlaskForm):
    name = StringField(_l("Resident's name"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    unit = StringField(_l("Unit (e.g. 7-2-301)"), validators=[Optional(), Length(max=52)])
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS))
    text = TextAreaField(_l("Request"), validators=[DataRequired(), Length(max=5000)])
    files = files_field(_l("Photos (optional)"))


class RouteForm(FlaskForm):
    org_id = SelectField(_l("Responsible organisation"))
    invalid = BooleanField(_l("Not a valid complaint (duplicate, not a service matter)"))
    invalid_reason = StringField(_l("Why it is not valid"),
                                 validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=5000)])


class CloseForm(FlaskForm):
    satisfaction = SelectField(_l("Satisfaction (5 = very satisfied)"), choices=SCORES,
                               default="5")
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ViolationForm(FlaskForm):
    unit = StringField(_l("Unit (e.g. 7-2-301)"), validators=[DataRequired(), Length(max=52)])
    kind = SelectField(_l("Kind"), choices=choices(VIOLATION_LABELS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    recorded_on = DateField(_l("Recorded on"), validators=[Optional()])
