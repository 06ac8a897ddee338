"""A caller asking the phone line to say the last thing again (``kb/phone_line.yml``).

Pure: the phrases are data; the phone channel answers a repeat itself, without the
assistant.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lib.yaml_files import load_yaml


def normalise(text: str) -> str:
    """Lower case, punctuation and symbols as spaces, single spaces."""
    kept = [
        " " if unicodedata.category(char)[0] in "PSZC" else char
        for char in unicodedata.normalize("NFC", text.casefold())
    ]
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class RepeatRequests:
    """What asks to hear the last thing again: a key and phrases in every language."""

    key: str
    phrases: frozenset[str]
    fillers: tuple[str, ...]

    def asked_by_keys(self, digits: str) -> bool:
        """Whether the keys pressed are the repeat key (a trailing ``#`` ends the input)."""
        return digits.strip().rstrip("#") == self.key

    def asked_by_speech(self, speech: str) -> bool:
        """Whether the words are a repeat phrase, with filler words around it or not."""
        words = normalise(speech).split()
        changed = True
        while words and changed:
            changed = False
            for filler in self.fillers:
                size = len(filler.split())
                if words[:size] == filler.split():
                    words, changed = words[size:], True
                if words[-size:] == filler.split():
                    words, changed = words[:-size], True
        return bool(words) and " ".join(words) in self.phrases


def load_repeat_requests(path: Path) -> RepeatRequests:
    """Read the ``repeat`` section of ``kb/phone_line.yml``.

    Raises:
        ValueError: when the key or the phrases are missing.
    """
    data = (load_yaml(path.read_text(encoding="utf-8")) or {}).get("repeat") or {}
    key = str(data.get("key") or "")
    by_language = data.get("phrases") or {}
    if not key.isdigit() or len(key) != 1 or not isinstance(by_language, dict):
        raise ValueError(f"{path}: 'repeat' needs a one-digit 'key' and 'phrases' per language")
    phrases = frozenset(
        normalise(str(phrase)) for found in by_language.values() for phrase in found or ()
    )
    fillers = tuple(normalise(str(word)) for word in data.get("fillers") or ())
    return RepeatRequests(key=key, phrases=phrases - {""}, fillers=tuple(f for f in fillers if f))


@lru_cache(maxsize=4)
def cached_repeat_requests(path: Path) -> RepeatRequests:
    """Load the repeat phrases once per process."""
    return load_repeat_requests(path)
