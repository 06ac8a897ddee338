"""Booking a computer for the resident in an assisted session: the form and the outcome.

This module owns the markup of the booking form under each place with bookable computers
and of what staff see afterwards: the reference to give the resident, or the reason the
booking code gave for refusing it. Values are escaped by ``console_pages.render``; the
wording comes from ``data/assisted_places.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lib.units import clock
from web.assisted_panel import (
    NOTHING,
    Search,
    SessionFields,
    day_label,
    minutes_label,
    options,
    sentence,
    wording,
)
from web.console_pages import Safe, render
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
) -> Safe:
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
    words = wording()
    slot_seconds = directory.slot_minutes * 60
    lengths = _length_choices(directory)
    default_length = max(
        (value for value, _ in lengths if int(value) <= DEFAULT_MINUTES), key=int, default=""
    )
    mine = asked if asked is not None and asked.place_id == place.id else None
    return render(
        '<details class="book"{open}><summary>{summary}</summary>'
        '<form method="post" action="{action}" class="assisted-form" autocomplete="off"'
        " data-assisted-form>{hidden}"
        '<input type="hidden" name="place_id" value="{place_id}">'
        '<input type="hidden" name="postcode" value="{postcode}">'
        '<input type="hidden" name="type" value="{place_type}">'
        "<p>{how_to_book}</p>"
        '<div class="field"><label for="{prefix}-date">{date_label}</label>'
        '<input type="date" id="{prefix}-date" name="date" value="{day}" min="{today}"'
        ' autocomplete="off" required></div>'
        '<div class="field"><label for="{prefix}-time">{time_label}</label>'
        '<p class="hint" id="{prefix}-time-hint">{time_hint}</p>'
        '<input type="time" id="{prefix}-time" name="time" value="{time}" step="{step}"'
        ' autocomplete="off"'
        ' aria-describedby="{prefix}-time-hint" required></div>'
        '<div class="field"><label for="{prefix}-minutes">{length_label}</label>'
        '<select id="{prefix}-minutes" name="minutes">{lengths}</select></div>'
        '<button type="submit" class="button">{button}</button></form></details>',
        open=Safe(" open") if mine else NOTHING,
        summary=words["book_summary"],
        action=BOOKINGS_PATH,
        hidden=session.hidden(),
        place_id=place.id,
        postcode=search.postcode,
        place_type=search.place_type,
        how_to_book=place.how_to_book,
        prefix=f"book-{place.id}",
        date_label=words["date_label"],
        today=today.isoformat(),
        day=mine.date if mine and mine.date else today.isoformat(),
        time=mine.time if mine else "",
        time_label=words["time_label"],
        time_hint=words["time_hint"],
        step=slot_seconds,
        length_label=words["length_label"],
        lengths=options(lengths, mine.minutes if mine and mine.minutes else default_length),
        button=words["book_button"],
    )


def booking_outcome(outcome: Booked | Refused | None) -> Safe:
    """The reference to give the resident, or why the booking was refused (nothing for None)."""
    words = wording()
    if isinstance(outcome, Booked):
        return render(
            '<div class="booking-result booking-result--done">'
            '<h3 id="booking-result-title" tabindex="-1" data-focus>{title}</h3>'
            '<p>{give} <strong class="ref">{reference}</strong></p>'
            "<p>{place}, computer {pc}, {day} {start} to {end}.</p><p>{marked}</p></div>",
            title=words["booked_title"],
            give=words["booked_give_reference"],
            reference=outcome.reference,
            place=outcome.place.name,
            pc=outcome.pc_number,
            day=f"{day_label(outcome.start.date())},",
            start=clock(outcome.start),
            end=clock(outcome.end),
            marked=words["booked_marked"],
        )
    if isinstance(outcome, Refused):
        return render(
            '<div class="booking-result booking-result--refused" role="alert">'
            '<h3 id="booking-result-title" tabindex="-1" data-focus>{title}</h3>'
            "<p>{reason}</p></div>",
            title=words["refused_title"],
            reason=sentence(outcome.reason),
        )
    return NOTHING
