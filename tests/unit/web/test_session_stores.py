"""Session stores on an in-memory database, with the clock in the test's hands (issue #15).

``login_throttle.py`` (growing delays, forgetting), ``crud_staff_sessions.py`` (live until
ended or expired) and ``crud_web_chat.py`` (a conversation belongs to one browser and ends
after ``WEB_CHAT_IDLE_MINUTES``), and schema revisions 0010 and 0011 against the models.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from web import crud_staff_sessions, crud_web_chat, login_throttle
from web.core.config import Settings
from web.core.db import create_db_engine
from web.core.schema import upgrade_database
from web.core.security import issue_session
from web.models import Base

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)
SECRET = "unit-test-session-secret"


# --- the sign-in throttle ---------------------------------------------------------------------


def test_the_delay_starts_after_the_free_failures_and_doubles_to_a_cap() -> None:
    rule = login_throttle.Rule("x", free_failures=3, first_delay_s=1, max_delay_s=10)
    delays = [rule.delay(n) for n in range(1, 10)]
    assert delays[:3] == [None, None, None]
    assert [d.total_seconds() for d in delays[3:]] == [1, 2, 4, 8, 10, 10]


def test_a_stranger_can_delay_a_real_user_by_seconds_only() -> None:
    assert login_throttle.ACCOUNT.max_delay_s <= 30
    assert login_throttle.ACCOUNT.free_failures > login_throttle.ACCOUNT_FROM_CLIENT.free_failures


def test_failures_block_for_a_while_then_let_the_next_attempt_through(session: Session) -> None:
    attempt = login_throttle.Attempt("Alice", "192.0.2.7")
    for _ in range(4):
        assert login_throttle.retry_after(session, attempt, NOW) is None
        assert login_throttle.count_attempt(session, attempt, NOW) is None
    assert login_throttle.retry_after(session, attempt, NOW) == 1
    # Sent at the same moment as the blocking one: refused, and not counted.
    assert login_throttle.count_attempt(session, attempt, NOW) == 1
    later = NOW + timedelta(seconds=1)
    assert login_throttle.retry_after(session, attempt, later) is None
    assert login_throttle.count_attempt(session, attempt, later) is None
    assert login_throttle.retry_after(session, attempt, later) == 2  # the fifth failure
    # The same account from another client, and another account here, are not held up.
    assert login_throttle.retry_after(session, login_throttle.Attempt("alice", "x"), later) is None
    assert (
        login_throttle.retry_after(session, login_throttle.Attempt("bob", "192.0.2.7"), later)
        is None
    )


def test_a_success_or_an_hour_without_failures_starts_the_count_again(session: Session) -> None:
    attempt = login_throttle.Attempt("carol", "192.0.2.8")
    for _ in range(3):
        login_throttle.count_attempt(session, attempt, NOW)
    login_throttle.clear(session, attempt)
    for _ in range(3):
        login_throttle.count_attempt(session, attempt, NOW)
    assert login_throttle.retry_after(session, attempt, NOW) is None
    an_hour_on = NOW + timedelta(hours=1, seconds=1)
    login_throttle.count_attempt(session, attempt, an_hour_on)
    assert login_throttle.retry_after(session, attempt, an_hour_on) is None


# --- staff sessions ---------------------------------------------------------------------------


def test_a_staff_session_lives_until_it_is_ended_or_expires(session: Session) -> None:
    _, staff = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    assert not crud_staff_sessions.session_is_live(session, staff, NOW)  # never started here
    crud_staff_sessions.start_session(session, staff, NOW)
    assert crud_staff_sessions.session_is_live(session, staff, NOW)
    assert not crud_staff_sessions.session_is_live(session, staff, NOW + timedelta(minutes=31))
    crud_staff_sessions.end_session(session, staff)
    assert not crud_staff_sessions.session_is_live(session, staff, NOW)


def test_ending_one_session_leaves_the_others(session: Session) -> None:
    _, desk = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    _, library = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    for staff in (desk, library):
        crud_staff_sessions.start_session(session, staff, NOW)
    crud_staff_sessions.end_session(session, library)
    assert crud_staff_sessions.session_is_live(session, desk, NOW)
    assert not crud_staff_sessions.session_is_live(session, library, NOW)


def test_nothing_stored_would_work_as_a_cookie(session: Session) -> None:
    cookie, staff = issue_session(SECRET, "alice", timedelta(minutes=30), now=NOW)
    crud_staff_sessions.start_session(session, staff, NOW)
    stored = session.execute(sa.text("SELECT session_hash FROM staff_sessions")).scalars().all()
    assert stored and all(staff.session_id not in value and value not in cookie for value in stored)


# --- web chat conversations -------------------------------------------------------------------

IDLE = timedelta(minutes=30)


def _use(session: Session, conversation: str, token: str, now: datetime) -> None:
    crud_web_chat.use_conversation(
        session, conversation_id=conversation, browser_token=token, idle=IDLE, now=now
    )


def test_a_conversation_belongs_to_the_browser_that_started_it(session: Session) -> None:
    mine, theirs = crud_web_chat.new_browser_token(), crud_web_chat.new_browser_token()
    _use(session, "conversation-0001", mine, NOW)
    _use(session, "conversation-0001", mine, NOW + timedelta(minutes=1))
    with pytest.raises(crud_web_chat.NotThisBrowsers):
        _use(session, "conversation-0001", theirs, NOW)
    assert not crud_web_chat.finish_conversation(
        session, conversation_id="conversation-0001", browser_token=theirs
    )
    _use(session, "conversation-0001", mine, NOW + timedelta(minutes=2))


def test_a_conversation_ends_when_finished_or_idle(session: Session) -> None:
    token = crud_web_chat.new_browser_token()
    _use(session, "conversation-0002", token, NOW)
    _use(session, "conversation-0002", token, NOW + timedelta(minutes=29))
    with pytest.raises(crud_web_chat.ConversationEnded):
        _use(session, "conversation-0002", token, NOW + timedelta(minutes=59))
    _use(session, "conversation-0003", token, NOW)
    assert crud_web_chat.finish_conversation(
        session, conversation_id="conversation-0003", browser_token=token, now=NOW
    )
    with pytest.raises(crud_web_chat.ConversationEnded):
        _use(session, "conversation-0003", token, NOW)


# --- revisions 0010 and 0011 -----------------------------------------------------------------


def test_revisions_0010_and_0011_build_what_the_models_describe(tmp_path: Path) -> None:
    engine = create_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    upgrade_database(engine)
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in ("staff_sessions", "login_throttle", "web_chat_conversations"):
            model = Base.metadata.tables[name]
            built = {column["name"]: column for column in inspector.get_columns(name)}
            assert set(built) == set(model.columns.keys()), name
            for column in model.columns:
                assert built[column.name]["nullable"] == column.nullable, (name, column.name)
    engine.dispose()
