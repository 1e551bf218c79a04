"""Forms and labels of the owners'-committee election pages. Rules live in the services."""

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

from owners_committee.election.models import (
    CandidateStatus,
    ElectionKind,
    GroupRole,
    Nomination,
    Politics,
)

KIND_LABELS = {ElectionKind.first: _l("First election"),
               ElectionKind.re_election: _l("Re-election")}
ROLE_LABELS = {
    GroupRole.owner: _l("Owner representative"),
    GroupRole.street: _l("Street office"),
    GroupRole.residents_committee: _l("Residents' committee"),
    GroupRole.party: _l("Party organisation"),
    GroupRole.other: _l("Other"),
}
NOMINATION_LABELS = {
    Nomination.self: _l("Self-nominated"),
    Nomination.joint: _l("Jointly nominated by owners"),
    Nomination.party: _l("Recommended by the party organisation"),
    Nomination.residents_committee: _l("Recommended by the residents' committee"),
}
POLITICS_LABELS = {
    Politics.party_member: _l("Party member"),
    Politics.league_member: _l("Youth League member"),
    Politics.other_party: _l("Democratic party member"),
    Politics.masses: _l("No party affiliation"),
}
CANDIDATE_STATUS_LABELS = {
    CandidateStatus.nominated: _l("Awaiting the group's review"),
    CandidateStatus.group_rejected: _l("Not eligible (group)"),
    CandidateStatus.group_passed: _l("Awaiting the party organisation's review"),
    CandidateStatus.party_rejected: _l("Rejected by the party organisation"),
    CandidateStatus.approved: _l("Approved"),
    CandidateStatus.withdrawn: _l("Withdrawn"),
    CandidateStatus.final: _l("On the final list"),
}
CHECK_STATE_LABELS = {"passed": _l("Passed"), "failed": _l("Failed"),
                      "unknown": _l("Unknown")}
TRI = [SelectChoice("", _l("Not declared")), SelectChoice("yes", _l("Yes")),
       SelectChoice("no", _l("No"))]
DECISION = [SelectChoice("approve", _l("Approve")),
            SelectChoice("reject", _l("Reject (give the reason)"))]


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(k.value, v) for k, v in labels.items()]


class ElectionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    seats = IntegerField(_l("Seats (5–11, odd)"), default=7,
                         validators=[InputRequired(), NumberRange(1, 99)])
    notice_days = IntegerField(_l("Days the list stands for objections"), default=7,
                               validators=[InputRequired(), NumberRange(1, 99)])


class GroupMemberForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS))
    unit = StringField(_l("Unit, for an owner (e.g. 7-2-301)"),
                       validators=[Optional(), Length(max=52)])
    affiliation = StringField(_l("Office"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    leader = BooleanField(_l("Leader of the group"))


class NominateForm(FlaskForm):
    unit = StringField(_l("Unit (e.g. 7-2-301)"), validators=[DataRequired(), Length(max=52)])
    name = StringField(_l("Owner's name"), validators=[DataRequired(), Length(max=64)])
    nomination = SelectField(_l("Nomination"), choices=choices(NOMINATION_LABELS))
    nominators = TextAreaField(_l("Nominating owners, one per line: name unit"),
                               validators=[Optional(), Length(max=5000)])
    politics = SelectField(_l("Political status"), choices=choices(POLITICS_LABELS),
                           default="masses")
    education = StringField(_l("Education"), validators=[Optional(), Length(max=32)])
    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=100)])
    profile = TextAreaField(_l("Profile"), validators=[Optional(), Length(max=5000)])


class DeclarationsForm(FlaskForm):
    pledge_signed_on = DateField(_l("Written pledge signed on"), validators=[Optional()])
    declared_full_capacity = SelectField(_l("Declares full civil capacity"), choices=TRI)
    declared_relative_staff = SelectField(
        _l("Declares a spouse or direct relative working for the property company"),
        choices=TRI)
    relative_id_numbers = TextAreaField(
        _l("ID numbers of spouse and direct relatives, one per line"),
        validators=[Optional(), Length(max=2000)])
    clear_relatives = BooleanField(_l("Remove the relatives' ID numbers on file"))
    politics = SelectField(_l("Political status"), choices=choices(POLITICS_LABELS))
    education = StringField(_l("Education"), validators=[Optional(), Length(max=32)])
    occupation = StringField(_l("Occupation"), validators=[Optional(), Length(max=100)])
    profile = TextAreaField(_l("Profile"), validators=[Optional(), Length(max=5000)])


class GroupReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=DECISION)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    confirm_owner = StringField(_l("How verified"), validators=[Optional(), Length(max=200)])
    confirm_fund_arrears = StringField(_l("How verified"),
                                       validators=[Optional(), Length(max=200)])
    confirm_fee_arrears = StringField(_l("How verified"),
                                      validators=[Optional(), Length(max=200)])
    confirm_property_staff = StringField(_l("How verified"),
                                         validators=[Optional(), Length(max=200)])
    confirm_illegal_structure = StringField(_l("How verified"),
                                            validators=[Optional(), Length(max=200)])
    confirm_civil_capacity = StringField(_l("How verified"),
                                         validators=[Optional(), Length(max=200)])


class PartyReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=DECISION)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    candidate_id = SelectField(_l("Candidate"))
    text = TextAreaField(_l("Facts and reasons"), validators=[DataRequired(), Length(max=5000)])
    filer_name = StringField(_l("Name of the person objecting (written objection)"),
                             validators=[Optional(), Length(max=64)])


class AnswerForm(FlaskForm):
    upheld = SelectField(_l("Finding"), choices=[
        SelectChoice("no", _l("Not upheld: the candidate stays")),
        SelectChoice("yes", _l("Upheld: the candidate leaves the list"))])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])


class VoteForm(FlaskForm):
    # the vote's notice states its voting period: a vote without one cannot be announced
    closes_at = DateTimeLocalField(_l("Voting closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l(
                                       "Set when voting closes: the notice states the "
                                       "voting period"))])


class PaperBallotForm(FlaskForm):
    serial = StringField(_l("Ballot serial number"), validators=[DataRequired(), Length(max=16)])
    channel = SelectField(_l("Channel"), choices=[SelectChoice("paper", _l("Paper")),
                                                  SelectChoice("proxy", _l("Proxy"))])
    proxy_name = StringField(_l("Proxy's name"), validators=[Optional(), Length(max=64)])
    proxy_ref = StringField(_l("Authorisation reference"), validators=[Optional(),
                                                                       Length(max=64)])


class OnlineBallotForm(FlaskForm):
    unit = SelectField(_l("Voting for"))
