"""Which replies are information answers, the ones followed by "Did that answer your question?".

The one definition for every channel (issue #18): the web chat (the REST channel marks
its reply, ``bot/channels/rest.py``) and the phone line (``bot/channels/twilio_voice.py``)
both ask after these replies only.
Which responses they are is the assistant's own data: the ``self_served`` responses of
``kb/insight/outcomes.yml``, the same rule that counts a conversation as answered.
"""

from __future__ import annotations

from collections import deque
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

from lib.yaml_files import load_yaml


@lru_cache(maxsize=4)
def information_responses(kb_dir: Path) -> tuple[str, ...]:
    """The response name patterns that are information answers (``self_served``)."""
    data = load_yaml((kb_dir / "insight" / "outcomes.yml").read_text(encoding="utf-8"))
    patterns = ((data.get("outcomes") or {}).get("self_served") or {}).get("responses") or []
    return tuple(str(pattern) for pattern in patterns)


def answered_last(events: Any, patterns: tuple[str, ...]) -> bool:
    """Tell whether a response since the resident's last message is an information answer.

    Args:
        events: the tracker's events, oldest first: Rasa's dictionaries, or Rasa's event
            objects (turned into dictionaries with their ``as_dict``, back to the
            resident's last message only).
        patterns: from :func:`information_responses`.
    """
    if not isinstance(events, (list, tuple, deque)):
        return False
    for event in reversed(events):
        if not isinstance(event, dict):
            as_dict = getattr(event, "as_dict", None)
            event = as_dict() if callable(as_dict) else None
        if not isinstance(event, dict) or event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if isinstance(name, str) and any(fnmatchcase(name, p) for p in patterns):
                return True
    return False
