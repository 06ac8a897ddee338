"""crud_staff.py: account rules, stored hashes and login checks."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from web import crud_staff
from web.core.security import verify_password
from web.crud_staff import StaffAccountError

PASSWORD = "a long enough password"


def test_an_account_is_stored_with_a_hash_only(session: Session) -> None:
    account = crud_staff.create_staff(
        session,
        username=" Alice.Smith ",
        password=PASSWORD,
        display_name="  Alice   Smith ",
        role="caseworker",
    )
    assert account.username == "alice.smith" and account.display_name == "Alice Smith"
    assert account.active and account.created_at.tzinfo is not None
    assert PASSWORD not in account.password_hash
    assert verify_password(PASSWORD, account.password_hash)


def test_display_name_defaults_to_the_username(session: Session) -> None:
    assert (
        crud_staff.create_staff(
            session, username="bob", password=PASSWORD, role="caseworker"
        ).display_name
        == "bob"
    )


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("a", PASSWORD, "username must be"),
        ("has space", PASSWORD, "username must be"),
        ("<script>", PASSWORD, "username must be"),
        ("api-token", PASSWORD, "reserved"),
        ("retention", PASSWORD, "reserved"),
        ("carol", "short", "at least 12"),
        ("carol", "x" * 1025, "at most 1024"),
    ],
)
def test_account_rules(session: Session, username: str, password: str, message: str) -> None:
    with pytest.raises(StaffAccountError, match=message):
        crud_staff.create_staff(session, username=username, password=password, role="caseworker")


def test_a_username_is_taken_once(session: Session) -> None:
    crud_staff.create_staff(session, username="dave", password=PASSWORD, role="caseworker")
    with pytest.raises(StaffAccountError, match="already taken"):
        crud_staff.create_staff(session, username="DAVE", password=PASSWORD, role="caseworker")


def test_login_checks(session: Session) -> None:
    account = crud_staff.create_staff(
        session, username="erin", password=PASSWORD, role="caseworker"
    )
    assert crud_staff.authenticate_staff(session, username="Erin", password=PASSWORD) is account
    assert crud_staff.authenticate_staff(session, username="erin", password=PASSWORD + "!") is None
    assert crud_staff.authenticate_staff(session, username="nobody", password=PASSWORD) is None
    account.active = False
    session.commit()
    assert crud_staff.authenticate_staff(session, username="erin", password=PASSWORD) is None
    assert crud_staff.get_active_staff(session, username="erin") is None
