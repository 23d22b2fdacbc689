"""Norwegian national identity numbers: validation, and a keyed blind index.

Pure: standard library only, no I/O, no clock. ``validate_national_id`` checks the structure a
fødselsnummer or D-nummer must have and reads what it encodes; it cannot tell whether a number was
ever issued (only Folkeregisteret knows). ``blind_index`` turns a number into a keyed token, so the
app can see that two sites enrolled the same person without decrypting any stored number.

Layout: DDMMYY III K1 K2 - a date, a three-digit individual number, two mod-11 check digits.
Sources, cited where used below:
- Direktoratet for e-helse, "Identifikatorer for personer" (update of HIS 1001:2010): series table,
  check-digit weights, H-nummer;
- Skatteetaten, "Utvidelse av D-nummerserien" (2021-06-24) and "Fødselsnummer fra 2032"
  (github.com/Skatteetaten/folkeregisteret-api-dokumentasjon);
- Norsk helsenett, "Hva er felles hjelpenummer?" (FH-nummer).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

__all__ = [
    "BLIND_INDEX_PURPOSE",
    "Kind",
    "NationalId",
    "NationalIdError",
    "Problem",
    "Sex",
    "blind_index",
    "validate_national_id",
]

Kind = Literal["fødselsnummer", "d-nummer"]
Sex = Literal["female", "male"]
Problem = Literal["characters", "length", "date", "check-digit-1", "check-digit-2", "synthetic"]

# People paste "311299 56715", "311299-56715" or "31.12.99 56715"; the separators carry nothing.
_SEPARATORS = re.compile(r"[\s.\-]")
# ASCII digits only: str.isdigit() also accepts "²" and "١", and int("١") quietly reads 1.
_DIGITS = re.compile(r"[0-9]*")

# Weights of the two mod-11 check digits (e-helse, "Beregning av kontrollsiffer").
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# The individual number says which century a two-digit year belongs to:
# (first individual number, last, first two-digit year, last, century).
_Series = tuple[tuple[int, int, int, int, int], ...]
# Fødselsnummer (folkeregisterforskriften, as tabulated by e-helse): 1854-1899 use 500-749,
# 1900-1999 use 000-499, 1940-1999 also 900-999, 2000-2039 use 500-999.
_FODSELSNUMMER_SERIES: _Series = (
    (0, 499, 0, 99, 1900),
    (500, 749, 54, 99, 1800),
    (500, 999, 0, 39, 2000),
    (900, 999, 40, 99, 1900),
)
# D-numbers allocated since August 2021 use wider series (Skatteetaten, "Utvidelse av
# D-nummerserien"), so the table above would refuse valid D-numbers (individual number 800, born
# 1985) or read 1905 for 2005. Older D-numbers followed the fødselsnummer table, kept as the
# fallback; where the two disagree (200-499 with years 00-39, 600-749 with years 54-99) the current
# series wins, so a D-number's century is a best reading, not a fact.
_D_NUMMER_SERIES: _Series = (
    (500, 599, 58, 99, 1800),
    (0, 199, 0, 39, 1900),
    (0, 499, 40, 99, 1900),
    (600, 999, 40, 99, 1900),
    (200, 999, 0, 39, 2000),
    *_FODSELSNUMMER_SERIES,
)

# Test numbers mark the month: Skatteetaten's synthetic population (Tenor) adds 80, NAV's older
# synthetic numbers (Dolly) add 40. Month + 40 is also how a hospital writes an internal H-nummer
# (e-helse); the two cannot be told apart, and neither identifies a person outside the system that
# made it, so both count as synthetic here.
_SYNTHETIC_MONTH_OFFSETS = (80, 40)

# Domain separation: the same key used for another index never yields a matching token.
BLIND_INDEX_PURPOSE = b"trial/national-id/blind-index/v1\x00"
# RFC 2104 section 3: a key shorter than the hash output (32 bytes) weakens HMAC.
_MIN_KEY_BYTES = 32


class NationalIdError(ValueError):
    """The value is not a valid Norwegian identity number; ``problem`` names the rule it broke.

    Messages never repeat the number or the date it encodes, so they are safe to log and show.
    """

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = problem


@dataclass(frozen=True)
class NationalId:
    """A structurally valid identity number and what it encodes.

    ``number`` is the 11 digits without separators (left out of ``repr`` to keep it out of logs).
    ``birth_date`` is the date the number encodes. It is usually the birth date, but Skatteetaten
    builds some numbers on the allocation day when a birth date has run out of numbers (more often
    for D-numbers), and a D-number's century is a best reading (``_D_NUMMER_SERIES``): use it to
    cross-check what a person says, and take the register's date where it matters.
    ``sex`` is the ninth digit's parity (even = female); numbers issued from 2032 are
    gender-neutral (Skatteetaten, "Fødselsnummer fra 2032"), so it means nothing for those.
    ``synthetic`` marks a test number (month + 40 or + 80).
    """

    number: str = field(repr=False)
    kind: Kind
    birth_date: date
    sex: Sex
    synthetic: bool


def validate_national_id(value: str, *, allow_synthetic: bool = True) -> NationalId:
    """Check a fødselsnummer or D-nummer and read it; raise ``NationalIdError`` naming the problem.

    Spaces, dots and hyphens are ignored. ``allow_synthetic=False`` (production) refuses test
    numbers, which never belong to a real person.
    """
    number = _normalize(value)
    kind, birth_date, synthetic = _read_date(number)
    _verify_check_digits(number)
    if synthetic and not allow_synthetic:
        raise NationalIdError(
            "synthetic",
            "this is a synthetic test number (month + 40 or + 80: a Tenor or Dolly test identity, "
            "or a hospital-internal H-nummer), not a person's national identity number",
        )
    sex: Sex = "female" if int(number[8]) % 2 == 0 else "male"
    return NationalId(number=number, kind=kind, birth_date=birth_date, sex=sex, synthetic=synthetic)


def blind_index(key: bytes, number: str) -> str:
    """A keyed, deterministic token for an identity number: 64 hex digits, HMAC-SHA256.

    The same number gives the same token under the same key however it was typed, so an equality
    lookup finds a person already enrolled elsewhere without decrypting anything. Raises
    ``NationalIdError`` for an invalid number and ``ValueError`` for a key under 32 bytes.
    A changed key changes every token: keep this key apart from the rotating encryption keys,
    or recompute every stored token when it changes.
    """
    if len(key) < _MIN_KEY_BYTES:
        raise ValueError(f"the blind-index key must be at least {_MIN_KEY_BYTES} bytes")
    # Keyed, because a plain hash of an identity number is no protection: there are only about
    # a thousand numbers per birth date, so anyone could hash them all in seconds.
    digits = validate_national_id(number).number
    return hmac.new(key, BLIND_INDEX_PURPOSE + digits.encode("ascii"), hashlib.sha256).hexdigest()


def _normalize(value: str) -> str:
    digits = _SEPARATORS.sub("", value)
    if not _DIGITS.fullmatch(digits):
        raise NationalIdError(
            "characters", "a national identity number may contain only digits, spaces, dots and hyphens"
        )
    if len(digits) != 11:
        raise NationalIdError(
            "length", f"a national identity number has 11 digits; this value has {len(digits)}"
        )
    return digits


def _read_date(number: str) -> tuple[Kind, date, bool]:
    """The kind, encoded date and synthetic mark; raises when the first nine digits are no date."""
    if number[0] in "89":
        # First digit 8 or 9 marks a felles hjelpenummer (FH-nummer, Norsk helsenett): random
        # digits behind valid check digits, not a national identity number.
        raise NationalIdError(
            "date",
            "a number starting with 8 or 9 is a health-sector FH-nummer, not a fødselsnummer or D-nummer",
        )
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    kind: Kind = "fødselsnummer"
    if day > 40:  # a D-nummer adds 40 to the day (41-71)
        kind, day = "d-nummer", day - 40
    offset = next((o for o in _SYNTHETIC_MONTH_OFFSETS if month > o), 0)
    series = _D_NUMMER_SERIES if kind == "d-nummer" else _FODSELSNUMMER_SERIES
    century = _century(int(number[6:9]), year, series)
    try:
        return kind, date(century + year, month - offset, day), offset > 0
    except ValueError:
        raise NationalIdError(
            "date",
            "digits 1-6 are not a date (DDMMYY, with day + 40 for a D-nummer and month + 40 or + 80 "
            "for a test number)",
        ) from None


def _century(individual: int, year: int, series: _Series) -> int:
    for first, last, first_year, last_year, century in series:
        if first <= individual <= last and first_year <= year <= last_year:
            return century
    raise NationalIdError(
        "date", "the individual number (digits 7-9) belongs to no birth-year series for that year"
    )


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """11 minus the weighted sum mod 11, with 11 read as 0; None where it comes out as 10,
    which the rule allows for no number (such individual numbers are never issued)."""
    digit = (11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11) % 11
    return None if digit == 10 else digit


def _verify_check_digits(number: str) -> None:
    # Every weight is non-zero mod 11, and 11 is prime, so each check digit alone catches any
    # single mistyped digit. From 1 January 2032 newly issued numbers may carry any of four K1
    # values (weighted remainder 0-3, not only 0) while K2 stays strict, and the individual number
    # stops giving century and sex (Skatteetaten, "Fødselsnummer fra 2032"). Such numbers are
    # refused here until the trial needs them: accept r in 0..3 for K1 and drop the century check.
    if _check_digit(number[:9], _K1_WEIGHTS) != int(number[9]):
        raise NationalIdError(
            "check-digit-1", "the first check digit (digit 10) does not match; the number is mistyped"
        )
    if _check_digit(number[:10], _K2_WEIGHTS) != int(number[10]):
        raise NationalIdError(
            "check-digit-2", "the second check digit (digit 11) does not match; the number is mistyped"
        )
