"""The one derivation of questionnaire pages from instrument definitions, and the wording it shows."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import instruments
from trial import create_app
from trial.forms.questionnaire import questionnaire_form
from trial.questionnaires_web import load_instrument_texts
from trial.questionnaires_web.texts import EXTENSION

from ..conftest import app_config
from .conftest import Respondent


def _hads_pack(folder: Path, *, reversed_item_1: bool = False) -> Path:
    lines = ['instrument = "hads"', 'version = "1"', 'language = "en"', 'title = "Licensed HADS title"',
             'notice = "© licensed for this trial"']
    for item in instruments.get("hads").items:
        values = item.options[::-1] if reversed_item_1 and item.code == "1" else item.options
        options = ", ".join(f'{{ value = {v}, text = "Licensed {item.code}/{v}" }}' for v in values)
        lines += [f"[items.{item.code}]", f'text = "Licensed question {item.code}"', f"options = [{options}]"]
    (folder / "hads.en.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_each_item_becomes_one_question_in_printed_order(app: Flask) -> None:
    form = questionnaire_form([instruments.get("hads"), instruments.get("eq5d5l")], "en")
    assert [q.field for q in form.questions[:2]] == ["q-hads-1", "q-hads-2"]
    first, second = form.questions[0], form.questions[1]
    assert [c.stored for c in first.choices] == [3, 2, 1, 0]            # printed 3 -> 0: never re-keyed
    assert [c.stored for c in second.choices] == [0, 1, 2, 3]
    assert [c.label for c in first.choices] == ["Option 1", "Option 2", "Option 3", "Option 4"]
    vas = form.questions[-1]
    assert (vas.code, vas.widget, vas.item.minimum, vas.item.maximum) == ("VAS", "number", 0, 100)
    assert first.text == "HADS item 1" and form.part("hads").wording.source == "placeholder"


def test_a_yes_no_item_and_its_skip_rule(app: Flask) -> None:
    form = questionnaire_form([instruments.get("whodas36")], "nb")
    works = next(q for q in form.questions if q.code == "works_or_studies")
    assert works.widget == "radio"
    assert [(c.value, c.label) for c in works.choices] == [("true", "Ja"), ("false", "Nei")]
    d55 = next(n for n, q in enumerate(form.questions) if q.code == "D5.5")
    assert d55 in form.asked({})                                        # unknown yet: asked
    assert d55 not in form.asked({"whodas36": {"works_or_studies": False}})
    assert d55 in form.asked({"whodas36": {"works_or_studies": True}})
    pruned = form.pruned({"whodas36": {"works_or_studies": False, "D5.5": 3, "D1.1": 2}})
    assert pruned == {"whodas36": {"D1.1": 2, "works_or_studies": False}}


def test_reading_posted_answers_checks_them_with_the_definition(app: Flask) -> None:
    """Posted text becomes typed answers; instruments.validate decides what is acceptable."""
    context = app.test_request_context(headers={"Accept-Language": "en"})
    context.push()
    form = questionnaire_form([instruments.get("eq5d5l"), instruments.get("whodas36")], "en")
    by_code = {q.code: q for q in form.questions}
    answers, errors = form.read([by_code["MO"], by_code["VAS"]], {"q-eq5d5l-1": "2", "q-eq5d5l-6": "101"}, {})
    assert errors == {"q-eq5d5l-6": "Enter a whole number from 0 to 100."}   # the VAS is named, MO is fine
    assert form.read([by_code["VAS"]], {"q-eq5d5l-6": " 42 "}, {})[0]["eq5d5l"] == {"VAS": 42}
    _, errors = form.read([by_code["MO"]], {"q-eq5d5l-1": "6"}, {})
    assert errors == {"q-eq5d5l-1": "Choose one of the answers shown."}
    staff = {by_code["works_or_studies"].field: "false", by_code["D5.5"].field: "3"}
    _, errors = form.read([by_code["works_or_studies"], by_code["D5.5"]], staff, {}, prune=False)
    assert errors == {by_code["D5.5"].field: "Leave this question unanswered: an earlier answer skips it."}
    context.pop()


def test_a_licensed_wording_pack_is_shown_instead_of_placeholders(database, tmp_path: Path) -> None:  # noqa: ANN001
    app = create_app(app_config(database.url, INSTRUMENT_TEXT_DIR=str(_hads_pack(tmp_path))))
    catalog = load_instrument_texts(app)
    assert app.extensions[EXTENSION] is catalog
    form = questionnaire_form([instruments.get("hads")], "en", catalog)
    assert form.questions[0].text == "Licensed question 1"
    assert [c.label for c in form.questions[0].choices][0] == "Licensed 1/3"
    assert form.part("hads").wording.notice == "© licensed for this trial"
    assert questionnaire_form([instruments.get("hads")], "nb", catalog).questions[0].text == "HADS spørsmål 1"


def test_a_pack_that_does_not_match_is_refused_at_start_up(database, tmp_path: Path) -> None:  # noqa: ANN001
    folder = _hads_pack(tmp_path, reversed_item_1=True)
    app = create_app(app_config(database.url, INSTRUMENT_TEXT_DIR=str(folder)))
    with pytest.raises(instruments.WordingPackError, match=r"hads.en.toml: items.1.options: values must be"):
        load_instrument_texts(app)


def test_without_a_start_up_load_a_bad_pack_stops_the_questionnaire_not_the_app(
        app: Flask, client: FlaskClient, respondent: Callable[..., Respondent], tmp_path: Path) -> None:
    person = respondent(language="en")
    app.config["INSTRUMENT_TEXT_DIR"] = str(_hads_pack(tmp_path, reversed_item_1=True))
    app.extensions.pop(EXTENSION, None)
    person.check()
    response = client.get(f"{person.link.path}/1")
    assert response.status_code == 503 and "not available" in response.get_data(as_text=True)
    assert "Licensed" not in response.get_data(as_text=True)
