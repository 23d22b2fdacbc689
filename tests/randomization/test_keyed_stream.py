"""The keyed stream: exact message layout, unbiased integers, an unbiased shuffle."""
from __future__ import annotations

import hmac
from collections import Counter
from itertools import permutations

import pytest
from scipy import stats

from randomization import InvalidSecretError, RandomizationError
from randomization.stream import KeyedStream, check_secret, shuffle, uniform_below


def test_digest_is_hmac_sha256_of_the_length_prefixed_message():
    stream = KeyedStream(b"k", "v/1", "bergen", "main", "shuffle")
    message = (b"\x00\x00\x00\x03v/1" + b"\x00\x00\x00\x06bergen" + b"\x00\x00\x00\x04main"
               + b"\x00\x00\x00\x07shuffle" + (5).to_bytes(8, "big") + (2).to_bytes(8, "big"))
    assert stream.digest(5, 2) == hmac.digest(b"k", message, "sha256")


def test_words_read_each_output_as_eight_big_endian_words_then_move_on():
    stream = KeyedStream(b"k", "v/1", "s", "p", "x")
    words = stream.words(3)
    first = [next(words) for _ in range(16)]
    expected = [int.from_bytes(d[i:i + 4], "big") for d in (stream.digest(3, 0), stream.digest(3, 1))
                for i in range(0, 32, 4)]
    assert first == expected


def test_length_prefixes_keep_neighbouring_fields_apart():
    # Without prefixes ("ab", "c") and ("a", "bc") would give the same message.
    assert (KeyedStream(b"k", "v", "ab", "c", "x").digest(0)
            != KeyedStream(b"k", "v", "a", "bc", "x").digest(0))


@pytest.mark.parametrize("secret", [b"", "text", None, 123])
def test_secret_must_be_non_empty_bytes(secret):
    with pytest.raises(InvalidSecretError, match="secret"):
        check_secret(secret)
    assert issubclass(InvalidSecretError, RandomizationError)
    assert issubclass(InvalidSecretError, ValueError)


def test_bytearray_secret_is_accepted_and_means_the_same_bytes():
    assert (KeyedStream(bytearray(b"k"), "v", "s", "p", "x").digest(0)
            == KeyedStream(b"k", "v", "s", "p", "x").digest(0))


def test_uniform_below_rejects_words_that_would_bias_the_modulo():
    # For n = 3 the largest multiple of 3 not above 2^32 is 2^32 - 1: that word is rejected.
    words = iter([2**32 - 1, 2**32 - 2, 7])
    assert uniform_below(words, 3) == (2**32 - 2) % 3
    assert next(words) == 7


def test_uniform_below_is_uniform():
    words = KeyedStream(b"uniform", "v", "s", "p", "x").words(0)
    counts = Counter(uniform_below(words, 7) for _ in range(35_000))
    assert sorted(counts) == list(range(7))
    assert stats.chisquare([counts[i] for i in range(7)]).pvalue > 0.001


def test_shuffle_gives_every_ordering_equally_often():
    stream = KeyedStream(b"shuffle", "v", "s", "p", "x")
    counts: Counter[tuple[str, ...]] = Counter()
    for index in range(24_000):
        items = ["a", "b", "c", "d"]
        shuffle(items, stream.words(index))
        counts[tuple(items)] += 1
    orderings = list(permutations("abcd"))
    assert set(counts) == set(orderings)
    assert stats.chisquare([counts[o] for o in orderings]).pvalue > 0.001


def test_shuffle_of_zero_or_one_item_draws_nothing():
    words = iter([])
    for items in ([], ["only"]):
        shuffle(items, words)
    assert items == ["only"]
