"""Whether the assistant's latest reply was an information answer (issue #18).

The web chat asks "Did that answer your question?" under an information answer only. Which
responses are information answers is the assistant's own data: the ``self_served``
responses of ``kb/insight/outcomes.yml``, the same rule that counts a conversation as
answered. The reply itself does not say which response it was, so this module reads the
conversation's tracker through Rasa's HTTP API (as the relay does for case updates) and
looks at the responses given since the resident's last message. No Rasa training input
changes.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml

from web.chat_relay import SENDER_PREFIX, _assistant_http, _tracker_request
from web.core.config import Settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def information_responses(kb_dir: Path) -> tuple[str, ...]:
    """The response name patterns that are information answers (``self_served``)."""
    data = yaml.safe_load((kb_dir / "insight" / "outcomes.yml").read_text(encoding="utf-8"))
    patterns = ((data.get("outcomes") or {}).get("self_served") or {}).get("responses") or []
    return tuple(str(pattern) for pattern in patterns)


def answered_last(events: Any, patterns: tuple[str, ...]) -> bool:
    """Tell whether a response since the resident's last message is an information answer.

    Args:
        events: the tracker's events, oldest first.
        patterns: from :func:`information_responses`.
    """
    if not isinstance(events, list):
        return False
    for event in reversed(events):
        if not isinstance(event, dict) or event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if isinstance(name, str) and any(fnmatchcase(name, p) for p in patterns):
                return True
    return False


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
