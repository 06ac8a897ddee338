"""A Rasa 3.6 intent classifier: logistic regression on the pretrained encoder's embeddings.

Why not DIET alone: DIET learns English from our ~2,000 examples and nothing else, so real
residents' phrasings it has never seen land confidently on the wrong journey. The encoder
already knows English; a linear model over its sentence embedding generalises from the same
examples far better (measured on held-out residents' phrasing: see the README's NLU
figures). DIET still extracts entities (``intent_classification: false`` in config.yml).

Listed after :class:`bot.nlu.sentence_features.SentenceEncoderFeaturizer`::

    - name: bot.nlu.encoder_intent_classifier.EncoderIntentClassifier
      featurizer: sentence_encoder
      sparse_featurizers: [chars]
      strength: 20

Optionally the rows of other featurizers' sparse sentence features (character n-grams,
which carry typos and rare words such as street names) are L2-normalised, weighted and
appended to the embedding. It sets ``intent`` and ``intent_ranking`` like any Rasa
classifier, so the FallbackClassifier after it applies the confidence thresholds.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import LinearModelComponent
from bot.nlu.sentence_features import (
    LINEAR_MODEL_DEFAULTS,
    SentenceEncoderFeaturizer,
    classifier_features,
    classifier_row,
)

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EncoderIntentClassifier(LinearModelComponent, IntentClassifier):
    """Predicts the intent from the sentence embedding with a linear model."""

    UNTRAINED_WARNING = "no trained intent model found; every message will be unclassified"

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this component."""
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return dict(LINEAR_MODEL_DEFAULTS)

    def _features(self, message: Message) -> np.ndarray | None:
        """The embedding, followed by the weighted, normalised sparse sentence features."""
        return classifier_features(message, self._config)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the linear model on every intent example's features."""
        rows, labels = [], []
        for message in training_data.intent_examples:
            vector = self._features(message)
            if vector is not None and message.get(INTENT):
                rows.append(vector)
                labels.append(str(message.get(INTENT)))
        trained = self._fit(
            rows,
            labels,
            balanced=bool(self._config["balanced"]),
            too_few="fewer than two intents to learn; the classifier is not trained",
        )
        if trained:
            logger.info(
                "intent model trained on %d examples of %d intents", len(rows), len(set(labels))
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets ``intent`` and ``intent_ranking`` on each message that has an embedding."""
        if self._model is None:
            return messages
        for message in messages:
            row = classifier_row(message, self._config)
            if row is None:
                continue
            probabilities = self._model.probabilities(row)[0]
            order = np.argsort(-probabilities)[: int(self._config["ranking_length"])]
            ranking = [
                {
                    INTENT_NAME_KEY: self._model.labels[index],
                    PREDICTED_CONFIDENCE_KEY: float(probabilities[index]),
                }
                for index in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
