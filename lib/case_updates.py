"""How a resolved hand-off reaches the resident's conversation: one source for both sides.

When staff resolve a triage record, the council services append these events to the
conversation's tracker through Rasa's HTTP API: the open case is closed (the
``triage_reference`` slot is emptied), the note staff chose to share is kept in a slot, and
the assistant says it with :data:`RESOLVED` (or :data:`RESOLVED_NO_NOTE`). On the web chat
the message is said at once and the page fetches it; a caller on the phone line hears it
on their next turn (:data:`PENDING` marks it unsaid until then).

The events travel as JSON to Rasa's tracker API (``POST /conversations/{id}/tracker/events``),
and a response to say to ``.../execute``; the TypedDicts below are those bodies, and
``tests/unit/lib/test_case_update_wire_format.py`` checks them against Rasa's own events
and the domain's slots.
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict


class ResumeEvent(TypedDict):
    """Lift a pause of the conversation."""

    event: Literal["resume"]


class RestartEvent(TypedDict):
    """Forget every slot: the resident finished and cleared the conversation."""

    event: Literal["restart"]


#: What a slot of this module holds: a reference or note (text), a flag, or None to empty it.
SlotValue = str | bool | None


class SlotEvent(TypedDict):
    """Set one slot of the domain (``domain/*.yml``)."""

    event: Literal["slot"]
    name: str
    value: SlotValue


class ActionEvent(TypedDict):
    """Record that an action ran (``action_listen``: wait for the resident)."""

    event: Literal["action"]
    name: str


class StaffMessageMetadata(TypedDict):
    """What marks a ``bot`` event as a staff member's message.

    Its keys are :data:`STAFF_MESSAGE` and :data:`STAFF_NAME`.
    """

    staff_message: bool
    staff_name: str


class BotEvent(TypedDict):
    """A message in the conversation: here, one a staff member wrote."""

    event: Literal["bot"]
    text: str
    timestamp: float
    metadata: StaffMessageMetadata


#: One event the council services append to a conversation's tracker.
TrackerEvent = ResumeEvent | RestartEvent | SlotEvent | ActionEvent | BotEvent


class ExecuteRequest(TypedDict):
    """The body of ``POST /conversations/{id}/execute``: say one response now."""

    name: str  # a response of the domain
    policy: str  # recorded as the policy that chose it


#: The open case of a conversation (a triage reference), empty when none is open.
OPEN_CASE = "triage_reference"
#: The reference of the case staff resolved last, for the message.
RESOLVED_CASE = "triage_resolved_reference"
#: The note staff chose to share with the resident (may be empty).
NOTE = "triage_resolution_note"
#: True while the resident has not yet been told (phone line: said on the next turn).
PENDING = "case_update_pending"
#: The contact details the resident gave for the case: forgotten when it closes, so a
#: later case asks for consent afresh (``actions/common/slots.py`` names them too).
CONTACT_SLOTS = (
    "handoff_consent", "handoff_name", "handoff_contact", "handoff_phone", "handoff_email",
    "handoff_preferred", "handoff_no_phone", "handoff_method", "handoff_address",
)  # fmt: skip
#: What a new session keeps from the last one, so that an open case (and an update not
#: yet heard) survives a session that expired between two calls.
CARRIED_OVER = (OPEN_CASE, RESOLVED_CASE, NOTE, PENDING, *CONTACT_SLOTS)

RESOLVED = "utter_case_resolved"
RESOLVED_NO_NOTE = "utter_case_resolved_no_note"
#: Every response that tells the resident about a resolved case.
RESPONSES = frozenset({RESOLVED, RESOLVED_NO_NOTE})

#: Channels where the resident only hears what is said on their own turn.
SAID_ON_NEXT_TURN = frozenset({"ivr"})


def response_for(note: str | None) -> str:
    """The response that tells the resident, with or without a note."""
    return RESOLVED if note else RESOLVED_NO_NOTE


#: The policy name the assistant's tracker records for a case update it says.
POLICY = "CaseUpdate"


def _slot(name: str, value: SlotValue) -> SlotEvent:
    return {"event": "slot", "name": name, "value": value}


#: Wait for the resident's next message, so it is predicted afresh.
LISTEN: ActionEvent = {"event": "action", "name": "action_listen"}
#: Forget the whole conversation.
RESTART: RestartEvent = {"event": "restart"}


def resolution_events(reference: str, note: str | None, channel: str) -> list[TrackerEvent]:
    """The tracker events that close the open case and keep the note for the message.

    ``resume`` also lifts the pause of a conversation handed over before cases stayed live.
    """
    return [
        {"event": "resume"},
        _slot(OPEN_CASE, None),
        _slot(RESOLVED_CASE, reference),
        _slot(NOTE, note or None),
        _slot(PENDING, channel in SAID_ON_NEXT_TURN),
        *(_slot(name, None) for name in CONTACT_SLOTS),
        LISTEN,
    ]


def say(note: str | None) -> ExecuteRequest:
    """The ``execute`` body that tells the resident, with or without a note."""
    return {"name": response_for(note), "policy": POLICY}


#: Marks a message staff wrote to the resident (issue #18), appended to the conversation as
#: a ``bot`` event: the web chat fetches it like a case update, and the assistant's record
#: leaves it out of the transcript it sends (the record holds it already).
STAFF_MESSAGE: Final = "staff_message"
#: The display name of the staff member who wrote it.
STAFF_NAME: Final = "staff_name"


def staff_message_event(text: str, name: str, timestamp: float) -> BotEvent:
    """The tracker event that puts a staff member's message into the conversation."""
    return {
        "event": "bot",
        "text": text,
        "timestamp": timestamp,
        "metadata": {STAFF_MESSAGE: True, STAFF_NAME: name},
    }
