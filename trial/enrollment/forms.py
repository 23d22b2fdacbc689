"""The enrollment pages' forms and labels: built per request where the protocol gives the questions."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional

from ..protocol import Protocol

STATUS = {"screening": _l("Being screened"), "eligible": _l("Eligible"), "consented": _l("Consented"),
          "ready": _l("Ready to randomize"), "randomized": _l("Randomized"), "excluded": _l("Excluded")}
CATEGORY = {"not-eligible": _l("Not eligible"), "declined": _l("Declined"), "other": _l("Other reason")}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
METHOD = {"electronic": _l("Electronic: the participant signs on this device by typing their full name"),
          "paper": _l("Paper: the participant signed a paper consent form")}
VISIT = {"scheduled": _l("Scheduled"), "open": _l("Open"), "completed": _l("Completed"),
         "missed": _l("Missed"), "cancelled": _l("Cancelled")}
PARTICIPANT = {"active": _l("Active"), "withdrawn-intervention": _l("Withdrawn from the intervention"),
               "withdrawn-follow-up": _l("Withdrawn from follow-up"),
               "withdrawn-all": _l("Withdrawn from the study"), "died": _l("Died"),
               "lost-to-follow-up": _l("Lost to follow-up")}
LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}   # each language in its own words
STEPS = (_l("Referral"), _l("Eligibility"), _l("Consent"), _l("Baseline questionnaires"), _l("Randomization"))
STEPS_DONE = {"screening": 1, "eligible": 2, "consented": 3, "ready": 4, "randomized": 5}
FIELD_MESSAGES = {
    "site": _l("Choose one of your sites."), "referred_on": _l("Give a date that is not in the future."),
    "sex": _l("Choose female, male or other."), "birth_year": _l("Give a year from 1900 to this year."),
    "consented_on": _l("Give a date that is not in the future, not before the referral or an earlier "
                       "consent."),
    "version": _l("Use the consent version in force on the date of consent."),
    "name": _l("Write the participant's full name."),
    "national_id": _l("Check the national identity number (11 digits)."),
    "email": _l("Write an e-mail address such as name@example.no."),
    "phone": _l("Use digits, spaces and a leading + only."), "method": _l("Choose how consent was given."),
    "signature": _l("The participant signs by typing their full name."),
    "language": _l("Choose one of the trial's languages."), "category": _l("Choose why the screening ends."),
    "reason": _l("Choose a common reason or describe the reason (up to 500 characters)."),
}


def options(pairs: Iterable[tuple[Any, Any]], first: Any = None) -> list[SelectChoice]:
    """Select or radio choices from (value, label) pairs, after an empty choice labelled `first` if given."""
    empty = [SelectChoice("", first)] if first is not None else []
    return empty + [SelectChoice(str(value), label) for value, label in pairs]


def localized(texts: dict[str, str]) -> str:
    return texts.get(str(get_locale() or "nb")) or texts.get("en") or next(iter(texts.values()), "")


class LogFilter(FlaskForm):
    site = SelectField(_l("Site"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    referred_from = DateField(_l("Referred from"), validators=[Optional()])
    referred_to = DateField(_l("Referred up to and including"), validators=[Optional()])


class ReferralForm(FlaskForm):
    site = SelectField(_l("Site"), validators=[InputRequired(FIELD_MESSAGES["site"])])
    referred_on = DateField(_l("Referred on"),
                            validators=[InputRequired(_l("Give the date of the referral."))])
    source = StringField(_l("Referred by (for example GP, NAV or treatment team)"),
                         validators=[Optional(), Length(max=100)])
    sex = SelectField(_l("Sex"), validators=[Optional()])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])


class ExclusionForm(FlaskForm):
    category = RadioField(_l("Why does the screening end?"), choices=options(CATEGORY.items()),
                          validators=[InputRequired(FIELD_MESSAGES["category"])])
    common_reason = SelectField(_l("A common reason"), validators=[Optional()])
    reason = TextAreaField(_l("Or describe the reason"), validators=[Optional(), Length(max=500)])
    end = SubmitField(_l("End the screening"))


class ConsentBase(FlaskForm):
    def validate_paper_confirmed(self, field: BooleanField) -> None:
        if self.method.data == "paper" and not field.data:
            raise ValidationError(_("Confirm that you have the signed paper form."))


def build_form(name: str, base: type[FlaskForm], fields: dict[str, Any]) -> Any:
    return type(name, (base,), fields)()


def eligibility_form(p: Protocol) -> Any:
    yes_no = options([("yes", _l("Yes")), ("no", _l("No"))])
    fields = {f"c_{c.code}": RadioField(localized(c.text), choices=yes_no, validators=[
        InputRequired(_l("Answer yes or no."))]) for c in p.eligibility}
    return build_form("EligibilityForm", FlaskForm, {**fields, "check": SubmitField(_l("Record eligibility"))})


def exclusion_form(p: Protocol) -> ExclusionForm:
    form = ExclusionForm()
    form.common_reason.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(n), reason.text, optgroup=str(CATEGORY[reason.category]))
        for n, reason in enumerate(p.exclusion_reasons)]
    return form


def consent_form(p: Protocol, versions: list[str], first: bool) -> Any:
    """The first consent asks for identity and contact details too; a re-consent keeps those."""
    text = {"validators": [Optional(), Length(max=200)]}
    languages = options((code, LANGUAGES.get(code, code)) for code in p.trial.languages)
    fields: dict[str, Any] = {
        "version": SelectField(_l("Consent version"), choices=options((v, v) for v in versions)),
        "language": SelectField(_l("Language of the consent document"), choices=languages),
        "shown": HiddenField(), "show_document": SubmitField(_l("Show this document")),
        "consented_on": DateField(_l("Date of consent"),
                                  validators=[InputRequired(_l("Give the date of consent."))])}
    if first:
        fields |= {"name": StringField(_l("Participant's full name"),
                                       validators=[InputRequired(FIELD_MESSAGES["name"]), Length(max=200)]),
                   "national_id": StringField(_l("National identity number (11 digits)"), **text),
                   "email": EmailField(_l("E-mail"), **text), "phone": TelField(_l("Mobile phone"), **text)}
    fields["guardian_name"] = StringField(_l("Guardian's full name"), **text)
    fields |= {f"o_{o.code}": BooleanField(localized(o.text)) for o in p.consent_options}
    fields |= {"method": RadioField(_l("How was consent given?"), choices=options(METHOD.items()),
                                    validators=[InputRequired(FIELD_MESSAGES["method"])]),
               "signature": StringField(_l("Participant's signature"), **text),
               "paper_confirmed": BooleanField(
                   _l("I have the paper consent form, signed and dated by the participant")),
               "record": SubmitField(_l("Record consent"))}
    return build_form("ConsentPageForm", ConsentBase, fields)


def randomize_form(p: Protocol) -> Any:
    fields: dict[str, Any] = {
        f"f_{f.code}": SelectField(localized(f.label), validators=[InputRequired(_l("Choose one."))],
                                   choices=options(((v, v) for v in f.levels), _l("Choose…")))
        for f in p.factors if f.code in p.randomization.stratify_by}
    fields |= {"go": SubmitField(_l("Randomize now")),
               "key": HiddenField(validators=[InputRequired(), Length(max=64)])}
    return build_form("RandomizeForm", FlaskForm, fields)
