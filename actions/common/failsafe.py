"""Every action ends in a kind reply and a kept record, whatever goes wrong inside it.

An exception escaping an action used to make rasa-sdk answer 500 (echoing the tracker
into Rasa's log): the resident got no reply, and a report or hand-off being sent was lost.
Every action class now lists :class:`FailSafe` first among its bases, which wraps its
``run`` (a form validation action's too) so that an unexpected exception:

* is logged once, with the action's name (the log filter redacts it);
* keeps what was in flight: a submission the action registered with :func:`track` and
  had not yet sent or held goes into the outbox, cleaned of anything that would stop its
  delivery; an action that submits for the resident (``keep_as``) but failed before it
  had anything to send keeps a triage record of the conversation instead, so staff see it;
* answers the resident with a next step: the council's number or a person, and the
  reference of what was kept;
* ends any active form and listens, so no "form done" rule submits half an answer.

The integrations' own errors (a service down or refusing) are still handled by each
action where they happen, with their own replies; this is for everything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import wraps
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, responses, slots
from actions.common.assisted import is_assisted
from actions.common.triage import journey_intent, transcript
from bot.councils import CouncilProfile
from bot.text import clean_json
from integrations.outbox.kinds import TRIAGE_RECORD
from integrations.triage import TriageRecord, new_reference
from lib.log_format import bind_conversation, release_conversation
from lib.references import spell_out

logger = logging.getLogger(__name__)

_CHANNELS = {"web", "ivr", "library", "api"}
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_GUARDED = "_failsafe_guarded"

Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[list[EventType]]]


@dataclass
class Submission:
    """Something an action is sending to the council: kept by the failsafe until settled."""

    kind: str
    payload: dict[str, Any]
    #: The outbox key (a triage record's ``FD-`` reference), or None for a new ``HR-`` one.
    reference: str | None = None
    #: The reference the resident was or will be given, once sent or held.
    given: str | None = None
    settled: bool = False

    def settle(self, reference: str | None) -> None:
        """It was sent or held: nothing to keep if the action fails later."""
        self.settled = True
        self.given = reference or self.given


_in_flight: ContextVar[list[Submission] | None] = ContextVar("in_flight", default=None)


def track(kind: str, payload: dict[str, Any], reference: str | None = None) -> Submission:
    """Register a submission about to leave, before the first step that could fail.

    Args:
        kind: the outbox kind that delivers it (``workers/outbox.py``).
        payload: what would be held in the outbox.
        reference: its outbox key when the resident already has one (``FD-``).

    Returns:
        The submission; call :meth:`Submission.settle` once it is sent or held.
    """
    submission = Submission(kind, payload, reference, given=reference)
    flights = _in_flight.get()
    if flights is not None:
        flights.append(submission)
    return submission


class FailSafe:
    """List first among an action's bases: failures end in a reply and a kept record.

    A mixin, not an ``Action``: rasa-sdk registers every ``Action`` subclass by name.
    """

    #: What the resident hears when nothing was kept.
    failure_response: ClassVar[str] = responses.ACTION_FAILED
    #: What the resident hears when something was kept (with its reference).
    failure_kept_response: ClassVar[str] = responses.ACTION_FAILED_KEPT
    #: For actions that submit for the resident: the triage category of the record kept
    #: when the action fails before it had anything to send. None: keep nothing.
    keep_as: ClassVar[str | None] = None
    keep_priority: ClassVar[int] = 3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = getattr(cls, "run", None)
        if run is not None and not getattr(run, _GUARDED, False):
            cls.run = _guarded(run)  # type: ignore[method-assign]

    def name(self) -> str:  # pragma: no cover - every action defines its own
        """Registered name (each action's own)."""
        raise NotImplementedError

    def failed(
        self, error: Exception, dispatcher: CollectingDispatcher, tracker: Tracker,
        flights: list[Submission],
    ) -> list[EventType]:  # fmt: skip
        """Log, keep what was in flight, and answer with a next step."""
        action = self.name()
        logger.error("action %s failed: %s", action, type(error).__name__, exc_info=error)
        reference = self._keep(action, error, tracker, flights)
        council = council_values(tracker)
        if reference:
            dispatcher.utter_message(
                response=self.failure_kept_response,
                triage_reference=reference,
                triage_reference_spoken=spell_out(reference),
                **council,
            )
        else:
            dispatcher.utter_message(response=self.failure_response, **council)
        # End any form (so no "form done" rule submits half an answer) and listen.
        return [
            ActiveLoop(None),
            SlotSet(slots.REQUESTED_SLOT, None),
            FollowupAction("action_listen"),
        ]

    def _keep(
        self, action: str, error: Exception, tracker: Tracker, flights: list[Submission]
    ) -> str | None:
        """Hold what was in flight (or a record of the conversation); its reference."""
        reference = None
        for flight in flights:
            if flight.settled:
                reference = flight.given or reference
                continue
            held = _hold(flight.kind, flight.payload, flight.reference)
            reference = held or reference
        if reference is None and self.keep_as is not None:
            record = _conversation_record(self, action, error, tracker)
            reference = _hold(TRIAGE_RECORD, record, record["reference"])
        return reference


def _guarded(run: Run) -> Run:
    @wraps(run)
    async def guarded(
        self: FailSafe, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flights: list[Submission] = []
        token = _in_flight.set(flights)
        tagged = bind_conversation(tracker.sender_id)
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - the one place any failure becomes a reply
            return self.failed(error, dispatcher, tracker, flights)
        finally:
            release_conversation(tagged)
            _in_flight.reset(token)

    setattr(guarded, _GUARDED, True)
    return guarded


def _hold(kind: str, payload: dict[str, Any], reference: str | None) -> str | None:
    """Keep an item in the outbox, cleaned so its delivery cannot fail on its text."""
    try:
        return deps.outbox().hold(kind, clean_json(payload), reference=reference)
    except Exception as error:  # noqa: BLE001 - already failing: log it, never raise again
        logger.error("could not keep a %s in the outbox: %s", kind, type(error).__name__)
        return None


def _conversation_record(
    action_class: FailSafe, action: str, error: Exception, tracker: Tracker
) -> TriageRecord:
    """A triage record of this conversation, from what can be read safely."""
    channel = tracker.get_slot(slots.CHANNEL)
    language = tracker.get_slot(slots.LANGUAGE)
    language = language if isinstance(language, str) and _LANGUAGE.match(language) else "en"
    events = _safely(lambda: [e for e in tracker.events if isinstance(e, dict)], [])
    try:
        template = deps.triage_rules().summaries["action_failed"]
        summary = template.format(action=action)
    except Exception:  # noqa: BLE001 - the rules file itself may be what failed
        summary = action
    urgent = action_class.keep_priority == 1
    return {
        "reference": new_reference(),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "conversation_id": tracker.sender_id,
        "channel": channel if channel in _CHANNELS else "api",
        "language": language,
        "category": action_class.keep_as,
        "priority": action_class.keep_priority,
        "vulnerability": ["asked for urgent help"] if urgent else [],
        "summary": summary,
        "transcript": _safely(lambda: transcript(events), []),
        "contact": None,
        "journey": _safely(lambda: journey_intent(events), None),
        "last_failure": f"{action} failed ({type(error).__name__})",
        "interpreter": language != "en",
        "assisted": _safely(lambda: is_assisted(tracker), False),
    }


def _safely(read: Callable[[], Any], default: Any) -> Any:
    try:
        return read()
    except Exception:  # noqa: BLE001 - a forged or broken tracker must not stop the keeping
        return default


#: The slots that hold the council's own examples (``example_slots``).
EXAMPLE_SLOTS = (
    slots.EXAMPLE_POSTCODE, slots.EXAMPLE_PLACE, slots.EXAMPLE_LIBRARY, slots.EXAMPLE_ADDRESS,
)  # fmt: skip


def example_slots(council: CouncilProfile) -> dict[str, str]:
    """The council's own examples of a postcode, place, library and address, by slot."""
    examples = council.examples
    return {
        slots.EXAMPLE_POSTCODE: examples.postcode,
        slots.EXAMPLE_PLACE: examples.place,
        slots.EXAMPLE_LIBRARY: examples.library,
        slots.EXAMPLE_ADDRESS: examples.address,
    }


def council_values(tracker: Tracker) -> dict[str, str]:
    """The council's name, numbers and hours for the reply (the profile, else the slots)."""
    values = {
        name: str(tracker.get_slot(name) or "")
        for name in (
            slots.COUNCIL_NAME, slots.COUNCIL_PHONE, slots.COUNCIL_PHONE_SPOKEN,
            slots.COUNCIL_HOURS,
        )
    }  # fmt: skip
    values["emergency_housing_phone"] = values[slots.COUNCIL_PHONE]
    values.update({name: str(tracker.get_slot(name) or "") for name in EXAMPLE_SLOTS})
    try:
        council = deps.profile()
    except Exception:  # noqa: BLE001 - the slots set at session start are enough
        return values
    values.update(example_slots(council))
    values.update({
        slots.COUNCIL_NAME: council.name,
        slots.COUNCIL_PHONE: council.phone,
        slots.COUNCIL_PHONE_SPOKEN: council.phone_spoken,
        slots.COUNCIL_HOURS: council.hours,
        "emergency_housing_phone": council.emergency_phone,
    })  # fmt: skip
    return values
