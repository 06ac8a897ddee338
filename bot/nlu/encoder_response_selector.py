"""A Rasa 3.6 response selector: a linear model per retrieval intent on the encoder's features.

It chooses the answer to an FAQ-style question (``council_tax/ways_to_pay``,
``universal_credit/sanctions``) as Rasa's ``ResponseSelector`` does, and writes its choice
where Rasa's ``utter_<intent>`` action reads it (``response_selector`` in the parse data).

Why not Rasa's ``ResponseSelector``: it trained two networks over every featurizer's
output for about 3.5 minutes, its weights were 279 MB of the 430 MB model, and it chose
among every retrieval intent's answers, so a council tax question could get a Universal
Credit answer. The intent classifier before it has already read the question with the
pretrained encoder; here one small linear model for each retrieval intent, over the same
features, picks among that intent's answers only (measured on the held-out questions of
``tests/nlu/heldout.yml``: see the README's NLU figures). It trains in seconds, and runs
one matrix product, only for a message whose intent is a retrieval intent: for any other
message nobody reads the choice.

Listed after :class:`bot.nlu.encoder_intent_classifier.EncoderIntentClassifier`::

    - name: bot.nlu.encoder_response_selector.EncoderResponseSelector
      featurizer: sentence_encoder
      sparse_featurizers: [chars]
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_model import LinearModel
from bot.nlu.sentence_features import (
    LINEAR_MODEL_DEFAULTS,
    SentenceEncoderFeaturizer,
    classifier_features,
    classifier_row,
)

logger = logging.getLogger(__name__)

_ANSWERS = "answers.json"
_RESPONSES = "responses.json"


def utter_action(intent_response_key: str) -> str:
    """The response an answer key for an answer key (``council_tax/students``)."""
    return f"utter_{intent_response_key}"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EncoderResponseSelector(GraphComponent, IntentClassifier):
    """Chooses a retrieval intent's answer with a linear model over the encoder's features."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this component."""
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return dict(LINEAR_MODEL_DEFAULTS)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        answers: dict[str, LinearModel | str] | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        """Keep the config, where to store the models, and what was trained, if anything.

        Args:
            config: the merged config.
            model_storage: Rasa's model storage.
            resource: this component's place in it.
            answers: for each retrieval intent, its model, or its one answer key when it
                has only one answer.
            responses: the answers' responses, by response name, as Rasa's selector
                reports them.
        """
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._answers: dict[str, LinearModel | str] = answers or {}
        self._responses = responses or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EncoderResponseSelector:
        """Creates an untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EncoderResponseSelector:
        """Loads the trained models (see parent class for full docstring)."""
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, *_read(folder))
        except (ValueError, FileNotFoundError):
            logger.warning("no trained response selector found; FAQ questions get no answer")
            return cls(config, model_storage, resource)

    @property
    def retrieval_intents(self) -> list[str]:
        """The retrieval intents this selector answers."""
        return sorted(self._answers)

    def _features(self, message: Message) -> np.ndarray | None:
        return classifier_features(message, self._config)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits one model for each retrieval intent on its examples' answer keys."""
        rows: dict[str, list[np.ndarray]] = defaultdict(list)
        keys: dict[str, list[str]] = defaultdict(list)
        retrieval = set(training_data.retrieval_intents)
        for message in training_data.intent_examples:
            intent, key = message.get(INTENT), message.get(INTENT_RESPONSE_KEY)
            vector = self._features(message)
            if intent in retrieval and key and vector is not None:
                rows[intent].append(vector)
                keys[intent].append(str(key))
        answers: dict[str, LinearModel | str] = {}
        for intent in sorted(rows):
            if len(set(keys[intent])) == 1:
                answers[intent] = keys[intent][0]
                continue
            answers[intent] = LinearModel.fit(
                np.stack(rows[intent]),
                keys[intent],
                strength=float(self._config["strength"]),
                balanced=bool(self._config["balanced"]),
                seed=int(self._config["random_seed"]),
            )
        self._answers = answers
        wanted = {utter_action(key) for intent in keys for key in keys[intent]}
        self._responses = {
            name: list(variants)
            for name, variants in training_data.responses.items()
            if name in wanted
        }
        with self._storage.write_to(self._resource) as folder:
            _write(folder, self._answers, self._responses)
        logger.info(
            "response selector trained on %d examples of %d retrieval intents",
            sum(len(value) for value in keys.values()),
            len(answers),
        )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves the training data as it is."""
        return training_data

    def _ranking(self, intent: str, vector: Any) -> list[tuple[str, float]]:
        answer = self._answers[intent]
        if isinstance(answer, str):
            return [(answer, 1.0)]
        if vector is None:
            return []
        probabilities = answer.probabilities(vector)[0]
        order = np.argsort(-probabilities)[: int(self._config["ranking_length"])]
        return [(answer.labels[index], float(probabilities[index])) for index in order]

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the chosen answer on each message whose intent is a retrieval intent."""
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent not in self._answers:
                continue
            answer = self._answers[intent]
            vector = None if isinstance(answer, str) else classifier_row(message, self._config)
            ranking = self._ranking(intent, vector)
            if not ranking:
                continue
            key, confidence = ranking[0]
            properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
            properties[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self._responses.get(utter_action(key), []),
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action(key),
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: score, INTENT_RESPONSE_KEY: name}
                    for name, score in ranking
                ],
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages


def _write(
    folder: Path,
    answers: dict[str, LinearModel | str],
    responses: dict[str, list[dict[str, Any]]],
) -> None:
    """Each intent's model in its own sub-folder; single answers and responses as JSON."""
    single: dict[str, str | dict[str, str]] = {}
    for number, (intent, answer) in enumerate(sorted(answers.items())):
        if isinstance(answer, str):
            single[intent] = answer
        else:
            answer.save(folder / f"intent-{number}")
            single[intent] = {"folder": f"intent-{number}"}
    (folder / _ANSWERS).write_text(json.dumps(single, sort_keys=True))
    (folder / _RESPONSES).write_text(json.dumps(responses, sort_keys=True, ensure_ascii=False))


def _read(
    folder: Path,
) -> tuple[dict[str, LinearModel | str], dict[str, list[dict[str, Any]]]]:
    """What :func:`_write` wrote."""
    answers: dict[str, LinearModel | str] = {}
    for intent, entry in json.loads((folder / _ANSWERS).read_text()).items():
        answers[intent] = (
            entry if isinstance(entry, str) else LinearModel.load(folder / entry["folder"])
        )
    responses = json.loads((folder / _RESPONSES).read_text(encoding="utf-8"))
    return answers, responses
