"""Staff write to the resident from the triage record (issue #18): web chat and text message.

A message goes into the resident's web chat when the record came from it (appended to the
conversation through the assistant's HTTP API, ``assistant_link.py``: the page fetches it
as it fetches case updates), and as a text message through the SMS gateway (the outbox)
when staff ask for it, which needs the resident's consent and a UK mobile number in the
record. Whatever reached the resident is stored in the transcript, with the sender's
display name, and in the audit log (``crud_triage.add_staff_message``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from web import assistant_link, crud_triage
from web.core.config import Settings
from web.models import TriageRecord

logger = logging.getLogger(__name__)

#: The channels whose resident can read a message in their conversation at once.
WEB_CHAT_CHANNELS = frozenset({"web"})

NO_SMS = (
    "A text message needs the resident's consent and a UK mobile number in the record's "
    "contact details."
)
NO_WAY = (
    "This resident did not use the web chat. Send a text message instead, if they gave "
    "a mobile number."
)
UNDELIVERED = (
    "The web chat could not be reached, so the message was not sent. Try again, or send "
    "a text message."
)


class MessageRefused(ValueError):
    """The message cannot go the way asked (no consent, no web chat); nothing was sent."""


class MessageUndelivered(RuntimeError):
    """No way of reaching the resident worked; nothing was stored."""


@dataclass(frozen=True)
class SentMessage:
    """What became of a staff message."""

    line: dict[str, str]
    web_chat: bool
    sms: bool


def by_web_chat(record: TriageRecord) -> bool:
    """Whether a message can go into this record's conversation (a web chat)."""
    return record.channel in WEB_CHAT_CHANNELS


def send_staff_message(
    session: Session,
    settings: Settings,
    *,
    record: TriageRecord,
    actor: str,
    sender_name: str,
    text: str,
    sms: bool,
    now: datetime | None = None,
) -> SentMessage:
    """Send a staff member's message to the resident and store it.

    Args:
        session: the database session.
        settings: the council services' settings (the assistant's URL and token).
        record: the triage record.
        actor: the staff username (or ``api-token``), for the audit log.
        sender_name: the display name the resident sees.
        text: the message.
        sms: also send it as a text message.
        now: the time it was written.

    Returns:
        The stored transcript line and the ways it went.

    Raises:
        MessageRefused: a text message without consent and a mobile number, or no text
            message asked for on a record that did not come from the web chat.
        MessageUndelivered: the web chat was the only way, and it could not be reached.
    """
    at = now or datetime.now(timezone.utc)
    sms_to = crud_triage.sms_number(record) if sms else None
    if sms and sms_to is None:
        raise MessageRefused(NO_SMS)
    if not sms and not by_web_chat(record):
        raise MessageRefused(NO_WAY)
    web_chat = by_web_chat(record) and assistant_link.send_staff_message(
        settings,
        conversation_id=record.conversation_id,
        text=text,
        name=sender_name,
        timestamp=at.timestamp(),
    )
    if not web_chat and sms_to is None:
        logger.warning("Staff message for %s not delivered: no web chat", record.reference)
        raise MessageUndelivered(UNDELIVERED)
    line = crud_triage.add_staff_message(
        session,
        record=record,
        actor=actor,
        sender_name=sender_name,
        text=text,
        web_chat=web_chat,
        sms_to=sms_to,
        now=at,
    )
    return SentMessage(line=line, web_chat=web_chat, sms=sms_to is not None)
