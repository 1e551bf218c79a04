"""WTForms for the register's pages. Field-level refusals also come from the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from property.companies.models import StaffRole
from property.companies.services import STAFF_ROLE_LABELS


class CompanyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    uscc = StringField(_l("Unified Social Credit Code"),
                       validators=[DataRequired(), Length(min=18, max=40)])
    district_id = SelectField(_l("Register of district"), coerce=int, validate_choice=False)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])


class StaffForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=64)])
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=18)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, STAFF_ROLE_LABELS[r])
                                            for r in StaffRole])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    certificate = StringField(_l("Certificate number"), validators=[Optional(), Length(max=64)])
    joined_on = DateField(_l("Joined on"), validators=[Optional()])


class ContractForm(FlaskForm):
    compound_id = SelectField(_l("Compound"), coerce=int, validate_choice=False)
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on (empty: open-ended)"), validators=[Optional()])
    fee = StringField(_l("Fee (yuan per m² per month)"),
                      validators=[DataRequired(), Length(max=12)])
    project_manager_id = SelectField(_l("Project manager"), coerce=int, validate_choice=False)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class EndContractForm(FlaskForm):
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
