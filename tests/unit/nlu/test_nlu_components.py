"""The encoder's Rasa components, trained and run on real messages with the real encoder.

The featurizer, the intent classifier and the crisis safety net are built exactly as Rasa
builds them (model storage, resources, execution context), trained on a small data set and
then run on new messages, and loaded back from storage as a server would.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.crisis_safety_net import CrisisPatterns, CrisisSafetyNet
from bot.nlu.encoder_intent_classifier import EncoderIntentClassifier
from bot.nlu.sentence_encoder import DIMENSIONS, shared_encoder
from bot.nlu.sentence_features import SentenceEncoderFeaturizer, sentence_vector
from bot.settings import REPO_ROOT

CONTEXT = ExecutionContext(GraphSchema({}), "test")

EXAMPLES = {
    "report_pothole": [
        "there's a pothole on my road",
        "massive hole in the road outside the school",
        "the road surface has broken up and there is a deep hole",
        "pothole on Leek Road needs filling",
    ],
    "council_tax": [
        "how do I pay my council tax",
        "my council tax bill is wrong",
        "can I pay council tax monthly",
        "I want a single person discount on council tax",
    ],
    "urgent_help": [
        "my partner hits me and I'm scared",
        "I have nowhere to sleep tonight",
        "I want to end my life",
        "my children have had nothing to eat for two days",
        "he won't let me leave the house",
        "I don't feel safe at home",
    ],
    "greet": ["hello", "hi there", "good morning", "hiya"],
}


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    config = SentenceEncoderFeaturizer.get_default_config()
    return SentenceEncoderFeaturizer(config, CONTEXT, encoder=shared_encoder())


@pytest.fixture(scope="module")
def training_data(featurizer) -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    return featurizer.process_training_data(TrainingData(training_examples=messages))


def _messages(featurizer: SentenceEncoderFeaturizer, *texts: str, **data: Any) -> list[Message]:
    return featurizer.process([Message(data={"text": text, **data}) for text in texts])


def test_the_featurizer_adds_one_sentence_vector_per_message(featurizer, training_data):
    [message] = _messages(featurizer, "pothole on Victoria Road")
    vector = sentence_vector(message)
    assert vector is not None and vector.shape == (DIMENSIONS,)
    sequence, sentence = message.get_dense_features("text", ["sentence_encoder"])
    assert sequence is None and sentence is not None
    assert all(sentence_vector(example) is not None for example in training_data.training_examples)


def test_training_and_inference_give_the_same_vector(featurizer, training_data):
    trained = next(
        m
        for m in training_data.training_examples
        if m.get("text") == "my council tax bill is wrong"
    )
    [fresh] = _messages(featurizer, "my council tax bill is wrong")
    assert sentence_vector(fresh) == pytest.approx(sentence_vector(trained), abs=1e-5)


def test_messages_without_text_are_left_alone(featurizer):
    [message] = featurizer.process([Message(data={"intent": "greet"})])
    assert sentence_vector(message) is None


def test_another_encoder_in_the_config_is_refused():
    with pytest.raises(ValueError, match="encoder"):
        SentenceEncoderFeaturizer.validate_config({"encoder": "bert-base@1234"})


@pytest.fixture(scope="module")
def classifier(storage, training_data) -> EncoderIntentClassifier:
    config = {**EncoderIntentClassifier.get_default_config(), "strength": 10.0}
    component = EncoderIntentClassifier.create(config, storage, Resource("intents"), CONTEXT)
    component.train(training_data)
    return component


def test_the_classifier_reads_new_phrasings(featurizer, classifier):
    messages = _messages(
        featurizer, "the tarmac outside number 9 has a crater in it", "how much is my band C bill"
    )
    classifier.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["report_pothole", "council_tax"]
    ranking = messages[0].get("intent_ranking")
    assert ranking[0]["name"] == "report_pothole"
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0, abs=1e-5)


def test_the_classifier_loads_back_from_storage(featurizer, classifier, storage):
    loaded = EncoderIntentClassifier.load(
        EncoderIntentClassifier.get_default_config(), storage, Resource("intents"), CONTEXT
    )
    [one] = _messages(featurizer, "hiya duck")
    [two] = _messages(featurizer, "hiya duck")
    classifier.process([one])
    loaded.process([two])
    assert one.get("intent") == two.get("intent")


def test_an_untrained_classifier_leaves_messages_unclassified(featurizer, storage):
    component = EncoderIntentClassifier.load(
        EncoderIntentClassifier.get_default_config(), storage, Resource("missing"), CONTEXT
    )
    [message] = component.process(_messages(featurizer, "hello"))
    assert message.get("intent") is None


# --- The crisis safety net ---


@pytest.fixture(scope="module")
def patterns() -> CrisisPatterns:
    return CrisisPatterns.from_rules(REPO_ROOT / "kb" / "triage" / "rules.yml")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my partner hits me", "risk_of_harm"),
        ("I’ve got nowhere to sleep tonight", "homeless_tonight"),
        ("I don't want to be here anymore", "self_harm"),
        ("there's nothing to eat in the house", "no_food"),
        ("my husband controls all the money and threatens me", "risk_of_harm"),
    ],
)
def test_the_triage_rules_crisis_flags_match(patterns, text, flag):
    assert patterns.match(text) == flag


@pytest.mark.parametrize(
    "text",
    [
        "tips for staying safe online",
        "my internet is dead",
        "killing time at the library, is there wifi",
        "the streetlight is dying",
        "how do I pay my council tax",
    ],
)
def test_benign_look_alikes_do_not_match(patterns, text):
    assert patterns.match(text) is None


def test_rules_without_crisis_flags_are_refused(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("flags:\n  x: {priority: 1, label: x, patterns: ['a']}\n")
    with pytest.raises(ValueError, match="crisis_flags"):
        CrisisPatterns.from_rules(path)
    path.write_text("crisis_flags: [y]\nflags:\n  x: {priority: 1, label: x, patterns: ['a']}\n")
    with pytest.raises(ValueError, match="'y'"):
        CrisisPatterns.from_rules(path)


@pytest.fixture(scope="module")
def safety_net(storage, training_data) -> CrisisSafetyNet:
    config = {**CrisisSafetyNet.get_default_config(), "kb_dir": str(REPO_ROOT / "kb")}
    component = CrisisSafetyNet.create(config, storage, Resource("crisis"), CONTEXT)
    component.train(training_data)
    return component


def _after_net(
    net: CrisisSafetyNet,
    featurizer,
    text: str,
    intent: str,
    confidence: float = 0.9,
    ranking: list[dict] | None = None,
    **data: Any,
) -> Message:
    [message] = _messages(featurizer, text, **data)
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    ranking = ranking or [{"name": intent, "confidence": confidence}]
    message.set("intent_ranking", ranking, add_to_output=True)
    [processed] = net.process([message])
    return processed


def test_a_pattern_overrides_any_intent(safety_net, featurizer):
    message = _after_net(safety_net, featurizer, "he hits me when he drinks", "council_tax")
    assert message.get("intent") == {"name": "urgent_help", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "council_tax"
    assert message.get("crisis")["signal"] == "pattern"


def test_a_crisis_phrase_in_another_language_is_caught(safety_net, featurizer):
    message = _after_net(
        safety_net, featurizer, "Proszę, mąż bije mnie codziennie", "nlu_fallback",
        entities=[{"entity": "language", "value": "pl"}],
    )  # fmt: skip
    assert message.get("intent")["name"] == "urgent_help"
    assert message.get("crisis") == {"signal": "phrase", "language": "pl", "confidence": 1.0}


def test_the_encoder_catches_a_crisis_without_the_obvious_words(safety_net, featurizer):
    text = "I have nowhere to go and it is freezing, I will be on a bench tonight"
    assert safety_net._patterns.match("he keeps me locked in the house") is None
    message = _after_net(safety_net, featurizer, "he keeps me locked in the house", "greet", 0.3)
    assert message.get("intent")["name"] == "urgent_help"
    assert message.get("crisis")["signal"] in {"encoder", "pattern"}
    after = _after_net(safety_net, featurizer, text, "greet", 0.3)
    assert after.get("intent")["name"] == "urgent_help"


def test_a_likely_crisis_gives_way_to_a_journey_the_classifier_is_sure_of(
    safety_net, featurizer, monkeypatch
):
    """'do I get money off if I live by myself' reads a little like isolation; it is council tax."""
    text = "do i get money off if i live by myself"
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.85)
    sure = _after_net(safety_net, featurizer, text, "council_tax", 0.89)
    assert sure.get("intent")["name"] == "council_tax"
    assert sure.get("crisis") is None
    unsure = _after_net(safety_net, featurizer, text, "council_tax", 0.4)
    assert unsure.get("intent")["name"] == "urgent_help"
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.97)
    certain = _after_net(safety_net, featurizer, text, "council_tax", 0.89)
    assert certain.get("intent")["name"] == "urgent_help"


def test_the_classifiers_own_low_guess_of_urgent_help_counts(safety_net, featurizer, monkeypatch):
    """Below the fallback threshold, a first guess of urgent_help still reaches help."""
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.1)
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "urgent_help", "confidence": 0.31},
        {"name": "greet", "confidence": 0.2},
    ]
    text = "things are really bad at home right now"
    message = _after_net(safety_net, featurizer, text, "nlu_fallback", 0.45, ranking)
    assert message.get("intent")["name"] == "urgent_help"
    assert message.get("crisis") == {"signal": "classifier", "confidence": 0.31}
    ranking[1]["confidence"] = 0.2
    low = _after_net(safety_net, featurizer, text, "nlu_fallback", 0.45, ranking)
    assert low.get("intent")["name"] == "nlu_fallback"


def test_an_ordinary_message_is_left_alone(safety_net, featurizer):
    message = _after_net(safety_net, featurizer, "pothole on Leek Road", "report_pothole")
    assert message.get("intent")["name"] == "report_pothole"
    assert message.get("crisis") is None


def test_the_encoder_is_not_asked_about_another_language(safety_net, featurizer, monkeypatch):
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 1.0)
    other = _after_net(
        safety_net, featurizer, "Dzień dobry, mam pytanie", "nlu_fallback",
        entities=[{"entity": "language", "value": "pl"}],
    )  # fmt: skip
    assert other.get("intent")["name"] == "nlu_fallback"
    english = _after_net(safety_net, featurizer, "I have a question", "greet")
    assert english.get("intent")["name"] == "urgent_help"


def test_buttons_are_never_overridden(safety_net, featurizer):
    message = _after_net(safety_net, featurizer, "/deny", "deny")
    assert message.get("intent")["name"] == "deny"


def test_a_pattern_the_encoder_rules_out_is_an_ordinary_use_of_the_words(
    safety_net, featurizer, monkeypatch
):
    """ "is Suicide Squad on Netflix" matches the self-harm pattern, but is not a crisis."""
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.01)
    film = _after_net(safety_net, featurizer, "is Suicide Squad on Netflix", "out_of_scope")
    assert film.get("intent")["name"] == "out_of_scope"
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.2)
    again = _after_net(safety_net, featurizer, "is Suicide Squad on Netflix", "out_of_scope")
    assert again.get("intent")["name"] == "urgent_help"


def test_a_pattern_in_another_language_is_not_gated_by_the_english_encoder(
    safety_net, featurizer, monkeypatch
):
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.0)
    message = _after_net(
        safety_net, featurizer, "he hits me", "nlu_fallback",
        entities=[{"entity": "language", "value": "pl"}],
    )  # fmt: skip
    assert message.get("intent")["name"] == "urgent_help"


def test_a_signal_below_weak_below_is_marked_weak(safety_net, featurizer, monkeypatch):
    """A weak signal is marked (a form asks first); a strong encoder signal overrides it."""
    monkeypatch.setitem(safety_net._config, "weak_below", 0.5)
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.1)
    ranking = [
        {"name": "urgent_help", "confidence": 0.41},
        {"name": "report_dead_animal", "confidence": 0.3},
    ]
    text = "lying by the kerb, been there since yesterday"
    weak = _after_net(safety_net, featurizer, text, "urgent_help", 0.41, ranking)
    assert weak.get("intent")["name"] == "urgent_help"
    assert weak.get("crisis") == {"signal": "classifier", "confidence": 0.41, "weak": True}
    monkeypatch.setattr(CrisisSafetyNet, "crisis_probability", lambda self, vector: 0.9)
    strong = _after_net(safety_net, featurizer, text, "urgent_help", 0.41, ranking)
    assert strong.get("crisis") == {"signal": "encoder", "confidence": 0.9}
    pattern = _after_net(safety_net, featurizer, "he hits me", "urgent_help", 0.41, ranking)
    assert pattern.get("crisis")["signal"] == "pattern"
    assert "weak" not in pattern.get("crisis")
