"""Booking rules and the database guarantee against double booking."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tests.fixtures import legacy_schema
from tests.unit.web.test_places import SAMPLE
from tests.web_app import head_revision
from web import crud_bookings
from web.booking_models import PcBooking, PcBookingSlot
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.crud_bookings import BookingRefused, BookingRequest
from web.places import Directory, load_directory

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 7, 8, 0)  # Monday morning
MONDAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def _request(directory: Directory, place_id: str, day: date, time: str, minutes: int):
    place = directory.get(place_id)
    assert place is not None
    return BookingRequest(place=place, day=day, time=time, minutes=minutes)


def test_bookings_fill_the_pcs_then_refuse(engine: Engine, directory: Directory) -> None:
    sessions = create_session_factory(engine)
    # Bentilee Community Hub has 2 bookable PCs.
    first = crud_bookings.book_pc(
        sessions, _request(directory, "bentilee-community-hub", MONDAY, "10:00", 60),
        directory, LONDON, NOW,
    )  # fmt: skip
    second = crud_bookings.book_pc(
        sessions, _request(directory, "bentilee-community-hub", MONDAY, "10:30", 30),
        directory, LONDON, NOW, conversation_id="web-resident-2",
    )  # fmt: skip
    assert first.reference.startswith("PC-") and len(first.reference) == 9
    assert {first.pc_number, second.pc_number} == {1, 2}
    with pytest.raises(BookingRefused) as caught:
        crud_bookings.book_pc(
            sessions, _request(directory, "bentilee-community-hub", MONDAY, "10:30", 30),
            directory, LONDON, NOW,
        )  # fmt: skip
    assert (caught.value.status, caught.value.code) == (409, "fully_booked")
    # 11:00 is free on PC 2 again (the second booking ended), PC 1 too.
    later = crud_bookings.book_pc(
        sessions, _request(directory, "bentilee-community-hub", MONDAY, "11:00", 30),
        directory, LONDON, NOW,
    )  # fmt: skip
    assert later.pc_number == 1
    # Cancelling frees the PC at once.
    with sessions() as session:
        crud_bookings.cancel_booking(
            session, reference=second.reference, conversation_id="web-resident-2"
        )
    again = crud_bookings.book_pc(
        sessions, _request(directory, "bentilee-community-hub", MONDAY, "10:30", 30),
        directory, LONDON, NOW,
    )  # fmt: skip
    assert again.pc_number == second.pc_number
    with sessions() as session:
        with pytest.raises(BookingRefused, match="already cancelled"):
            crud_bookings.cancel_booking(
                session, reference=second.reference, conversation_id="web-resident-2"
            )
        with pytest.raises(BookingRefused) as missing:
            crud_bookings.cancel_booking(session, reference="PC-ZZZZZZ", conversation_id="x")
        assert missing.value.status == 404


@pytest.mark.parametrize("asking", ["web-someone-else", "WEB-OWNER", "web-owne"])
def test_only_the_conversation_that_booked_may_cancel(
    engine: Engine, directory: Directory, asking: str
) -> None:
    sessions = create_session_factory(engine)
    booking = crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "15:00", 30),
        directory, LONDON, NOW, conversation_id="web-owner",
    )  # fmt: skip
    with sessions() as session:
        with pytest.raises(BookingRefused) as refused:
            crud_bookings.cancel_booking(
                session, reference=booking.reference, conversation_id=asking
            )
        assert (refused.value.status, refused.value.code) == (403, "not_yours")
        stored = crud_bookings.get_booking(session, reference=booking.reference)
        assert stored is not None and stored.status == "booked" and stored.slots


def test_a_booking_nobody_owns_cannot_be_cancelled_through_the_api(
    engine: Engine, directory: Directory
) -> None:
    sessions = create_session_factory(engine)
    booking = crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "16:00", 30), directory, LONDON, NOW
    )
    with sessions() as session:
        with pytest.raises(BookingRefused) as refused:
            crud_bookings.cancel_booking(session, reference=booking.reference, conversation_id="")
        assert refused.value.code == "not_yours"


def test_the_database_refuses_the_same_pc_and_slot_twice(
    engine: Engine, directory: Directory
) -> None:
    sessions = create_session_factory(engine)
    booking = crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "14:00", 30),
        directory, LONDON, NOW,
    )  # fmt: skip
    with sessions() as session:
        slot = session.execute(
            sa.select(PcBookingSlot).where(PcBookingSlot.booking_id == booking.id)
        ).scalar_one()
        session.add(
            PcBookingSlot(
                booking_id=booking.id,
                place_id=slot.place_id,
                pc_number=slot.pc_number,
                slot_start=slot.slot_start,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.parametrize(
    ("place_id", "day", "time", "minutes", "code"),
    [
        ("city-central-library", date(2026, 12, 13), "10:00", 60, "closed_that_day"),  # Sunday
        ("city-central-library", date(2026, 12, 25), "10:00", 60, "closed_that_day"),
        ("city-central-library", MONDAY, "16:30", 60, "outside_opening_hours"),
        ("city-central-library", MONDAY, "07:00", 30, "in_the_past"),
        ("city-central-library", date(2026, 12, 1), "10:00", 30, "in_the_past"),
        ("city-central-library", MONDAY, "10:15", 30, "bad_start"),
        ("city-central-library", MONDAY, "10:00", 45, "bad_length"),
        ("city-central-library", MONDAY, "10:00", 180, "bad_length"),
        ("bentilee-library", MONDAY, "12:00", 120, "outside_opening_hours"),  # lunch
        ("hanley-jobcentre", MONDAY, "10:00", 30, "not_bookable"),
    ],
)
def test_refusals_have_a_clear_reason(
    engine: Engine,
    directory: Directory,
    place_id: str,
    day: date,
    time: str,
    minutes: int,
    code: str,
) -> None:
    sessions = create_session_factory(engine)
    # A week before a later day (Christmas), so the booking horizon does not refuse it first.
    now = max(NOW, datetime.combine(day, NOW.time()) - timedelta(days=7))
    with pytest.raises(BookingRefused) as caught:
        crud_bookings.book_pc(
            sessions, _request(directory, place_id, day, time, minutes), directory, LONDON, now
        )
    assert caught.value.code == code
    assert caught.value.status == 422
    assert caught.value.message
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(PcBookingSlot)).scalar() == 0


def test_a_booking_made_for_a_resident_by_staff_is_marked_assisted(
    engine: Engine, directory: Directory
) -> None:
    sessions = create_session_factory(engine)
    own = crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "10:00", 30), directory, LONDON, NOW
    )
    helped = crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "11:00", 30),
        directory, LONDON, NOW, assisted_by="libby",
    )  # fmt: skip
    with sessions() as session:
        query = sa.select(PcBooking.reference, PcBooking.assisted, PcBooking.assisted_by)
        rows = {reference: (assisted, by) for reference, assisted, by in session.execute(query)}
    assert rows[own.reference] == (False, None)
    assert rows[helped.reference] == (True, "libby")


def test_bookings_made_before_revision_0008_read_as_the_residents_own(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cs.db'}"
    engine = create_db_engine(Settings(database_url=url, environment="development"))
    # A database the schema framework before Alembic left at version 7.
    legacy_schema.apply_migrations(engine, [m for m in legacy_schema.MIGRATIONS if m.version < 8])
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO pc_bookings (reference, place_id, pc_number, starts_at, ends_at, "
                "minutes, status, created_at) VALUES ('PC-OLD234', 'meir-library', 1, :at, :at, "
                "30, 'booked', :at)"
            ),
            {"at": datetime(2026, 12, 7, 10, 0)},
        )
    assert upgrade_database(engine) == head_revision()
    with create_session_factory(engine)() as session:
        old = crud_bookings.get_booking(session, reference="PC-OLD234")
        assert old is not None and (old.assisted, old.assisted_by) == (False, None)
    engine.dispose()


def test_bookings_start_at_most_the_profiles_horizon_ahead(
    engine: Engine, directory: Directory
) -> None:
    sessions = create_session_factory(engine)
    assert directory.horizon_days == 14
    last = date(2026, 12, 21)  # a Monday, 14 days after NOW
    booked = crud_bookings.book_pc(
        sessions, _request(directory, "city-central-library", last, "10:00", 30),
        directory, LONDON, NOW,
    )  # fmt: skip
    assert booked.reference
    for too_far in (date(2026, 12, 22), date(2999, 12, 31)):
        with pytest.raises(BookingRefused) as caught:
            crud_bookings.book_pc(
                sessions, _request(directory, "city-central-library", too_far, "10:00", 30),
                directory, LONDON, NOW,
            )  # fmt: skip
        assert (caught.value.status, caught.value.code) == (422, "too_far_ahead")
        assert "14 days" in caught.value.message


def test_one_conversation_holds_at_most_the_profiles_cap(
    engine: Engine, directory: Directory
) -> None:
    sessions = create_session_factory(engine)
    assert directory.max_active_per_conversation == 3
    times = ("10:00", "11:00", "12:00")
    references = [
        crud_bookings.book_pc(
            sessions, _request(directory, "city-central-library", MONDAY, time, 30),
            directory, LONDON, NOW, conversation_id="web-script",
        ).reference
        for time in times
    ]  # fmt: skip
    with pytest.raises(BookingRefused) as caught:
        crud_bookings.book_pc(
            sessions, _request(directory, "meir-library", MONDAY, "14:00", 30),
            directory, LONDON, NOW, conversation_id="web-script",
        )  # fmt: skip
    assert (caught.value.status, caught.value.code) == (409, "too_many_bookings")
    # Another conversation is not affected.
    crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "14:00", 30),
        directory, LONDON, NOW, conversation_id="web-resident",
    )  # fmt: skip
    # Cancelling one frees a place in the cap; so does a booking being over.
    with sessions() as session:
        crud_bookings.cancel_booking(session, reference=references[0], conversation_id="web-script")
    crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "15:00", 30),
        directory, LONDON, NOW, conversation_id="web-script",
    )  # fmt: skip
    later = datetime(2026, 12, 7, 11, 45)  # the 11:00 booking is over
    crud_bookings.book_pc(
        sessions, _request(directory, "meir-library", MONDAY, "16:00", 30),
        directory, LONDON, later, conversation_id="web-script",
    )  # fmt: skip
