"""The encoder's ONNX graph: the BERT network, pooled and normalised, from named weights."""

import json
import math

import numpy as np
import onnxruntime
import pytest
from scipy.special import erf

from bot.nlu.encoder_files import ensure_encoder_files
from bot.nlu.encoder_graph import (
    ATTENTION_MASK,
    EMBEDDING,
    INPUT_IDS,
    EncoderShape,
    build_encoder_graph,
)

TINY = EncoderShape(hidden=8, heads=2, layers=2, layer_norm_eps=1e-12)
VOCABULARY = 20
POSITIONS = 12


def tiny_weights(seed: int = 7) -> dict[str, np.ndarray]:
    """Random weights with the published model's names, for a network of shape TINY."""
    rng = np.random.default_rng(seed)
    hidden, inner = TINY.hidden, 4 * TINY.hidden

    def array(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    weights = {
        "embeddings.word_embeddings.weight": array(VOCABULARY, hidden),
        "embeddings.position_embeddings.weight": array(POSITIONS, hidden),
        "embeddings.token_type_embeddings.weight": array(2, hidden),
        "embeddings.LayerNorm.weight": array(hidden),
        "embeddings.LayerNorm.bias": array(hidden),
    }
    for index in range(TINY.layers):
        prefix = f"encoder.layer.{index}."
        for name, rows, columns in (
            ("attention.self.query", hidden, hidden),
            ("attention.self.key", hidden, hidden),
            ("attention.self.value", hidden, hidden),
            ("attention.output.dense", hidden, hidden),
            ("intermediate.dense", inner, hidden),
            ("output.dense", hidden, inner),
        ):
            weights[f"{prefix}{name}.weight"] = array(rows, columns)
            weights[f"{prefix}{name}.bias"] = array(rows)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            weights[f"{prefix}{name}.weight"] = array(hidden)
            weights[f"{prefix}{name}.bias"] = array(hidden)
    return weights


def reference(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT by hand in NumPy on one unpadded text, then the mean and unit length."""

    def norm(x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(var + TINY.layer_norm_eps)
        return scaled * weights[f"{prefix}.weight"] + weights[f"{prefix}.bias"]

    def linear(x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ weights[f"{prefix}.weight"].T + weights[f"{prefix}.bias"]

    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][: len(ids)]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x.astype(np.float64), "embeddings.LayerNorm")
    size = TINY.hidden // TINY.heads
    for index in range(TINY.layers):
        prefix = f"encoder.layer.{index}."
        q, k, v = (
            linear(x, f"{prefix}attention.self.{name}").reshape(len(ids), TINY.heads, size)
            for name in ("query", "key", "value")
        )
        scores = np.einsum("qhd,khd->hqk", q, k) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = np.einsum("hqk,khd->qhd", scores, v).reshape(len(ids), TINY.hidden)
        x = norm(
            linear(context, f"{prefix}attention.output.dense") + x,
            f"{prefix}attention.output.LayerNorm",
        )
        inner = linear(x, f"{prefix}intermediate.dense")
        inner = inner * 0.5 * (1 + erf(inner / math.sqrt(2)))
        x = norm(linear(inner, f"{prefix}output.dense") + x, f"{prefix}output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture(scope="module")
def session() -> onnxruntime.InferenceSession:
    graph = build_encoder_graph(tiny_weights(), TINY)
    return onnxruntime.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def run(session, rows: list[list[int]]) -> np.ndarray:
    width = max(len(row) for row in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for index, row in enumerate(rows):
        ids[index, : len(row)] = row
        mask[index, : len(row)] = 1
    return session.run([EMBEDDING], {INPUT_IDS: ids, ATTENTION_MASK: mask})[0]


def test_the_graph_computes_bert_then_the_mean_and_unit_length(session):
    texts = [[1, 5, 9, 2], [1, 3, 2], [1, 4, 4, 7, 11, 6, 2]]
    for text in texts:
        assert run(session, [text])[0] == pytest.approx(reference(tiny_weights(), text), abs=1e-5)


def test_padding_weighs_nothing(session):
    texts = [[1, 5, 9, 2], [1, 3, 2], [1, 4, 4, 7, 11, 6, 2]]
    together = run(session, texts)
    for row, text in enumerate(texts):
        assert together[row] == pytest.approx(run(session, [text])[0], abs=1e-5)
        assert np.linalg.norm(together[row]) == pytest.approx(1.0, abs=1e-5)


def test_a_different_weight_changes_the_vector(session):
    weights = tiny_weights()
    weights["encoder.layer.1.output.dense.weight"] = (
        weights["encoder.layer.1.output.dense.weight"] * 2
    )
    changed = onnxruntime.InferenceSession(
        build_encoder_graph(weights, TINY).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert not np.allclose(run(changed, [[1, 5, 9, 2]]), run(session, [[1, 5, 9, 2]]), atol=1e-3)


def test_the_published_shape_is_read_from_its_config():
    shape = EncoderShape.read(ensure_encoder_files() / "config.json")
    assert shape == EncoderShape(hidden=384, heads=12, layers=6, layer_norm_eps=1e-12)


def test_an_activation_the_graph_does_not_build_is_refused(tmp_path):
    config = json.loads((ensure_encoder_files() / "config.json").read_text())
    config["hidden_act"] = "relu"
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="relu"):
        EncoderShape.read(tmp_path / "config.json")
