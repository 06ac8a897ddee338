"""Tables and wire shapes of the location directory and public PC bookings (issue #5).

Storage: a booking is one ``pc_bookings`` row plus one ``pc_booking_slots`` row per PC per
slot it holds. ``pc_booking_slots`` has a UNIQUE constraint on (place, PC, slot start), so
the database itself refuses a second booking of the same PC at the same time, however
close together two requests arrive. Cancelling deletes the slot rows and keeps the booking.
Schema revision 0003 (``web/migrations/``) creates both tables; 0008 adds the
assisted-session mark; 0009 the conversation that made the booking, the only one that may
cancel it; 0013 an index on it, for counting the bookings one conversation holds.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field, validator
from sqlalchemy.orm import relationship

from lib.references import canonical_pattern, prefix_of
from web.clean_input import clean_number, cleaned
from web.models import Base, UTCDateTime

BOOKING_PREFIX = prefix_of("pc_booking")
BOOKING_REFERENCE_PATTERN = canonical_pattern(BOOKING_PREFIX)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class PcBooking(Base):
    """A resident's booking of one public PC (storage shape). No personal data is kept."""

    __tablename__ = "pc_bookings"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    place_id = sa.Column(sa.String(100), nullable=False)
    pc_number = sa.Column(sa.Integer, nullable=False)
    starts_at = sa.Column(UTCDateTime, nullable=False)
    ends_at = sa.Column(UTCDateTime, nullable=False)
    minutes = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    cancelled_at = sa.Column(UTCDateTime, nullable=True)
    # Made by library staff for a resident in an assisted session (revision 0008).
    assisted = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    assisted_by = sa.Column(sa.String(64), nullable=True)
    # The conversation that booked it, the only one that may cancel it (revision 0009);
    # indexed for the per-conversation cap (revision 0013).
    conversation_id = sa.Column(sa.String(200), nullable=True, index=True)

    slots = relationship("PcBookingSlot", back_populates="booking", cascade="all, delete-orphan")


class PcBookingSlot(Base):
    """One PC held for one slot by a booking (storage shape)."""

    __tablename__ = "pc_booking_slots"
    __table_args__ = (
        sa.UniqueConstraint("place_id", "pc_number", "slot_start", name="uq_pc_booking_slot"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    booking_id = sa.Column(
        sa.Integer, sa.ForeignKey("pc_bookings.id", ondelete="CASCADE"), nullable=False
    )
    place_id = sa.Column(sa.String(100), nullable=False)
    pc_number = sa.Column(sa.Integer, nullable=False)
    slot_start = sa.Column(UTCDateTime, nullable=False)

    booking = relationship("PcBooking", back_populates="slots")


class BookingCreate(BaseModel):
    """A request to book a public PC: the place is in the path."""

    date: date = Field(..., description="The day, in the council's local time (YYYY-MM-DD).")
    time: str = Field(..., description="Start time, local, 24-hour HH:MM.", example="10:00")
    minutes: int = Field(..., ge=1, le=24 * 60, description="How long, in minutes.")
    conversation_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The conversation booking it: the only one that may cancel it later.",
    )

    _clean_time = cleaned("time", how=clean_number)
    _clean_conversation = cleaned("conversation_id")

    @validator("time")
    def _time_of_day(cls, value: str) -> str:
        """Accept ``H:MM`` or ``HH:MM`` and keep ``HH:MM``."""
        match = _TIME.match(value.strip())
        if not match:
            raise ValueError("time must be HH:MM, 24-hour, like 14:30")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    class Config:
        """Reject unknown fields."""

        extra = "forbid"


class BookingCancel(BaseModel):
    """A request to cancel a booking: the reference is in the path."""

    conversation_id: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="The conversation that made the booking; any other is refused (403).",
    )

    _clean_conversation = cleaned("conversation_id")

    class Config:
        """Reject unknown fields."""

        extra = "forbid"


class BookingPublic(BaseModel):
    """A booking as the API returns it."""

    reference: str
    status: str = Field(..., description="`booked` or `cancelled`.")
    place_id: str
    place_name: str
    address: str
    pc_number: int
    date: str = Field(..., description="Local date, YYYY-MM-DD.")
    time: str = Field(..., description="Local start time, HH:MM.")
    end_time: str = Field(..., description="Local end time, HH:MM.")
    minutes: int
    starts_at: str = Field(..., description="ISO 8601 with the local UTC offset.")
    ends_at: str
    created_at: str
    cancelled_at: str | None = None
    assisted: bool = Field(
        False, description="Booked by library staff for the resident in an assisted session."
    )


class FacilitiesPublic(BaseModel):
    """What a place has."""

    public_pcs: int
    bookable_pcs: int
    wifi: bool
    printing: bool
    screen_reader: bool
    large_key_keyboard: bool
    hearing_loop: bool
    step_free: bool


class ClosurePublic(BaseModel):
    """A day the place is shut."""

    date: str
    reason: str


class PlacePublic(BaseModel):
    """One place in the directory, as seen at the moment of the request."""

    id: str
    name: str
    type: str
    address: str
    postcode: str
    phone: str
    distance_m: int | None = Field(None, description="Whole metres from `near` (grid).")
    open_now: bool
    open_until: str | None = Field(None, description="Local ISO time it closes, if open.")
    next_opening: str | None = Field(None, description="Local ISO time it next opens.")
    hours: dict[str, list[str]] = Field(..., description="Weekday to HH:MM-HH:MM ranges.")
    closures: list[ClosurePublic]
    facilities: FacilitiesPublic
    staff_help: bool
    services: list[str]
    sessions: dict[str, str]
    how_to_book: str


class NearPublic(BaseModel):
    """Where the search measured from."""

    query: str
    postcode: str | None
    place_id: str | None


class PlaceList(BaseModel):
    """The answer of ``GET /api/v1/places``."""

    near: NearPublic | None
    at: str = Field(..., description="The local moment `open_now` refers to.")
    timezone: str
    sample_data: bool
    count: int
    places: list[PlacePublic]
