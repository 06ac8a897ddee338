"""A Rasa 3.6 entity extractor: a linear model tags each word, then tagged runs become entities.

Listed in ``config.yml`` after the tokenizer, before the synonym mapper::

    - name: bot.nlu.entity_tagger.LinearEntityTagger
    - name: EntitySynonymMapper

Each word is described by its character n-grams (2 to 5 letters, lower case, with word
edges), the word itself and the words up to ``window`` either side. That is what lets it
read "pothol", "STREET LIGHT" and "dogg poo" as problem types, as DIET did with the same
n-grams. The features are hashed into ``2 ** hash_bits`` columns, so nothing but the
weights is kept. One logistic regression (scikit-learn's liblinear) learns which entity
type, if any, each word belongs to; a word whose best type scores at least ``threshold``
is tagged, and a word next to a tagged one joins it from ``join_threshold`` ("pot hole",
"street lite": the second word alone is not sure enough). Each run of words tagged with the
same type becomes one entity, its value the text they cover.

It replaced DIET for the problem types (issue #19). On our held-out set it tags them as
well (token F1 0.90 and recall 0.96 for both), trains in about 2 s instead of about
4 minutes, and tags a message in well under a millisecond.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import LinearModelComponent
from bot.nlu.linear_model import LinearModel

logger = logging.getLogger(__name__)

#: The tag of a word outside every entity.
OUTSIDE = "O"
#: How the trained tagger is stored; part of Rasa's fingerprint, so that its training cache
#: never restores a tagger stored another way.
STORAGE_FORMAT = "linear-model-1"


def _grams(word: str, shortest: int, longest: int) -> list[str]:
    padded = f" {word} "
    return [
        padded[start : start + size]
        for size in range(shortest, longest + 1)
        for start in range(len(padded) - size + 1)
    ]


def word_features(words: list[str], index: int, window: int) -> dict[str, float]:
    """The features of ``words[index]`` (lower-cased words) in its sentence."""
    features = {"bias": 1.0, f"w:{words[index]}": 1.0}
    for gram in _grams(words[index], 2, 5):
        features[f"c:{gram}"] = 1.0
    for distance in range(1, window + 1):
        for side, at in (("-", index - distance), ("+", index + distance)):
            if 0 <= at < len(words):
                features[f"w{side}{distance}:{words[at]}"] = 1.0
                if distance == 1:
                    for gram in _grams(words[at], 3, 4):
                        features[f"c{side}:{gram}"] = 0.5
            else:
                features[f"edge{side}{distance}"] = 1.0
    return features


def word_tags(tokens: list[Token], entities: list[dict[str, Any]]) -> list[str]:
    """Each token's entity type (the first annotated entity it overlaps), else ``O``."""
    tags = []
    for token in tokens:
        tag = OUTSIDE
        for entity in entities:
            if (
                token.start < entity[ENTITY_ATTRIBUTE_END]
                and token.end > entity[ENTITY_ATTRIBUTE_START]
            ):
                tag = str(entity[ENTITY_ATTRIBUTE_TYPE])
                break
        tags.append(tag)
    return tags


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LinearEntityTagger(LinearModelComponent, EntityExtractorMixin):
    """Tags words with entity types by a linear model over their character n-grams."""

    UNTRAINED_WARNING = "no trained entity tagger found; no entities will be tagged"

    @classmethod
    def required_components(cls) -> list[type]:
        """Words come from a tokenizer."""
        return [Tokenizer]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The storage format (see parent class for full docstring)."""
        return STORAGE_FORMAT

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring).

        ``window``: words either side that describe a word; ``strength``: scikit-learn's C;
        ``threshold``: the least probability that tags a word; ``join_threshold``: the least
        that adds a word next to a tagged one to its entity; ``hash_bits``: the feature
        columns are ``2 ** hash_bits``.
        """
        return {
            "window": 2,
            "strength": 1.0,
            "threshold": 0.5,
            "join_threshold": 0.2,
            "hash_bits": 20,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        """Keep the config, where to store the model, and the trained model, if any."""
        super().__init__(config, model_storage, resource, model)
        from sklearn.feature_extraction import FeatureHasher

        self._hasher = FeatureHasher(
            n_features=2 ** int(self._config["hash_bits"]), input_type="dict"
        )

    def _sentence(self, message: Message) -> tuple[list[Token], list[dict[str, float]]]:
        tokens = self._tokens(message)
        words = [token.text.lower() for token in tokens]
        window = int(self._config["window"])
        return tokens, [word_features(words, index, window) for index in range(len(words))]

    @staticmethod
    def _tokens(message: Message) -> list[Token]:
        return list(message.get(TOKENS_NAMES[TEXT]) or [])

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the word tagger on the annotated examples and stores it."""
        from sklearn.linear_model import LogisticRegression

        rows: list[dict[str, float]] = []
        tags: list[str] = []
        for message in self.filter_trainable_entities(training_data.nlu_examples):
            tokens, features = self._sentence(message)
            rows += features
            tags += word_tags(tokens, message.get(ENTITIES) or [])
        if len(set(tags)) < 2:
            logger.warning("no entity annotations to learn from; the tagger stays untrained")
            return self._resource
        # liblinear: seconds on a million hashed columns, where lbfgs takes half a minute.
        fitted = LogisticRegression(
            C=float(self._config["strength"]),
            solver="liblinear",
            max_iter=1000,
            random_state=int(self._config["random_seed"]),
        ).fit(self._hasher.transform(rows), tags)
        self._model = LinearModel.from_fitted(fitted)
        with self._storage.write_to(self._resource) as folder:
            self._model.save(folder)
        return self._resource

    def probabilities(self, features: list[dict[str, float]]) -> np.ndarray:
        """Each word's probability of each class (rows: words; columns: the model's labels)."""
        assert self._model is not None
        return self._model.probabilities(self._hasher.transform(features))

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the tagged entities to each message."""
        if self._model is None:
            return messages
        for message in messages:
            tokens, features = self._sentence(message)
            if not tokens:
                continue
            found = self._entities(message.get(TEXT), tokens, self.probabilities(features))
            if found:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages

    def _entities(
        self, text: str, tokens: list[Token], probabilities: np.ndarray
    ) -> list[dict[str, Any]]:
        assert self._model is not None
        labels = self._model.labels
        threshold = float(self._config["threshold"])
        joins = float(self._config["join_threshold"])
        tags: list[tuple[str, float]] = []
        for row in probabilities:
            best = int(np.argmax(row))
            kind = labels[best]
            tags.append((kind, float(row[best])) if row[best] >= threshold else (OUTSIDE, 0.0))
        entities: list[dict[str, Any]] = []
        index = 0
        while index < len(tokens):
            kind, confidence = tags[index]
            if kind == OUTSIDE:
                index += 1
                continue
            column = labels.index(kind)
            first, last, confidences = index, index, [confidence]
            # A neighbour joins the run at a lower bar ("pot hole", "street lite"), as a
            # sequence model's transitions would let it.
            while first > 0 and tags[first - 1][0] == OUTSIDE:
                if probabilities[first - 1][column] < joins:
                    break
                first -= 1
                confidences.append(float(probabilities[first][column]))
            while last + 1 < len(tokens) and (
                tags[last + 1][0] == kind
                or (tags[last + 1][0] == OUTSIDE and probabilities[last + 1][column] >= joins)
            ):
                last += 1
                confidences.append(float(probabilities[last][column]))
            if (
                entities
                and first < index
                and entities[-1][ENTITY_ATTRIBUTE_END] >= tokens[first].start
            ):
                first = index  # never reach back into the previous entity
            start, end = tokens[first].start, tokens[last].end
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: kind,
                    ENTITY_ATTRIBUTE_START: start,
                    ENTITY_ATTRIBUTE_END: end,
                    ENTITY_ATTRIBUTE_VALUE: text[start:end],
                    ENTITY_ATTRIBUTE_CONFIDENCE: min(confidences),
                    EXTRACTOR: self.__class__.__name__,
                }
            )
            index = last + 1
        return entities
