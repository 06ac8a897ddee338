"""Every message gets an answer: the guard on Rasa's prediction loop."""

from __future__ import annotations

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import always_answer, rasa_server


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
    assert MessageProcessor._run_prediction_loop is always_answer._run_prediction_loop_with_answer
