"""A Rasa 3.6 NLU component: a message that is a reference and nothing else is a status check.

Listed just before the crisis safety net in ``config.yml``. When a message carries a
Front Door reference of any kind (``lib.references``) and asks for nothing else, the intent
becomes ``check_report_status`` and the ``reference`` entity is set to the canonical
reference. "Nothing else" means the message is only the reference, or the reference with a
status phrase ("any news on my pothole SR-PT6XJP") and no other-task phrase; both lists are
in ``kb/status_requests.yml``. It never overrides ``urgent_help``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import RuleComponent, knowledge_path
from lib.references import find_references

STATUS_INTENT = "check_report_status"
URGENT_INTENT = "urgent_help"
REFERENCE_ENTITY = "reference"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p.strip().lower()) for p in phrases if p.strip())
    return re.compile(rf"(?<![\w']){'(?:' + alternatives + ')'}(?![\w'])")


@dataclass(frozen=True)
class StatusWords:
    """The status and other-task phrases that decide what a reference message asks."""

    status: re.Pattern[str]
    other_task: re.Pattern[str]

    @classmethod
    def from_file(cls, path: Path) -> StatusWords:
        """Read ``kb/status_requests.yml``.

        Raises:
            ValueError: naming the file when a list is missing or empty.
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lists = {}
        for key in ("status_phrases", "other_task_phrases"):
            value = data.get(key)
            if not isinstance(value, list) or not value:
                raise ValueError(f"{path}: {key} must be a non-empty list of phrases")
            lists[key] = [str(item) for item in value]
        return cls(
            _phrase_pattern(lists["status_phrases"]), _phrase_pattern(lists["other_task_phrases"])
        )

    def status_reference(self, text: str) -> str | None:
        """The reference a message asks the status of, or None if it asks something else."""
        found = find_references(text)
        if len(found) != 1:
            return None
        match = found[0]
        rest = (text[: match.start] + " " + text[match.end :]).lower().translate(_APOSTROPHES)
        if not re.search(r"\w", rest):
            return match.reference
        if self.other_task.search(rest) or not self.status.search(rest):
            return None
        return match.reference


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class StatusReferenceRouter(RuleComponent, IntentClassifier):
    """Sends a message that only carries a reference (or asks its status) to the status check."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``kb_dir`` is the knowledge base; empty means the running settings' ``kb`` folder."""
        return {"kb_dir": ""}

    def __init__(self, config: dict[str, Any], words: StatusWords | None = None) -> None:
        """Keep the phrases, read from ``kb/status_requests.yml`` when not given."""
        if words is None:
            words = StatusWords.from_file(knowledge_path(config, "kb_dir") / "status_requests.yml")
        self._words = words

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the status intent and the reference entity where the message asks a status."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip() or text.startswith("/"):
                continue
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == URGENT_INTENT:
                continue
            reference = self._words.status_reference(text)
            if reference is None:
                continue
            self._route(message, text, reference)
        return messages

    def _route(self, message: Message, text: str, reference: str) -> None:
        """Make the status intent first with full confidence and set the reference entity."""
        ranking = [
            item
            for item in message.get(INTENT_RANKING_KEY) or []
            if item.get(INTENT_NAME_KEY) != STATUS_INTENT
        ]
        top = {INTENT_NAME_KEY: STATUS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        entities = [
            entity
            for entity in message.get(ENTITIES) or []
            if entity.get(ENTITY_ATTRIBUTE_TYPE) != REFERENCE_ENTITY
        ]
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: REFERENCE_ENTITY,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                ENTITY_ATTRIBUTE_VALUE: reference,
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
                EXTRACTOR: self.__class__.__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)
