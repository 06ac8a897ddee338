"""A multinomial logistic regression kept as plain arrays: trained with scikit-learn, run in numpy.

The NLU's classifiers are linear models over the sentence encoder's embeddings. Keeping the
weights as arrays (saved with ``numpy.savez``, no pickle) makes a trained model safe to load
and fast to run: one matrix product and a softmax per message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

_WEIGHTS = "weights.npz"
_LABELS = "labels.json"
#: Below this share of non-zero entries the features are fitted as a sparse matrix.
_SPARSE_BELOW = 0.25


@dataclass(frozen=True)
class LinearModel:
    """Weights ``(classes, features)``, biases ``(classes,)`` and the class labels."""

    weights: np.ndarray
    biases: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def fit(
        cls,
        features: np.ndarray,
        labels: list[str],
        strength: float,
        balanced: bool = False,
        seed: int = 42,
    ) -> LinearModel:
        """Train on rows of ``features`` labelled ``labels``.

        Args:
            features: One row per example.
            labels: One label per row (two or more distinct labels).
            strength: Inverse regularisation (scikit-learn's ``C``): higher fits tighter.
            balanced: Weigh classes by the inverse of their frequency.
            seed: Makes training repeatable.
        """
        from sklearn.linear_model import LogisticRegression

        matrix = features
        if np.count_nonzero(features) < _SPARSE_BELOW * features.size:
            # Mostly zeros (character n-grams beside the embedding): the same fit, done on
            # the non-zero entries only, takes half the time and a fraction of the memory.
            matrix = sparse.csr_matrix(features)
        model = LogisticRegression(
            C=strength,
            max_iter=5000,
            class_weight="balanced" if balanced else None,
            random_state=seed,
        )
        model.fit(matrix, labels)
        return cls.from_fitted(model)

    @classmethod
    def from_fitted(cls, model: Any) -> LinearModel:
        """The arrays of a fitted scikit-learn linear classifier (``coef_``, ``intercept_``).

        For two classes scikit-learn keeps one row (the second class's log-odds); it becomes
        a softmax pair that gives the same probabilities.
        """
        classes = tuple(str(name) for name in model.classes_)
        weights, biases = model.coef_, model.intercept_
        if len(classes) == 2:
            weights = np.vstack([-weights[0] / 2, weights[0] / 2])
            biases = np.array([-biases[0] / 2, biases[0] / 2])
        return cls(weights.astype(np.float32), biases.astype(np.float32), classes)

    def probabilities(self, features: Any) -> np.ndarray:
        """Class probabilities: one row per row of ``features`` (or one row for a vector).

        ``features`` is an array or a SciPy sparse matrix.
        """
        rows = features if sparse.issparse(features) else np.atleast_2d(features)
        scores = np.asarray(rows.astype(np.float32) @ self._by_feature) + self.biases
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    @cached_property
    def _by_feature(self) -> np.ndarray:
        """The weights as ``(features, classes)`` in row order, made once.

        A SciPy sparse matrix times a dense one needs the dense one in row order and copies
        it otherwise: ``weights.T`` is a view in column order, so every product copied all
        the weights (12 MB for the word tagger's hashed features, 3.7 ms a message).
        """
        return np.ascontiguousarray(self.weights.T)

    def save(self, folder: Path) -> None:
        """Write the arrays and labels into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / _WEIGHTS, weights=self.weights, biases=self.biases)
        (folder / _LABELS).write_text(json.dumps(list(self.labels)))

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        """Read a model written by :meth:`save`."""
        with np.load(folder / _WEIGHTS, allow_pickle=False) as arrays:
            weights, biases = arrays["weights"], arrays["biases"]
        labels = tuple(json.loads((folder / _LABELS).read_text()))
        return cls(weights, biases, labels)
