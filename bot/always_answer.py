"""Every message gets an answer: a guard on Rasa's prediction loop.

Rasa stops predicting when a policy picks ``action_listen``. When it does so before the
assistant has said anything since the resident's message (a "no" outside any question, a
turn no rule or story covers, a conversation paused for staff), the resident sees an empty
reply. :func:`install` wraps Rasa's prediction loop so that such a turn ends with a response
instead: ``utter_no_answer`` then ``utter_help`` (what the assistant can do, as buttons), or,
in a conversation
paused while staff have it, ``utter_no_answer_paused`` (who has it and how to get help now).
The response is run by Rasa itself, so it works when the action server does not.

The same guard says a case update the resident has not heard yet: when staff resolve a
case opened on the phone line, the council services leave it pending
(``lib/case_updates.py``), and the caller hears it at the end of their next
turn, after the answer to what they said.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lib import case_updates

logger = logging.getLogger(__name__)

NO_ANSWER = "utter_no_answer"
NO_ANSWER_PAUSED = "utter_no_answer_paused"
#: What the assistant can do, as buttons (domain/signpost.yml).
HELP = "utter_help"
GUARD = "AlwaysAnswer"
_LISTEN = "action_listen"

_original_loop = MessageProcessor._run_prediction_loop


def needs_answer(tracker: DialogueStateTracker) -> bool:
    """Whether the latest user message has had no bot message since it arrived."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return False
        if isinstance(event, UserUttered):
            return True
    return False


def answer_for(tracker: DialogueStateTracker) -> tuple[str, ...]:
    """The responses that answer a turn the dialogue left silent."""
    return (NO_ANSWER_PAUSED,) if tracker.is_paused() else (NO_ANSWER, HELP)


def case_update_for(tracker: DialogueStateTracker) -> tuple[str, ...]:
    """The case update the resident has still to hear, if any."""
    if not tracker.get_slot(case_updates.PENDING):
        return ()
    return (case_updates.response_for(tracker.get_slot(case_updates.NOTE)),)


async def _run_prediction_loop_with_answer(
    self: MessageProcessor, output_channel: Any, tracker: DialogueStateTracker
) -> None:
    """Rasa's prediction loop, then a response if the turn produced none, then any update."""
    from rasa.core.policies.policy import PolicyPrediction

    await _original_loop(self, output_channel, tracker)
    names = answer_for(tracker) if needs_answer(tracker) else ()
    if names:
        logger.info("no reply to the latest message: answering with %s", ", ".join(names))
    update = case_update_for(tracker)
    if not names and not update:
        return
    for action_name in (*names, *update, _LISTEN):
        action = self._get_action(action_name)
        prediction = PolicyPrediction.for_action_name(self.domain, action_name, GUARD)
        await self._run_action(action, tracker, output_channel, self.nlg, prediction)
    if update:
        tracker.update(SlotSet(case_updates.PENDING, False))


def install() -> None:
    """Make every Rasa prediction loop end with an answer."""
    MessageProcessor._run_prediction_loop = _run_prediction_loop_with_answer  # type: ignore[method-assign]
