"""The cache of short replies' vectors: what it keeps, what it never keeps, how much."""

import numpy as np
import pytest

from bot.nlu.reply_cache import MAX_PIECES, ReplyCache


class Encoder:
    """Counts its runs and gives a different vector each time, as a stand-in for the model."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> np.ndarray:
        self.runs += 1
        return np.full(4, float(self.runs), dtype=np.float32)


def test_a_repeated_short_reply_is_encoded_once_and_gets_the_same_vector():
    cache, encode = ReplyCache(), Encoder()
    first = cache.vector("yes", [101, 2748, 102], encode)
    again = cache.vector("yes", [101, 2748, 102], encode)
    assert encode.runs == 1
    assert np.array_equal(first, again)
    assert (cache.hits, cache.misses) == (1, 1)


def test_the_key_is_the_word_pieces_so_any_casing_of_the_same_reply_is_one_entry():
    cache, encode = ReplyCache(), Encoder()
    cache.vector("yes", [101, 2748, 102], encode)
    cache.vector("YES", [101, 2748, 102], encode)
    cache.vector("no", [101, 2053, 102], encode)
    assert encode.runs == 2
    assert len(cache) == 2


@pytest.mark.parametrize(
    "text",
    ["ST4 2DX", "07700 900123", "SR-2A2A2A", "jo@x.uk", "flat ٣"],
)
def test_a_reply_with_a_digit_or_an_at_sign_is_never_kept(text):
    cache, encode = ReplyCache(), Encoder()
    pieces = [101, 1, 2, 102]
    cache.vector(text, pieces, encode)
    cache.vector(text, pieces, encode)
    assert encode.runs == 2
    assert len(cache) == 0


def test_a_message_longer_than_a_reply_is_never_kept():
    cache, encode = ReplyCache(), Encoder()
    long_pieces = list(range(MAX_PIECES + 1))
    short_pieces = list(range(MAX_PIECES))
    cache.vector("is the first one open on saturday", long_pieces, encode)
    cache.vector("is the first one open on saturday", long_pieces, encode)
    cache.vector("no thanks not today", short_pieces, encode)
    cache.vector("no thanks not today", short_pieces, encode)
    assert encode.runs == 3
    assert len(cache) == 1


def test_the_least_recently_used_reply_goes_first_when_full():
    cache, encode = ReplyCache(max_entries=2), Encoder()
    cache.vector("yes", [1], encode)
    cache.vector("no", [2], encode)
    cache.vector("yes", [1], encode)  # used again: "no" is now the oldest
    cache.vector("thanks", [3], encode)
    assert len(cache) == 2
    cache.vector("yes", [1], encode)
    assert encode.runs == 3
    cache.vector("no", [2], encode)
    assert encode.runs == 4


def test_changing_a_returned_vector_does_not_change_the_kept_one():
    cache, encode = ReplyCache(), Encoder()
    first = cache.vector("yes", [1], encode)
    first[:] = -1
    second = cache.vector("yes", [1], encode)
    second[:] = -2
    assert cache.vector("yes", [1], encode)[0] == 1.0
