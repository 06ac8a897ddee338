"""A Rasa 3.6 dense featurizer: each message's sentence embedding from the pretrained encoder.

Listed in ``config.yml`` after the tokenizer::

    - name: bot.nlu.sentence_features.SentenceEncoderFeaturizer
      alias: sentence_encoder

It adds one dense *sentence* feature (384 floats, all-MiniLM-L6-v2, L2-normalised) to the
``text`` of every message; components that should use it name its alias in their
``featurizers`` list. The encoder loads once per process. In training, examples are embedded
in batches through a disk cache by text (:mod:`bot.nlu.embedding_cache`); at inference each
message runs at its own length. The encoder's identity is part of the
component's config, so a new encoder means a new model (and a new Rasa cache entry).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import sparse as scipy_sparse

from bot.nlu.embedding_cache import EmbeddingCache
from bot.nlu.encoder_files import ENCODER_ID, default_cache_root
from bot.nlu.sentence_encoder import DIMENSIONS, SentenceEncoder, shared_encoder

logger = logging.getLogger(__name__)

#: The alias the other components use for these features, unless the config names another.
DEFAULT_ALIAS = "sentence_encoder"


def sentence_vector(message: Message, alias: str = DEFAULT_ALIAS) -> np.ndarray | None:
    """The message's sentence embedding added by the featurizer, or None if it has none."""
    _, sentence = message.get_dense_features(TEXT, [alias])
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


#: The config of a linear model over these features, and its defaults: the intent
#: classifier and the response selector both read it.
LINEAR_MODEL_DEFAULTS: dict[str, Any] = {
    # The alias of the featurizer whose sentence features are used.
    "featurizer": DEFAULT_ALIAS,
    # Aliases of sparse featurizers whose sentence features are appended, and the weight
    # of their normalised row beside the unit-length embedding.
    "sparse_featurizers": (),
    "sparse_weight": 0.5,
    # Inverse regularisation strength (scikit-learn's C).
    "strength": 20.0,
    # Weigh each label by the inverse of its number of examples, so how many examples we
    # happened to write for it is not taken as how often residents ask for it.
    "balanced": False,
    # How many labels the ranking lists.
    "ranking_length": 10,
    "random_seed": 42,
}


def _embedding_and_counts(message: Message, config: dict[str, Any]) -> tuple[Any, Any, bool]:
    """The message's embedding, its sparse sentence features, and whether those are wanted.

    The sparse features are read only when there is an embedding and ``config`` names
    sparse featurizers; they are None when the message lacks them.
    """
    vector = sentence_vector(message, config["featurizer"])
    sparse_aliases = list(config["sparse_featurizers"])
    if vector is None or not sparse_aliases:
        return vector, None, False
    _, sparse = message.get_sparse_features(TEXT, sparse_aliases)
    return vector, sparse, True


def classifier_features(message: Message, config: dict[str, Any]) -> np.ndarray | None:
    """What the NLU's linear models read: the embedding, then weighted sparse features.

    The rows of the sparse featurizers ``config`` names (``sparse_featurizers``: character
    n-grams, which carry typos and rare words such as street names) are L2-normalised,
    weighted by ``sparse_weight`` and appended to the unit-length embedding of
    ``featurizer`` (see :data:`LINEAR_MODEL_DEFAULTS`).

    Returns:
        The feature vector, or None when the message has no embedding, or lacks the
        sparse features asked for.
    """
    vector, sparse, wanted = _embedding_and_counts(message, config)
    if not wanted:
        return vector
    if sparse is None:
        return None
    row = np.asarray(sparse.features.todense(), dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(row))
    if norm > 0:
        row *= float(config["sparse_weight"]) / norm
    return np.concatenate([vector, row])


def classifier_row(message: Message, config: dict[str, Any]) -> Any:
    """:func:`classifier_features` as one sparse row, for scoring one message.

    The character n-grams are a few hundred non-zero columns of tens of thousands; as a
    sparse row the linear model reads only those (``LinearModel.probabilities``), instead
    of a dense vector as wide as the vocabulary. The values are the same.

    Returns:
        A SciPy CSR matrix of one row, the embedding alone (a vector) when no sparse
        featurizer is configured, or None as :func:`classifier_features`.
    """
    vector, sparse, wanted = _embedding_and_counts(message, config)
    if not wanted:
        return vector
    if sparse is None:
        return None
    row = sparse.features.tocsr().astype(np.float32)
    row.sum_duplicates()
    norm = float(np.linalg.norm(row.data))
    weights = row.data * (float(config["sparse_weight"]) / norm) if norm > 0 else row.data
    dense = np.asarray(vector, dtype=np.float32).reshape(-1)
    return scipy_sparse.csr_matrix(
        (
            np.concatenate([dense, weights]),
            np.concatenate([np.arange(dense.size), row.indices + dense.size]),
            np.array([0, dense.size + weights.size]),
        ),
        shape=(1, dense.size + row.shape[1]),
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the pretrained encoder's sentence embedding to each message's text."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this component."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            **DenseFeaturizer.get_default_config(),
            "alias": DEFAULT_ALIAS,
            # Which encoder; changing it (a new model file) changes every trained model.
            "encoder": ENCODER_ID,
            "batch_size": 64,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages the component needs."""
        return ["onnxruntime", "onnx", "tokenizers", "safetensors"]

    def __init__(
        self,
        config: dict[str, Any],
        execution_context: ExecutionContext,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        """Keep the config; the encoder is loaded on first use (or passed by tests)."""
        super().__init__(execution_context.node_name, config)
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        """Creates the component (see parent class for full docstring)."""
        return cls(config, execution_context)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """The configured encoder must be the one whose files this project checks."""
        if config.get("encoder", ENCODER_ID) != ENCODER_ID:
            raise ValueError(
                f"config.yml asks for encoder {config['encoder']!r}; this project ships "
                f"{ENCODER_ID!r} (bot/nlu/encoder_files.py)"
            )

    @property
    def encoder(self) -> SentenceEncoder:
        """The process's shared encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def _add(self, message: Message, vector: np.ndarray) -> None:
        self.add_features_to_message(
            sequence=None, sentence=vector.reshape(1, DIMENSIONS), attribute=TEXT, message=message
        )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embeds every training example's text in batches, through the disk cache."""
        messages = [message for message in training_data.training_examples if message.get(TEXT)]
        texts = [message.get(TEXT) for message in messages]
        cache = EmbeddingCache(Path(default_cache_root()) / "embeddings", ENCODER_ID, DIMENSIONS)
        batch = int(self._config["batch_size"])
        vectors = cache.embed(texts, lambda missing: self.encoder.encode(missing, batch))
        for message, vector in zip(messages, vectors, strict=True):
            self._add(message, vector)
        logger.info("sentence features for %d training examples", len(messages))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embeds each message's text (one short run per message)."""
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._add(message, self.encoder.encode_one(text))
        return messages
