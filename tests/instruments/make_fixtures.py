"""Regenerate the EQ-5D state-value fixtures: ``python tests/instruments/make_fixtures.py``.

Every state's value is computed here with plain decimal arithmetic from the coefficients as
printed in reference/instruments.md section 2.2, independently of the ``instruments`` package,
so the tests compare two separate transcriptions of the published value sets. We generate the
tables rather than vendoring GPL-licensed ones. Values are exact decimals (no rounding).
"""

from __future__ import annotations

import csv
import itertools
from decimal import Decimal
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

# Dolan 1997 (UK TTO, EQ-5D-3L): decrements for levels 2 and 3, the constant for any level
# above 1 and the N3 term for any level 3.
UK_TTO = {
    "MO": ("0.069", "0.314"),
    "SC": ("0.104", "0.214"),
    "UA": ("0.036", "0.094"),
    "PD": ("0.123", "0.386"),
    "AD": ("0.071", "0.236"),
}
UK_TTO_CONSTANT, UK_TTO_N3 = Decimal("0.081"), Decimal("0.269")

# EQ-5D-5L decrements for levels 2, 3, 4, 5.
ENGLAND = {
    "MO": ("0.058", "0.076", "0.207", "0.274"),
    "SC": ("0.050", "0.080", "0.164", "0.203"),
    "UA": ("0.050", "0.063", "0.162", "0.184"),
    "PD": ("0.063", "0.084", "0.276", "0.335"),
    "AD": ("0.078", "0.104", "0.285", "0.289"),
}
UK_2026 = {
    "MO": (".032", ".058", ".179", ".279"),
    "SC": (".038", ".060", ".162", ".206"),
    "UA": (".049", ".086", ".184", ".212"),
    "PD": (".056", ".066", ".371", ".479"),
    "AD": (".041", ".126", ".313", ".391"),
}
# Norway: beta_dimension x w_level.
NORWAY_BETA = {"MO": "0.205", "SC": "0.206", "UA": "0.179", "PD": "0.391", "AD": "0.472"}
NORWAY_W = ("0.152", "0.317", "0.775", "1")
NORWAY = {dim: tuple(str(Decimal(beta) * Decimal(w)) for w in NORWAY_W) for dim, beta in NORWAY_BETA.items()}

DIMENSIONS = ("MO", "SC", "UA", "PD", "AD")


def additive(table: dict[str, tuple[str, ...]], state: tuple[int, ...]) -> Decimal:
    value = Decimal(1)
    for dim, level in zip(DIMENSIONS, state, strict=True):
        if level > 1:
            value -= Decimal(table[dim][level - 2])
    return value


def uk_tto(state: tuple[int, ...]) -> Decimal:
    value = additive(UK_TTO, state)
    if max(state) > 1:
        value -= UK_TTO_CONSTANT
    if 3 in state:
        value -= UK_TTO_N3
    return value


def text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def write(name: str, levels: int, columns: dict[str, object]) -> None:
    with open(FIXTURES / name, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["state", *columns])
        for state in itertools.product(range(1, levels + 1), repeat=5):
            writer.writerow(["".join(map(str, state)), *(text(f(state)) for f in columns.values())])


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    write("eq5d3l_values.csv", 3, {"uk-tto": uk_tto})
    write(
        "eq5d5l_values.csv",
        5,
        {
            "norway": lambda s: additive(NORWAY, s),
            "england": lambda s: additive(ENGLAND, s),
            "uk2026": lambda s: additive(UK_2026, s),
        },
    )


if __name__ == "__main__":
    main()
