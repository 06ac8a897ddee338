"""Whether the assistant's latest reply was an information answer (issue #18).

The web chat asks "Did that answer your question?" under an information answer only, as
defined once for every channel in ``lib/information_answers.py``. The reply itself does
not say which response it was, so this module reads the conversation's tracker through
Rasa's HTTP API (as the relay does for case updates) and looks at the responses given
since the resident's last message. No Rasa training input changes.
"""

from __future__ import annotations

import logging

import httpx

from lib.information_answers import answered_last, information_responses
from web.chat_relay import SENDER_PREFIX, _assistant_http, _tracker_request
from web.core.config import Settings

logger = logging.getLogger(__name__)


async def should_ask(settings: Settings, conversation_id: str) -> bool:
    """Whether the page should ask "Did that answer your question?" now.

    Never fails the chat: an assistant that cannot be asked means "don't ask".
    """
    if not settings.assistant_rasa_url:
        return False
    url, headers = _tracker_request(settings, SENDER_PREFIX + conversation_id)
    try:
        response = (
            await _assistant_http(settings.web_chat_timeout_seconds)
            .get()
            .get(url, headers=headers, params={"include_events": "AFTER_RESTART"})
        )
        events = (response.json() or {}).get("events") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError) as error:
        logger.info("web chat: not asking for feedback: %s", type(error).__name__)
        return False
    return answered_last(events, information_responses(settings.kb_dir))
