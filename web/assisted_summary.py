"""The printed summary of a library assisted session, for a resident with no phone.

One print-friendly page: the references given in the session, each computer booking (place,
day, time, address, phone and that day's opening hours) and what happens next. It holds
nothing else about the resident: no name, postcode, contact details or conversation. The
wording comes from ``data/assisted_places.yml`` (``summary``); distances and times of day
from ``lib/units.py``. The markup is ``templates/staff/assisted/summary.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from lib.references import reference_kind
from lib.units import clock
from web import templating
from web.assisted_panel import day_label, wording
from web.places import Place, day_hours

SUMMARY_PATH = "/staff/assisted/summary"
STYLESHEET_PATH = "/staff/assisted/assisted.css"
SCRIPT_PATH = "/chat/assisted.js"
#: The most references one summary lists (a session gives a handful).
MOST_REFERENCES = 20


@dataclass(frozen=True)
class SummaryBooking:
    """A computer booked in the session, in the council's local time."""

    reference: str
    place: Place
    pc_number: int
    start: datetime
    end: datetime


def unique_references(groups: Iterable[Iterable[str]]) -> list[str]:
    """Every well-formed reference once, in the order first given, at most ``MOST_REFERENCES``."""
    seen: list[str] = []
    for group in groups:
        for reference in group:
            if reference_kind(reference) and reference not in seen:
                seen.append(reference)
    return seen[:MOST_REFERENCES]


def _reference_item(reference: str) -> tuple[str, str]:
    """A reference and the name of its kind."""
    kinds = wording()["summary"]["kinds"]
    return reference, kinds.get(reference_kind(reference) or "", {}).get("name", "")


def _booking(booking: SummaryBooking) -> tuple[str, list[tuple[str, str]]]:
    """A booking's reference and its (term, value) rows, leaving out those with no value."""
    words = wording()["summary"]
    place = booking.place
    hours = day_hours(place, booking.start.date())
    rows = [
        (words["booking_place"], place.name),
        (
            words["booking_when"],
            f"{day_label(booking.start.date())}, {clock(booking.start)} to {clock(booking.end)}",
        ),
        (words["booking_computer"], str(booking.pc_number)),
        (words["booking_address"], f"{place.address}, {place.postcode}"),
        (words["booking_hours"], hours),
    ]
    if place.phone:
        rows.append((words["booking_phone"], place.phone))
    return booking.reference, [(term, value) for term, value in rows if value]


def _next_steps(references: Sequence[str]) -> list[str]:
    words = wording()["summary"]
    steps: list[str] = []
    for reference in references:
        step = words["kinds"].get(reference_kind(reference) or "", {}).get("next")
        if step:
            line = f"{reference}: {step.strip()}"
            if line not in steps:
                steps.append(line)
    steps.append(words["general_next"].strip())
    return steps


def summary_document(
    references: Sequence[str], bookings: Sequence[SummaryBooking], printed_at: datetime
) -> Markup:
    """The whole printable page.

    Args:
        references: every reference given in the session, bookings' included.
        bookings: the computers booked in the session, soonest first.
        printed_at: the council's local time now.

    Returns:
        An HTML document, print-ready.
    """
    return templating.render(
        "staff/assisted/summary.html",
        words=wording()["summary"],
        css=STYLESHEET_PATH,
        js=SCRIPT_PATH,
        day=day_label(printed_at.date()),
        time=clock(printed_at),
        references=[_reference_item(reference) for reference in references],
        bookings=[_booking(booking) for booking in bookings],
        steps=_next_steps(references),
    )
