"""WTForms for the ratings' pages. Field-level refusals also come from the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.attachments.forms import files_field
from property.ratings.labels import KIND_LABELS, SURVEY_ITEMS, SURVEY_LABELS, VETO_LABELS
from property.ratings.models import CreditKind


class SettingsForm(FlaskForm):
    weight_satisfaction = StringField(_l("Weight of owner satisfaction"),
                                      validators=[DataRequired(), Length(max=20)])
    weight_inspection = StringField(_l("Weight of the district inspection"),
                                    validators=[DataRequired(), Length(max=20)])
    weight_complaints = StringField(_l("Weight of complaints"),
                                    validators=[DataRequired(), Length(max=20)])
    complaint_penalty = StringField(_l("Points lost per valid complaint per 100 households"),
                                    validators=[DataRequired(), Length(max=20)])
    good_credit_max = IntegerField(_l("Most points for one good record"),
                                   validators=[InputRequired(), NumberRange(1, 100)])
    good_credit_cap = IntegerField(_l("Most good points in all"),
                                   validators=[InputRequired(), NumberRange(0, 100)])
    bad_credit_max = IntegerField(_l("Most points for one bad record"),
                                  validators=[InputRequired(), NumberRange(1, 100)])
    red_min = StringField(_l("Red list: score at least"),
                          validators=[DataRequired(), Length(max=20)])
    black_below = StringField(_l("Black list: score below"),
                              validators=[DataRequired(), Length(max=20)])
    warning_below = StringField(_l("Warning: score below"),
                                validators=[DataRequired(), Length(max=20)])
    warning_fall = StringField(_l("Warning: fall since the last period of at least"),
                               validators=[DataRequired(), Length(max=20)])
    checklist = TextAreaField(_l("Inspection checklist, one item a line: code | item | "
                                 "maximum deduction"),
                              validators=[DataRequired(), Length(max=8000)])
    holidays = TextAreaField(_l("Public holidays (dates, one a line)"),
                             validators=[Optional(), Length(max=4000)])
    workdays = TextAreaField(_l("Weekend make-up working days (dates, one a line)"),
                             validators=[Optional(), Length(max=4000)])
    issuer = StringField(_l("Issuing office (printed with the seal box)"),
                         validators=[Optional(), Length(max=100)])

    SCHEME_FIELDS = ("weight_satisfaction", "weight_inspection", "weight_complaints",
                     "complaint_penalty", "good_credit_max", "good_credit_cap", "bad_credit_max",
                     "red_min", "black_below", "warning_below", "warning_fall")


def _answer_choices():
    return [SelectChoice(str(n), str(n)) for n in range(1, 6)] + [
        SelectChoice("", _l("No opinion"))]


def survey_form(paper: bool = False):
    """A survey form: one 1–5 choice per item; the paper variant adds the unit and form number."""

    class SurveyForm(FlaskForm):
        pass

    for item in SURVEY_ITEMS:
        setattr(SurveyForm, item, RadioField(SURVEY_LABELS[item], choices=_answer_choices(),
                                             default="", validators=[Optional()]))
    if paper:
        SurveyForm.unit = StringField(_l("Unit (label like 7-2-301)"),
                                      validators=[DataRequired(), Length(max=60)])
        SurveyForm.serial = StringField(_l("Form number"),
                                        validators=[Optional(), Length(max=32)])
    return SurveyForm


def inspection_form(checklist):
    """Deduction per checklist item (points) with a note, the date and the inspector."""

    class InspectionForm(FlaskForm):
        inspected_on = DateField(_l("Inspected on"), validators=[InputRequired()])
        inspector = StringField(_l("Inspector"), validators=[Optional(), Length(max=64)])
        note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    for item in checklist:
        setattr(InspectionForm, f"deduct_{item.code}",
                StringField(item.label, validators=[Optional(), Length(max=10)]))
        setattr(InspectionForm, f"note_{item.code}",
                StringField(_l("Finding"), validators=[Optional(), Length(max=200)]))
    return InspectionForm


class ComplaintForm(FlaskForm):
    valid = IntegerField(_l("Valid complaints"), validators=[InputRequired(), NumberRange(0)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class CreditForm(FlaskForm):
    company_id = SelectField(_l("Company"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, KIND_LABELS[k])
                                            for k in CreditKind])
    veto_reason = SelectField(_l("Veto matter"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k.value, v) for k, v in VETO_LABELS.items()], validate_choice=False)
    points = IntegerField(_l("Points (a bad record's points are deducted)"),
                          validators=[InputRequired(), NumberRange(1, 100)])
    occurred_on = DateField(_l("Date"), validators=[InputRequired()])
    compound_id = SelectField(_l("Compound (optional)"), coerce=int, validate_choice=False)
    evidence = TextAreaField(_l("Facts and evidence"),
                             validators=[DataRequired(), Length(max=4000)])
    files = files_field(_l("Photos and scans of the evidence (optional)"))


class ObjectionForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds of the objection"),
                            validators=[DataRequired(), Length(max=4000)])
    files = files_field(_l("Supporting documents (optional)"))


class AnswerForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[
        SelectChoice("reject", _l("Reject: the record stands")),
        SelectChoice("uphold", _l("Uphold: withdraw the record"))])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=4000)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the withdrawal"),
                           validators=[DataRequired(_l("Give the reason for the withdrawal")),
                                       Length(max=2000)])


class RectificationForm(FlaskForm):
    reply = TextAreaField(_l("Rectification reply: what was found, what was done, by when"),
                          validators=[DataRequired(), Length(max=8000)])
    files = files_field(_l("Photos and documents of the work (optional)"))


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[
        SelectChoice("accept", _l("Accept")), SelectChoice("return", _l("Return for more"))])
    note = TextAreaField(_l("Note (required when returning)"),
                         validators=[Optional(), Length(max=4000)])


class PublishForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[Optional(), Length(max=2000)])


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("Why the published lists must be corrected"),
                           validators=[DataRequired(), Length(max=2000)])
