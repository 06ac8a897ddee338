"""Tells the assistant about a conversation: resume it after a hand-off, or end it.

The assistant pauses a conversation when it hands it to a person (Rasa's
``ConversationPaused``). When staff resolve the record, this module appends Rasa's
``resume`` event through the assistant's HTTP API, with the API token in a bearer header
(a URL would carry it into access logs). When a resident presses "Finish and clear", it
appends ``restart``, which forgets every slot (a council tax verification included). The
stand-in talks to the assistant only over HTTP; a failure is logged and never blocks
anyone.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from integrations.council_services.core.config import Settings

logger = logging.getLogger(__name__)


def resume_conversation(settings: Settings, conversation_id: str) -> bool:
    """Append ``resume`` to the conversation's tracker; True when the assistant took it."""
    # Listening again after the resume, so the next message is answered afresh.
    events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    return _append_events(settings, conversation_id, events, "resume")


def end_conversation(settings: Settings, conversation_id: str) -> bool:
    """Append ``restart`` to the conversation's tracker; True when the assistant took it."""
    return _append_events(settings, conversation_id, [{"event": "restart"}], "end")


def _append_events(
    settings: Settings, conversation_id: str, events: list[dict[str, str]], what: str
) -> bool:
    if not settings.assistant_rasa_url:
        return False
    url = (
        f"{settings.assistant_rasa_url.rstrip('/')}/conversations/"
        f"{quote(conversation_id, safe='')}/tracker/events"
    )
    try:
        response = httpx.post(
            url,
            headers={"Authorization": f"Bearer {settings.assistant_api_token.get_secret_value()}"},
            json=events,
            timeout=httpx.Timeout(5.0, connect=2.0),
        )
    except httpx.HTTPError as error:
        logger.warning("could not %s the conversation: %s", what, type(error).__name__)
        return False
    if response.status_code >= 400:
        logger.warning(
            "the assistant refused to %s the conversation: %s", what, response.status_code
        )
        return False
    return True
