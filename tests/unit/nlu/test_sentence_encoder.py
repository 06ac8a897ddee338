"""The pretrained sentence encoder: deterministic, padding-independent, meaningful vectors."""

import numpy as np
import pytest

from bot.nlu.reply_cache import ReplyCache
from bot.nlu.sentence_encoder import BUCKETS, DIMENSIONS, SentenceEncoder, shared_encoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared_encoder()


def test_vectors_are_unit_length_and_repeatable(encoder):
    first = encoder.encode_one("There is a pothole on Leek Road")
    again = encoder.encode_one("There is a pothole on Leek Road")
    assert first.shape == (DIMENSIONS,)
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(first, again)


def test_vectors_match_the_recorded_values(encoder):
    """Recorded from this implementation on the published weights; a change is a regression."""
    vector = encoder.encode_one("There is a pothole on Leek Road")
    assert vector[:6] == pytest.approx(
        [-0.00767, 0.11239, 0.00392, 0.07539, -0.04376, -0.03243], abs=2e-4
    )


def test_padding_and_batching_do_not_change_a_vector(encoder):
    short = "my partner hits me"
    long = "a much longer message about a blocked drain on my street " * 6
    alone = encoder.encode_one(short)
    batched = encoder.encode([long, short, "pothole"])
    # In a batch with a long text it is padded to a longer bucket; the vector is the same.
    assert batched[1] == pytest.approx(alone, abs=1e-5)
    assert encoder.encode([short])[0] == pytest.approx(alone, abs=1e-5)


def test_the_shortest_bucket_that_fits_is_used():
    assert SentenceEncoder.bucket_for(3) == BUCKETS[0]
    assert SentenceEncoder.bucket_for(BUCKETS[0] + 1) == BUCKETS[1]
    assert SentenceEncoder.bucket_for(10_000) == BUCKETS[-1]


def test_very_long_text_is_cut_not_refused(encoder):
    vector = encoder.encode_one("word " * 5000)
    assert np.isfinite(vector).all()


def test_similar_meanings_are_closer_than_different_ones(encoder):
    hits, beats, bins = encoder.encode(
        ["my partner hits me", "my husband beats me", "when is my bin collected"]
    )
    assert hits @ beats > 0.5
    assert hits @ bins < 0.2


def test_no_texts_gives_an_empty_matrix(encoder):
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_one_encoder_per_process(encoder):
    assert shared_encoder() is encoder


def test_a_repeated_short_reply_runs_the_encoder_once_and_gets_its_own_vector(encoder, monkeypatch):
    monkeypatch.setattr(encoder, "replies", ReplyCache())
    runs: list[int] = []
    run = encoder._run

    def counted(pieces):
        runs.append(len(pieces))
        return run(pieces)

    monkeypatch.setattr(encoder, "_run", counted)
    fresh = encoder.encode(["No thanks"])[0]
    first = encoder.encode_one("No thanks")
    again = encoder.encode_one("no THANKS")
    assert len(runs) == 2  # the batch, then the first reply; the second is kept
    assert np.array_equal(first, again)
    assert again == pytest.approx(fresh, abs=1e-5)
    encoder.encode_one("ST4 2DX")
    encoder.encode_one("ST4 2DX")
    assert len(runs) == 4  # a postcode is never kept
