"""Staff passwords, console session cookies and CSRF tokens.

This module owns every secret-handling rule of the staff console:

* passwords are hashed with ``hashlib.scrypt`` and a random salt per account, stored as
  ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64), and checked in constant time;
* a session is a cookie ``<payload>.<signature>``: the payload (username, expiry, a random
  session id) in URL-safe base64 JSON, signed with HMAC-SHA256 under ``STAFF_SESSION_SECRET``;
* the CSRF token of a form is an HMAC of the session id, so it is tied to one session and
  needs no storage;
* the sign-in form, before any session exists, gets a random nonce in its own HttpOnly
  cookie and carries the HMAC of that nonce: a page elsewhere can neither read the nonce
  nor make the token, so it cannot sign a browser in to an account of its choosing.

Whether a session is still live (not signed out) is kept in the database
(``crud_staff_sessions.py``); this module only signs and checks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

# scrypt cost: 16 MiB of memory and about 50 ms per hash; the OWASP minimum for scrypt.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
_SCRYPT_MAXMEM = 64 * 1024 * 1024
_SCHEME = "scrypt"

SESSION_COOKIE = "fd_staff_session"
LOGIN_COOKIE = "fd_staff_login"
_CSRF_PURPOSE = b"front-door staff console csrf\x00"
_LOGIN_PURPOSE = b"front-door staff console login csrf\x00"
_SESSION_PURPOSE = b"front-door staff console session\x00"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_SCRYPT_MAXMEM
    )


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a fresh random salt.

    Args:
        password: the plain password.

    Returns:
        The encoded hash, safe to store: ``scrypt$16384$8$1$<salt>$<hash>``.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return "$".join(
        (_SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64encode(salt), _b64encode(digest))
    )


def verify_password(password: str, encoded: str) -> bool:
    """Check a password against a stored hash, in constant time.

    Args:
        password: the password typed at login.
        encoded: the stored hash from ``hash_password``.

    Returns:
        True when the password matches; False for a wrong password or a malformed hash.
    """
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != _SCHEME:
            return False
        expected = _b64decode(digest)
        actual = _scrypt(password, _b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """Spend the time of a password check against a throwaway hash.

    Used when the username is unknown, so a wrong username costs as long as a wrong
    password and the login form does not tell which usernames exist.

    Args:
        password: the password typed at login.
    """
    verify_password(password, _dummy_hash())


@dataclass(frozen=True)
class StaffSession:
    """A signed-in staff member, as the session cookie says."""

    username: str
    session_id: str
    expires_at: datetime


def _sign(secret: str, message: bytes, purpose: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), purpose + message, hashlib.sha256)
    return _b64encode(mac.digest())


def issue_session(
    secret: str, username: str, lifetime: timedelta, now: datetime | None = None
) -> tuple[str, StaffSession]:
    """Make the cookie value of a new session.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        username: who signed in.
        lifetime: how long the session lasts.
        now: the current time (for tests).

    Returns:
        The cookie value and the session it stands for.
    """
    now = now or datetime.now(timezone.utc)
    session = StaffSession(
        username=username,
        session_id=secrets.token_urlsafe(18),
        expires_at=(now + lifetime).replace(microsecond=0),
    )
    payload = json.dumps(
        {"u": username, "s": session.session_id, "e": int(session.expires_at.timestamp())},
        separators=(",", ":"),
    ).encode("utf-8")
    body = _b64encode(payload)
    return f"{body}.{_sign(secret, body.encode('ascii'), _SESSION_PURPOSE)}", session


def read_session(
    secret: str, cookie: str | None, now: datetime | None = None
) -> StaffSession | None:
    """Check a session cookie's signature and expiry.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        cookie: the cookie value, if the browser sent one.
        now: the current time (for tests).

    Returns:
        The session, or None when the cookie is missing, tampered with or expired.
    """
    if not cookie or cookie.count(".") != 1:
        return None
    body, signature = cookie.split(".")
    expected = _sign(secret, body.encode("ascii", "replace"), _SESSION_PURPOSE)
    if not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    try:
        payload = json.loads(_b64decode(body))
        session = StaffSession(
            username=str(payload["u"]),
            session_id=str(payload["s"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), timezone.utc),
        )
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None
    if session.expires_at <= (now or datetime.now(timezone.utc)):
        return None
    return session


def csrf_token(secret: str, session: StaffSession) -> str:
    """Return the CSRF token the session's forms carry.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        session: the signed-in session.

    Returns:
        A token valid for this session only.
    """
    return _sign(secret, session.session_id.encode("utf-8"), _CSRF_PURPOSE)


def csrf_token_is_valid(secret: str, session: StaffSession, token: str | None) -> bool:
    """Check a submitted CSRF token in constant time.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        session: the signed-in session.
        token: the ``csrf_token`` form field.

    Returns:
        True when the token belongs to this session.
    """
    if not token:
        return False
    expected = csrf_token(secret, session)
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))


def new_login_nonce() -> str:
    """A fresh random value for the sign-in form's cookie."""
    return secrets.token_urlsafe(18)


def login_csrf_token(secret: str, nonce: str) -> str:
    """Return the token the sign-in form carries for the nonce in its cookie.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        nonce: the value of the sign-in cookie.
    """
    return _sign(secret, nonce.encode("utf-8"), _LOGIN_PURPOSE)


def login_csrf_is_valid(secret: str, nonce: str | None, token: str | None) -> bool:
    """Check a posted sign-in form's token against its cookie, in constant time.

    Args:
        secret: ``STAFF_SESSION_SECRET``.
        nonce: the sign-in cookie, if the browser sent one.
        token: the ``csrf_token`` form field.

    Returns:
        True when both are present and the token was made for that nonce.
    """
    if not nonce or not token or len(nonce) > 100:
        return False
    expected = login_csrf_token(secret, nonce)
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
