"""A Rasa 3.6 NLU component: the crisis safety net, checked on every message.

Listed last in ``config.yml``, after every classifier, the FallbackClassifier and the
language component, so nothing after it can take its answer away. A message is sent to
urgent help (``urgent_help``), whatever the intent classifier said and inside or outside a
form, when any of these signals fires:

1. **Patterns**: the crisis flags of ``kb/triage/rules.yml`` (``crisis_flags``: risk of
   harm, domestic abuse, self-harm, homeless tonight, a child or adult at risk, no food),
   the same patterns the triage record uses for its priority. Words like "hit", "starving"
   or "suicide" also turn up in ordinary messages ("hit a pothole", "is Suicide Squad on
   Netflix"), so in English a pattern counts unless the encoder is all but sure the
   message is not a crisis (``pattern_floor``).
2. **Phrases in other languages**: the ``urgent_help`` phrases of every
   ``kb/translations/<code>.yml`` (the lexicon the language component uses).
3. **The encoder**: a binary linear model over the sentence embedding, trained on the
   ``urgent_help`` examples against every other example (benign look-alikes such as "tips
   for staying safe online" are among the negatives), with a threshold set for high recall
   by measurement (see config.yml). A likely crisis counts unless the intent classifier is
   fairly sure of another journey ("do I get money off if I live by myself" is council
   tax); a near-certain one always counts. Only for English or undecided text: the encoder
   reads English only.
4. **The intent classifier**: when its best guess (before the fallback threshold) is
   ``urgent_help``, even with low confidence, the message goes to urgent help: a missed
   crisis costs far more than a needless offer of help.

The patterns and phrases are read from the knowledge base when the component loads, so a
council changes them without retraining. The component adds ``crisis`` to the parse result
(which signal fired) for the logs and the triage record.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import LinearModelComponent, knowledge_path
from bot.nlu.linear_model import LinearModel
from bot.nlu.resident_language import Lexicon, load_lexicon
from bot.nlu.sentence_features import DEFAULT_ALIAS, SentenceEncoderFeaturizer, sentence_vector

logger = logging.getLogger(__name__)

URGENT_INTENT = "urgent_help"
FALLBACK_INTENT = "nlu_fallback"
CRISIS_KEY = "crisis"
_POSITIVE = "crisis"
_NEGATIVE = "other"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


class CrisisPatterns:
    """The crisis flags' regular expressions from the triage rules, by flag name."""

    def __init__(self, patterns: dict[str, tuple[re.Pattern[str], ...]]) -> None:
        """Keep compiled patterns by flag."""
        self._patterns = patterns

    @classmethod
    def from_rules(cls, path: Path) -> CrisisPatterns:
        """Read the ``crisis_flags`` of ``kb/triage/rules.yml`` and compile their patterns.

        Raises:
            ValueError: naming the file and flag when the rules are malformed.
        """
        rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        flags = rules.get("flags") or {}
        names = rules.get("crisis_flags")
        if not isinstance(names, list) or not names:
            raise ValueError(f"{path}: crisis_flags must list the flags that mean urgent help")
        compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
        for name in names:
            if name not in flags:
                raise ValueError(f"{path}: crisis flag {name!r} is not one of the flags")
            try:
                compiled[name] = tuple(
                    re.compile(pattern, re.IGNORECASE) for pattern in flags[name]["patterns"]
                )
            except (KeyError, TypeError, re.error) as error:
                raise ValueError(f"{path}: flag {name!r} has bad patterns: {error}") from error
        return cls(compiled)

    def match(self, text: str) -> str | None:
        """The first crisis flag whose patterns match the text, or None."""
        normalised = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
        for name, patterns in self._patterns.items():
            if any(pattern.search(normalised) for pattern in patterns):
                return name
        return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisSafetyNet(LinearModelComponent, IntentClassifier):
    """Sends any message that signals a crisis to urgent help."""

    UNTRAINED_WARNING = "no trained crisis model: only patterns and phrases are checked"

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this component."""
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring).

        ``kb_dir`` is the knowledge base; empty means the running settings' ``kb`` folder.
        """
        return {
            "featurizer": DEFAULT_ALIAS,
            "strength": 5.0,
            # Probability of "crisis" from the encoder's model at or above which the
            # message goes to urgent help.
            "threshold": 0.5,
            # Below this crisis probability an English pattern match is taken to be an
            # ordinary use of the words (the training data's own false matches sit below it).
            "pattern_floor": 0.05,
            # Another intent ranked first by the classifier with at least this confidence
            # overrules an encoder probability between ``threshold`` and ``certain``.
            "overrule_confidence": 0.5,
            # At or above this crisis probability nothing overrules the encoder.
            "certain": 0.95,
            # The classifier's own first choice of urgent_help counts from this confidence.
            "classifier_floor": 0.25,
            "kb_dir": "",
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
        patterns: CrisisPatterns | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        """Keep the config, the trained model and the knowledge base's patterns."""
        super().__init__(config, model_storage, resource, model)
        if patterns is None or lexicon is None:
            kb_dir = knowledge_path(config, "kb_dir")
            patterns = patterns or CrisisPatterns.from_rules(kb_dir / "triage" / "rules.yml")
            lexicon = lexicon or load_lexicon(kb_dir / "translations")
        self._patterns = patterns
        self._lexicon = lexicon

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the binary crisis model: ``urgent_help`` examples against all others."""
        rows, labels = [], []
        for message in training_data.intent_examples:
            vector = sentence_vector(message, self._config["featurizer"])
            if vector is not None:
                rows.append(vector)
                labels.append(_POSITIVE if message.get(INTENT) == URGENT_INTENT else _NEGATIVE)
        self._fit(
            rows,
            labels,
            balanced=True,
            too_few="no urgent_help examples: the crisis model is not trained",
        )
        return self._resource

    def crisis_probability(self, vector: np.ndarray) -> float:
        """The encoder model's probability that a message signals a crisis."""
        if self._model is None:
            return 0.0
        return float(self._model.probabilities(vector)[0][self._model.labels.index(_POSITIVE)])

    def signal(self, message: Message) -> dict[str, Any] | None:
        """Which signal says this message is a crisis, or None."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip() or text.startswith("/"):
            return None
        english = _language_of(message) in (None, "en")
        vector = sentence_vector(message, self._config["featurizer"]) if english else None
        probability = (
            None if vector is None or self._model is None else self.crisis_probability(vector)
        )
        flag = self._patterns.match(text)
        if flag and (probability is None or probability >= float(self._config["pattern_floor"])):
            return {"signal": "pattern", "flag": flag, "confidence": 1.0}
        for code in sorted(self._lexicon.languages):
            if self._lexicon.understood(code, text) == URGENT_INTENT:
                return {"signal": "phrase", "language": code, "confidence": 1.0}
        best, confidence = _classifier_choice(message)
        if best == URGENT_INTENT and confidence >= float(self._config["classifier_floor"]):
            return {"signal": "classifier", "confidence": round(confidence, 4)}
        if probability is None or probability < float(self._config["threshold"]):
            return None
        overruled = best not in (None, URGENT_INTENT) and confidence >= float(
            self._config["overrule_confidence"]
        )
        if overruled and probability < float(self._config["certain"]):
            logger.debug("crisis %.2f overruled by %s (%.2f)", probability, best, confidence)
            return None
        return {"signal": "encoder", "confidence": round(probability, 4)}

    def process(self, messages: list[Message]) -> list[Message]:
        """Makes ``urgent_help`` the intent of every message with a crisis signal."""
        for message in messages:
            found = self.signal(message)
            if found is None:
                continue
            message.set(CRISIS_KEY, found, add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == URGENT_INTENT:
                continue
            chosen = {INTENT_NAME_KEY: URGENT_INTENT, PREDICTED_CONFIDENCE_KEY: found["confidence"]}
            ranking = [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) != URGENT_INTENT
            ]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
            logger.info("crisis signal (%s): sent to urgent help", found["signal"])
        return messages


def _classifier_choice(message: Message) -> tuple[str | None, float]:
    """The intent classifier's first choice and its confidence, ignoring the fallback.

    The FallbackClassifier puts ``nlu_fallback`` first when the confidence is low; the
    classifier's own ranking follows it.
    """
    for entry in message.get(INTENT_RANKING_KEY) or []:
        name = entry.get(INTENT_NAME_KEY)
        if name and name != FALLBACK_INTENT:
            return str(name), float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return None, 0.0


def _language_of(message: Message) -> str | None:
    """The ``language`` entity the language component set on this message, if any."""
    for entity in message.get(ENTITIES) or []:
        if entity.get(ENTITY_ATTRIBUTE_TYPE) == "language":
            return str(entity.get(ENTITY_ATTRIBUTE_VALUE))
    return None
