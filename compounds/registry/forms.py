"""WTForms for the registry pages. Field-level messages come from the services too."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from compounds import rules
from compounds.registry.services import NOTICE_DAYS_REFUSED

AREA_SOURCES = [SelectChoice("registered", _l("Registered (title register)")),
                SelectChoice("surveyed", _l("Surveyed")),
                SelectChoice("contract", _l("Sales contract"))]


class CompoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    district = StringField(_l("District"), validators=[DataRequired(), Length(max=64)])
    street = StringField(_l("Street"), validators=[DataRequired(), Length(max=64)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    notice_days = IntegerField(
        _l("Notice days before a vote opens"), default=rules.NOTICE_DAYS_DEFAULT,
        validators=[InputRequired(), NumberRange(
            rules.NOTICE_DAYS_MIN, rules.NOTICE_DAYS_MAX,
            message=NOTICE_DAYS_REFUSED)])  # the service's refusal, word for word
    fund_rate = StringField(_l("Maintenance fund first deposit (yuan per m²)"),
                            validators=[Optional(), Length(max=20)])
    #: for the page's hint: the legal minimum
    notice_days_min = rules.NOTICE_DAYS_MIN


class BuildingForm(FlaskForm):
    number = StringField(_l("Building number"), validators=[DataRequired(), Length(max=16)])
    phase = StringField(_l("Phase"), validators=[Optional(), Length(max=16)])
    floors = IntegerField(_l("Floors"), default=6, validators=[InputRequired(),
                                                               NumberRange(1, 200)])
    has_elevator = BooleanField(_l("Has an elevator"))
    entrances = StringField(_l("Entrances (e.g. 1,2,3)"), validators=[Optional(),
                                                                       Length(max=200)])


class EntranceForm(FlaskForm):
    number = StringField(_l("Entrance number"), validators=[DataRequired(), Length(max=16)])


class UnitForm(FlaskForm):
    entrance_id = SelectField(_l("Entrance"), coerce=int)
    number = StringField(_l("Unit number"), validators=[DataRequired(), Length(max=16)])
    floor = IntegerField(_l("Floor"), validators=[InputRequired()])
    area = StringField(_l("Exclusive area (m²)"), validators=[DataRequired(), Length(max=20)])
    area_source = SelectField(_l("Area source"), choices=AREA_SOURCES)
    developer_held = BooleanField(_l("Held by the developer (unsold or undelivered)"))


class HoldersForm(FlaskForm):
    holders = TextAreaField(
        _l("Title holders, one per line: name, ID number"),
        validators=[Optional(), Length(max=2000)])


RELATIONS = [SelectChoice("tenant", _l("Tenant")), SelectChoice("family", _l("Family member")),
             SelectChoice("other", _l("Other"))]


class ResidentForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=64)])
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=18)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    relation = SelectField(_l("Relation"), choices=RELATIONS)


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])


class LedgerImportForm(FlaskForm):
    file = FileField(_l("Ledger file (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the ledger file to import."))])


class LedgerExportForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the export"),
        validators=[DataRequired(_l("Give the reason for this export.")), Length(max=200)])
