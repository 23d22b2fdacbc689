"""The wording of the flow diagram: CONSORT 2010 or 2025 box labels, in English or Norwegian.

The 2010 wording follows the official template; 2025 differs only where the reference notes it
(reference section 4.2: "Lost to follow-up for primary outcome", "Analysed for primary outcome").
"""
from __future__ import annotations

import re
from typing import Literal

LabelSet = Literal["2010", "2025"]
Language = Literal["en", "nb"]

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "CONSORT flow diagram: {title}",
        "title_plain": "CONSORT flow diagram",
        "as_of": "Counts as of {date}",
        "stage_enrollment": "Enrollment", "stage_allocation": "Allocation",
        "stage_followup": "Follow-Up", "stage_analysis": "Analysis",
        "assessed": "Assessed for eligibility (n={n})",
        "screening": "Still in screening (n={n})",
        "excluded": "Excluded (n={n})",
        "not-eligible": "Not meeting inclusion criteria (n={n})",
        "declined": "Declined to participate (n={n})",
        "other": "Other reasons (n={n})",
        "reasons": "Reasons:",
        "randomized": "Randomized (n={n})",
        "period": "{period} {ratio} (n={n})",
        "allocated": "Allocated to {arm} (n={n})",
        "followup": "Follow-up at {tp}",
        "completed": "Assessed, questionnaire returned (n={n})",
        "missed": "Missed visit, remains in study (n={n})",
        "withdrawn": "Withdrawn (n={n})",
        "died": "Died (n={n})",
        "lost": "Lost to follow-up (n={n})",
        "lost_primary_2025": "Lost to follow-up for primary outcome (n={n})",
        "pending": "Window still open (n={n})",
        "discontinued": "Discontinued intervention (give reasons) (n={n})",
        "analysed": "Analysed at {tp} (n={n})",
        "analysed_primary_2010": "Analysed, primary outcome at {tp} (n={n})",
        "analysed_primary_2025": "Analysed for primary outcome ({tp}) (n={n})",
        "not_analysed": "Excluded from analysis: no questionnaire at {tp} (n={n})",
        "reason": "{reason} (n={n})",
        "note_cumulative": "Withdrawn, died and lost to follow-up are cumulative; a missed visit keeps the "
                           "participant in the study. Participants are counted in the arm they were "
                           "allocated to.",
        "note_itt": "Discontinued intervention is not subtracted: those participants remain in follow-up "
                    "(intention to treat).",
        "summary": "Assessed {assessed}, excluded {excluded}, randomized {randomized}: {arms}.",
        "unit_d": "day", "unit_d_plural": "days", "unit_w": "week", "unit_w_plural": "weeks",
        "unit_m": "month", "unit_m_plural": "months", "unit_y": "year", "unit_y_plural": "years",
    },
    "nb": {
        "title": "CONSORT-flytdiagram: {title}",
        "title_plain": "CONSORT-flytdiagram",
        "as_of": "Tall per {date}",
        "stage_enrollment": "Inklusjon", "stage_allocation": "Allokering",
        "stage_followup": "Oppfølging", "stage_analysis": "Analyse",
        "assessed": "Vurdert for inklusjon (n={n})",
        "screening": "Fortsatt under vurdering (n={n})",
        "excluded": "Ekskludert (n={n})",
        "not-eligible": "Oppfylte ikke inklusjonskriteriene (n={n})",
        "declined": "Takket nei til å delta (n={n})",
        "other": "Andre grunner (n={n})",
        "reasons": "Grunner:",
        "randomized": "Randomisert (n={n})",
        "period": "{period} {ratio} (n={n})",
        "allocated": "Allokert til {arm} (n={n})",
        "followup": "Oppfølging ved {tp}",
        "completed": "Vurdert, spørreskjema besvart (n={n})",
        "missed": "Uteble, fortsatt med i studien (n={n})",
        "withdrawn": "Trakk seg (n={n})",
        "died": "Døde (n={n})",
        "lost": "Tapt for oppfølging (n={n})",
        "lost_primary_2025": "Tapt for oppfølging for primærutfall (n={n})",
        "pending": "Svarvinduet er fortsatt åpent (n={n})",
        "discontinued": "Avbrøt intervensjonen (oppgi grunner) (n={n})",
        "analysed": "Analysert ved {tp} (n={n})",
        "analysed_primary_2010": "Analysert, primærutfall ved {tp} (n={n})",
        "analysed_primary_2025": "Analysert for primærutfall ({tp}) (n={n})",
        "not_analysed": "Ekskludert fra analyse: mangler spørreskjema ved {tp} (n={n})",
        "reason": "{reason} (n={n})",
        "note_cumulative": "Trakk seg, døde og tapt for oppfølging er kumulative; den som uteble fra et "
                           "besøk er fortsatt med i studien. Deltakerne telles i armen de ble allokert til.",
        "note_itt": "Avbrutt intervensjon trekkes ikke fra: disse deltakerne følges fortsatt opp "
                    "(intention to treat).",
        "summary": "Vurdert {assessed}, ekskludert {excluded}, randomisert {randomized}: {arms}.",
        "unit_d": "dag", "unit_d_plural": "dager", "unit_w": "uke", "unit_w_plural": "uker",
        "unit_m": "måned", "unit_m_plural": "måneder", "unit_y": "år", "unit_y_plural": "år",
    },
}
# The default reasons compute.py records when none was given, in the languages that need them.
_DEFAULT_REASONS: dict[str, dict[str, str]] = {
    "en": {},
    "nb": {"Not meeting inclusion criteria": "Oppfylte ikke inklusjonskriteriene", "Declined": "Takket nei",
           "Other reasons": "Andre grunner", "No reason given": "Ingen grunn oppgitt"},
}
_TIMEPOINT = re.compile(r"^(\d+)\s*([dwmy])$")


class Labels:
    """Box wording for one label set and language."""

    def __init__(self, labels: LabelSet = "2010", language: Language = "en") -> None:
        if labels not in ("2010", "2025"):
            raise ValueError(f"unknown CONSORT label set {labels!r}; use '2010' or '2025'")
        if language not in _TEXT:
            raise ValueError(f"unknown language {language!r}; use one of {sorted(_TEXT)}")
        self.labels = labels
        self._text = _TEXT[language]
        self._reasons = _DEFAULT_REASONS[language]

    def __call__(self, key: str, **values: object) -> str:
        return self._text[key].format(**values)

    def reason(self, reason: str) -> str:
        """A reason as recorded, except that the default labels compute.py gives are translated."""
        return self._reasons.get(reason, reason)

    def timepoint(self, code: str) -> str:
        """'6m' -> '6 months' / '6 måneder'; any other code is shown as it is."""
        match = _TIMEPOINT.match(code)
        if match is None:
            return code
        n, unit = int(match.group(1)), match.group(2)
        return f"{n} {self._text['unit_' + unit + ('' if n == 1 else '_plural')]}"

    def lost(self, *, primary: bool, n: int) -> str:
        key = "lost_primary_2025" if primary and self.labels == "2025" else "lost"
        return self(key, n=n)

    def analysed(self, *, timepoint: str, primary: bool, n: int) -> str:
        key = f"analysed_primary_{self.labels}" if primary else "analysed"
        return self(key, tp=self.timepoint(timepoint), n=n)
