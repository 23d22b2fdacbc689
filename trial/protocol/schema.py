"""The protocol file's structure: a validated, immutable description of one trial version.

`parse()` turns a TOML mapping (or a stored definition) into a `Protocol` or raises ProtocolError
listing every problem with its field. `Protocol.definition()` is the canonical JSON form stored in
a trial version; parsing that form gives the same Protocol back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .checks import check_protocol
from .fields import Fields, Problems, unique_codes

EXCLUSION_CATEGORIES = ("not-eligible", "declined", "other")


@dataclass(frozen=True)
class TrialInfo:
    code: str
    title: str
    timezone: str
    languages: tuple[str, ...] = ("nb", "en")
    age_of_majority: int = 18
    target: int | None = None
    blinded: bool = False
    primary_timepoint: str | None = None
    # What invitations and reminders call the trial: a neutral name, so an inbox or a lock screen
    # shows nothing about the participant's health (the title names the condition).
    public_title: str | None = None

    @property
    def name_for_messages(self) -> str:
        # Never the title as a fallback: it may name the condition ("... mental illness").
        return self.public_title or "Research study"


@dataclass(frozen=True)
class ArmSpec:
    code: str
    label: dict[str, str]


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    prefix: str
    target: int | None = None
    active: bool = True


@dataclass(frozen=True)
class FactorSpec:
    code: str
    label: dict[str, str]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class PeriodSpec:
    name: str
    ratio: dict[str, int]
    starts: date | None = None
    ends: date | None = None
    first_n: int | None = None


@dataclass(frozen=True)
class RandomizationSpec:
    method: str
    stratify_by: tuple[str, ...]
    block_multipliers: tuple[int, ...]
    periods: tuple[PeriodSpec, ...]
    random_element: float | None = None   # minimization: probability of the arm that minimises imbalance


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text: dict[str, str]
    required: bool


@dataclass(frozen=True)
class ConsentSpec:
    version: str
    valid_from: date
    documents: dict[str, str]              # language -> path relative to the protocol file
    sha256: dict[str, str] = field(default_factory=dict)   # language -> SHA-256 of the text


@dataclass(frozen=True)
class ConsentOptionSpec:
    code: str
    text: dict[str, str]


@dataclass(frozen=True)
class TimepointSpec:
    code: str
    offset_months: int
    instruments: tuple[str, ...]
    window_days_before: int = 0
    window_days_after: int = 0
    reminder_days: tuple[int, ...] = ()


@dataclass(frozen=True)
class ExclusionReasonSpec:
    category: str
    text: str


@dataclass(frozen=True)
class Protocol:
    trial: TrialInfo
    arms: tuple[ArmSpec, ...]
    sites: tuple[SiteSpec, ...]
    factors: tuple[FactorSpec, ...]
    randomization: RandomizationSpec
    eligibility: tuple[CriterionSpec, ...]
    consent: tuple[ConsentSpec, ...]
    consent_options: tuple[ConsentOptionSpec, ...]
    timepoints: tuple[TimepointSpec, ...]
    instrument_options: dict[str, dict[str, Any]]
    exclusion_reasons: tuple[ExclusionReasonSpec, ...]
    custom_instruments: dict[str, dict[str, Any]] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        """The canonical JSON-ready form stored in a trial version: the protocol file's own shape,
        with defaults filled in and dates as ISO strings, so `parse(p.definition()) == p`."""
        data = _jsonable(asdict(self))
        data["instruments"] = data.pop("instrument_options")
        for consent in data["consent"]:
            consent["document"] = consent.pop("documents")
        return {key: _without_none(value) for key, value in data.items() if value not in ([], {})}

    def arm_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.arms)

    def site(self, code: str) -> SiteSpec | None:
        return next((s for s in self.sites if s.code == code), None)

    def consent_version(self, version: str) -> ConsentSpec | None:
        return next((c for c in self.consent if c.version == version), None)

    def timepoint(self, code: str) -> TimepointSpec | None:
        return next((t for t in self.timepoints if t.code == code), None)

    @property
    def baseline(self) -> TimepointSpec:
        return next(t for t in self.timepoints if t.offset_months == 0)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


TOP_LEVEL = {"trial", "arms", "sites", "factors", "randomization", "eligibility", "consent", "consent_options",
             "timepoints", "instruments", "exclusion_reasons", "custom_instruments"}


def parse(data: Mapping[str, Any], source: str = "protocol") -> Protocol:
    """Validate a whole protocol mapping; raise ProtocolError naming every problem."""
    problems = Problems()
    top = Fields(data, "", problems, TOP_LEVEL)  # top-level keys are reported by their own names
    info = _trial_info(Fields(data.get("trial", {}), "trial", problems, set(TrialInfo.__dataclass_fields__)))
    langs = info.languages if info else ("nb", "en")
    protocol = Protocol(
        trial=info or TrialInfo("", "", "UTC"),
        arms=_each(top, "arms", {"code", "label"}, lambda f: ArmSpec(f.code("code"), f.localized("label", langs))),
        sites=_each(top, "sites", {"code", "name", "prefix", "target", "active"}, _site),
        factors=_each(top, "factors", {"code", "label", "levels"}, lambda f: FactorSpec(
            f.code("code"), f.localized("label", langs), f.string_list("levels")), required=False),
        randomization=_randomization(Fields(data.get("randomization", {}), "randomization", problems, {
            "method", "stratify_by", "block_multipliers", "periods", "random_element"})),
        eligibility=_each(top, "eligibility", {"code", "text", "required"}, lambda f: CriterionSpec(
            f.code("code"), f.localized("text", langs), f.boolean("required", default=True))),
        consent=_each(top, "consent", {"version", "document", "valid_from", "sha256"}, lambda f: _consent(f, langs)),
        consent_options=_each(top, "consent_options", {"code", "text"}, lambda f: ConsentOptionSpec(
            f.code("code"), f.localized("text", langs)), required=False),
        timepoints=_each(top, "timepoints", {"code", "offset_months", "instruments", "window_days_before",
                                             "window_days_after", "reminder_days"}, _timepoint),
        instrument_options=_instrument_options(data.get("instruments", {}), problems),
        exclusion_reasons=_each(top, "exclusion_reasons", {"category", "text"}, _exclusion_reason, required=False),
        custom_instruments=dict(data.get("custom_instruments", {}) or {}),
    )
    if "trial" not in data:
        problems.add("trial", "is required")
    for name in ("arms", "sites", "factors", "eligibility", "consent_options", "timepoints"):
        unique_codes(list(getattr(protocol, name)), "code", name, problems)
    unique_codes(list(protocol.consent), "version", "consent", problems)
    unique_codes(list(protocol.randomization.periods), "name", "randomization.periods", problems)
    if not problems.items:
        check_protocol(protocol, problems)
    problems.raise_if_any(source)
    return protocol


def _each(top: Fields, key: str, allowed: set[str], build: Any, required: bool = True) -> tuple[Any, ...]:
    return tuple(build(Fields(item, f"{key}[{n}]", top.problems, allowed))
                 for n, item in enumerate(top.table_list(key, required)))


def _trial_info(f: Fields) -> TrialInfo | None:
    tz = f.text("timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            f.problems.add(f.at("timezone"), f"{tz!r} is not a known time zone (e.g. Europe/Oslo)")
    languages = f.string_list("languages", required=False, default=("nb", "en"))
    for lang in languages:
        if lang not in ("nb", "en"):
            f.problems.add(f.at("languages"), f"{lang!r} is not supported (nb, en)")
    info = TrialInfo(
        code=f.code("code") or "", title=f.text("title") or "", timezone=tz or "UTC", languages=languages,
        age_of_majority=f.integer("age_of_majority", required=False, default=18, minimum=1) or 18,
        target=f.integer("target", required=False, minimum=1), blinded=bool(f.boolean("blinded", False, False)),
        primary_timepoint=f.code("primary_timepoint", required=False),
        public_title=f.text("public_title", required=False))
    return info


def _site(f: Fields) -> SiteSpec:
    code = f.code("code") or ""
    prefix = f.text("prefix", required=False) or code[:3].upper()
    if not prefix.isalnum() or not prefix.isupper() or len(prefix) > 8:
        f.problems.add(f.at("prefix"), f"{prefix!r} must be 1-8 upper-case letters or digits")
    return SiteSpec(code=code, name=f.text("name") or "", prefix=prefix,
                    target=f.integer("target", required=False, minimum=1),
                    active=bool(f.boolean("active", required=False, default=True)))


def _randomization(f: Fields) -> RandomizationSpec:
    periods = tuple(_period(Fields(p, f"randomization.periods[{n}]", f.problems,
                                   {"name", "ratio", "starts", "ends", "first_n"}))
                    for n, p in enumerate(f.table_list("periods")))
    random_element = f.data.get("random_element")
    if random_element is not None and (not isinstance(random_element, int | float) or isinstance(random_element, bool)
                                       or not 0.5 <= random_element <= 1):
        f.problems.add(f.at("random_element"), "must be a probability between 0.5 and 1")
        random_element = None
    method = f.text("method") or ""
    _fractional_multipliers(f, periods)
    return RandomizationSpec(
        method=method, stratify_by=f.string_list("stratify_by", required=False, default=("site",)),
        block_multipliers=f.int_list("block_multipliers", required=method != "minimization"),
        periods=periods, random_element=float(random_element) if random_element is not None else None)


def _fractional_multipliers(f: Fields, periods: tuple[PeriodSpec, ...]) -> None:
    """A multiplier that is not whole cannot make blocks that hold the ratio; say which period it breaks."""
    value = f.data.get("block_multipliers")
    if not isinstance(value, list):
        return
    for m in value:
        if isinstance(m, float) and not m.is_integer():
            for q in periods:
                total = sum(q.ratio.values())
                if total and not (m * total).is_integer():
                    f.problems.add(f.at("block_multipliers"), f"{m} cannot hold the ratio "
                                   f"{':'.join(map(str, q.ratio.values()))} of period {q.name!r}: a block of "
                                   f"{m} x {total} = {m * total} is not a whole number of participants")


def _period(f: Fields) -> PeriodSpec:
    ratio = f.data.get("ratio")
    clean: dict[str, int] = {}
    if not isinstance(ratio, Mapping) or not ratio:
        f.problems.add(f.at("ratio"), "must be a table of arm = whole number, e.g. { ips = 2, control = 1 }")
    else:
        for arm, weight in ratio.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                f.problems.add(f"{f.at('ratio')}.{arm}", f"must be a whole number of at least 1, not {weight!r}")
            else:
                clean[arm] = weight
    return PeriodSpec(name=f.code("name") or "", ratio=clean, starts=f.day("starts", required=False),
                      ends=f.day("ends", required=False), first_n=f.integer("first_n", required=False, minimum=1))


def _consent(f: Fields, languages: tuple[str, ...]) -> ConsentSpec:
    document = f.data.get("document")
    documents: dict[str, str] = {}
    if isinstance(document, str) and document.strip():
        documents = {lang: document.strip() for lang in languages}
    elif isinstance(document, Mapping) and document and all(isinstance(v, str) and v for v in document.values()):
        documents = dict(document)
        for lang in sorted(set(documents) - set(languages)):
            f.problems.add(f.at("document"), f"language {lang!r} is not one of the trial's languages")
    else:
        f.problems.add(f.at("document"), "is required: a path, or a table of paths per language")
    sha = f.data.get("sha256", {})
    return ConsentSpec(version=f.text("version") or "", valid_from=f.day("valid_from") or date.min,
                       documents=documents, sha256=dict(sha) if isinstance(sha, Mapping) else {})


def _timepoint(f: Fields) -> TimepointSpec:
    return TimepointSpec(
        code=f.code("code") or "", offset_months=f.integer("offset_months", minimum=0) or 0,
        instruments=f.string_list("instruments"),
        window_days_before=f.integer("window_days_before", required=False, default=0, minimum=0) or 0,
        window_days_after=f.integer("window_days_after", required=False, default=0, minimum=0) or 0,
        reminder_days=f.int_list("reminder_days", required=False))


def _exclusion_reason(f: Fields) -> ExclusionReasonSpec:
    category = f.text("category") or ""
    if category and category not in EXCLUSION_CATEGORIES:
        f.problems.add(f.at("category"), f"must be one of {', '.join(EXCLUSION_CATEGORIES)}")
    return ExclusionReasonSpec(category=category, text=f.text("text") or "")


def _instrument_options(value: Any, problems: Problems) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        problems.add("instruments", "must be a table of [instruments.<code>] tables")
        return {}
    options: dict[str, dict[str, Any]] = {}
    for code, table in value.items():
        if not isinstance(table, Mapping):
            problems.add(f"instruments.{code}", "must be a table")
            continue
        options[code] = dict(table)
    return options
