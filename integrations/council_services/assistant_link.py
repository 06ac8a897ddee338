"""Tells the assistant that staff have resolved a hand-off, so the conversation resumes.

The assistant pauses a conversation when it hands it to a person (Rasa's
``ConversationPaused``). When staff resolve the record, this module appends Rasa's
``resume`` event through the assistant's HTTP API, with the API token in a bearer header
(a URL would carry it into access logs). The stand-in talks to the assistant only over
HTTP; a failure is logged and never blocks the staff member.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from integrations.council_services.core.config import Settings

logger = logging.getLogger(__name__)


def resume_conversation(settings: Settings, conversation_id: str) -> bool:
    """Append ``resume`` to the conversation's tracker; True when the assistant took it."""
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
            # Listening again after the resume, so the next message is answered afresh.
            json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            timeout=httpx.Timeout(5.0, connect=2.0),
        )
    except httpx.HTTPError as error:
        logger.warning("could not resume the conversation: %s", type(error).__name__)
        return False
    if response.status_code >= 400:
        logger.warning("the assistant refused to resume the conversation: %s", response.status_code)
        return False
    return True
