"""WTForms for the votes pages. The services check everything again; these only shape input."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

#: art. 278 matters, in the order of the article (labels shown to people)
MATTER_LABELS = {
    "rules": _l("1 Rules of procedure"),
    "covenant": _l("2 Management covenant"),
    "committee": _l("3 Electing or replacing the owners' committee"),
    "manager": _l("4 Hiring or dismissing the property company"),
    "use_fund": _l("5 Using the maintenance fund"),
    "raise_fund": _l("6 Raising the maintenance fund"),
    "rebuild": _l("7 Rebuilding (e.g. an elevator retrofit)"),
    "common_use": _l("8 Changing the use of common parts, or business on them"),
    "other": _l("9 Other major matters"),
}
#: a vote's status as a noun (草稿, 公告中, 表决中 …): the one mapping every page uses (badges,
#: lists, the 1+3+X overview), never the raw code; the "vote status" context keeps these
#: words apart from the same English words used elsewhere ("Closed" a date, "Open" an action)
STATUS_LABELS = {
    "draft": lazy_pgettext("vote status", "Draft"),
    "announced": lazy_pgettext("vote status", "Announced"),
    "open": lazy_pgettext("vote status", "Open"),
    "closed": lazy_pgettext("vote status", "Closed"),
    "published": lazy_pgettext("vote status", "Published"),
    "cancelled": lazy_pgettext("vote status", "Cancelled"),
    "revoked": lazy_pgettext("vote status", "Revoked"),
}
CHOICE_LABELS = {"agree": _l("Agree"), "oppose": _l("Oppose"), "abstain": _l("Abstain")}
CHANNEL_LABELS = {"online": _l("Online"), "paper": _l("Paper"), "proxy": _l("Proxy")}
CHOICES = [SelectChoice(k, v) for k, v in CHOICE_LABELS.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VoteForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    matter = SelectField(_l("Matter (Civil Code art. 278)"),
                         choices=[SelectChoice(k, v) for k, v in MATTER_LABELS.items()])
    question = TextAreaField(_l("Full text owners read before voting"),
                             validators=[Optional(), Length(max=20000)])
    scope = MultiCheckboxField(_l("Scope (none ticked = the whole compound)"), choices=[],
                               validate_choice=False)
    opens_at = StringField(_l("Opens at"), validators=[Optional(), Length(max=40)])
    closes_at = StringField(_l("Closes at"), validators=[Optional(), Length(max=40)])
    publish_names = BooleanField(_l("Publish each unit's choice on the result notice"))
    issuer = StringField(_l("Issuing body (default: the residents' committee)"),
                         validators=[Optional(), Length(max=100)])
    paper_collection = StringField(_l("Where paper ballots are collected"),
                                   validators=[Optional(), Length(max=200)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ExtendForm(FlaskForm):
    closes_at = StringField(_l("New closing time"), validators=[DataRequired(), Length(max=40)])
    reason = TextAreaField(_l("Reason for the extension (printed on its notice)"),
                           validators=[DataRequired(), Length(max=2000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    basis = StringField(_l("Legal basis"), validators=[DataRequired(), Length(max=500)])


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for the lifecycle buttons."""


class BallotForm(FlaskForm):
    group = RadioField(_l("Vote for"), choices=[], validate_choice=False)
    choice = RadioField(_l("Your choice"), choices=CHOICES,
                        validators=[InputRequired(_l("Choose agree, oppose or abstain."))])
    confirm = BooleanField(_l("I have read the full text and this is my decision"),
                           validators=[DataRequired(_l("Please confirm."))])


class PaperBallotForm(FlaskForm):
    serial = StringField(_l("Serial number on the paper ballot"),
                         validators=[DataRequired(), Length(max=20)])
    choice = RadioField(_l("Choice ticked on the ballot"), choices=CHOICES,
                        validators=[InputRequired(_l("Choose agree, oppose or abstain."))])
    channel = SelectField(_l("Ballot"), choices=[
        SelectChoice("paper", _l("Paper ballot signed by the owner")),
        SelectChoice("proxy", _l("Cast by a proxy with written authorisation"))])
    proxy_name = StringField(_l("Proxy's name"), validators=[Optional(), Length(max=64)])
    proxy_ref = StringField(_l("Authorisation reference"), validators=[Optional(),
                                                                         Length(max=64)])


#: how the notice reached a voter (送达方式)
DELIVERY_LABELS = {"posted": _l("Posted at the door"), "in_person": _l("Signed for in person"),
                   "mail": _l("By mail"), "sms": _l("By SMS"),
                   "electronic": _l("Opened online")}


class DeliveryForm(FlaskForm):
    unit = StringField(validators=[DataRequired(), Length(max=52)])
    method = RadioField(_l("How it was delivered"), choices=[
        SelectChoice(k, v) for k, v in DELIVERY_LABELS.items() if k != "electronic"],
        validators=[InputRequired(_l("Choose how it was delivered."))])
    signed_by = StringField(_l("Signed by (in person)"), validators=[Optional(), Length(max=64)])
    ref = StringField(_l("Mail number or reference"), validators=[Optional(), Length(max=64)])
    delivered_at = StringField(_l("Delivered at"), validators=[Optional(), Length(max=40)])


class ReceiptForm(FlaskForm):
    code = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=40)])
