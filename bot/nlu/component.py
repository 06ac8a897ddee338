"""What Front Door's NLU components share: how Rasa builds them and where their data is.

Rasa 3.6 builds a component with ``create`` before training and with ``load`` when a
trained model is served. Two kinds of component live in ``bot/nlu/``:

* :class:`RuleComponent`: learns nothing. It is built from its merged config alone and
  leaves the training data as it is (:mod:`bot.nlu.uk_entities`,
  :mod:`bot.nlu.resident_language`, :mod:`bot.nlu.status_reference`).
* :class:`LinearModelComponent`: learns one :class:`~bot.nlu.linear_model.LinearModel`
  over message features and keeps it in Rasa's model storage
  (:mod:`bot.nlu.encoder_intent_classifier`, :mod:`bot.nlu.crisis_safety_net`,
  :mod:`bot.nlu.entity_tagger`).

Components that read the knowledge base (triage rules, translations, status phrases)
find it with :func:`knowledge_path`: a folder named in the component's config, else the
running settings' ``kb`` folder, so a council changes them without retraining.

(The sentence featurizer, :mod:`bot.nlu.sentence_features`, is a Rasa ``DenseFeaturizer``
built with its node name; it keeps its own ``create``.)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_model import LinearModel

RuleT = TypeVar("RuleT", bound="RuleComponent")
LinearT = TypeVar("LinearT", bound="LinearModelComponent")


def knowledge_path(config: dict[str, Any], key: str, *under_kb: str) -> Path:
    """The folder a config key names; when it is empty, a path in the settings' ``kb``.

    Args:
        config: the component's config.
        key: the config key that may name the folder (``kb_dir``, ``translations_dir``).
        under_kb: where the folder is inside the running settings' ``kb`` folder when the
            key is empty (nothing: the ``kb`` folder itself).

    Returns:
        The folder to read.
    """
    configured = config.get(key) or ""
    if configured:
        return Path(configured)
    from bot.settings import settings  # the running process's, read when first needed

    return settings.kb_dir.joinpath(*under_kb)


class RuleComponent(GraphComponent):
    """A component that learns nothing: built from its config, the training data untouched.

    A subclass's ``__init__`` takes the merged config (defaults updated with the pipeline
    entry) as its first argument.
    """

    @classmethod
    def create(
        cls: type[RuleT],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleT:
        """Creates the component from its merged config (see parent class for full docstring)."""
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves the training data as it is: the component learns nothing from it.

        Args:
            training_data: the NLU training data.

        Returns:
            The same training data, unchanged.
        """
        return training_data


class LinearModelComponent(GraphComponent):
    """A component whose trained state is one linear model in Rasa's model storage.

    The config must hold ``strength`` (scikit-learn's C) and ``random_seed``.
    """

    #: What :meth:`load` logs when the model storage holds no trained weights.
    UNTRAINED_WARNING = "no trained model found"

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        """Keep the config, where to store the model, and the trained model, if any."""
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls: type[LinearT],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearT:
        """Creates an untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls: type[LinearT],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearT:
        """Loads the trained model (see parent class for full docstring)."""
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, LinearModel.load(folder))
        except ValueError:
            logging.getLogger(cls.__module__).warning(cls.UNTRAINED_WARNING)
            return cls(config, model_storage, resource)

    def _fit(
        self, rows: list[np.ndarray], labels: list[str], *, balanced: bool, too_few: str
    ) -> bool:
        """Fit the model on feature rows and their labels and write it to the storage.

        Args:
            rows: one feature vector per example.
            labels: the label of each row.
            balanced: weigh each label by the inverse of its number of examples.
            too_few: the warning logged, instead of fitting, when there are fewer than two
                labels to tell apart.

        Returns:
            Whether a model was fitted and stored.
        """
        if len(set(labels)) < 2:
            logging.getLogger(type(self).__module__).warning(too_few)
            return False
        self._model = LinearModel.fit(
            np.stack(rows),
            labels,
            strength=float(self._config["strength"]),
            balanced=balanced,
            seed=int(self._config["random_seed"]),
        )
        with self._storage.write_to(self._resource) as folder:
            self._model.save(folder)
        return True
