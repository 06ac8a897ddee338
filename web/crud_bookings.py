"""Booking and cancelling public PCs: the one write path for ``pc_bookings``.

A booking holds one PC for every slot it covers. Each attempt inserts the booking and its
slot rows in one transaction; the UNIQUE constraint on (place, PC, slot start) makes the
database refuse a PC someone else already holds, and the next PC is tried. So two residents
can never get the same PC at the same time, even when they book at the same instant.

Two rules from the council's profile (``places.yml``, ``booking``) stop one person holding
the PCs: a booking starts at most ``horizon_days`` ahead, and one conversation holds at
most ``max_active_per_conversation`` bookings that have not ended. The count is taken
inside the booking's own write transaction (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL
advisory lock on the conversation), so simultaneous requests cannot slip past it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from lib.references import new_reference
from lib.units import clock
from web.booking_models import BOOKING_PREFIX, PcBooking, PcBookingSlot
from web.core.db import begin_write
from web.places import Directory, Place, day_hours, week_hours

logger = logging.getLogger(__name__)

BOOKED = "booked"
CANCELLED = "cancelled"
# A busy SQLite file can refuse a writer for a moment; try an attempt again this often.
_LOCKED_RETRIES = 5


class BookingRefused(Exception):
    """A booking or cancellation that cannot be done; carries the HTTP status and a reason.

    ``limit`` is the number a rule allows (days ahead, bookings held), when one applies.
    """

    def __init__(self, status: int, code: str, message: str, limit: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.limit = limit


@dataclass(frozen=True)
class BookingRequest:
    """What a resident asked for, in the council's local time."""

    place: Place
    day: date
    time: str
    minutes: int


def new_booking_reference() -> str:
    """A fresh ``PC-XXXXXX`` reference (no 0, 1, I or O)."""
    return new_reference(BOOKING_PREFIX)


def check_request(
    request: BookingRequest, directory: Directory, now_local: datetime
) -> tuple[datetime, datetime]:
    """Check a request against the place, its hours and the clock.

    Args:
        request: the booking asked for.
        directory: for the slot length and the longest booking.
        now_local: the council's local time now, naive.

    Returns:
        The naive local start and end.

    Raises:
        BookingRefused: with the reason, when the request cannot be booked.
    """
    place = request.place
    slot = directory.slot_minutes
    if place.facilities.bookable_pcs < 1:
        raise BookingRefused(422, "not_bookable", f"{place.name} has no computers to book")
    if request.minutes % slot or not slot <= request.minutes <= directory.max_minutes:
        raise BookingRefused(
            422,
            "bad_length",
            f"a booking lasts {slot} to {directory.max_minutes} minutes, in steps of {slot}",
        )
    hour, minute = (int(part) for part in request.time.split(":"))
    start = datetime.combine(request.day, datetime.min.time()) + timedelta(
        hours=hour, minutes=minute
    )
    if (hour * 60 + minute) % slot:
        raise BookingRefused(
            422, "bad_start", f"bookings start on the hour or every {slot} minutes after it"
        )
    end = start + timedelta(minutes=request.minutes)
    if start <= now_local:
        raise BookingRefused(
            422, "in_the_past", f"{clock(start)} on {_day(request.day)} has already passed"
        )
    last_day = now_local.date() + timedelta(days=directory.horizon_days)
    if request.day > last_day:
        raise BookingRefused(
            422,
            "too_far_ahead",
            f"computers can be booked up to {directory.horizon_days} days ahead, "
            f"until {_day(last_day)}",
            directory.horizon_days,
        )
    if place.is_closed_on(request.day):
        reason = place.closures[request.day]
        raise BookingRefused(
            422,
            "closed_that_day",
            f"{place.name} is closed on {_day(request.day)} ({reason}). {_open_days(place)}",
        )
    if not place.hours[request.day.weekday()]:
        raise BookingRefused(
            422,
            "closed_that_day",
            f"{place.name} is closed on {request.day:%A}s. {_open_days(place)}",
        )
    if not place.fits_opening(start, end):
        raise BookingRefused(
            422,
            "outside_opening_hours",
            f"{clock(start)} to {clock(end)} is outside the opening hours. {place.name} is "
            f"open {day_hours(place, request.day)} on {request.day:%A}s. Choose a time "
            "that starts and ends inside them",
        )
    return start, end


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _open_days(place: Place) -> str:
    week = week_hours(place)
    return f"It is open {week}" if week else "It has no opening hours listed"


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def book_pc(
    sessions: sessionmaker,
    request: BookingRequest,
    directory: Directory,
    tz: ZoneInfo,
    now_local: datetime,
    *,
    assisted_by: str | None = None,
    conversation_id: str | None = None,
) -> PcBooking:
    """Book the first free PC for the request.

    Args:
        sessions: the session factory (each attempt is its own transaction).
        request: the booking asked for.
        directory: for the slot length and longest booking.
        tz: the council's timezone.
        now_local: the council's local time now, naive.
        assisted_by: the staff member booking for a resident in an assisted session
            (the booking is then marked assisted); None when residents book for themselves.
        conversation_id: the conversation booking it, the only one that may cancel it.

    Returns:
        The booking, committed.

    Raises:
        BookingRefused: 422 with the reason when the request breaks a rule, 409 when every
            bookable PC is taken for some of that time.
    """
    start, end = check_request(request, directory, now_local)
    place = request.place
    slot = timedelta(minutes=directory.slot_minutes)
    slot_starts = []
    moment = start
    while moment < end:
        slot_starts.append(_to_utc(moment, tz))
        moment += slot
    for pc_number in range(1, place.facilities.bookable_pcs + 1):
        booking = _try_pc(
            sessions,
            place,
            pc_number,
            (start, end, request.minutes),
            slot_starts,
            tz,
            (assisted_by, conversation_id),
            most_active=directory.max_active_per_conversation,
            now=_to_utc(now_local, tz),
        )
        if booking is not None:
            logger.info(
                "PC booked",
                extra={
                    "reference": booking.reference,
                    "place_id": place.id,
                    "assisted": booking.assisted,
                },
            )
            return booking
    raise BookingRefused(
        409, "fully_booked", f"every computer at {place.name} is booked for some of that time"
    )


def _try_pc(
    sessions: sessionmaker,
    place: Place,
    pc_number: int,
    span: tuple[datetime, datetime, int],
    slot_starts: list[datetime],
    tz: ZoneInfo,
    made_by: tuple[str | None, str | None],
    *,
    most_active: int,
    now: datetime,
) -> PcBooking | None:
    """Insert the booking on one PC in one transaction; None if the PC is taken.

    ``span`` is the local start, end and length; ``made_by`` the assisting staff member
    and the conversation, either of which may be None; ``most_active`` the bookings one
    conversation may hold at once; ``now`` the moment, in UTC.

    Raises:
        BookingRefused: 409 ``too_many_bookings`` when the conversation holds enough.
    """
    start, end, minutes = span
    assisted_by, conversation_id = made_by
    for _ in range(_LOCKED_RETRIES):
        with sessions() as session:
            booking = PcBooking(
                reference=new_booking_reference(),
                place_id=place.id,
                pc_number=pc_number,
                starts_at=_to_utc(start, tz),
                ends_at=_to_utc(end, tz),
                minutes=minutes,
                status=BOOKED,
                created_at=datetime.now(timezone.utc),
                assisted=assisted_by is not None,
                assisted_by=assisted_by,
                conversation_id=conversation_id,
                slots=[
                    PcBookingSlot(place_id=place.id, pc_number=pc_number, slot_start=moment)
                    for moment in slot_starts
                ],
            )
            try:
                begin_write(session)
                if conversation_id is not None:
                    _check_active(session, conversation_id, most_active, now)
                session.add(booking)
                session.commit()
                return booking
            except IntegrityError:
                session.rollback()
                taken = session.execute(
                    sa.select(sa.func.count())
                    .select_from(PcBookingSlot)
                    .where(
                        PcBookingSlot.place_id == place.id,
                        PcBookingSlot.pc_number == pc_number,
                        PcBookingSlot.slot_start.in_(slot_starts),
                    )
                ).scalar_one()
                if taken:
                    return None
                # A reference collision, not a taken PC: try again with a new reference.
            except OperationalError as error:
                session.rollback()
                if "locked" not in str(error).lower():
                    raise
    return None


def _lock_key(conversation_id: str) -> int:
    """A signed 64-bit advisory lock key for one conversation's bookings."""
    digest = hashlib.sha256(f"pc-bookings:{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def active_bookings(session: Session, conversation_id: str, now: datetime) -> int:
    """How many bookings this conversation holds that are booked and not over at ``now``."""
    return session.execute(
        sa.select(sa.func.count())
        .select_from(PcBooking)
        .where(
            PcBooking.conversation_id == conversation_id,
            PcBooking.status == BOOKED,
            PcBooking.ends_at > now,
        )
    ).scalar_one()


def _check_active(session: Session, conversation_id: str, most_active: int, now: datetime) -> None:
    """Refuse a conversation that already holds ``most_active`` bookings.

    Runs inside the booking's write transaction; on PostgreSQL a transaction-scoped
    advisory lock makes two bookings of one conversation take turns (SQLite's
    ``BEGIN IMMEDIATE`` already does).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(conversation_id)}
        )
    if active_bookings(session, conversation_id, now) >= most_active:
        session.rollback()
        logger.info("PC booking refused: the conversation holds the most it may")
        raise BookingRefused(
            409,
            "too_many_bookings",
            f"one conversation can hold {most_active} bookings at a time; "
            "cancel one or wait until one is over",
            most_active,
        )


def get_booking(session: Session, *, reference: str) -> PcBooking | None:
    """The booking with this reference, if any."""
    return session.execute(
        sa.select(PcBooking).where(PcBooking.reference == reference)
    ).scalar_one_or_none()


def conversation_bookings(session: Session, conversation_id: str) -> list[PcBooking]:
    """The bookings a conversation made that are still booked, soonest first."""
    return list(
        session.execute(
            sa.select(PcBooking)
            .where(PcBooking.conversation_id == conversation_id, PcBooking.status == BOOKED)
            .order_by(PcBooking.starts_at)
        ).scalars()
    )


def cancel_booking(session: Session, *, reference: str, conversation_id: str) -> PcBooking:
    """Cancel a booking made by this conversation: free its PC slots and mark it cancelled.

    A booking reference is not proof of anything (it is read out, texted, shown on
    screen): only the conversation that made the booking may cancel it.

    Raises:
        BookingRefused: 404 for an unknown reference, 403 when another conversation (or
            none known) made it, 409 if it is already cancelled.
    """
    booking = get_booking(session, reference=reference)
    if booking is None:
        raise BookingRefused(404, "not_found", f"no booking with reference {reference}")
    owner = booking.conversation_id or ""
    if not owner or not hmac.compare_digest(owner.encode(), conversation_id.encode()):
        logger.warning("PC booking cancellation refused: another conversation's booking")
        raise BookingRefused(
            403, "not_yours", f"booking {reference} was made in another conversation"
        )
    if booking.status == CANCELLED:
        raise BookingRefused(409, "already_cancelled", f"booking {reference} is already cancelled")
    booking.slots.clear()
    booking.status = CANCELLED
    booking.cancelled_at = datetime.now(timezone.utc)
    session.commit()
    logger.info("PC booking cancelled", extra={"reference": reference})
    return booking
