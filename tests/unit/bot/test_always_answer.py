"""Every message gets an answer: the guard on Rasa's prediction loop."""

from __future__ import annotations

import asyncio

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import BooleanSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot import always_answer, rasa_server
from lib import case_updates


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("resident", list(events))


def test_a_message_with_no_reply_since_needs_an_answer():
    tracker = _tracker(
        ActionExecuted("action_listen"), UserUttered("no"), ActionExecuted("action_listen")
    )
    assert always_answer.needs_answer(tracker)


def test_a_message_already_answered_needs_nothing():
    tracker = _tracker(UserUttered("hello"), BotUttered("Hello!"), ActionExecuted("action_listen"))
    assert not always_answer.needs_answer(tracker)


def test_an_earlier_reply_does_not_count_for_a_later_message():
    tracker = _tracker(UserUttered("hello"), BotUttered("Hello!"), UserUttered("no"))
    assert always_answer.needs_answer(tracker)


def test_the_answer_says_what_can_be_done_or_that_staff_have_the_conversation():
    assert always_answer.answer_for(_tracker(UserUttered("no"))) == (
        always_answer.NO_ANSWER,
        always_answer.HELP,
    )
    paused = _tracker(UserUttered("help"), ConversationPaused(), UserUttered("hello?"))
    assert always_answer.answer_for(paused) == (always_answer.NO_ANSWER_PAUSED,)


def test_the_rasa_server_installs_the_guard(monkeypatch):
    monkeypatch.setattr(MessageProcessor, "_run_prediction_loop", always_answer._original_loop)
    rasa_server.install()
    installed = MessageProcessor._run_prediction_loop
    # The REST channel's reply marks wrap the guard, so the guard's answers are marked too.
    assert getattr(installed, "_marks_reply", False)
    assert installed.__wrapped__ is always_answer._run_prediction_loop_with_answer


def _caller(pending: bool, note: str | None) -> DialogueStateTracker:
    slots = [
        BooleanSlot(case_updates.PENDING, mappings=[], influence_conversation=False),
        TextSlot(case_updates.NOTE, mappings=[], influence_conversation=False),
    ]
    tracker = DialogueStateTracker("caller", slots)
    tracker.update(SlotSet(case_updates.PENDING, pending))
    tracker.update(SlotSet(case_updates.NOTE, note))
    for event in (ActionExecuted("action_listen"), UserUttered("hello")):
        tracker.update(event)
    return tracker


def test_a_pending_case_update_is_said_with_or_without_the_note():
    assert always_answer.case_update_for(_caller(False, "Paid.")) == ()
    assert always_answer.case_update_for(_caller(True, "Paid.")) == (case_updates.RESOLVED,)
    assert always_answer.case_update_for(_caller(True, None)) == (case_updates.RESOLVED_NO_NOTE,)


class FakeProcessor:
    """Just enough of Rasa's processor for the guard: records the actions it runs."""

    def __init__(self, domain) -> None:
        self.domain = domain
        self.nlg = None
        self.ran: list[str] = []

    def _get_action(self, name: str) -> str:
        return name

    async def _run_action(self, action, tracker, output_channel, nlg, prediction) -> None:
        self.ran.append(action)
        if action.startswith("utter_"):
            tracker.update(BotUttered(action))


def _domain():
    from rasa.shared.core.domain import Domain

    return Domain.from_dict(
        {
            "responses": {
                name: [{"text": name}]
                for name in ("utter_no_answer", "utter_help", *case_updates.RESPONSES)
            }
        }
    )


def test_the_caller_hears_a_pending_case_update_once_after_the_answer(monkeypatch):
    async def answered(self, output_channel, tracker):
        tracker.update(BotUttered("Here is the answer."))

    monkeypatch.setattr(always_answer, "_original_loop", answered)
    tracker = _caller(True, "Paid.")
    processor = FakeProcessor(_domain())
    asyncio.run(always_answer._run_prediction_loop_with_answer(processor, None, tracker))
    assert processor.ran == [case_updates.RESOLVED, "action_listen"]
    assert tracker.get_slot(case_updates.PENDING) is False
    processor.ran.clear()
    tracker.update(UserUttered("thanks"))
    asyncio.run(always_answer._run_prediction_loop_with_answer(processor, None, tracker))
    assert processor.ran == []  # said once only


def test_a_silent_turn_gets_the_answer_before_the_case_update(monkeypatch):
    async def silent(self, output_channel, tracker):
        return None

    monkeypatch.setattr(always_answer, "_original_loop", silent)
    processor = FakeProcessor(_domain())
    tracker = _caller(True, None)
    asyncio.run(always_answer._run_prediction_loop_with_answer(processor, None, tracker))
    assert processor.ran == [
        always_answer.NO_ANSWER,
        always_answer.HELP,
        case_updates.RESOLVED_NO_NOTE,
        "action_listen",
    ]
