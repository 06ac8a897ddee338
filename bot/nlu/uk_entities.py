"""A Rasa 3.6 NLU component that extracts UK postcodes and Front Door references.

Use it in ``config.yml`` (the repository root is on ``PYTHONPATH`` when Rasa runs)::

    pipeline:
      - name: WhitespaceTokenizer
      - name: bot.nlu.uk_entities.UKEntityExtractor
      ...

It needs no training and no tokens: it reads the raw text with the same rules the actions
use (:mod:`lib.postcodes.normalise` and :mod:`lib.references`), so the
``postcode`` and ``reference`` entities arrive already in canonical form (``ST4 2DX``,
``SR-7K3Q9X``). Where another extractor (e.g. DIET) already tagged the same span with
the same entity, no duplicate is added; that entity's value is normalised instead and
this component is listed in its ``processors``, as Rasa's synonym mapper does.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import RuleComponent
from lib.postcodes.normalise import find_postcodes, normalise_postcode
from lib.references import find_references, normalise_reference

logger = logging.getLogger(__name__)

POSTCODE = "postcode"
REFERENCE = "reference"
DIMENSIONS = (POSTCODE, REFERENCE)

_NORMALISERS = {POSTCODE: normalise_postcode, REFERENCE: normalise_reference}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class UKEntityExtractor(RuleComponent, EntityExtractorMixin):
    """Adds ``postcode`` and ``reference`` entities, normalised, to each message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring).

        ``dimensions`` lists the entities to extract (``postcode``, ``reference``);
        ``normalise_existing`` rewrites the value of an identical entity that another
        extractor already found, instead of leaving it as typed.
        """
        return {"dimensions": list(DIMENSIONS), "normalise_existing": True}

    def __init__(self, config: dict[str, Any]) -> None:
        """Creates the component from its merged config.

        Args:
            config: the default config updated with the pipeline entry.

        Raises:
            InvalidConfigException: if ``dimensions`` names an unknown entity.
        """
        dimensions = config.get("dimensions")
        if dimensions is None:
            dimensions = list(DIMENSIONS)
        if isinstance(dimensions, str) or not all(d in DIMENSIONS for d in dimensions):
            raise InvalidConfigException(
                f"{self.__class__.__name__}: 'dimensions' must be a list drawn from "
                f"{list(DIMENSIONS)}, got {dimensions!r}"
            )
        self._dimensions = frozenset(dimensions)
        self._normalise_existing = bool(config.get("normalise_existing", True))

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the entities found in each message's text.

        Args:
            messages: the messages to process; a message without text is left with its
                existing entities (an empty list if it had none).

        Returns:
            The same messages, with ``entities`` extended.
        """
        for message in messages:
            entities = list(message.get(ENTITIES) or [])
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                for entity in self._extract(text):
                    self._merge(entities, entity)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _extract(self, text: str) -> list[dict[str, Any]]:
        """The component's own entities for a text, in order of position."""
        found: list[dict[str, Any]] = []
        taken: list[tuple[int, int]] = []
        if REFERENCE in self._dimensions:
            for ref in find_references(text):
                found.append(self._entity(REFERENCE, ref.start, ref.end, ref.reference))
                taken.append((ref.start, ref.end))
        if POSTCODE in self._dimensions:
            for match in find_postcodes(text):
                # "FD-AB23DE" ends in something shaped like a postcode (AB2 3DE): the
                # reference wins.
                if any(match.start < end and start < match.end for start, end in taken):
                    continue
                found.append(self._entity(POSTCODE, match.start, match.end, match.postcode))
        found.sort(key=lambda entity: entity[ENTITY_ATTRIBUTE_START])
        return found

    def _entity(self, kind: str, start: int, end: int, value: str) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: kind,
            ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            EXTRACTOR: self.name,
        }

    def _merge(self, entities: list[dict[str, Any]], new: dict[str, Any]) -> None:
        """Append ``new`` unless an entity of the same type covers the same span."""
        for existing in entities:
            if (
                existing.get(ENTITY_ATTRIBUTE_TYPE) == new[ENTITY_ATTRIBUTE_TYPE]
                and existing.get(ENTITY_ATTRIBUTE_START) == new[ENTITY_ATTRIBUTE_START]
                and existing.get(ENTITY_ATTRIBUTE_END) == new[ENTITY_ATTRIBUTE_END]
            ):
                if existing.get(EXTRACTOR) == self.name:
                    return  # already processed (e.g. the component runs twice)
                if self._normalise_existing:
                    normaliser = _NORMALISERS[new[ENTITY_ATTRIBUTE_TYPE]]
                    canonical = normaliser(str(existing.get(ENTITY_ATTRIBUTE_VALUE, "")))
                    if canonical and canonical != existing.get(ENTITY_ATTRIBUTE_VALUE):
                        existing[ENTITY_ATTRIBUTE_VALUE] = canonical
                        self.add_processor_name(existing)
                return
        entities.append(new)
