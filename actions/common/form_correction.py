"""Correcting the answer just given: "sorry, I meant ST4 2DX" changes the earlier answer.

Every form's validator gets this through :class:`actions.common.form_repair.StopAware`. A
message that opens with a correction phrase (``kb/conversation/correction_phrases.yml``) is
not the answer to the question being asked: the rest of it is validated as a new answer to
the question answered last, and then the pending question is asked again. A phrase alone
("sorry, I got that wrong") asks the earlier question again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rasa_sdk import Tracker

from actions.common.stop_phrases import normalise
from lib.yaml_files import load_yaml

_OPENING_PUNCTUATION = " ,.:;-!–—'\""


@dataclass(frozen=True)
class CorrectionPhrases:
    """Opening phrases that mark a correction, normalised, longest first."""

    starts: tuple[str, ...]

    def new_answer(self, message: str | None) -> str | None:
        """The corrected answer ("" for a phrase alone), or None when it is no correction.

        The answer keeps the resident's own spelling and case: only the phrase is cut off.
        """
        if not message:
            return None
        said = normalise(message)
        for start in self.starts:
            if said == start:
                return ""
            if said.startswith(start + " "):
                return _after_words(message, len(start.split()))
        return None


def _after_words(message: str, count: int) -> str:
    """The message after its first ``count`` words, without the punctuation between."""
    rest = message.strip()
    for _ in range(count):
        rest = rest.lstrip(_OPENING_PUNCTUATION)
        parts = rest.split(maxsplit=1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip(_OPENING_PUNCTUATION)


def load_correction_phrases(path: Path) -> CorrectionPhrases:
    """Read the lexicon from YAML."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    phrases = {normalise(str(p)) for by_language in data["starts"].values() for p in by_language}
    return CorrectionPhrases(starts=tuple(sorted(phrases, key=len, reverse=True)))


@lru_cache(maxsize=4)
def cached_correction_phrases(path: Path) -> CorrectionPhrases:
    """The lexicon at ``path``, read once per process."""
    return load_correction_phrases(path)


def last_answered(tracker: Tracker, form_slots: list[str], asked: str | None) -> str | None:
    """The form question answered last before the latest message (still answered), if any."""
    events = tracker.events
    latest_user = max(
        (index for index, event in enumerate(events) if event.get("event") == "user"),
        default=len(events),
    )
    seen: set[str] = set()
    for event in reversed(events[:latest_user]):
        if event.get("event") in ("restart", "session_started"):
            return None
        name = event.get("name")
        if event.get("event") != "slot" or name not in form_slots or name in seen:
            continue
        seen.add(name)
        if name != asked and event.get("value") is not None:
            return name
    return None
