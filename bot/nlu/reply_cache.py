"""Sentence vectors of common short replies, so a repeated "yes" is not encoded again.

Residents answer a form's questions with the same few words ("yes", "no thanks", "that's
right"), and the encoder is the dearest step of understanding a message. The vector of a
text depends only on its word pieces, so a short reply seen before can take its vector
from here, exactly as the encoder gave it. Only short replies are kept (at most
``max_pieces`` word pieces, the encoder's start and end marks included), and none with a
digit or an ``@``: postcodes, phone numbers, references and email addresses are a
resident's own and do not repeat. The oldest unused entry goes first; nothing is written
anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

#: Short enough to be a reply: up to six word pieces besides the start and end marks.
MAX_PIECES = 8
#: About 6 MB of vectors at most (384 floats each).
MAX_ENTRIES = 4096


class ReplyCache:
    """The vectors of the most recent short replies, keyed by their word pieces."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_pieces: int = MAX_PIECES) -> None:
        """Keep at most ``max_entries`` vectors of texts of at most ``max_pieces`` pieces."""
        self._max_entries = max_entries
        self._max_pieces = max_pieces
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def keeps(self, text: str, pieces: Sequence[int]) -> bool:
        """Whether ``text`` is a short reply this cache may keep."""
        return len(pieces) <= self._max_pieces and not any(
            char.isdigit() or char == "@" for char in text
        )

    def vector(
        self, text: str, pieces: Sequence[int], encode: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """The vector of ``text`` (its word ``pieces``): kept, or ``encode()``'s, kept if short.

        Each call returns an array of its own, so a caller may change it freely.
        """
        if not self.keeps(text, pieces):
            return encode()
        key = np.asarray(pieces, dtype=np.int32).tobytes()
        with self._lock:
            found = self._vectors.get(key)
            if found is not None:
                self._vectors.move_to_end(key)
                self.hits += 1
                return found.copy()
        vector = encode()
        with self._lock:
            self.misses += 1
            self._vectors[key] = vector.copy()
            while len(self._vectors) > self._max_entries:
                self._vectors.popitem(last=False)
        return vector
