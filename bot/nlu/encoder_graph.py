"""The encoder's network as an ONNX graph, built from its published weights.

all-MiniLM-L6-v2 is a BERT encoder followed by mean pooling and L2 normalisation. This
module writes that network out with plain ONNX operators, taking every weight from the
checked ``model.safetensors`` and every size from ``config.json``, so ONNX Runtime can run
it without torch, TensorFlow or a converter. The graph takes word-piece ids and an attention
mask (int64, batch × length, any length up to the model's positions) and gives one unit
vector per row. It is built in memory when the encoder loads and never written to disk.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The graph's inputs and output.
INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
EMBEDDING = "embedding"

#: ONNX operator set: 17 is the first with LayerNormalization.
OPSET = 17
#: What BERT adds to the attention scores of padding, so they weigh nothing.
_PADDING_SCORE = -10000.0
#: The floors of the pooling and normalisation, as in sentence-transformers.
_COUNT_FLOOR = 1e-9
_NORM_FLOOR = 1e-12


@dataclass(frozen=True)
class EncoderShape:
    """The sizes in the model's ``config.json`` that the graph needs."""

    hidden: int
    heads: int
    layers: int
    layer_norm_eps: float

    @classmethod
    def read(cls, config_file: Path) -> EncoderShape:
        """The shape from a Hugging Face BERT ``config.json``."""
        config = json.loads(config_file.read_text(encoding="utf-8"))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config['hidden_act']!r}")
        return cls(
            hidden=int(config["hidden_size"]),
            heads=int(config["num_attention_heads"]),
            layers=int(config["num_hidden_layers"]),
            layer_norm_eps=float(config["layer_norm_eps"]),
        )


class _GraphWriter:
    """Collects nodes and constants, naming each output uniquely."""

    def __init__(self, weights: Mapping[str, np.ndarray]) -> None:
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.weights = weights
        self.nodes: list = []
        self.constants: list = []
        self._count = 0

    def _name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    def constant(self, value: np.ndarray | np.generic | float, prefix: str = "const") -> str:
        name = self._name(prefix)
        array = np.asarray(value)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        self.constants.append(self._numpy_helper.from_array(array, name))
        return name

    def weight(self, key: str, transpose: bool = False) -> str:
        array = self.weights[key]
        return self.constant(np.ascontiguousarray(array.T if transpose else array), key)

    def node(self, kind: str, *inputs: str, output: str | None = None, **attributes) -> str:
        name = output or self._name(kind.lower())
        self.nodes.append(self._helper.make_node(kind, list(inputs), [name], **attributes))
        return name

    def linear(self, x: str, prefix: str) -> str:
        """``x @ W.T + b`` for a PyTorch-style Linear layer's weights."""
        product = self.node("MatMul", x, self.weight(f"{prefix}.weight", transpose=True))
        return self.node("Add", product, self.weight(f"{prefix}.bias"))

    def layer_norm(self, x: str, prefix: str, epsilon: float) -> str:
        return self.node(
            "LayerNormalization",
            x,
            self.weight(f"{prefix}.weight"),
            self.weight(f"{prefix}.bias"),
            axis=-1,
            epsilon=epsilon,
        )

    def int64s(self, *values: int) -> str:
        return self.constant(np.array(values, dtype=np.int64))


def _attention(graph: _GraphWriter, x: str, prefix: str, padding: str, shape: EncoderShape) -> str:
    """Multi-head self-attention with its output projection (before the residual)."""
    size = shape.hidden // shape.heads

    def split(projected: str, order: list[int]) -> str:
        heads = graph.node("Reshape", projected, graph.int64s(0, 0, shape.heads, size))
        return graph.node("Transpose", heads, perm=order)

    query = split(graph.linear(x, f"{prefix}.self.query"), [0, 2, 1, 3])
    key = split(graph.linear(x, f"{prefix}.self.key"), [0, 2, 3, 1])
    value = split(graph.linear(x, f"{prefix}.self.value"), [0, 2, 1, 3])
    scores = graph.node("MatMul", query, key)
    scores = graph.node("Div", scores, graph.constant(np.float32(math.sqrt(size))))
    weights = graph.node("Softmax", graph.node("Add", scores, padding), axis=-1)
    context = graph.node("Transpose", graph.node("MatMul", weights, value), perm=[0, 2, 1, 3])
    context = graph.node("Reshape", context, graph.int64s(0, 0, shape.hidden))
    return graph.linear(context, f"{prefix}.output.dense")


def _gelu(graph: _GraphWriter, x: str) -> str:
    """The exact GELU of BERT: ``x / 2 * (1 + erf(x / sqrt 2))``."""
    scaled = graph.node("Div", x, graph.constant(np.float32(math.sqrt(2.0))))
    gate = graph.node("Add", graph.node("Erf", scaled), graph.constant(np.float32(1.0)))
    return graph.node("Mul", graph.node("Mul", x, graph.constant(np.float32(0.5))), gate)


def build_encoder_graph(weights: Mapping[str, np.ndarray], shape: EncoderShape):
    """The whole encoder as an ``onnx.ModelProto``: ids and mask in, unit vectors out."""
    from onnx import TensorProto, checker, helper

    graph = _GraphWriter(weights)
    eps = shape.layer_norm_eps

    # Embeddings: word piece + position + token type 0, then layer normalisation.
    length = graph.node("Gather", graph.node("Shape", INPUT_IDS), graph.constant(np.int64(1)))
    positions = graph.node(
        "Range", graph.constant(np.int64(0)), length, graph.constant(np.int64(1))
    )
    words = graph.node("Gather", graph.weight("embeddings.word_embeddings.weight"), INPUT_IDS)
    where = graph.node("Gather", graph.weight("embeddings.position_embeddings.weight"), positions)
    segment = graph.constant(weights["embeddings.token_type_embeddings.weight"][0], "segment")
    x = graph.node("Add", graph.node("Add", words, where), segment)
    x = graph.layer_norm(x, "embeddings.LayerNorm", eps)

    # Padding adds a large negative score, broadcast over heads and query positions.
    mask = graph.node("Cast", ATTENTION_MASK, to=TensorProto.FLOAT)
    padding = graph.node("Sub", graph.constant(np.float32(1.0)), mask)
    padding = graph.node("Mul", padding, graph.constant(np.float32(_PADDING_SCORE)))
    padding = graph.node("Unsqueeze", padding, graph.int64s(1, 2))

    for index in range(shape.layers):
        prefix = f"encoder.layer.{index}"
        attended = _attention(graph, x, f"{prefix}.attention", padding, shape)
        x = graph.layer_norm(
            graph.node("Add", attended, x), f"{prefix}.attention.output.LayerNorm", eps
        )
        inner = _gelu(graph, graph.linear(x, f"{prefix}.intermediate.dense"))
        outer = graph.linear(inner, f"{prefix}.output.dense")
        x = graph.layer_norm(graph.node("Add", outer, x), f"{prefix}.output.LayerNorm", eps)

    # Mean over real word pieces, then unit length.
    token_weights = graph.node("Unsqueeze", mask, graph.int64s(2))
    summed = graph.node(
        "ReduceSum", graph.node("Mul", x, token_weights), graph.int64s(1), keepdims=0
    )
    counts = graph.node("ReduceSum", token_weights, graph.int64s(1), keepdims=0)
    counts = graph.node("Max", counts, graph.constant(np.float32(_COUNT_FLOOR)))
    mean = graph.node("Div", summed, counts)
    squares = graph.node("ReduceSum", graph.node("Mul", mean, mean), graph.int64s(1), keepdims=1)
    norm = graph.node("Sqrt", graph.node("Max", squares, graph.constant(np.float32(_NORM_FLOOR))))
    graph.node("Div", mean, norm, output=EMBEDDING)

    body = helper.make_graph(
        graph.nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info(ATTENTION_MASK, TensorProto.INT64, ["batch", "length"]),
        ],
        [helper.make_tensor_value_info(EMBEDDING, TensorProto.FLOAT, ["batch", shape.hidden])],
        graph.constants,
    )
    model = helper.make_model(body, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    checker.check_model(model)
    return model
