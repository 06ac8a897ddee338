"""Slows down password guessing at the staff sign-in (issue #15).

Failed sign-ins are counted under three keys: the account from this client, the client
(across accounts) and the account (from every client). Each key allows a few failures,
then every further failure blocks that key for a delay that doubles each time, up to a
cap, so the delay is short for a slip of the fingers and long for a guessing run. Nothing
is locked for good: a block ends on its own, and the account-wide key has a short cap,
so a stranger guessing from elsewhere can hold a real user up by seconds at most, never
lock them out. While any key is blocked the sign-in is refused without the password
being checked, so a right password is refused too; a refused try does not count.

An attempt is counted before the password is checked and cleared when it succeeds, so
many guesses sent at once all count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.session_models import LoginThrottleRow

#: A key's count starts again after this long without a failure.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Rule:
    """How one kind of key is throttled."""

    prefix: str
    free_failures: int
    first_delay_s: float
    max_delay_s: float

    def delay(self, failures: int) -> timedelta | None:
        """The block after this many failures in a row (None while still free)."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return None
        seconds = min(self.first_delay_s * 2 ** min(beyond - 1, 30), self.max_delay_s)
        return timedelta(seconds=seconds)


ACCOUNT_FROM_CLIENT = Rule("pair", free_failures=3, first_delay_s=1, max_delay_s=15 * 60)
CLIENT = Rule("client", free_failures=10, first_delay_s=1, max_delay_s=15 * 60)
ACCOUNT = Rule("account", free_failures=20, first_delay_s=1, max_delay_s=30)


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in: the username as typed and the client's address."""

    username: str
    client: str

    def keys(self) -> list[tuple[str, Rule]]:
        """The throttle keys of this attempt, with their rules."""
        user = self.username.strip().lower()[:64]
        client = self.client[:100]
        return [
            (f"{ACCOUNT_FROM_CLIENT.prefix}:{user}@{client}", ACCOUNT_FROM_CLIENT),
            (f"{CLIENT.prefix}:{client}", CLIENT),
            (f"{ACCOUNT.prefix}:{user}", ACCOUNT),
        ]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def retry_after(session: Session, attempt: Attempt, now: datetime | None = None) -> int | None:
    """Seconds until this attempt may be made, or None when it may be made now.

    Args:
        session: the database session.
        attempt: the username and client.
        now: the current time (for tests).
    """
    now = now or _now()
    keys = [key for key, _ in attempt.keys()]
    rows = session.execute(
        sa.select(LoginThrottleRow.blocked_until).where(
            LoginThrottleRow.key.in_(keys), LoginThrottleRow.blocked_until > now
        )
    ).scalars()
    waits = [_seconds(until, now) for until in rows]
    return max(waits) if waits else None


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _count(session: Session, key: str, rule: Rule, now: datetime) -> int | None:
    """Count one failure under ``key``; the seconds to wait instead when it is blocked."""
    table = LoginThrottleRow.__table__
    stale = now - FORGET_AFTER
    # Only an unblocked row is counted. The update locks the row until the commit, so a
    # request sent at the same moment waits here and then sees the block this one set.
    increment = (
        table.update()
        .where(
            table.c.key == key,
            sa.or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now),
        )
        .values(
            failures=sa.case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
            last_failure_at=now,
        )
    )
    for _ in range(3):
        if session.execute(increment).rowcount:
            break
        found = session.execute(sa.select(table.c.blocked_until).where(table.c.key == key)).first()
        if found is None:
            session.execute(table.insert().values(key=key, failures=1, last_failure_at=now))
            break
        if found[0] is not None and found[0] > now:
            return _seconds(found[0], now)
        # A request that committed after this update began made the row: count on it.
    failures = session.execute(sa.select(table.c.failures).where(table.c.key == key)).scalar_one()
    delay = rule.delay(failures)
    if delay is not None:
        session.execute(table.update().where(table.c.key == key).values(blocked_until=now + delay))
    return None


def count_attempt(session: Session, attempt: Attempt, now: datetime | None = None) -> int | None:
    """Count an attempt as failed, before its password is checked, and commit.

    Args:
        session: the database session (committed here).
        attempt: the username and client.
        now: the current time (for tests).

    Returns:
        None when the password may be checked; else the seconds to wait, when another
        attempt sent at the same moment has just blocked a key (nothing is counted then).
    """
    now = now or _now()
    keys = list(attempt.keys())
    # Each retry finds one more row that a concurrent request made, so one try per key and
    # one more always suffice.
    tries_allowed = len(keys) + 1
    for tries in range(tries_allowed):
        session.rollback()  # drop any read, so the write below starts its own transaction
        # SQLite: take the write lock at BEGIN, so concurrent attempts queue up here
        # instead of deadlocking when they turn from reading to writing.
        begin_write(session)
        try:
            for key, rule in keys:
                wait = _count(session, key, rule, now)
                if wait is not None:
                    session.rollback()
                    return wait
            session.commit()
            return None
        except IntegrityError:  # another request made a row meanwhile: count again
            if tries == tries_allowed - 1:
                raise
    return None  # pragma: no cover - the loop returns or raises


def clear(session: Session, attempt: Attempt) -> None:
    """Forget the failures of an attempt that succeeded, and commit.

    Args:
        session: the database session (committed here).
        attempt: the username and client that signed in.
    """
    keys = [key for key, _ in attempt.keys()]
    begin_write(session)
    session.execute(sa.delete(LoginThrottleRow).where(LoginThrottleRow.key.in_(keys)))
    session.commit()
