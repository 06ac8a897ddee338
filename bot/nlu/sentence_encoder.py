"""Sentence embeddings from the pretrained encoder, in TensorFlow, without torch.

One :class:`SentenceEncoder` is loaded per process (:func:`shared_encoder`) and serves every
component that needs it. Texts are tokenised with the model's own tokenizer, padded to the
shortest of a few fixed lengths that fits (so a short message costs a short run, and the
compiled graph is reused), run through the BERT encoder, mean-pooled over real tokens and
L2-normalised, which is how all-MiniLM-L6-v2 was trained. Training embeds in batches. A
short reply seen before ("yes", "no thanks") takes its vector from a :class:`ReplyCache`
instead of running the encoder again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.nlu.encoder_files import ENCODER_ID, ensure_encoder_files, verify
from bot.nlu.reply_cache import ReplyCache

logger = logging.getLogger(__name__)

#: Padded lengths in word pieces; a text takes the shortest that fits and is cut at the last.
BUCKETS: tuple[int, ...] = (16, 32, 64, 128, 256)
DIMENSIONS = 384
DEFAULT_BATCH = 64


class SentenceEncoder:
    """all-MiniLM-L6-v2: text in, a unit vector of 384 floats out."""

    def __init__(self, directory: Path) -> None:
        """Load the checked files from ``directory`` (they are verified again here).

        Raises:
            bot.nlu.encoder_files.EncoderFilesError: when the files are not the published ones.
        """
        verify(directory)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        from tokenizers import Tokenizer
        from transformers import TFBertModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        self.identity = ENCODER_ID
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=BUCKETS[-1])
        self._model = TFBertModel.from_pretrained(str(directory))
        spec = tf.TensorSpec(shape=[None, None], dtype=tf.int32)

        @tf.function(input_signature=[spec, spec])
        def embed(ids: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
            hidden = self._model(
                input_ids=ids, attention_mask=mask, token_type_ids=tf.zeros_like(ids)
            ).last_hidden_state
            weights = tf.cast(mask, hidden.dtype)[:, :, None]
            summed = tf.reduce_sum(hidden * weights, axis=1)
            counts = tf.maximum(tf.reduce_sum(weights, axis=1), 1e-9)
            return tf.math.l2_normalize(summed / counts, axis=1)

        self._embed = embed
        self._lock = threading.Lock()
        self.replies = ReplyCache()

    @staticmethod
    def bucket_for(length: int) -> int:
        """The padded length for a text of ``length`` word pieces."""
        return next((size for size in BUCKETS if length <= size), BUCKETS[-1])

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def _run(self, pieces: list[list[int]]) -> np.ndarray:
        width = self.bucket_for(max(len(ids) for ids in pieces))
        ids = np.zeros((len(pieces), width), dtype=np.int32)
        mask = np.zeros((len(pieces), width), dtype=np.int32)
        for row, sequence in enumerate(pieces):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        with self._lock:
            return self._embed(ids, mask).numpy()

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """Embed texts: one L2-normalised row of :data:`DIMENSIONS` floats per text.

        Texts are grouped by length before batching, so each batch pads to a short bucket.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        pieces = self._ids(texts)
        order = sorted(range(len(texts)), key=lambda index: len(pieces[index]))
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            result[chunk] = self._run([pieces[index] for index in chunk])
        return result

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one message (inference): a vector of :data:`DIMENSIONS` floats.

        A short reply seen before gets the vector the encoder gave it then.
        """
        pieces = self._ids([text])
        return self.replies.vector(text, pieces[0], lambda: self._run(pieces)[0])


_shared: dict[Path, SentenceEncoder] = {}
_shared_lock = threading.Lock()


def shared_encoder(directory: Path | None = None) -> SentenceEncoder:
    """The process's one encoder for ``directory`` (fetched and checked on first use)."""
    folder = directory or ensure_encoder_files()
    with _shared_lock:
        if folder not in _shared:
            logger.info("loading the sentence encoder from %s", folder)
            _shared[folder] = SentenceEncoder(folder)
        return _shared[folder]
