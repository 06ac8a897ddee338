"""Whether the resident has already said who a request is for: a business or their home.

"I run a café" answers the broadband check's "is this for a business or your home?"
before it is asked. The phrases are data in ``kb/conversation/remember.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, slots
from actions.common.contact_memory import said_recently
from lib.yaml_files import load_yaml

BUSINESS = "business"
HOME = "home"


@dataclass(frozen=True)
class ApplicantPhrases:
    """The ``applicant`` section of ``kb/conversation/remember.yml``."""

    business: tuple[str, ...]
    home: tuple[str, ...]


@lru_cache(maxsize=4)
def load_applicant_phrases(path: Path) -> ApplicantPhrases:
    """Load the applicant phrases.

    Raises:
        ValueError: naming the file when a list is missing.
    """
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8")) or {}
    try:
        section = data["applicant"]
        return ApplicantPhrases(
            business=tuple(str(p).lower() for p in section["business"]),
            home=tuple(str(p).lower() for p in section["home"]),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: missing or malformed applicant section {error}") from error


def applicant_phrases() -> ApplicantPhrases:
    """The applicant phrases of ``kb/conversation/remember.yml``, loaded once."""
    return load_applicant_phrases(deps.settings_kb_dir() / "conversation" / "remember.yml")


def _says(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def applicant_said(texts: list[str], phrases: ApplicantPhrases) -> str | None:
    """``business`` or ``home`` from the first message (most recent first) that says so."""
    for text in texts:
        lowered = " ".join(text.lower().replace("\u2019", "'").split())
        if any(_says(lowered, phrase) for phrase in phrases.business):
            return BUSINESS
        if any(_says(lowered, phrase) for phrase in phrases.home):
            return HOME
    return None


class RemembersApplicant:
    """Mixin for the broadband form's validator: fills ``bb_applicant`` from earlier words.

    rasa-sdk calls ``extract_bb_applicant`` on every run of the form; it answers only
    before the question is asked, so an answer to the question itself is read as usual.
    """

    async def extract_bb_applicant(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``{"bb_applicant": "business"}`` when the resident has said so already."""
        if tracker.get_slot(slots.BB_APPLICANT) is not None:
            return {}
        if tracker.get_slot(slots.REQUESTED_SLOT) == slots.BB_APPLICANT:
            return {}
        said = applicant_said(said_recently(tracker), applicant_phrases())
        return {slots.BB_APPLICANT: said} if said else {}
