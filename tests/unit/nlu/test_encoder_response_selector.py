"""The response selector: answers from the encoder's features, where Rasa's action reads them."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.repair import faq_response
from bot.nlu.encoder_response_selector import EncoderResponseSelector
from bot.nlu.sentence_encoder import shared_encoder
from bot.nlu.sentence_features import SentenceEncoderFeaturizer

CONTEXT = ExecutionContext(GraphSchema({}), "test")

ANSWERS = {
    "council_tax/ways_to_pay": [
        "how can I pay my council tax",
        "can I pay council tax by direct debit",
        "ways to pay the council tax bill",
        "pay council tax online",
    ],
    "council_tax/single_person_discount": [
        "I live alone, can I get a discount on council tax",
        "single person discount",
        "money off council tax if only one adult lives here",
        "25 percent off for living by myself",
    ],
    "council_tax/students": [
        "do students pay council tax",
        "I'm a full time student, am I exempt",
        "student exemption from council tax",
        "my house is all students",
    ],
    "universal_credit/sanctions": [
        "my universal credit has been sanctioned",
        "what is a sanction on UC",
        "they stopped my universal credit as a punishment",
    ],
    "universal_credit/how_to_apply": [
        "how do I apply for universal credit",
        "make a claim for UC",
        "start a universal credit claim",
    ],
    "broadband/vouchers": ["broadband voucher", "help paying for the internet"],
}
RESPONSES = {f"utter_{key}": [{"text": f"The answer about {key}."}] for key in ANSWERS}


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    config = SentenceEncoderFeaturizer.get_default_config()
    return SentenceEncoderFeaturizer(config, CONTEXT, encoder=shared_encoder())


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def selector(featurizer, storage) -> EncoderResponseSelector:
    messages = [
        Message(data={"text": text, "intent": key.split("/")[0], "intent_response_key": key})
        for key, texts in ANSWERS.items()
        for text in texts
    ]
    messages += [Message(data={"text": "hello there", "intent": "greet"})]
    data = featurizer.process_training_data(
        TrainingData(training_examples=messages, responses=RESPONSES)
    )
    config = {**EncoderResponseSelector.get_default_config(), "strength": 10.0}
    component = EncoderResponseSelector.create(config, storage, Resource("answers"), CONTEXT)
    component.train(data)
    return component


def _asked(featurizer, text: str, intent: str) -> Message:
    [message] = featurizer.process([Message(data={"text": text})])
    message.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    return message


def _choice(message: Message, intent: str) -> dict[str, Any]:
    return message.get("response_selector")[intent]["response"]


def test_new_phrasings_get_their_answer(featurizer, selector):
    asked = [
        ("is there a discount if I'm the only person in the flat", "council_tax"),
        ("I study at university full time, do I still have to pay", "council_tax"),
        ("can I set up a direct debit for my bill", "council_tax"),
        ("my UC payment got cut because I missed an appointment", "universal_credit"),
    ]
    messages = [_asked(featurizer, text, intent) for text, intent in asked]
    selector.process(messages)
    assert [
        _choice(m, intent)["intent_response_key"]
        for m, (_, intent) in zip(messages, asked, strict=True)
    ] == [
        "council_tax/single_person_discount",
        "council_tax/students",
        "council_tax/ways_to_pay",
        "universal_credit/sanctions",
    ]
    choice = _choice(messages[0], "council_tax")
    assert choice["utter_action"] == "utter_council_tax/single_person_discount"
    assert choice["responses"] == RESPONSES["utter_council_tax/single_person_discount"]
    ranking = messages[0].get("response_selector")["council_tax"]["ranking"]
    assert [entry["intent_response_key"] for entry in ranking][0] == choice["intent_response_key"]
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0, abs=1e-5)


def test_the_answer_is_always_one_of_the_messages_own_intent(featurizer, selector):
    # A Universal Credit question classified as council tax still gets a council tax
    # answer: the selector never answers another intent's question.
    message = _asked(featurizer, "how do I apply for universal credit", "council_tax")
    selector.process([message])
    assert _choice(message, "council_tax")["intent_response_key"].startswith("council_tax/")
    assert set(message.get("response_selector")) == {"council_tax", "all_retrieval_intents"}


def test_a_retrieval_intent_with_one_answer_needs_no_model(featurizer, selector):
    message = _asked(featurizer, "anything at all about the internet", "broadband")
    selector.process([message])
    assert _choice(message, "broadband")["intent_response_key"] == "broadband/vouchers"
    assert _choice(message, "broadband")["confidence"] == 1.0


def test_other_intents_are_left_alone(featurizer, selector):
    message = _asked(featurizer, "hello there", "greet")
    selector.process([message])
    assert message.get("response_selector") is None


def test_it_loads_back_from_storage_with_the_same_choices(featurizer, selector, storage):
    loaded = EncoderResponseSelector.load(
        EncoderResponseSelector.get_default_config(), storage, Resource("answers"), CONTEXT
    )
    assert loaded.retrieval_intents == ["broadband", "council_tax", "universal_credit"]
    one = _asked(featurizer, "students and council tax", "council_tax")
    two = _asked(featurizer, "students and council tax", "council_tax")
    selector.process([one])
    loaded.process([two])
    assert one.get("response_selector") == two.get("response_selector")


def test_an_untrained_selector_leaves_messages_alone(featurizer, storage):
    component = EncoderResponseSelector.load(
        EncoderResponseSelector.get_default_config(), storage, Resource("missing"), CONTEXT
    )
    message = _asked(featurizer, "how can I pay my council tax", "council_tax")
    component.process([message])
    assert message.get("response_selector") is None


def test_rasa_and_the_digression_action_read_the_choice(featurizer, selector):
    message = _asked(featurizer, "do students have to pay council tax", "council_tax")
    selector.process([message])
    parse_data = message.as_dict(only_output_properties=True)
    tracker = DialogueStateTracker.from_events(
        "resident", [UserUttered(message.get("text"), parse_data["intent"], [], parse_data)]
    )
    action = ActionRetrieveResponse("utter_council_tax")
    assert action.get_full_retrieval_name(tracker) == "utter_council_tax/students"
    assert faq_response(parse_data, "council_tax") == "utter_council_tax/students"
