"""The linear word tagger: trained and run as Rasa builds it, on real problem-type examples."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.entity_tagger import OUTSIDE, LinearEntityTagger, word_features, word_tags
from bot.settings import REPO_ROOT

CONTEXT = ExecutionContext(GraphSchema({}), "test")
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def _tokenized(messages: list[Message]) -> list[Message]:
    TOKENIZER.process(messages)
    return messages


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def tagger(storage) -> LinearEntityTagger:
    """Trained on the project's own street-problem examples (data/nlu/report_problem.yml)."""
    data = load_data(str(REPO_ROOT / "data/nlu/report_problem.yml"))
    TOKENIZER.process_training_data(data)
    component = LinearEntityTagger.create(
        LinearEntityTagger.get_default_config(), storage, Resource("tagger"), CONTEXT
    )
    component.train(data)
    return component


def _entities(tagger: LinearEntityTagger, text: str) -> list[tuple[str, str]]:
    (message,) = tagger.process(_tokenized([Message.build(text)]))
    return [(entity["entity"], entity["value"]) for entity in message.get(ENTITIES, [])]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("there is a massive pothole outside the school", "pothole"),
        ("POTHOL on waterloo road", "POTHOL"),  # capitals and a misspelling, unseen
        ("the street lite by the bus stop is out", "street lite"),  # two words, one entity
        ("someone has fly tipped a sofa in the alley", "fly tipped"),
        ("theres a pot hole", "pot hole"),  # "hole" alone is not sure enough: it joins "pot"
    ],
)
def test_problem_types_are_found_in_words_it_never_saw(tagger, text, value):
    assert ("problem_type", value) in _entities(tagger, text)


@pytest.mark.parametrize(
    "text", ["how do I pay my council tax", "hello", "I need to speak to someone"]
)
def test_a_message_without_a_problem_gets_no_entity(tagger, text):
    assert _entities(tagger, text) == []


def test_an_entity_covers_its_words_and_keeps_what_was_there(tagger):
    (message,) = tagger.process(
        _tokenized([Message.build("the drain on Leek Road is blocked", entities=[{"entity": "x"}])])
    )
    entities = message.get(ENTITIES)
    assert entities[0] == {"entity": "x"}  # another extractor's entity stays
    (found,) = entities[1:]
    assert (found["start"], found["end"], found["value"]) == (4, 9, "drain")
    assert found["extractor"] == "LinearEntityTagger"
    assert 0.5 <= found["confidence"] <= 1.0


def test_the_tagger_loads_back_from_storage(tagger, storage):
    loaded = LinearEntityTagger.load(
        LinearEntityTagger.get_default_config(), storage, Resource("tagger"), CONTEXT
    )
    text = "dog poo all over the pavement"
    assert _entities(loaded, text) == _entities(tagger, text) != []


def test_an_untrained_tagger_tags_nothing(storage):
    untrained = LinearEntityTagger.load(
        LinearEntityTagger.get_default_config(), storage, Resource("missing"), CONTEXT
    )
    assert _entities(untrained, "there is a pothole") == []


def test_data_without_annotations_leaves_it_untrained(storage):
    data = TrainingData([Message.build("hello", intent="greet"), Message.build("hi")])
    TOKENIZER.process_training_data(data)
    component = LinearEntityTagger.create({}, storage, Resource("empty"), CONTEXT)
    component.train(data)
    assert _entities(component, "there is a pothole") == []


def test_each_word_is_tagged_by_the_entity_it_overlaps():
    (message,) = _tokenized([Message.build("a pot hole here")])
    tokens = message.get("text_tokens")
    tags = word_tags(tokens, [{"entity": "problem_type", "start": 2, "end": 10}])
    assert tags == [OUTSIDE, "problem_type", "problem_type", OUTSIDE]


def test_a_word_is_described_by_its_letters_and_its_neighbours():
    features = word_features(["the", "pothol", "is"], 1, window=2)
    assert features["w:pothol"] == 1.0 and features["c: po"] == 1.0 and features["c:hol "] == 1.0
    assert features["w-1:the"] == 1.0 and features["w+1:is"] == 1.0
    assert features["edge-2"] == 1.0 and features["edge+2"] == 1.0


def test_a_word_joins_its_tagged_neighbour_at_the_lower_bar(tagger, monkeypatch):
    (message,) = _tokenized([Message.build("theres a pot hole")])
    tokens, features = tagger._sentence(message)
    probabilities = tagger.probabilities(features)
    column = tagger._model.labels.index("problem_type")
    assert probabilities[2][column] >= 0.5 > probabilities[3][column] >= 0.2
    monkeypatch.setitem(tagger._config, "join_threshold", 1.0)  # no joining: "pot" alone
    assert _entities(tagger, "theres a pot hole") == [("problem_type", "pot")]
