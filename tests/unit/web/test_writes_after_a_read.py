"""A write that follows a read in the same request waits its turn on SQLite.

On a SQLite file in WAL mode a transaction that has read cannot turn into a writer once
another connection has committed: SQLite refuses at once ("database is locked") and the
busy timeout does not help. In the running service a worker commits every moment, so a
sign-in or a chat message failed now and then with a 500 (seen in a full run). Each write
below begins its own write transaction (``begin_write``), so it waits instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from web import (
    crud_staff,
    crud_staff_sessions,
    crud_web_chat,
    login_throttle,
)
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.core.security import issue_session
from web.models import StaffAccount
from web.stand_in.crm import crud as crud_council_tax
from web.stand_in.crm.models import Verification

NOW = datetime.now(timezone.utc)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="test")
    engine = create_db_engine(settings)
    upgrade_database(engine)
    yield create_session_factory(engine)
    engine.dispose()


def _staff_session():
    return issue_session("secret", "alice", timedelta(minutes=30))[1]


def _start(db: Session) -> None:
    crud_staff_sessions.start_session(db, _staff_session())


def _end(db: Session) -> None:
    crud_staff_sessions.end_session(db, _staff_session())


def _clear(db: Session) -> None:
    login_throttle.clear(db, login_throttle.Attempt("alice", "192.0.2.1"))


def _chat(db: Session) -> None:
    crud_web_chat.use_conversation(
        db, conversation_id="c-1", browser_token="t", idle=timedelta(minutes=30)
    )


def _create_staff(db: Session) -> None:
    crud_staff.create_staff(
        db, username="bob", password="a long enough password", role="caseworker"
    )


def _verify(db: Session) -> None:
    details = Verification(
        account_reference="99999999", postcode="ST4 2DX", surname="Nobody", conversation_id="c"
    )
    with pytest.raises(crud_council_tax.NotVerified):
        crud_council_tax.verify(db, details, max_failures=5, lock_minutes=15)


WRITES: dict[str, Callable[[Session], None]] = {
    "start a staff session": _start,
    "end a staff session": _end,
    "clear a sign-in throttle": _clear,
    "use a web chat conversation": _chat,
    "create a staff account": _create_staff,
    "count a failed council tax verification": _verify,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_after_a_read_waits_for_a_commit_made_meanwhile(
    sessions: sessionmaker, write: Callable[[Session], None]
) -> None:
    with sessions() as request, sessions() as worker:
        # The request reads first (as the sign-in reads the account), holding a snapshot.
        request.execute(sa.select(sa.func.count()).select_from(StaffAccount)).scalar()
        # Meanwhile another connection writes and commits.
        worker.execute(sa.delete(StaffAccount).where(StaffAccount.username == "nobody"))
        worker.add(
            StaffAccount(username="carol", password_hash="x", display_name="Carol", created_at=NOW)
        )
        worker.commit()
        write(request)  # "database is locked" without begin_write
