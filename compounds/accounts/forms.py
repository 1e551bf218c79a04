"""The activation form an owner fills in on their phone."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class ActivationForm(FlaskForm):
    code = StringField(_l("Activation code"), validators=[DataRequired(), Length(max=32)])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    again = PasswordField(_l("Password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ"))])
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=32)])
