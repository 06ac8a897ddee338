"""Digression and return through Rasa's own form action (no model, no servers).

Rasa's ``FormAction`` runs as the Rasa server runs it; only the call to the action server
is replaced by a direct call of the validator, so these tests check the mechanics the
validator relies on: a manual rejection lets the repair rule answer, coming back the form
asks "Shall we carry on?", and "yes" asks the question it was on.
"""

from __future__ import annotations

import asyncio
import warnings
from functools import lru_cache
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    LoopInterrupted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.report_problem import ActionAskLocation, ValidateReportForm
from bot.settings import REPO_ROOT

FORM = "report_form"
STATUS_TEXT = "any news on my pothole SR-PT6XJP"


@lru_cache(maxsize=1)
def _domain() -> Domain:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(REPO_ROOT / "domain"))


async def _validator_run(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: DialogueStateTracker, domain: Domain
) -> list[Event]:
    """The action server's part: the validator (or the form's own ask action) on the tracker."""
    action = {f"validate_{FORM}": ValidateReportForm, "action_ask_location": ActionAskLocation}
    assert self.name() in action
    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.AFTER_RESTART))
    dispatcher = CollectingDispatcher()
    events = await action[self.name()]().run(dispatcher, sdk_tracker, domain.as_dict())
    said = []
    for message in dispatcher.messages:
        # As RemoteAction does: the response rendered with the values the action gave.
        values = {k: v for k, v in message.items() if k not in ("response", "text")}
        rendered = await nlg.generate(message["response"], tracker, output_channel.name(), **values)
        said.append(BotUttered(rendered["text"]))
    return [*said, *deserialise_events(events)]


@pytest.fixture(autouse=True)
def _action_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "run", _validator_run)


def _user(text: str, intent: str, **parse: Any) -> UserUttered:
    data = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text, **parse}
    return UserUttered(text, data["intent"], data["entities"], data)


def _tracker(*events: Event) -> DialogueStateTracker:
    domain = _domain()
    start = [
        ActionExecuted("action_listen"),
        _user("pothole on leek road", "report_pothole"),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet("problem_type", "pothole"),
        SlotSet("problem_label", "pothole"),
        SlotSet("requested_slot", "location"),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events("resident", [*start, *events], slots=domain.slots)


def _run_form(tracker: DialogueStateTracker) -> list[Event]:
    domain = _domain()
    form = FormAction(FORM, None)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(form.run(CollectingOutputChannel(), nlg, tracker, domain))


def _asked(events: list[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, BotUttered)]


def test_a_status_check_is_rejected_then_the_form_offers_to_carry_on() -> None:
    reference = {"entity": "reference", "value": "SR-PT6XJP", "start": 0, "end": 33}
    message = _user(STATUS_TEXT, "check_report_status", entities=[reference])
    message.entities = [reference]
    tracker = _tracker(
        message, SlotSet("location", STATUS_TEXT), SlotSet("status_reference", "SR-PT6XJP")
    )
    events = _run_form(tracker)
    assert any(isinstance(e, ActionExecutionRejected) for e in events)
    tracker.update_with_events(events, _domain())
    assert tracker.is_active_loop_rejected
    assert tracker.get_slot("location") is None

    # The repair rule: the answer, then the form again (the policy marks the loop interrupted).
    tracker.update_with_events(
        [ActionExecuted("action_answer_digression"), LoopInterrupted(True)], _domain()
    )
    back = _run_form(tracker)
    assert _asked(back) == ["Shall we carry on with your pothole report?"]
    tracker.update_with_events([ActionExecuted(FORM), *back], _domain())
    assert tracker.get_slot("requested_slot") == "form_resume_confirm"

    tracker.update_with_events([ActionExecuted("action_listen"), _user("yes", "affirm")], _domain())
    carry_on = _run_form(tracker)
    tracker.update_with_events([ActionExecuted(FORM), *carry_on], _domain())
    assert tracker.get_slot("requested_slot") == "location"
    assert tracker.active_loop_name == FORM
    [asked] = _asked(carry_on)
    # The question it was on, asked again: where it is, offering the place the first message named.
    assert asked == "Is it on Leek Road?"


def test_a_weak_urgent_signal_is_asked_about_by_the_form_itself() -> None:
    text = "Lying by the kerb, been there since yesterday"
    weak = {"signal": "classifier", "confidence": 0.41, "weak": True}
    events = _run_form(_tracker(_user(text, "urgent_help", crisis=weak)))
    assert not any(isinstance(e, ActionExecutionRejected) for e in events)
    assert _asked(events) == ["Is anyone hurt or in danger?"]


def test_yes_someone_is_in_danger_leaves_an_urgent_message_for_the_urgent_rule() -> None:
    text = "Lying by the kerb, been there since yesterday"
    weak = {"signal": "classifier", "confidence": 0.41, "weak": True}
    tracker = _tracker(_user(text, "urgent_help", crisis=weak))
    asked = _run_form(tracker)
    tracker.update_with_events([ActionExecuted(FORM), *asked], _domain())
    tracker.update_with_events([ActionExecuted("action_listen"), _user("yes", "affirm")], _domain())
    events = _run_form(tracker)
    tracker.update_with_events(events, _domain())
    assert tracker.is_active_loop_rejected
    assert tracker.latest_message.intent_name == "urgent_help"
    assert tracker.latest_action_name == "action_listen"  # as after any message: the rule's state


def test_asking_for_a_person_says_so_and_leaves_the_form_to_the_hand_off_rule() -> None:
    events = _run_form(_tracker(_user("can I talk to a person", "human_handoff")))
    assert any(isinstance(e, ActionExecutionRejected) for e in events)
    assert _asked(events) == [
        "I've stopped your pothole report, so nothing was sent. The member of staff will see "
        "what you've told me so far."
    ]
