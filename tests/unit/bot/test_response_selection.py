"""The response selector works only for messages whose intent it answers."""

from __future__ import annotations

import pytest
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.training_data.message import Message

from bot import response_selection


def _selector(retrieval_intents: list[str], only: str | None = None) -> ResponseSelector:
    selector = ResponseSelector.__new__(ResponseSelector)
    selector.all_retrieval_intents = retrieval_intents
    selector.retrieval_intent = only
    return selector


def _message(intent: str | None) -> Message:
    message = Message(data={"text": "something"})
    if intent:
        message.set("intent", {"name": intent, "confidence": 0.9})
    return message


@pytest.fixture
def selected(monkeypatch) -> list[str | None]:
    """The intents of the messages Rasa's own selector was run on."""
    seen: list[str | None] = []

    def own(self, messages):
        seen.extend((m.get("intent") or {}).get("name") for m in messages)
        return messages

    monkeypatch.setattr(response_selection, "_original_process", own)
    return seen


def test_only_retrieval_intents_get_an_answer_chosen(selected) -> None:
    selector = _selector(["council_tax", "universal_credit"])
    messages = [_message(name) for name in ("council_tax", "report_pothole", "affirm", None)]
    assert response_selection.process(selector, messages) == messages
    assert selected == ["council_tax", None]


def test_a_selector_for_one_intent_answers_only_it(selected) -> None:
    selector = _selector(["council_tax", "universal_credit"], only="universal_credit")
    response_selection.process(selector, [_message("council_tax"), _message("universal_credit")])
    assert selected == ["universal_credit"]


def test_a_selector_that_names_no_intents_answers_everything(selected) -> None:
    response_selection.process(_selector([]), [_message("affirm")])
    assert selected == ["affirm"]


def test_no_message_needs_an_answer_and_nothing_runs(selected) -> None:
    response_selection.process(_selector(["council_tax"]), [_message("greet")])
    assert selected == []


def test_install_replaces_rasas_process(monkeypatch) -> None:
    monkeypatch.setattr(ResponseSelector, "process", ResponseSelector.process)
    response_selection.install()
    assert ResponseSelector.process is response_selection.process
