"""The pretrained sentence encoder: deterministic, padding-independent, meaningful vectors."""

import numpy as np
import pytest

from bot.nlu.reply_cache import ReplyCache
from bot.nlu.sentence_encoder import DIMENSIONS, MAX_PIECES, SentenceEncoder, shared_encoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared_encoder()


def test_vectors_are_unit_length_and_repeatable(encoder):
    first = encoder.encode_one("There is a pothole on Leek Road")
    again = encoder.encode_one("There is a pothole on Leek Road")
    assert first.shape == (DIMENSIONS,)
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(first, again)


#: Recorded from the TensorFlow run of the published model (transformers' TFBertModel,
#: which gives sentence-transformers' vectors) before the encoder moved to ONNX Runtime: the
#: first eight numbers and the sum of magnitudes, for texts of 3, 11 and 32 word pieces.
RECORDED = {
    "yes": (
        [-0.117357, 0.000645, 0.029386, 0.027501, 0.014984, -0.022233, 0.137596, 0.04215],
        14.91298,
    ),
    "There is a pothole on Leek Road": (
        [-0.007671, 0.112391, 0.003922, 0.075385, -0.043758, -0.032434, -0.004967, -0.011763],
        15.90932,
    ),
    "I rang last week about the fly-tipping behind the garages on Smith Street and nobody "
    "has come, the bags are split and there are rats now": (
        [0.008713, 0.007604, 0.024711, 0.004532, 0.016358, -0.032775, 0.093107, -0.076745],
        15.83488,
    ),
}


@pytest.mark.parametrize("text", list(RECORDED))
def test_vectors_match_the_recorded_values(encoder, text):
    """The published model's vectors: a change in the network or the pooling is a regression."""
    start, magnitude = RECORDED[text]
    vector = encoder.encode([text])[0]
    assert vector[:8] == pytest.approx(start, abs=1e-5)
    assert float(np.abs(vector).sum()) == pytest.approx(magnitude, abs=1e-4)
    assert encoder.encode_one(text) == pytest.approx(vector, abs=1e-6)


def test_padding_and_batching_do_not_change_a_vector(encoder):
    short = "my partner hits me"
    long = "a much longer message about a blocked drain on my street " * 6
    alone = encoder.encode_one(short)
    batched = encoder.encode([long, short, "pothole"])
    # In a batch with a long text it is padded to that text's length; the vector is the same.
    assert batched[1] == pytest.approx(alone, abs=1e-5)
    assert encoder.encode([short])[0] == pytest.approx(alone, abs=1e-5)


def test_very_long_text_is_cut_not_refused(encoder):
    vector = encoder.encode_one("word " * 5000)
    assert np.isfinite(vector).all()
    assert len(encoder._ids(["word " * 5000])[0]) == MAX_PIECES
    # The cut keeps the start: the same as the text cut to its first pieces by hand.
    assert vector == pytest.approx(encoder.encode_one("word " * (MAX_PIECES - 2)), abs=1e-5)


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
