"""Tell a "stop this form" message from an answer (``kb/conversation/stop_phrases.yml``).

Only whole messages or clear refusals count, so a description that merely contains
"stop" ("the stop sign is broken") is never taken for one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lib.yaml_files import load_yaml

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, curly apostrophes made straight, other punctuation dropped, spaces single."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    kept = "".join(
        " " if unicodedata.category(char).startswith("P") and char not in "'-" else char
        for char in text
    )
    return _SPACES.sub(" ", kept).strip()


@dataclass(frozen=True)
class StopPhrases:
    """The lexicon: whole-message phrases, opening phrases and fillers, all normalised."""

    whole: frozenset[str]
    starts: tuple[str, ...]
    fillers: tuple[str, ...]

    def _readings(self, text: str) -> list[str]:
        """The text, then the text with each filler at either end dropped in turn."""
        readings = [text]
        changed = True
        while changed:
            changed = False
            for filler in self.fillers:
                if text.startswith(filler + " "):
                    text, changed = text[len(filler) + 1 :], True
                elif text.endswith(" " + filler):
                    text, changed = text[: -len(filler) - 1], True
                if changed:
                    readings.append(text)
                    break
        return readings

    def _is_stop(self, text: str) -> bool:
        if text in self.whole:
            return True
        return any(text == start or text.startswith(start + " ") for start in self.starts)

    def matches(self, message: str | None) -> bool:
        """Whether the message asks to stop (in any supported language)."""
        if not message:
            return False
        return any(self._is_stop(text) for text in self._readings(normalise(message)))


def _flatten(by_language: dict[str, list[str]]) -> list[str]:
    return [normalise(str(phrase)) for phrases in by_language.values() for phrase in phrases]


def load_stop_phrases(path: Path) -> StopPhrases:
    """Read the lexicon from YAML."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    fillers = sorted((normalise(str(f)) for f in data.get("fillers", [])), key=len, reverse=True)
    return StopPhrases(
        whole=frozenset(_flatten(data["whole"])),
        starts=tuple(_flatten(data["starts"])),
        fillers=tuple(fillers),
    )


@lru_cache(maxsize=4)
def cached_stop_phrases(path: Path) -> StopPhrases:
    """The lexicon at ``path``, read once."""
    return load_stop_phrases(path)
