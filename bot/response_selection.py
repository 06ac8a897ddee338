"""The response selector chooses an FAQ answer only for a question it can answer.

Rasa's ResponseSelector runs its network on every message, to pick an answer among the
retrieval intents' responses (``council_tax/...``, ``universal_credit/...``). Its choice
is read only when the message's intent is one of those retrieval intents (Rasa's
``utter_<intent>`` action and ``actions/repair.faq_response``). For every other message
(a report, a postcode, "yes", a greeting) the work was thrown away: about 7% of Rasa's
CPU per message (profiled on a whole turn).

``install`` lets the selector skip a message whose intent, already set by the intent
classifier before it in the pipeline, is not one of its retrieval intents. The
components after it change an intent only to a status check, urgent help or the NLU
fallback, none of them a retrieval intent.
"""

from __future__ import annotations

from functools import wraps

from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

_original_process = ResponseSelector.process


def answered_intents(selector: ResponseSelector) -> set[str]:
    """The retrieval intents whose answers this selector chooses among."""
    if selector.retrieval_intent:
        return {selector.retrieval_intent}
    return set(selector.all_retrieval_intents)


def needs_an_answer(selector: ResponseSelector, message: Message) -> bool:
    """True when the message's intent is one the selector answers.

    Also true when the intent is not known yet, or the selector does not say which
    intents it answers (then it answers as Rasa's own would).
    """
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    answered = answered_intents(selector)
    return intent is None or not answered or intent in answered


@wraps(_original_process)  # Rasa's graph validation reads the signature and type hints
def process(self, messages):  # type: ignore[no-untyped-def]
    """Rasa's ``ResponseSelector.process`` for the messages that need an answer."""
    chosen = [message for message in messages if needs_an_answer(self, message)]
    if chosen:
        _original_process(self, chosen)
    return messages


def install() -> None:
    """Let the response selector skip messages it would not be asked about."""
    ResponseSelector.process = process  # type: ignore[method-assign]
