"""WHODAS 2.0, the WHO Disability Assessment Schedule: the 12-item and 36-item forms.

Item wording is (c) WHO 2010 and needs a WHO licence for electronic use, so it comes from a
wording pack (reference/instruments.md section 3.5). Answers are the WHO manual's codes 1 (none)
.. 5 (extreme or cannot do); the 0-4 coding of the Excel templates is derived when scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from instruments.model import AskedIf, Group, Instrument, Item
from instruments.scoring import number, unknown_options
from instruments.whodas_complex import score_complex

__all__ = ["WHODAS12", "WHODAS36"]

_LEVELS = (1, 2, 3, 4, 5)

# 12-item domain map from the published table (reference section 3.1). Its correspondence to the
# 36-item codes (S1 = D2.1, ...) is UNVERIFIED, so the two forms share no scoring code.
_DOMAINS_12 = (
    Group("cognition", "Understanding and communicating", ("S3", "S6")),
    Group("mobility", "Getting around", ("S1", "S7")),
    Group("self_care", "Self-care", ("S8", "S9")),
    Group("getting_along", "Getting along with people", ("S10", "S11")),
    Group("life_activities", "Life activities (household S2, work or school S12)", ("S2", "S12")),
    Group("participation", "Participation in society", ("S4", "S5")),
)


def _group_of(code: str, groups: tuple[Group, ...]) -> str:
    return next(group.code for group in groups if code in group.items)


def _score_12(
    instrument: Instrument, answers: Mapping[str, object], options: Mapping[str, object]
) -> dict[str, object]:
    # WHO's 12-item complex (IRT) syntax was not found in any public source (reference section
    # 3.3), so only the simple sum is offered and its 0-100 transform is not called "complex".
    unknown_options(instrument, options)
    if len(answers) < len(instrument.items):
        return {"simple": None, "simple_0_100": None}
    total = sum(int(value) for value in answers.values() if isinstance(value, int))
    return {"simple": total, "simple_0_100": number(Fraction((total - 12) * 100, 48))}


WHODAS12 = Instrument(
    code="whodas12",
    version="1",
    name="WHO Disability Assessment Schedule 2.0, 12-item version",
    label="WHODAS 2.0 (12)",
    items=tuple(
        Item(code=f"S{n}", kind="choice", options=_LEVELS, group=_group_of(f"S{n}", _DOMAINS_12))
        for n in range(1, 13)
    ),
    groups=_DOMAINS_12,
    scores=("simple", "simple_0_100"),
    licensed=True,
    scorer=_score_12,
)

# Item counts per domain of the 36-item form (reference section 3.1). Life activities is split
# into household (D5.1-D5.4) and work or school (D5.5-D5.8), as the manual's scoring does.
_DOMAINS_36 = (
    ("cognition", "Understanding and communicating", "D1", 1, 6),
    ("mobility", "Getting around", "D2", 1, 5),
    ("self_care", "Self-care", "D3", 1, 4),
    ("getting_along", "Getting along with people", "D4", 1, 5),
    ("household", "Life activities: household", "D5", 1, 4),
    ("work_school", "Life activities: work or school", "D5", 5, 8),
    ("participation", "Participation in society", "D6", 1, 8),
)
WORKS_OR_STUDIES = "works_or_studies"
# D5.5-D5.8 are asked only of people who work (paid, non-paid, self-employed) or go to school.
_WORK_RULE = AskedIf(WORKS_OR_STUDIES, True)


def _items_36() -> tuple[Item, ...]:
    items: list[Item] = []
    for group, _name, prefix, first, last in _DOMAINS_36:
        if group == "work_school":
            items.append(Item(code=WORKS_OR_STUDIES, kind="boolean"))
        rule = _WORK_RULE if group == "work_school" else None
        items += [
            Item(code=f"{prefix}.{n}", kind="choice", options=_LEVELS, group=group, asked_if=rule)
            for n in range(first, last + 1)
        ]
    return tuple(items)


WHODAS36 = Instrument(
    code="whodas36",
    version="1",
    name="WHO Disability Assessment Schedule 2.0, 36-item version",
    label="WHODAS 2.0 (36)",
    items=_items_36(),
    groups=tuple(
        Group(code, name, tuple(f"{prefix}.{n}" for n in range(first, last + 1)))
        for code, name, prefix, first, last in _DOMAINS_36
    ),
    scores=(*(domain[0] for domain in _DOMAINS_36), "summary", "items_in_summary", "simple"),
    score_options=("household_flat_item", "impute"),
    licensed=True,
    scorer=score_complex,
)
