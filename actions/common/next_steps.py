"""What happens next, after a case's reference: the council's step, then how to follow it up.

The steps and their timescales are data (``kb/next_steps.yml`` and the council's own, see
:mod:`bot.content.next_steps`). The council tax and broadband cases go to the CRM without contact
details, so the assistant never promises a call or an e-mail for them, even when the resident
gave a number elsewhere in the conversation: the council writes to an address it holds
(``heard_by: post``), or the resident rings and quotes the reference (``heard_by: call``).
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, responses
from bot.content.next_steps import POST
from lib.references import spell_out

#: The follow-up line for each way the resident hears.
FOLLOW_UP = {POST: responses.CASE_FOLLOW_UP_POST}
FOLLOW_UP_DEFAULT = responses.CASE_FOLLOW_UP_CALL


def say_next_steps(dispatcher: CollectingDispatcher, step_name: str, reference: str) -> None:
    """Say what the council does next and when, then how the resident hears or follows it up.

    Args:
        dispatcher: where the replies go.
        step_name: a step of ``kb/next_steps.yml`` (``council_tax_moving_home``).
        reference: the case's reference, quoted in the follow-up line.

    Raises:
        KeyError: when the knowledge base has no such step (a wiring fault, kept by the
            failsafe rather than hidden).
    """
    step = deps.next_steps()[step_name]
    dispatcher.utter_message(
        response=responses.CASE_NEXT_STEP,
        next_step=step.said(),
        next_step_spoken=step.said(voice=True),
    )
    dispatcher.utter_message(
        response=FOLLOW_UP.get(step.heard_by, FOLLOW_UP_DEFAULT),
        case_reference=reference,
        case_reference_spoken=spell_out(reference),
    )
