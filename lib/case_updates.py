"""How a resolved hand-off reaches the resident's conversation: one source for both sides.

When staff resolve a triage record, the council services append these events to the
conversation's tracker through Rasa's HTTP API: the open case is closed (the
``triage_reference`` slot is emptied), the note staff chose to share is kept in a slot, and
the assistant says it with :data:`RESOLVED` (or :data:`RESOLVED_NO_NOTE`). On the web chat
the message is said at once and the page fetches it; a caller on the phone line hears it
on their next turn (:data:`PENDING` marks it unsaid until then).
"""

from __future__ import annotations

from typing import Any

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


def resolution_events(reference: str, note: str | None, channel: str) -> list[dict[str, Any]]:
    """The tracker events that close the open case and keep the note for the message.

    ``resume`` also lifts the pause of a conversation handed over before cases stayed live.
    """
    return [
        {"event": "resume"},
        {"event": "slot", "name": OPEN_CASE, "value": None},
        {"event": "slot", "name": RESOLVED_CASE, "value": reference},
        {"event": "slot", "name": NOTE, "value": note or None},
        {"event": "slot", "name": PENDING, "value": channel in SAID_ON_NEXT_TURN},
        *({"event": "slot", "name": name, "value": None} for name in CONTACT_SLOTS),
        {"event": "action", "name": "action_listen"},
    ]


#: Marks a message staff wrote to the resident (issue #18), appended to the conversation as
#: a ``bot`` event: the web chat fetches it like a case update, and the assistant's record
#: leaves it out of the transcript it sends (the record holds it already).
STAFF_MESSAGE = "staff_message"
#: The display name of the staff member who wrote it.
STAFF_NAME = "staff_name"


def staff_message_event(text: str, name: str, timestamp: float) -> dict[str, Any]:
    """The tracker event that puts a staff member's message into the conversation."""
    return {
        "event": "bot",
        "text": text,
        "timestamp": timestamp,
        "metadata": {STAFF_MESSAGE: True, STAFF_NAME: name},
    }
