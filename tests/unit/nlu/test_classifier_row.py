"""One message's features as a sparse row are the dense features, and score the same."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.linear_model import LinearModel
from bot.nlu.sentence_features import LINEAR_MODEL_DEFAULTS, classifier_features, classifier_row

VOCABULARY = 5000


def _message(seed: int, with_counts: bool = True) -> Message:
    rng = np.random.default_rng(seed)
    message = Message(data={TEXT: f"message {seed}"})
    embedding = rng.normal(size=(1, 384)).astype(np.float32)
    embedding /= np.linalg.norm(embedding)
    message.add_features(Features(embedding, "sentence", TEXT, "sentence_encoder"))
    if with_counts:
        columns = rng.choice(VOCABULARY, size=60)  # some twice, as n-grams repeat
        counts = scipy.sparse.coo_matrix(
            (np.ones(60), (np.zeros(60, dtype=int), columns)), shape=(1, VOCABULARY)
        )
        message.add_features(Features(counts, "sentence", TEXT, "chars"))
    return message


CONFIG = {**LINEAR_MODEL_DEFAULTS, "featurizer": "sentence_encoder",
          "sparse_featurizers": ["chars"], "sparse_weight": 0.8}  # fmt: skip


@pytest.mark.parametrize("seed", range(5))
def test_the_sparse_row_holds_the_dense_features(seed) -> None:
    message = _message(seed)
    row = classifier_row(message, CONFIG)
    assert scipy.sparse.issparse(row) and row.shape == (1, 384 + VOCABULARY)
    assert row.toarray()[0] == pytest.approx(classifier_features(message, CONFIG), abs=1e-6)


def test_a_linear_model_scores_both_the_same() -> None:
    rng = np.random.default_rng(9)
    model = LinearModel(
        rng.normal(size=(12, 384 + VOCABULARY)).astype(np.float32),
        rng.normal(size=12).astype(np.float32),
        tuple(f"intent_{n}" for n in range(12)),
    )
    for seed in range(5):
        message = _message(seed)
        assert model.probabilities(classifier_row(message, CONFIG)) == pytest.approx(
            model.probabilities(classifier_features(message, CONFIG)), abs=1e-6
        )


def test_without_sparse_features_it_answers_as_the_dense_features() -> None:
    message = _message(1, with_counts=False)
    assert classifier_row(message, CONFIG) is None is classifier_features(message, CONFIG)
    alone = {**CONFIG, "sparse_featurizers": []}
    assert classifier_row(message, alone) == pytest.approx(classifier_features(message, alone))
