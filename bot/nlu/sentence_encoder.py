"""Sentence embeddings from the pretrained encoder, run by ONNX Runtime.

One :class:`SentenceEncoder` is loaded per process (:func:`shared_encoder`) and serves every
component that needs it. Texts are tokenised with the model's own tokenizer and run through
the BERT network, which :mod:`bot.nlu.encoder_graph` builds from the checked weights; the
graph mean-pools over real word pieces and L2-normalises, which is how all-MiniLM-L6-v2 was
trained. A batch is padded to its longest text only. Training embeds in batches grouped by
length. A short reply seen before ("yes", "no thanks") takes its vector from a
:class:`ReplyCache` instead of running the encoder again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.nlu.encoder_files import ENCODER_ID, ensure_encoder_files, verify
from bot.nlu.encoder_graph import (
    ATTENTION_MASK,
    EMBEDDING,
    INPUT_IDS,
    EncoderShape,
    build_encoder_graph,
)
from bot.nlu.reply_cache import ReplyCache

logger = logging.getLogger(__name__)

#: The most word pieces read of one text; the rest is cut.
MAX_PIECES = 256
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
        import onnxruntime
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.identity = ENCODER_ID
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_PIECES)
        graph = build_encoder_graph(
            load_file(str(directory / "model.safetensors")),
            EncoderShape.read(directory / "config.json"),
        )
        options = onnxruntime.SessionOptions()
        # Idle worker threads sleep instead of spinning: the action server and the web
        # service share the machine's cores with this process.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            graph.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        self.replies = ReplyCache()

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def _run(self, pieces: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in pieces)
        ids = np.zeros((len(pieces), width), dtype=np.int64)
        mask = np.zeros((len(pieces), width), dtype=np.int64)
        for row, sequence in enumerate(pieces):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        (vectors,) = self._session.run([EMBEDDING], {INPUT_IDS: ids, ATTENTION_MASK: mask})
        return vectors

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """Embed texts: one L2-normalised row of :data:`DIMENSIONS` floats per text.

        Texts are grouped by length before batching, so each batch pads little.
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
