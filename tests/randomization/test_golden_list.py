"""The golden list: a fixed secret's list must never change without a new algorithm version.

If this test fails after an upgrade or a refactor, every trial's concealed list would silently
change; restore the algorithm, or bump ALGORITHM_VERSION and record the new values here.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

from randomization import ALGORITHM_VERSION, AllocationPlan, Period

SECRET = b"golden-secret"
PLAN = AllocationPlan(
    arms=("ips", "control"),
    periods=(Period("start-up", {"ips": 2, "control": 1}, starts=date(2013, 10, 11), ends=date(2014, 2, 1)),
             Period("main", {"ips": 1, "control": 1}, starts=date(2014, 2, 2))),
    block_multipliers=(1, 2),
)
GOLDEN_SHA256 = "c19b9e1eb987d42b0b135cb8ead14bf50bd27133bb168fc602329bdb8b87bd4d"
FIRST_TWELVE = ("control", "control", "ips", "ips", "ips", "ips",
                "ips", "ips", "ips", "ips", "control", "control")


def test_algorithm_version_is_the_one_the_golden_list_was_recorded_with():
    assert ALGORITHM_VERSION == "hmac-sha256-pbr/1"


def test_first_allocations_of_the_golden_list():
    assert PLAN.sequence(SECRET, "bergen", "start-up", 12) == FIRST_TWELVE


def test_fingerprint_of_the_first_600_slots():
    assert PLAN.fingerprint(SECRET, "bergen", "start-up", 600) == GOLDEN_SHA256
    canonical = PLAN.canonical_form(SECRET, "bergen", "start-up", 600)
    assert hashlib.sha256(canonical).hexdigest() == GOLDEN_SHA256


def test_first_block_size_comes_from_the_documented_hmac_message():
    # Rebuild the first block-size draw by hand from the message layout in randomization.stream,
    # so the documented canonical message, not only the code, is what the golden value pins.
    def field(text: str) -> bytes:
        return len(text.encode()).to_bytes(4, "big") + text.encode()

    message = (field(ALGORITHM_VERSION) + field("bergen") + field("start-up") + field("block-size")
               + (0).to_bytes(8, "big") + (0).to_bytes(8, "big"))
    first_word = int.from_bytes(hmac.digest(SECRET, message, "sha256")[:4], "big")
    # The first word is accepted (it is below 2^32 - 2^32 % 2) and picks sizes[word % 2].
    expected_size = (3, 6)[first_word % 2]
    assert PLAN.slot(SECRET, "bergen", "start-up", 0).block_size == expected_size
