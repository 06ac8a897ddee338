"""core/security.py: scrypt password hashes, signed session cookies and CSRF tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from web.core.security import (
    SALT_BYTES,
    csrf_token,
    csrf_token_is_valid,
    hash_password,
    issue_session,
    login_csrf_is_valid,
    login_csrf_token,
    new_login_nonce,
    read_session,
    verify_password,
)

SECRET = "unit-test-session-secret-of-some-length"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def test_a_password_verifies_against_its_hash() -> None:
    encoded = hash_password("correct horse battery staple")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in encoded
    assert verify_password("correct horse battery staple", encoded)


@pytest.mark.parametrize(
    "attempt", ["correct horse battery stapl", "Correct horse battery staple", "", " " * 28]
)
def test_a_wrong_password_does_not_verify(attempt: str) -> None:
    assert not verify_password(attempt, hash_password("correct horse battery staple"))


def test_every_hash_has_its_own_salt() -> None:
    first, second = hash_password("same password here"), hash_password("same password here")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password("same password here", first)
    assert verify_password("same password here", second)
    # 16 random bytes of salt: 22 characters of URL-safe base64 without padding.
    assert SALT_BYTES == 16 and len(first.split("$")[4]) == 22


def test_non_ascii_passwords_work() -> None:
    encoded = hash_password("cyfrinair-gwych-ŵŷ-ünïcode")
    assert verify_password("cyfrinair-gwych-ŵŷ-ünïcode", encoded)
    assert not verify_password("cyfrinair-gwych-wy-unicode", encoded)


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text", "md5$abc", "scrypt$16384$8$1$salt", "scrypt$x$8$1$c2FsdA$aGFzaA", "$$$$$"],
)
def test_a_malformed_hash_never_verifies(stored: str) -> None:
    assert not verify_password("anything at all", stored)


def test_a_session_reads_back_until_it_expires() -> None:
    cookie, issued = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    session = read_session(SECRET, cookie, now=NOW + timedelta(minutes=29))
    assert session == issued
    assert session is not None and session.username == "alice"
    assert read_session(SECRET, cookie, now=NOW + timedelta(minutes=30)) is None
    assert read_session(SECRET, cookie, now=NOW + timedelta(days=1)) is None


def test_a_session_is_refused_when_tampered_with_or_signed_with_another_key() -> None:
    cookie, _ = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    body, signature = cookie.split(".")
    forged_body, _ = issue_session(SECRET, "mallory", timedelta(minutes=30), now=NOW)
    assert read_session("another-secret", cookie, now=NOW) is None
    assert read_session(SECRET, f"{forged_body.split('.')[0]}.{signature}", now=NOW) is None
    # Change the signature's first character: it carries six whole bits, unlike the last,
    # whose low bits base64 ignores (so "...AA" could decode to the same signature).
    tampered = ("B" if signature[0] != "B" else "C") + signature[1:]
    assert read_session(SECRET, f"{body}.{tampered}", now=NOW) is None
    for broken in (None, "", "no-dot", "a.b.c", f"{body}.", f".{signature}", "é.é"):
        assert read_session(SECRET, broken, now=NOW) is None


def test_two_sessions_of_one_person_differ() -> None:
    first, a = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    second, b = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    assert first != second and a.session_id != b.session_id


def test_a_csrf_token_belongs_to_one_session() -> None:
    _, session = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    _, other = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    token = csrf_token(SECRET, session)
    assert csrf_token_is_valid(SECRET, session, token)
    assert not csrf_token_is_valid(SECRET, other, token)
    assert not csrf_token_is_valid("another-secret", session, token)
    assert not csrf_token_is_valid(SECRET, session, None)
    assert not csrf_token_is_valid(SECRET, session, "")
    assert not csrf_token_is_valid(SECRET, session, token[:-1])


def test_a_login_token_belongs_to_one_sign_in_cookie() -> None:
    nonce, other = new_login_nonce(), new_login_nonce()
    token = login_csrf_token(SECRET, nonce)
    assert nonce != other
    assert login_csrf_is_valid(SECRET, nonce, token)
    assert not login_csrf_is_valid(SECRET, other, token)
    assert not login_csrf_is_valid("another-secret", nonce, token)
    for missing in (None, ""):
        assert not login_csrf_is_valid(SECRET, missing, token)
        assert not login_csrf_is_valid(SECRET, nonce, missing)
    # A session's CSRF token is no sign-in token, and the reverse.
    _, session = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    assert not login_csrf_is_valid(SECRET, session.session_id, csrf_token(SECRET, session))
