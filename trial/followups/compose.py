"""The words of invitations and reminders, in the participant's language.

Nothing here may reveal health data or the arm: the subject names only the trial, the body holds
the personal link, the window's closing date and a contact line. Plain, short sentences: many
participants have reading difficulties (reference: trial-domain.md).
"""
from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, gettext

LANGUAGES = ("nb", "en")


def language_of(choice: str | None) -> str:
    return choice if choice in LANGUAGES else "nb"


def subject(trial_title: str, language: str) -> str:
    with force_locale(language_of(language)):
        text = str(gettext("%(trial)s: questionnaire", trial=trial_title))
    return text[:200]  # the column's width; a long title is cut rather than refused


def body(kind: str, language: str, url: str, closes_on: date) -> str:
    """The plain-text body of an invitation or a reminder."""
    language = language_of(language)
    with force_locale(language):
        opening = gettext("It is time to answer the questionnaire for the study you take part in.") \
            if kind == "invitation" else \
            gettext("This is a reminder: we have not yet received your answers to the questionnaire "
                    "for the study you take part in.")
        lines = [gettext("Hello,"), "", opening, gettext("Open your personal link:"), url, "",
                 gettext("Please answer by %(date)s.", date=format_date(closes_on, "long", locale=language)),
                 gettext("The link is only for you. Please do not share it."), "",
                 gettext("Questions? Reply to this e-mail or contact the study team."),
                 *_contact(), "", gettext("Best wishes,"), gettext("The study team")]
    return "\n".join(lines) + "\n"


def _contact() -> list[str]:
    # An optional line such as a phone number, set by the trial (MAIL_CONTACT); never personal data.
    contact = current_app.config.get("MAIL_CONTACT")
    return [str(contact)] if contact else []
