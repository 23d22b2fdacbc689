"""A trial-defined instrument used by several test modules, and a helper to collect refusals."""

import tomllib

import pytest

import instruments

EXAMPLE = """
code = "ips-followup"
version = "1"
name = "IPS follow-up questions"
score = "sum"
max_missing = 1
title = { nb = "Oppfølging", en = "Follow-up" }
instructions = { en = "Answer every question." }

[[items]]
code = "ladder"
type = "ladder"
scored = false
text = { nb = "Hvor på stigen står du?", en = "Where on the ladder are you?" }

[[items]]
code = "works"
type = "yes-no"
text = { nb = "Er du i arbeid?", en = "Are you working?" }
labels = { en = ["I work", "I do not work"] }

[[items]]
code = "hours"
type = "number"
minimum = 0
maximum = 80
asked_if = { item = "works", equals = true }
text = { nb = "Timer per uke", en = "Hours a week" }

[[items]]
code = "fatigue"
type = "likert"
points = 4
start = 0
reverse = true
group = "health"
text = { nb = "Sliten", en = "Tired" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "worry"
type = "likert"
points = 4
start = 0
group = "health"
text = { nb = "Bekymret", en = "Worried" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "work_stress"
type = "likert"
points = 4
start = 0
group = "health"
asked_if = { item = "works", equals = true }
text = { nb = "Stress på jobb", en = "Stress at work" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "sector"
type = "choice"
options = [1, 2, 9]
scored = false
required = false
text = { nb = "Sektor", en = "Sector" }
labels = { nb = ["Privat", "Offentlig", "Annet"], en = ["Private", "Public", "Other"] }

[[items]]
code = "started"
type = "date"
required = false
text = { nb = "Startdato", en = "Start date" }

[[items]]
code = "comment"
type = "text"
max_length = 200
required = false
text = { nb = "Kommentar", en = "Comment" }
"""


def example(**changes: object) -> dict[str, object]:
    return tomllib.loads(EXAMPLE) | changes


def minimal(**changes: object) -> dict[str, object]:
    return {"code": "t", "version": "1", "name": "T", "items": [{"code": "q", "type": "yes-no"}]} | changes


FOLLOWUP = instruments.define(example())


def definition_problems(mapping: object, **options: str) -> list[str]:
    with pytest.raises(instruments.InstrumentDefinitionError) as caught:
        instruments.define(mapping, **options)  # type: ignore[arg-type]  # deliberately malformed input
    return [str(problem) for problem in caught.value.problems]
