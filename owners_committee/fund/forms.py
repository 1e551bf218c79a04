"""WTForms for the repair-fund pages. The services check everything again; these only
shape the input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

#: what the pages call each kind of posting or entry (documents keep the Chinese terms)
KIND_LABELS = {"initial": _l("Initial deposit"), "top_up": _l("Top-up"),
               "interest": _l("Interest"), "income": _l("Common-part income"),
               "expense_share": _l("Repair cost share"), "refund": _l("Refund"),
               "reversal": _l("Reversal"), "opening": _l("Opening balance")}
EMERGENCY_LABELS = {"elevator": _l("Elevator failure"), "roof_leak": _l("Roof leak"),
                    "fire_safety": _l("Fire safety"), "burst_pipe": _l("Burst pipe"),
                    "other": _l("Other danger to safety")}

ENTRY_KINDS = [SelectChoice("initial", _l("Initial deposit")),
               SelectChoice("top_up", _l("Top-up")),
               SelectChoice("interest", _l("Interest")),
               SelectChoice("income", _l("Common-part income")),
               SelectChoice("refund", _l("Refund"))]
SPREAD_KINDS = [SelectChoice("interest", _l("Interest")),
                SelectChoice("income", _l("Common-part income"))]
BASES = [SelectChoice("balance", _l("In proportion to balances")),
         SelectChoice("area", _l("In proportion to areas"))]
#: no kind until one is chosen (an elevator failure used to be the default, even where
#: no building has a lift)
EMERGENCY_KINDS = [SelectChoice("", _l("— choose the kind —")),
                   *(SelectChoice(k, label) for k, label in EMERGENCY_LABELS.items())]


class EntryForm(FlaskForm):
    unit = StringField(_l("Unit (e.g. 7-2-301)"), validators=[DataRequired(), Length(max=60)])
    kind = SelectField(_l("Kind"), choices=ENTRY_KINDS)
    amount = StringField(_l("Amount (yuan)"), validators=[DataRequired(), Length(max=20)])
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])


class SpreadForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=SPREAD_KINDS)
    amount = StringField(_l("Total amount (yuan)"), validators=[DataRequired(), Length(max=20)])
    basis = SelectField(_l("Spread"), choices=BASES)
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Why is the repair needed?"),
                                validators=[Optional(), Length(max=4000)])
    scope = TextAreaField(_l("Scope"), validators=[Optional(), Length(max=4000)])
    cost = StringField(_l("Cost (yuan)"), validators=[DataRequired(), Length(max=20)])
    contractor = StringField(_l("Contractor"), validators=[Optional(), Length(max=200)])
    vote_id = SelectField(_l("Approved by the owners' vote"), coerce=str)
    emergency = BooleanField(_l("Emergency repair (no vote; the owners are told afterwards)"))
    emergency_kind = SelectField(_l("Kind of emergency"), choices=EMERGENCY_KINDS)
    reason = TextAreaField(_l("Reason for the emergency"), validators=[Optional(),
                                                                        Length(max=2000)])
    digest = HiddenField()


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the reversal"),
                           validators=[DataRequired(_l("Give the reason for the reversal")),
                                       Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(_l("Opening balances (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the file to import."))])
    as_of = StringField(_l("Balances as of"), validators=[Length(max=20)])


class PlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    target_pct = IntegerField(_l("Target balance (percent of the first-deposit standard)"),
                              default=100, validators=[InputRequired(), NumberRange(1, 300)])
    due_on = DateField(_l("Pay by"), validators=[Optional()])
    scope = TextAreaField(_l("Scope"), validators=[Optional(), Length(max=4000)])
    vote_id = SelectField(_l("Decided by the owners' vote (raising the fund)"), coerce=str)
    local_rule = TextAreaField(_l("Or, where no owners' assembly exists: the local rule it "
                                  "rests on"), validators=[Optional(), Length(max=2000)])
    instructions = TextAreaField(_l("How to pay"), validators=[Optional(), Length(max=2000)])


class NoticeForm(FlaskForm):
    """Just the CSRF token: mark an emergency's after-the-fact notice as published."""
