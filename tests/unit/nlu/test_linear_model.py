"""The linear model kept as arrays: same answers as scikit-learn, saved without pickle."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.nlu.linear_model import LinearModel


def _data(classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 8)) * 3
    rows = np.vstack([centre + rng.normal(size=(20, 8)) for centre in centres])
    labels = [f"intent_{index}" for index in range(classes) for _ in range(20)]
    return rows, labels


@pytest.mark.parametrize("classes", [2, 4])
def test_probabilities_match_scikit_learn(classes):
    rows, labels = _data(classes)
    model = LinearModel.fit(rows, labels, strength=1.0)
    reference = LogisticRegression(C=1.0, max_iter=5000, random_state=42).fit(rows, labels)
    assert model.labels == tuple(reference.classes_)
    assert model.probabilities(rows) == pytest.approx(reference.predict_proba(rows), abs=1e-4)


def test_a_single_vector_gives_one_row():
    rows, labels = _data(3)
    model = LinearModel.fit(rows, labels, strength=1.0)
    assert model.probabilities(rows[0]).shape == (1, 3)
    assert model.probabilities(rows[0]).sum() == pytest.approx(1.0)


def test_balanced_weights_raise_the_rare_class(tmp_path):
    rng = np.random.default_rng(1)
    rows = np.vstack([rng.normal(0, 1, size=(200, 4)), rng.normal(1.5, 1, size=(10, 4))])
    labels = ["other"] * 200 + ["crisis"] * 10
    plain = LinearModel.fit(rows, labels, strength=1.0)
    balanced = LinearModel.fit(rows, labels, strength=1.0, balanced=True)
    rare = rows[200:]
    index = plain.labels.index("crisis")
    assert (
        balanced.probabilities(rare)[:, index].mean() > plain.probabilities(rare)[:, index].mean()
    )


def test_saved_and_loaded_without_pickle(tmp_path):
    rows, labels = _data(3)
    model = LinearModel.fit(rows, labels, strength=1.0)
    model.save(tmp_path / "model")
    loaded = LinearModel.load(tmp_path / "model")
    assert loaded.labels == model.labels
    assert np.array_equal(loaded.probabilities(rows), model.probabilities(rows))
    with np.load(tmp_path / "model" / "weights.npz", allow_pickle=False) as arrays:
        assert set(arrays.files) == {"weights", "biases"}


@pytest.fixture
def sparse_fits(monkeypatch) -> list[bool]:
    """Whether each scikit-learn fit was given a sparse matrix."""
    from scipy import sparse

    seen: list[bool] = []
    fit = LogisticRegression.fit

    def spy(self, features, *args, **kwargs):
        seen.append(sparse.issparse(features))
        return fit(self, features, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    return seen


def test_mostly_zero_features_are_fitted_sparse_with_the_same_result(sparse_fits):
    rows, labels = _data(4)
    wide = np.hstack([rows, np.zeros((len(rows), 200))])
    wide[np.arange(len(rows)), 8 + np.arange(len(rows)) % 200] = 0.5
    model = LinearModel.fit(wide, labels, strength=1.0)
    assert sparse_fits == [True]
    reference = LogisticRegression(C=1.0, max_iter=5000, random_state=42).fit(wide, labels)
    assert model.probabilities(wide) == pytest.approx(reference.predict_proba(wide), abs=1e-4)


def test_dense_features_are_fitted_dense(sparse_fits):
    rows, labels = _data(3)
    LinearModel.fit(rows, labels, strength=1.0)
    assert sparse_fits == [False]


def test_a_binary_liblinear_fit_keeps_its_probabilities_and_takes_sparse_rows():
    """The entity tagger fits with liblinear on hashed (sparse) features."""
    from scipy import sparse

    rows, labels = _data(2)
    fitted = LogisticRegression(C=1.0, solver="liblinear").fit(sparse.csr_matrix(rows), labels)
    model = LinearModel.from_fitted(fitted)
    assert model.labels == tuple(fitted.classes_) and model.weights.shape == (2, 8)
    expected = fitted.predict_proba(rows)
    assert model.probabilities(sparse.csr_matrix(rows)) == pytest.approx(expected, abs=1e-5)
    assert model.probabilities(rows) == pytest.approx(expected, abs=1e-5)


def test_sparse_rows_are_scored_without_copying_the_weights():
    """A few sparse rows against many hashed feature columns (the word tagger's shape).

    Each product used to copy every weight (SciPy wants them in row order), so a message's
    cost grew with the width of the model rather than with its words.
    """
    import tracemalloc

    from scipy import sparse

    rng = np.random.default_rng(3)
    columns = 2**18
    model = LinearModel(
        rng.normal(size=(3, columns)).astype(np.float32),
        np.zeros(3, dtype=np.float32),
        ("B", "I", "O"),
    )
    rows = sparse.random(5, columns, density=40 / columns, format="csr", random_state=4)
    expected = model.probabilities(rows.toarray())
    model.probabilities(rows)  # the first product may arrange the weights once
    tracemalloc.start()
    try:
        for _ in range(3):
            found = model.probabilities(rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == pytest.approx(expected, abs=1e-5)
    assert peak < model.weights.nbytes / 10
