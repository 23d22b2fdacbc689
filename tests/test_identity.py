"""Norwegian identity numbers: what is accepted, what is refused and why, and the blind index.

Numbers are built here with an independent implementation of the check digits, so the module is
never tested against itself. The literal numbers are published synthetic test identities
(month + 80: Skatteetaten's Tenor; month + 40: NAV's Dolly), which no real person can have.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from trial.identity import BLIND_INDEX_PURPOSE, NationalIdError, blind_index, validate_national_id

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
KEY = bytes(range(32))


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


def with_check_digits(nine: str) -> str | None:
    """The nine digits completed with both check digits, or None where no valid K1 or K2 exists."""
    k1 = check_digit(nine, K1)
    k2 = None if k1 is None else check_digit(nine + str(k1), K2)
    return None if k2 is None else f"{nine}{k1}{k2}"


def build(born: date, individual: int, *, d_nummer: bool = False, month_offset: int = 0) -> str | None:
    day = born.day + (40 if d_nummer else 0)
    return with_check_digits(f"{day:02d}{born.month + month_offset:02d}{born.year % 100:02d}{individual:03d}")


def valid(born: date, individual: int, *, d_nummer: bool = False, month_offset: int = 0) -> str:
    number = build(born, individual, d_nummer=d_nummer, month_offset=month_offset)
    assert number is not None, "choose an individual number whose check digits exist"
    return number


def refused(value: str, **kwargs: bool) -> NationalIdError:
    with pytest.raises(NationalIdError) as caught:
        validate_national_id(value, **kwargs)
    return caught.value


# Individual-number series per birth year (e-helse table; Skatteetaten's 2021 D-number series).
FODSELSNUMMER = [(1854, 1899, 500, 749), (1900, 1999, 0, 499), (1940, 1999, 900, 999), (2000, 2039, 500, 999)]
D_NUMMER = [(1858, 1899, 500, 599), (1900, 1939, 0, 199), (1940, 1999, 0, 499), (1940, 1999, 600, 999),
            (2000, 2039, 200, 999)]


@st.composite
def numbers(draw: st.DrawFn, series: list[tuple[int, int, int, int]], d_nummer: bool) -> tuple[str, date]:
    first_year, last_year, low, high = draw(st.sampled_from(series))
    born = draw(st.dates(date(first_year, 1, 1), date(last_year, 12, 31)))
    offset = draw(st.sampled_from([0, 40, 80]))
    number = build(born, draw(st.integers(low, high)), d_nummer=d_nummer, month_offset=offset)
    assume(number is not None)  # about 2 in 11 individual numbers have no check digits on a day
    assert number is not None
    return number, born


any_number = st.one_of(numbers(FODSELSNUMMER, d_nummer=False), numbers(D_NUMMER, d_nummer=True))


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("06916396390", date(1963, 11, 6), "male"),  # Tenor, Skatteetaten test data 2023-10-19
        ("31856397214", date(1963, 5, 31), "female"),
        ("14820099703", date(2000, 2, 14), "male"),
        ("13884898557", date(1948, 8, 13), "male"),
        ("15507600333", date(1976, 10, 15), "male"),  # Dolly, NAV's test data
        ("29422059278", date(2020, 2, 29), "female"),
    ],
)
def test_published_synthetic_numbers_are_read(number: str, born: date, sex: str) -> None:
    identity = validate_national_id(number)
    assert (identity.number, identity.kind, identity.birth_date, identity.sex, identity.synthetic) == (
        number, "fødselsnummer", born, sex, True)


@pytest.mark.parametrize(
    ("number", "born"), [("55507608360", date(1976, 10, 15)), ("69422056629", date(2020, 2, 29))]
)
def test_a_synthetic_d_nummer_is_read(number: str, born: date) -> None:
    identity = validate_national_id(number)
    assert (identity.kind, identity.birth_date, identity.synthetic) == ("d-nummer", born, True)


def test_a_fodselsnummer_is_read_with_its_sex_from_the_ninth_digit() -> None:
    woman, man = valid(date(1985, 3, 14), 124), valid(date(1985, 3, 14), 131)
    assert validate_national_id(woman).sex == "female"
    assert validate_national_id(man).sex == "male"
    assert validate_national_id(man).kind == "fødselsnummer"
    assert not validate_national_id(man).synthetic


def test_a_d_nummer_adds_forty_to_the_day() -> None:
    number = valid(date(1985, 1, 31), 123, d_nummer=True)
    assert number.startswith("7101")
    identity = validate_national_id(number)
    assert (identity.kind, identity.birth_date) == ("d-nummer", date(1985, 1, 31))


@pytest.mark.parametrize(
    ("born", "individual"),
    [
        (date(1854, 6, 2), 749),  # 500-749 with years 54-99: 1854-1899
        (date(1899, 12, 31), 500),
        (date(1900, 1, 2), 0),  # 000-499: 1900-1999
        (date(1999, 12, 31), 499),
        (date(1940, 1, 1), 900),  # 900-999 with years 40-99: 1940-1999
        (date(2000, 1, 1), 500),  # 500-999 with years 00-39: 2000-2039
        (date(2039, 12, 31), 999),
    ],
)
def test_the_individual_number_gives_the_century(born: date, individual: int) -> None:
    assert validate_national_id(valid(born, individual)).birth_date == born


@pytest.mark.parametrize(
    ("born", "individual"),
    [
        (date(1985, 5, 16), 800),  # 750-899 with years 40-99: refused for a fødselsnummer
        (date(2005, 5, 17), 300),  # would read as 1905 under the fødselsnummer table
        (date(1880, 5, 17), 550),
        (date(1920, 5, 17), 150),
    ],
)
def test_a_d_nummer_uses_the_2021_series(born: date, individual: int) -> None:
    assert validate_national_id(valid(born, individual, d_nummer=True)).birth_date == born


def test_a_d_nummer_from_before_2021_can_be_read_in_the_wrong_century() -> None:
    # Documented ambiguity: 200-499 with years 00-39 meant 1900-1939 before August 2021 and means
    # 2000-2039 since, so the birth date of such a D-nummer must come from the register.
    number = valid(date(1935, 4, 2), 301, d_nummer=True)
    assert validate_national_id(number).birth_date == date(2035, 4, 2)


def test_an_old_d_nummer_outside_the_2021_series_is_still_read() -> None:
    # 500-599 with year 55 is in no 2021 series; the fødselsnummer table it was issued under says 1855.
    number = valid(date(1855, 4, 2), 550, d_nummer=True)
    assert validate_national_id(number).birth_date == date(1855, 4, 2)


@pytest.mark.parametrize("formatted", ["311299 56715", "311299-56715", "31.12.99 567 15", " 31129956715\n"])
def test_spaces_dots_and_hyphens_are_ignored(formatted: str) -> None:
    assert validate_national_id(formatted).number == "31129956715"


@pytest.mark.parametrize(("value", "count"), [("", 0), ("3112995671", 10), ("311299567150", 12)])
def test_a_wrong_length_is_refused(value: str, count: int) -> None:
    error = refused(value)
    assert error.problem == "length"
    assert f"has 11 digits; this value has {count}" in str(error)


@pytest.mark.parametrize(
    "value", ["3112995671a", "31129956715x", "31/12/99 56715", "311299567１5", "3112995671²", "311299567١5"]
)
def test_anything_but_ascii_digits_and_separators_is_refused(value: str) -> None:
    assert refused(value).problem == "characters"


@pytest.mark.parametrize(
    "nine",
    [
        "321285123",  # day 32
        "001285123",  # day 00
        "301385123",  # month 13
        "302085123",  # month 20, neither a month nor a test month
        "300285124",  # 30 February
        "290200123",  # 29 February 1900 (individual 000-499): 1900 was no leap year
        "720185123",  # D-nummer day 32
        "159385123",  # test month 93
        "170585800",  # individual 800 with year 85: no series for a fødselsnummer
        "170545550",  # D-nummer individual 550 with year 45: no series
        "810185123",  # first digit 8: an FH-nummer
        "910185123",
    ],
)
def test_digits_that_are_no_date_are_refused(nine: str) -> None:
    number = with_check_digits(nine)
    assert number is not None
    assert refused(number).problem == "date"


def test_the_29th_of_february_2000_is_a_date() -> None:
    assert validate_national_id(valid(date(2000, 2, 29), 504)).birth_date == date(2000, 2, 29)


def test_a_wrong_first_check_digit_is_refused() -> None:
    number = valid(date(1985, 3, 14), 124)
    wrong = number[:9] + str((int(number[9]) + 1) % 10) + number[10]
    error = refused(wrong)
    assert (error.problem, "first check digit" in str(error)) == ("check-digit-1", True)


def test_nine_digits_with_no_possible_first_check_digit_are_refused() -> None:
    # The weighted sum leaves remainder 1, so K1 would be 10: no number with these digits exists.
    nine = next(f"140385{i:03d}" for i in range(1000) if check_digit(f"140385{i:03d}", K1) is None)
    for k1 in "0123456789":
        assert refused(nine + k1 + "0").problem == "check-digit-1"


def test_a_wrong_second_check_digit_is_refused() -> None:
    number = valid(date(1985, 3, 14), 124)
    error = refused(number[:10] + str((int(number[10]) + 1) % 10))
    assert (error.problem, "second check digit" in str(error)) == ("check-digit-2", True)


def test_a_number_issued_under_the_2032_rule_is_not_accepted_yet() -> None:
    # Skatteetaten's example of a second number for 30.10.1982 in 2032 (K1 from remainder 1).
    assert refused("30108299939").problem == "check-digit-1"
    assert validate_national_id("02013299997").birth_date == date(2032, 1, 2)  # remainder 0: valid now


@pytest.mark.parametrize("number", ["06916396390", "15507600333", "55507608360"])
def test_production_refuses_synthetic_numbers(number: str) -> None:
    error = refused(number, allow_synthetic=False)
    assert (error.problem, "synthetic test number" in str(error)) == ("synthetic", True)


def test_production_accepts_real_numbers() -> None:
    number = valid(date(1985, 3, 14), 124)
    assert validate_national_id(number, allow_synthetic=False).number == number


def test_error_messages_and_repr_never_contain_the_number() -> None:
    number = valid(date(1985, 3, 14), 124)
    wrong_k2 = number[:10] + str((int(number[10]) + 1) % 10)
    broken = [wrong_k2, number[:9] + "00", number + "1", number[:-1] + "x"]
    for value in broken:
        assert value[:9] not in str(refused(value))
    assert number not in repr(validate_national_id(number))


def test_the_error_is_a_value_error() -> None:
    assert issubclass(NationalIdError, ValueError)


@given(any_number)
def test_every_built_number_is_valid_and_reads_back(built: tuple[str, date]) -> None:
    number, born = built
    identity = validate_national_id(number)
    assert (identity.number, identity.birth_date) == (number, born)
    assert identity.synthetic == (int(number[2]) >= 4)
    assert identity.kind == ("d-nummer" if int(number[0]) >= 4 else "fødselsnummer")


@given(any_number, st.integers(0, 10), st.integers(1, 9))
def test_changing_any_one_digit_makes_a_number_invalid(
    built: tuple[str, date], position: int, step: int
) -> None:
    # Every weight is non-zero mod 11 and 11 is prime: a single changed digit always moves a sum.
    number = built[0]
    changed = number[:position] + str((int(number[position]) + step) % 10) + number[position + 1:]
    with pytest.raises(NationalIdError):
        validate_national_id(changed)


def test_the_blind_index_is_a_keyed_hmac_of_the_digits() -> None:
    number = valid(date(1985, 3, 14), 124)
    purpose = b"trial/national-id/blind-index/v1\x00"
    expected = hmac.new(KEY, purpose + number.encode(), hashlib.sha256).hexdigest()
    assert blind_index(KEY, number) == expected  # pins the stored format: changing it orphans every index
    assert purpose == BLIND_INDEX_PURPOSE
    assert len(expected) == 64 and number not in expected


def test_the_same_number_gives_the_same_index_however_it_is_typed() -> None:
    number = valid(date(1985, 3, 14), 124)
    formatted = f"{number[:6]} {number[6:]}", f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:]}"
    assert {blind_index(KEY, v) for v in (number, *formatted)} == {blind_index(KEY, number)}


def test_another_key_or_another_number_gives_another_index() -> None:
    number, other = valid(date(1985, 3, 14), 124), valid(date(1985, 3, 14), 131)
    assert blind_index(KEY, number) != blind_index(bytes(32), number)
    assert blind_index(KEY, number) != blind_index(KEY, other)


def test_the_blind_index_refuses_an_invalid_number_and_a_short_key() -> None:
    with pytest.raises(NationalIdError):
        blind_index(KEY, "12345678901")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        blind_index(b"short", valid(date(1985, 3, 14), 124))
