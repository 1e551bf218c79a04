"""The elevator project's form. The services check everything again; this only shapes input."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    building = SelectField(_l("Building"), choices=[], validate_choice=False)
    entrance = StringField(_l("Entrance (empty = the whole building)"),
                           validators=[Optional(), Length(max=16)])
    cost = StringField(_l("Estimated cost (yuan)"), validators=[DataRequired(), Length(max=20)])
    lifts = IntegerField(_l("Lifts"), default=1, validators=[InputRequired(),
                                                             NumberRange(1, 20)])
    subsidy_rate = StringField(_l("Government subsidy (percent of the cost)"), default="40",
                               validators=[DataRequired(), Length(max=10)])
    subsidy_cap = StringField(_l("Subsidy cap per lift (yuan)"), default="280000.00",
                              validators=[DataRequired(), Length(max=20)])
    fund = StringField(_l("From the maintenance fund (yuan)"), default="0",
                       validators=[Optional(), Length(max=20)])
    coefficients = TextAreaField(_l("Floor coefficients, one per line: floor: coefficient "
                                    "(empty: a starting table for every floor)"),
                                 validators=[Optional(), Length(max=2000)])
    uses_common_land = BooleanField(_l("The lift stands on the compound's common land "
                                       "(a compound-wide vote is needed too)"))
    notice_from = StringField(_l("Public notice from (date)"),
                              validators=[Optional(), Length(max=10)])
    notice_days = IntegerField(_l("Public notice days (at least 7)"), default=7,
                               validators=[InputRequired(), NumberRange(7, 90)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why the project is withdrawn"),
                           validators=[DataRequired(), Length(max=500)])


class NewVoteForm(FlaskForm):
    """重新发起表决: the button (the role, when only one of the votes is called again)."""

    role = HiddenField(validators=[Optional(), Length(max=8)])


#: the project's state (votes.elevator.services.project_state), as the pages show it
PROJECT_STATE_LABELS = {
    "draft": _l("Drafting"),
    "announced": _l("Vote in its notice period"),
    "voting": _l("Owners voting"),
    "approved": _l("Passed by the owners"),
    "failed": _l("Not passed by the owners"),
    "withdrawn": _l("Withdrawn by hand"),
}

#: a vote's outcome in the project's list of votes, when it has one
OUTCOME_LABELS = {"passed": _l("Passed by the owners"), "failed": _l("Not passed by the owners"),
                  "missing": _l("Not called yet")}


def elevator_labels() -> dict:
    """The context processor of the elevator pages."""
    return {"PROJECT_STATE_LABELS": PROJECT_STATE_LABELS, "OUTCOME_LABELS": OUTCOME_LABELS}
