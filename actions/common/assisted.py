"""Whether a conversation is a library assisted session (issue #6)."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import slots


def is_assisted(tracker: Tracker) -> bool:
    """Whether library staff are helping in this conversation (issue #6).

    Only the REST channel sets ``assisted``, and only for a ``library`` session whose
    token the staff console signed, so a resident cannot mark their own conversation.
    """
    metadata = tracker.get_slot(slots.SESSION_STARTED_METADATA) or {}
    return (
        isinstance(metadata, dict)
        and metadata.get("assisted") is True
        and tracker.get_slot(slots.CHANNEL) == "library"
    )
