"""A disk cache of sentence embeddings by text, so retraining embeds only new examples.

Training embeds every example (about 2,000 on this project); a changed example, a new
intent or a cross-validation fold would otherwise embed them all again. Vectors are kept
in one SQLite file per encoder (the encoder's identity is part of the file name), keyed by
the SHA-256 of the text, so the cache never holds the text itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from lib import sqlite as shared_sqlite

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
_BATCH = 500


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """Vectors by text for one encoder, in ``<folder>/embeddings-<encoder id>.sqlite``."""

    def __init__(self, folder: Path, encoder_id: str, dimensions: int) -> None:
        """Open (or create) the cache file for ``encoder_id``."""
        folder.mkdir(parents=True, exist_ok=True)
        safe_id = "".join(char if char.isalnum() else "-" for char in encoder_id)
        self.path = folder / f"embeddings-{safe_id}.sqlite"
        self._dimensions = dimensions

    def _connect(self) -> sqlite3.Connection:
        connection = shared_sqlite.connect(self.path)
        connection.execute(_SCHEMA)
        return connection

    def embed(
        self, texts: Sequence[str], encode: Callable[[Sequence[str]], np.ndarray]
    ) -> np.ndarray:
        """Vectors for ``texts``: cached ones read back, the rest encoded and stored.

        Args:
            texts: Texts to embed, in order.
            encode: Embeds a list of texts (one row each); called once, for the misses.

        Returns:
            One row of floats per text.
        """
        keys = [_key(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        connection = self._connect()
        try:
            unique = sorted(set(keys))
            for start in range(0, len(unique), _BATCH):
                chunk = unique[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self._dimensions,):
                        found[key] = vector
            missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
            if missing:
                vectors = encode(list(missing.values())).astype(np.float32)
                fresh = dict(zip(missing, vectors, strict=True))
                with connection:
                    connection.executemany(
                        "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                        [(key, vector.tobytes()) for key, vector in fresh.items()],
                    )
                found.update(fresh)
        finally:
            connection.close()
        if not keys:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        return np.stack([found[key] for key in keys])
