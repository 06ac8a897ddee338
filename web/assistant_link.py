"""Tells the resident's conversation what happened outside it: a resolved case, or the end.

When staff resolve a triage record, this module appends events to the conversation through
the assistant's HTTP API (``lib/case_updates.py`` says which): the open case
is closed and the note staff chose to share is kept. On the web chat the assistant then
says the outcome at once (``execute``), and the page fetches it; on the phone line it is
said on the caller's next turn. A message staff write to a web chat resident (issue #18)
is appended as a ``bot`` event marked as theirs, and the page fetches it the same way. When
a resident presses "Finish and clear", it appends
``restart``, which forgets every slot (a council tax verification included). The API token
goes in a bearer header (a URL would carry it into access logs). The stand-in talks to the
assistant only over HTTP; a failure is logged and never blocks anyone.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from lib import case_updates
from web.core.config import Settings

logger = logging.getLogger(__name__)

_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def _post(
    settings: Settings,
    conversation_id: str,
    path: str,
    body: list[case_updates.TrackerEvent] | case_updates.ExecuteRequest,
) -> bool:
    url = (
        f"{settings.assistant_rasa_url.rstrip('/')}/conversations/"
        f"{quote(conversation_id, safe='')}/{path}"
    )
    try:
        response = httpx.post(
            url,
            headers={"Authorization": f"Bearer {settings.assistant_api_token.get_secret_value()}"},
            json=body,
            timeout=_TIMEOUT,
        )
    except httpx.HTTPError as error:
        logger.warning("could not reach the conversation (%s): %s", path, type(error).__name__)
        return False
    if response.status_code >= 400:
        logger.warning("the assistant refused %s: %s", path, response.status_code)
        return False
    return True


def end_conversation(settings: Settings, conversation_id: str) -> bool:
    """Append ``restart`` to the conversation's tracker; True when the assistant took it."""
    if not settings.assistant_rasa_url:
        return False
    return _post(settings, conversation_id, "tracker/events", [case_updates.RESTART])


def tell_resident(
    settings: Settings, *, conversation_id: str, reference: str, channel: str, note: str | None
) -> bool:
    """Close the conversation's open case and tell the resident; True when the assistant took it.

    Args:
        settings: the council services' settings (assistant URL and API token).
        conversation_id: the record's conversation (Rasa sender id).
        reference: the resolved record's reference.
        channel: the record's channel; on the phone line the message waits for the next turn.
        note: the note staff chose to share with the resident, or None.
    """
    if not settings.assistant_rasa_url:
        return False
    events = case_updates.resolution_events(reference, note, channel)
    if not _post(settings, conversation_id, "tracker/events", events):
        return False
    if channel in case_updates.SAID_ON_NEXT_TURN:
        return True
    said = _post(settings, conversation_id, "execute", case_updates.say(note))
    # Listening again, so the resident's next message is predicted afresh.
    listening = _post(settings, conversation_id, "tracker/events", [case_updates.LISTEN])
    return said and listening


def send_staff_message(
    settings: Settings, *, conversation_id: str, text: str, name: str, timestamp: float
) -> bool:
    """Put a staff member's message into the web chat conversation; True when it is there.

    Args:
        settings: the council services' settings (assistant URL and API token).
        conversation_id: the record's conversation (Rasa sender id).
        text: the message, as the resident will read it.
        name: the staff member's display name, shown with the message.
        timestamp: when it was written (the page's cursor orders updates by it).
    """
    if not settings.assistant_rasa_url:
        return False
    event = case_updates.staff_message_event(text, name, timestamp)
    return _post(settings, conversation_id, "tracker/events", [event])
