"""Booking a computer for the resident in an assisted session: the form and the outcome.

This module prepares the booking form under each place with bookable computers and what
staff see afterwards: the reference to give the resident, or the reason the booking code
gave for refusing it. The markup is ``templates/staff/assisted/booking_*.html``; the wording
comes from ``data/assisted_places.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from lib.units import clock
from web import templating
from web.assisted_panel import (
    Search,
    SessionFields,
    day_label,
    minutes_label,
    sentence,
    wording,
)
from web.places import Directory, Place

BOOKINGS_PATH = "/staff/assisted/bookings"
# The length a booking form offers first, when the directory allows it.
DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class Booked:
    """A booking made for the resident, in the council's local time."""

    reference: str
    place: Place
    pc_number: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Asked:
    """What staff typed into a place's booking form, to show it again after a refusal."""

    place_id: str
    date: str = ""
    time: str = ""
    minutes: str = ""


@dataclass(frozen=True)
class Refused:
    """A booking that was not made, with the reason to tell staff and what they asked for."""

    reason: str
    asked: Asked | None = None


def _length_choices(directory: Directory) -> list[tuple[str, str]]:
    steps = range(directory.slot_minutes, directory.max_minutes + 1, directory.slot_minutes)
    return [(str(minutes), minutes_label(minutes)) for minutes in steps]


def booking_form(
    place: Place,
    session: SessionFields,
    search: Search,
    directory: Directory,
    today: date,
    asked: Asked | None = None,
) -> Markup:
    """The booking form of one place, folded away under a "Book a computer" summary.

    After a refusal at this place the form is open and holds what staff typed, so that
    nothing has to be typed again.

    Args:
        place: a place with bookable computers.
        session: the assisted session's fields.
        search: the search the list came from (sent back, to show the list again).
        directory: for the slot length and the longest booking.
        today: the council's local date, the earliest the form offers.
        asked: what was typed into a form that was refused (used when it is this place's).

    Returns:
        The ``<details>`` element with the form.
    """
    lengths = _length_choices(directory)
    default_length = max(
        (value for value, _ in lengths if int(value) <= DEFAULT_MINUTES), key=int, default=""
    )
    mine = asked if asked is not None and asked.place_id == place.id else None
    return templating.render(
        "staff/assisted/booking_form.html",
        words=wording(),
        open=mine is not None,
        action=BOOKINGS_PATH,
        session=session,
        place=place,
        search=search,
        prefix=f"book-{place.id}",
        today=today.isoformat(),
        day=mine.date if mine and mine.date else today.isoformat(),
        time=mine.time if mine else "",
        step=directory.slot_minutes * 60,
        lengths=lengths,
        length=mine.minutes if mine and mine.minutes else default_length,
    )


def booking_outcome(outcome: Booked | Refused | None) -> Markup:
    """The reference to give the resident, or why the booking was refused (nothing for None)."""
    if outcome is None:
        return Markup("")
    booked = outcome if isinstance(outcome, Booked) else None
    return templating.render(
        "staff/assisted/booking_outcome.html",
        words=wording(),
        booked=booked,
        reason=sentence(outcome.reason) if isinstance(outcome, Refused) else "",
        day=day_label(booked.start.date()) if booked else "",
        start=clock(booked.start) if booked else "",
        end=clock(booked.end) if booked else "",
    )
