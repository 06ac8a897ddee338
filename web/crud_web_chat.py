"""Binds each resident web chat conversation to the browser that started it (issue #15).

The browser is known by a random token in an HttpOnly cookie the council services set
(``web_chat.py``); the page's script can neither read nor send it elsewhere. The first
message of a conversation binds its id to that browser. From then on only that browser
may use the id: another browser holding the id alone is refused, so it gets nothing of
the first resident's conversation. A conversation ends when the resident presses "Finish
and clear" or after ``WEB_CHAT_IDLE_MINUTES`` without a message; an ended id is never
used again. The token is stored only as its SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.session_models import WebChatConversationRow


class NotThisBrowsers(Exception):
    """The conversation id belongs to another browser: nothing is passed on."""


class ConversationEnded(Exception):
    """The conversation was finished or went idle: the page must start a new one."""


def new_browser_token() -> str:
    """A fresh random browser token for the chat cookie."""
    return secrets.token_urlsafe(24)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _same(stored_hash: str, token: str) -> bool:
    return hmac.compare_digest(stored_hash.encode("ascii"), _digest(token).encode("ascii"))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def use_conversation(
    db: Session,
    *,
    conversation_id: str,
    browser_token: str,
    idle: timedelta,
    now: datetime | None = None,
) -> None:
    """Check that this browser may send a message in the conversation, then commit.

    A new conversation id is bound to the browser here.

    Args:
        db: the database session (committed here).
        conversation_id: the id the page sent.
        browser_token: the token of the browser's chat cookie.
        idle: how long a conversation may go without a message before it ends.
        now: the current time (for tests).

    Raises:
        NotThisBrowsers: the id was bound to another browser.
        ConversationEnded: the conversation was finished or went idle.
    """
    now = now or _now()
    begin_write(db)
    row = db.get(WebChatConversationRow, conversation_id)
    if row is None:
        db.add(
            WebChatConversationRow(
                conversation_id=conversation_id,
                browser_hash=_digest(browser_token),
                created_at=now,
                last_seen_at=now,
            )
        )
        try:
            db.commit()
        except IntegrityError:  # another request bound the id meanwhile: check that one
            db.rollback()
            return use_conversation(
                db, conversation_id=conversation_id, browser_token=browser_token, idle=idle, now=now
            )
        return
    if not _same(row.browser_hash, browser_token):
        raise NotThisBrowsers
    if row.ended_at is not None or row.last_seen_at + idle <= now:
        if row.ended_at is None:
            row.ended_at = now
            db.commit()
        raise ConversationEnded
    row.last_seen_at = now
    db.commit()


def finish_conversation(
    db: Session, *, conversation_id: str, browser_token: str, now: datetime | None = None
) -> bool:
    """End this browser's conversation for good, then commit.

    Args:
        db: the database session (committed here).
        conversation_id: the id the page sent.
        browser_token: the token of the browser's chat cookie.
        now: the current time (for tests).

    Returns:
        True when the conversation was this browser's and is now ended; False when it was
        unknown or another browser's (nothing is changed).
    """
    begin_write(db)
    row = db.get(WebChatConversationRow, conversation_id)
    if row is None or not _same(row.browser_hash, browser_token):
        return False
    if row.ended_at is None:
        row.ended_at = now or _now()
        db.commit()
    return True


def owns_conversation(db: Session, *, conversation_id: str, browser_token: str) -> bool:
    """Whether the conversation is bound to this browser (read only: nothing is changed)."""
    if not browser_token:
        return False
    row = db.get(WebChatConversationRow, conversation_id)
    return row is not None and _same(row.browser_hash, browser_token)
