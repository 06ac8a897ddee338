"""Library assisted sessions (issue #6): the signed mark that a conversation is assisted.

A signed-in library staff member starts an assisted session on the staff console, which
issues a token for that conversation id (``issue_token``). The page sends it with each
message; the assistant's REST channel checks it (``token_is_valid``) before it lets the
``assisted`` mark into the conversation. A resident cannot forge it: the key
(``LIBRARY_ASSIST_SECRET``) is shared only by the council services and the assistant.
"""

from __future__ import annotations

import hashlib
import hmac
import time

#: How long an assisted session may last before staff start a new one.
DEFAULT_TTL_S = 4 * 60 * 60
MAX_TOKEN_CHARS = 128


def _mac(secret: str, conversation_id: str, expires: int) -> str:
    message = f"assisted|{conversation_id}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def issue_token(
    secret: str, conversation_id: str, ttl_s: int = DEFAULT_TTL_S, now: float | None = None
) -> str:
    """A token that marks ``conversation_id`` as assisted until it expires.

    Args:
        secret: ``LIBRARY_ASSIST_SECRET``.
        conversation_id: the assistant's sender id of the session.
        ttl_s: lifetime in seconds.
        now: the current time (for tests).

    Returns:
        ``<expiry>.<hex HMAC>``.
    """
    expires = int((time.time() if now is None else now) + ttl_s)
    return f"{expires}.{_mac(secret, conversation_id, expires)}"


def token_is_valid(
    secret: str, conversation_id: str, token: object, now: float | None = None
) -> bool:
    """Whether ``token`` was issued for this conversation with this key and has not expired."""
    if not secret or not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        return False
    if not token.isascii():  # a real token is ASCII; compare_digest refuses anything else
        return False
    expires_text, _, mac = token.partition(".")
    if not expires_text.isdigit() or not mac:
        return False
    expires = int(expires_text)
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(mac, _mac(secret, conversation_id, expires))
