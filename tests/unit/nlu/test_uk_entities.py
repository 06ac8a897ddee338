"""The UKEntityExtractor NLU component, run directly on messages (no training)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.uk_entities import UKEntityExtractor


def _component(tmp_path, **config: Any) -> UKEntityExtractor:
    return UKEntityExtractor.create(
        {**UKEntityExtractor.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("uk_entities"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture
def extractor(tmp_path) -> UKEntityExtractor:
    return _component(tmp_path)


def _entities(extractor: UKEntityExtractor, text: Any, **data: Any) -> list[dict[str, Any]]:
    message = Message(data={"text": text, **data})
    [processed] = extractor.process([message])
    return processed.get("entities")


def _values(entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in entities]


@pytest.mark.parametrize(
    ("text", "original"),
    [
        ("Pothole outside ST4 2DX", "ST4 2DX"),
        ("pothole outside st42dx near the shop", "st42dx"),
        ("it's at St4  2dX.", "St4  2dX"),
    ],
)
def test_postcode_entity_is_normalised(
    extractor: UKEntityExtractor, text: str, original: str
) -> None:
    [entity] = _entities(extractor, text)
    assert entity["entity"] == "postcode"
    assert entity["value"] == "ST4 2DX"
    assert text[entity["start"] : entity["end"]] == original
    assert entity["extractor"] == "UKEntityExtractor"
    assert entity["confidence"] == 1.0


def test_postcode_and_reference_together(extractor: UKEntityExtractor) -> None:
    text = "About sr-7k3q9x: the light at st6 3jj is still out"
    entities = _entities(extractor, text)
    assert _values(entities) == [("reference", "SR-7K3Q9X"), ("postcode", "ST6 3JJ")]
    assert [text[e["start"] : e["end"]] for e in entities] == ["sr-7k3q9x", "st6 3jj"]


def test_reference_wins_over_a_postcode_shaped_code(extractor: UKEntityExtractor) -> None:
    # "AB23DE" alone would be the Aberdeen postcode AB2 3DE.
    assert _values(_entities(extractor, "my triage ref is FD-AB23DE")) == [
        ("reference", "FD-AB23DE")
    ]


def test_all_references_kinds(extractor: UKEntityExtractor) -> None:
    entities = _entities(extractor, "SR 7K3Q9X FD7K3Q9X hr-7k3q9x")
    assert _values(entities) == [
        ("reference", "SR-7K3Q9X"),
        ("reference", "FD-7K3Q9X"),
        ("reference", "HR-7K3Q9X"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "at 10am",
        "B4 I go",
        "A1",
        "\U0001f573\ufe0f\U0001f6a7\U0001f44d",
        "\x00\x01\x02\x1b[31m\u200b\u202e\ufeff",
        "ＳＴ４ ２ＤＸ",
    ],
)
def test_edge_inputs_add_nothing(extractor: UKEntityExtractor, text: str) -> None:
    assert _entities(extractor, text) == []


def test_missing_text_keeps_existing_entities(extractor: UKEntityExtractor) -> None:
    message = Message(data={})
    extractor.process([message])
    assert message.get("entities") == []
    existing = [{"entity": "problem_type", "value": "pothole", "start": 0, "end": 1}]
    message = Message(data={"text": None, "entities": existing})
    extractor.process([message])
    assert message.get("entities") == existing


def test_huge_text(extractor: UKEntityExtractor) -> None:
    text = ("blah 🙂 \x07 " * 1200) + "ST4 2DX" + (" words" * 200) + " HR-7K3Q9X"
    assert len(text) > 10_000
    assert _values(_entities(extractor, text)) == [
        ("postcode", "ST4 2DX"),
        ("reference", "HR-7K3Q9X"),
    ]


def test_keeps_other_extractors_entities_and_does_not_duplicate(
    extractor: UKEntityExtractor,
) -> None:
    text = "pothole at st4 2dx"
    diet = [
        {"entity": "problem_type", "value": "pothole", "start": 0, "end": 7},
        {"entity": "postcode", "value": "st4 2dx", "start": 11, "end": 18},
    ]
    entities = _entities(extractor, text, entities=[dict(e) for e in diet])
    assert len(entities) == 2
    assert entities[0] == diet[0]
    postcode = entities[1]
    assert postcode["value"] == "ST4 2DX"  # normalised in place
    assert postcode["processors"] == ["UKEntityExtractor"]
    assert "extractor" not in postcode  # still the other extractor's entity


def test_leaves_existing_values_when_told(tmp_path) -> None:
    extractor = _component(tmp_path, normalise_existing=False)
    diet = [{"entity": "postcode", "value": "st4 2dx", "start": 11, "end": 18}]
    entities = _entities(extractor, "pothole at st4 2dx", entities=[dict(e) for e in diet])
    assert entities == diet


def test_different_span_is_not_a_duplicate(extractor: UKEntityExtractor) -> None:
    diet = [{"entity": "postcode", "value": "st4", "start": 11, "end": 14}]
    entities = _entities(extractor, "pothole at st4 2dx", entities=[dict(e) for e in diet])
    assert _values(entities) == [("postcode", "st4"), ("postcode", "ST4 2DX")]


def test_running_twice_adds_nothing_more(extractor: UKEntityExtractor) -> None:
    message = Message(data={"text": "ST4 2DX SR-7K3Q9X"})
    extractor.process([message])
    extractor.process([message])
    assert len(message.get("entities")) == 2


def test_dimensions_limit_what_is_extracted(tmp_path) -> None:
    only_postcodes = _component(tmp_path, dimensions=["postcode"])
    text = "SR-7K3Q9X at ST4 2DX"
    assert _values(_entities(only_postcodes, text)) == [("postcode", "ST4 2DX")]
    only_references = _component(tmp_path, dimensions=["reference"])
    assert _values(_entities(only_references, text)) == [("reference", "SR-7K3Q9X")]


@pytest.mark.parametrize("dimensions", [["postcode", "street"], "postcode"])
def test_unknown_dimension_is_a_config_error(tmp_path, dimensions: Any) -> None:
    with pytest.raises(InvalidConfigException):
        _component(tmp_path, dimensions=dimensions)


def test_processes_several_messages_and_keeps_output_properties(
    extractor: UKEntityExtractor,
) -> None:
    messages = [Message(data={"text": "ST4 2DX"}), Message(data={"text": "nothing here"})]
    assert extractor.process(messages) is messages
    assert _values(messages[0].get("entities")) == [("postcode", "ST4 2DX")]
    assert messages[1].get("entities") == []
    assert "entities" in messages[0].output_properties


def test_training_data_is_returned_unchanged(extractor: UKEntityExtractor) -> None:
    training_data = TrainingData([Message(data={"text": "ST4 2DX", "intent": "greet"})])
    assert extractor.process_training_data(training_data) is training_data
    assert training_data.training_examples[0].get("entities") is None
