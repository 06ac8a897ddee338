"""Staff accounts of the console: creating them and checking a login.

Passwords are hashed by ``core/security.py``; this module owns the account rules
(username form, reserved names, minimum password length) and the database rows.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.core.security import (
    burn_password_check,
    hash_password,
    verify_password,
)
from web.crud_triage import RESERVED_ACTORS
from web.models import StaffAccount
from web.roles import StaffRole

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 100


class StaffAccountError(ValueError):
    """An account that cannot be created as asked; the message says why."""


def normalise_username(username: str) -> str:
    """Return the username as stored: trimmed and in lower case."""
    return username.strip().lower()


def create_staff(
    session: Session,
    *,
    username: str,
    password: str,
    role: StaffRole | str,
    display_name: str | None = None,
    now: datetime | None = None,
) -> StaffAccount:
    """Create an active staff account.

    Args:
        session: the database session.
        username: 2 to 64 of a-z, 0-9, dot, hyphen, underscore (stored in lower case).
        password: at least 12 characters.
        display_name: the name shown on the console (defaults to the username).
        role: library, caseworker, manager or admin. There is no default: every account
            is given the least it needs on purpose, never admin by omission.
        now: the creation time.

    Returns:
        The stored account.

    Raises:
        StaffAccountError: the username is malformed, reserved or taken, or the password
            or display name does not meet the rules.
    """
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise StaffAccountError(
            "username must be 2 to 64 characters: letters, digits, dot, hyphen or underscore"
        )
    if username in RESERVED_ACTORS:
        raise StaffAccountError(f"username {username} is reserved")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffAccountError(f"password must be at most {MAX_PASSWORD_LENGTH} characters")
    display_name = " ".join((display_name or username).split())
    if not display_name or len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise StaffAccountError(f"display name must be 1 to {MAX_DISPLAY_NAME_LENGTH} characters")
    try:
        role = StaffRole(role)
    except ValueError:
        roles = ", ".join(choice.value for choice in StaffRole)
        raise StaffAccountError(f"role must be one of {roles}") from None
    begin_write(session)
    account = StaffAccount(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name,
        created_at=now or datetime.now(timezone.utc),
        active=True,
        role=role.value,
    )
    session.add(account)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise StaffAccountError(f"username {username} is already taken") from None
    logger.info("Staff account %s created with role %s", username, role.value)
    return account


def get_active_staff(session: Session, *, username: str) -> StaffAccount | None:
    """Return the active account with this username.

    Args:
        session: the database session.
        username: as typed (case-insensitive).

    Returns:
        The account, or None when there is none or it is switched off.
    """
    statement = sa.select(StaffAccount).where(
        StaffAccount.username == normalise_username(username), StaffAccount.active.is_(True)
    )
    return session.execute(statement).scalar_one_or_none()


def authenticate_staff(session: Session, *, username: str, password: str) -> StaffAccount | None:
    """Check a login.

    An unknown or inactive username takes as long as a wrong password, so the form does
    not reveal which accounts exist.

    Args:
        session: the database session.
        username: as typed.
        password: as typed.

    Returns:
        The account when the username and password match an active account, else None.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    account = get_active_staff(session, username=username)
    if account is None:
        burn_password_check(password)
        return None
    if not verify_password(password, account.password_hash):
        logger.warning("Failed staff login for %s", account.username)
        return None
    return account
