"""The shared plumbing of the NLU components (``bot/nlu/component.py``), without training.

Rasa builds the whole graph of ``config.yml`` (and validates each component's ``create``,
``load`` and run methods) exactly as ``rasa train`` does before it trains anything.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import rasa.shared.utils.io
from rasa.engine import validation
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.data import TrainingType
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import LinearModelComponent, RuleComponent, knowledge_path
from bot.nlu.crisis_safety_net import CrisisSafetyNet
from bot.nlu.encoder_intent_classifier import EncoderIntentClassifier
from bot.nlu.resident_language import ResidentLanguageClassifier
from bot.nlu.status_reference import StatusReferenceRouter
from bot.nlu.uk_entities import UKEntityExtractor
from bot.settings import REPO_ROOT, settings

CONTEXT = ExecutionContext(GraphSchema({}), "test")
RULES = (UKEntityExtractor, ResidentLanguageClassifier, StatusReferenceRouter)
LINEAR = (EncoderIntentClassifier, CrisisSafetyNet)


def test_rasa_builds_and_validates_the_pipeline_graph() -> None:
    config = rasa.shared.utils.io.read_model_configuration(str(REPO_ROOT / "config.yml"))
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    validation.validate(graph)  # raises on a create/load/process Rasa cannot call
    used = {node.uses for node in graph.predict_schema.nodes.values()}
    assert set(RULES + LINEAR) <= used


@pytest.mark.parametrize("component", RULES)
def test_rule_components_share_create_and_leave_training_data_alone(component: type) -> None:
    assert issubclass(component, RuleComponent)
    assert "create" not in vars(component) and "process_training_data" not in vars(component)
    built = component.create({}, None, Resource("x"), CONTEXT)
    assert isinstance(built, component)
    data = TrainingData()
    assert built.process_training_data(data) is data


@pytest.mark.parametrize("component", LINEAR)
def test_an_untrained_linear_component_loads_and_says_so_in_its_own_log(
    component: type[LinearModelComponent], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert "create" not in vars(component) and "load" not in vars(component)
    storage = LocalModelStorage(tmp_path)
    config = {**component.get_default_config(), "kb_dir": str(REPO_ROOT / "kb")}
    with caplog.at_level(logging.WARNING, logger=component.__module__):
        loaded = component.load(config, storage, Resource("never-trained"), CONTEXT)
    assert isinstance(loaded, component)
    assert loaded._model is None
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        (component.__module__, component.UNTRAINED_WARNING)
    ]


def test_fewer_than_two_labels_train_nothing(tmp_path: Path, caplog) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    component = EncoderIntentClassifier.create({}, storage, resource, CONTEXT)
    with caplog.at_level(logging.WARNING):
        assert component.train(TrainingData()) is resource
    assert component._model is None
    assert "fewer than two intents" in caplog.text


def test_the_knowledge_base_is_the_configured_folder_or_the_settings_one(tmp_path: Path) -> None:
    assert knowledge_path({"kb_dir": str(tmp_path)}, "kb_dir") == tmp_path
    assert knowledge_path({"kb_dir": ""}, "kb_dir") == settings.kb_dir
    assert knowledge_path({}, "translations_dir", "translations") == (
        settings.kb_dir / "translations"
    )
