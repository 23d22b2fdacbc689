"""Questionnaire pages derived from instrument definitions: the one place where the web app turns
an ``instruments.Instrument`` and its wording into questions, answer choices and form parsing.

The direction is fixed (style guide point 4): definitions -> this module -> templates. Nothing
here adds an item, an option or a range; it only reads them. Ranges and option values are checked
by ``instruments.validate`` itself, so the form never disagrees with the scorer about what a valid
answer is; this module only turns posted text into typed values and the scorer's refusals into
plain-language messages naming the question.

    form = questionnaire_form([instruments.get("hads")], "nb", catalog)
    form.questions[0].text           # "HADS spørsmål 1" (or the licensed pack's wording)
    answers, errors = form.read([form.questions[0]], request.form, saved)
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _

import instruments
from instruments import Instrument, Item, Wording, WordingCatalog

Answers = dict[str, dict[str, Any]]           # {instrument code: {item code: answer}}
Widget = Literal["radio", "number", "date", "text"]

_WIDGETS: dict[str, Widget] = {"choice": "radio", "boolean": "radio", "integer": "number", "date": "date",
                               "text": "text"}
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")


@dataclass(frozen=True)
class Choice:
    """One answer option: the value the form posts, the stored answer, and its label."""

    value: str
    stored: int | bool
    label: str
    id: str


@dataclass(frozen=True)
class Question:
    """One item as a form field. ``field`` is its form name and element id (safe in both)."""

    instrument: str
    item: Item
    number: int              # its position in the instrument, as printed on the paper form
    field: str
    text: str
    widget: Widget
    choices: tuple[Choice, ...] = ()
    minimum_label: str | None = None
    maximum_label: str | None = None

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def target(self) -> str:
        """The element an error summary links to: the first radio button, or the field itself."""
        return self.choices[0].id if self.choices else self.field

    def form_value(self, stored: object) -> str:
        """The stored answer as the form shows it ("" when unanswered)."""
        return _form_value(stored)

    def shown(self, stored: object) -> str:
        """The stored answer as a person reads it (the option's label, or the number or text)."""
        choice = next((c for c in self.choices if self.form_value(c.stored) == self.form_value(stored)), None)
        return choice.label if choice is not None else self.form_value(stored)

    def parse(self, raw: str | None) -> tuple[object, str | None]:
        """(typed answer or None when left blank, problem message or None)."""
        text = (raw or "").strip()
        if not text:
            return None, None
        if self.widget == "radio":
            choice = next((c for c in self.choices if c.value == text), None)
            return (choice.stored, None) if choice is not None else (None, self.problem())
        if self.widget == "number":
            return (int(text), None) if _WHOLE_NUMBER.fullmatch(text) else (None, self.problem())
        return text, None

    def problem(self, answers: Mapping[str, object] | None = None) -> str:
        """What to do to give an acceptable answer, in the respondent's language (given the other
        answers to its instrument, to tell when a skip rule is why it is refused)."""
        if answers is not None and self.item.is_asked(answers) is False:
            message = _("Leave this question unanswered: an earlier answer skips it.")
        elif self.widget == "radio":
            message = _("Choose one of the answers shown.")
        elif self.widget == "number":
            message = _("Enter a whole number from %(minimum)s to %(maximum)s.",
                        minimum=self.item.minimum, maximum=self.item.maximum)
        elif self.widget == "date":
            message = _("Enter a date as year-month-day, for example 2014-03-27.")
        else:
            message = _("The answer is too long: use at most %(count)s characters.",
                        count=self.item.max_length)
        return str(message)


@dataclass(frozen=True)
class Part:
    """One instrument of the questionnaire, with the wording shown for it."""

    instrument: Instrument
    wording: Wording
    questions: tuple[Question, ...]

    @property
    def code(self) -> str:
        return self.instrument.code


@dataclass(frozen=True)
class QuestionnaireForm:
    """The pages of a questionnaire in one language: its parts (instruments) and their questions."""

    language: str
    parts: tuple[Part, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for part in self.parts for q in part.questions)

    def part(self, code: str) -> Part:
        return next(p for p in self.parts if p.code == code)

    def part_number(self, question: Question) -> int:
        return next(n for n, p in enumerate(self.parts, start=1) if p.code == question.instrument)

    def is_asked(self, question: Question, answers: Answers) -> bool:
        """Whether the item's skip rule asks it, given the answers so far (unknown yet: asked)."""
        return question.item.is_asked(answers.get(question.instrument, {})) is not False

    def asked(self, answers: Answers) -> tuple[int, ...]:
        """Indexes (into ``questions``) of the questions the skip rules ask, in order."""
        return tuple(n for n, q in enumerate(self.questions) if self.is_asked(q, answers))

    def pruned(self, answers: Answers) -> Answers:
        """The answers without those a skip rule no longer asks (an earlier answer changed)."""
        kept: Answers = {}
        for part in self.parts:
            given = dict(answers.get(part.code, {}))
            for question in part.questions:
                if question.item.is_asked(given) is False:
                    given.pop(question.code, None)
            kept[part.code] = {q.code: given[q.code] for q in part.questions if given.get(q.code) is not None}
        return kept

    def read(self, questions: Sequence[Question], posted: Mapping[str, str], saved: Answers,
             *, prune: bool = True) -> tuple[Answers, dict[str, str]]:
        """The saved answers updated with the posted ones for ``questions``, and problems by field.

        Each answer is parsed here and then checked by ``instruments.validate`` against the
        definition, so a value out of range or not an option is refused naming its question.
        ``prune`` drops answers a skip rule no longer asks (a participant changed an earlier
        answer); without it (staff typing a whole paper form) such an answer is refused instead."""
        answers: Answers = {code: dict(given) for code, given in saved.items()}
        errors: dict[str, str] = {}
        for question in questions:
            value, problem = question.parse(posted.get(question.field))
            if problem:
                errors[question.field] = problem
            answers.setdefault(question.instrument, {})[question.code] = value
        answers = self.pruned(answers) if prune else \
            {code: {item: v for item, v in given.items() if v is not None} for code, given in answers.items()}
        for part in self.parts:
            for question in _refused(part, answers.get(part.code, {}), questions):
                errors.setdefault(question.field, question.problem(answers.get(part.code, {})))
        return answers, errors


def questionnaire_form(definitions: Sequence[Instrument], language: str,
                       texts: WordingCatalog | None = None) -> QuestionnaireForm:
    """THE derivation of a questionnaire's pages from instrument definitions (and nothing else).

    ``definitions`` in the order the protocol lists them; ``language`` "nb" or "en"; ``texts`` the
    deployment's licensed wording packs (without them: a trial instrument's own text, else the
    neutral placeholders). Every item becomes one Question: choice and yes/no items radio buttons
    in printed order, whole numbers a number field with its range (the EQ VAS, whose licensed
    graphic cannot ship), dates a date field and text a text area."""
    parts = []
    for instrument in definitions:
        wording = instruments.wording(instrument, language, texts)
        questions = tuple(_question(instrument, wording, item, position)
                          for position, item in enumerate(instrument.items, start=1))
        parts.append(Part(instrument, wording, questions))
    return QuestionnaireForm(language, tuple(parts))


def _question(instrument: Instrument, wording: Wording, item: Item, position: int) -> Question:
    field = f"q-{instrument.code}-{position}"
    widget = _WIDGETS[item.kind]
    stored_values: tuple[int | bool, ...] = (True, False) if item.kind == "boolean" else item.options
    labels = dict(wording.item(item.code).options)
    choices = tuple(
        Choice(value=_form_value(stored), stored=stored, label=_label(wording, item, stored, labels),
               id=f"{field}-{n}")
        for n, stored in enumerate(_in_printed_order(stored_values, labels), start=1))
    low, high = wording.anchor_labels(item.code)
    return Question(instrument.code, item, position, field, wording.item_text(item.code), widget, choices,
                    low, high)


def _refused(part: Part, given: dict[str, Any], questions: Sequence[Question]) -> list[Question]:
    """The questions among ``questions`` whose answers ``instruments.validate`` refuses."""
    try:
        instruments.validate(part.instrument, given)
    except instruments.AnswerError as refused:
        items = {problem.item for problem in refused.problems}
        return [q for q in questions if q.instrument == part.code and q.code in items]
    return []


def _form_value(stored: object) -> str:
    if stored is None:
        return ""
    if isinstance(stored, bool):
        return "true" if stored else "false"
    return str(stored)


def _in_printed_order(values: tuple[int | bool, ...],
                      labels: Mapping[int | bool, str]) -> tuple[int | bool, ...]:
    # A pack lists a yes/no item's options in its own printed order; everything else follows the
    # definition, which a pack was checked against when it was loaded.
    ordered = [value for value in labels if isinstance(value, bool)]
    return tuple(ordered) if len(ordered) == len(values) and ordered else values


def _label(wording: Wording, item: Item, stored: int | bool, labels: Mapping[int | bool, str]) -> str:
    if not isinstance(stored, bool) and stored in labels:
        return labels[stored]
    return wording.option_label(item.code, stored)
