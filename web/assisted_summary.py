"""The printed summary of a library assisted session, for a resident with no phone.

One print-friendly page: the references given in the session, each computer booking (place,
day, time, address, phone and that day's opening hours) and what happens next. It holds
nothing else about the resident: no name, postcode, contact details or conversation. The
wording comes from ``data/assisted_places.yml`` (``summary``); distances and times of day
from ``lib/units.py``. Every value is escaped by ``console_pages.render``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from lib.references import reference_kind
from lib.units import clock
from web.assisted_panel import NOTHING, day_label, wording
from web.console_pages import Safe, join, render
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


def _reference_item(reference: str) -> Safe:
    kinds = wording()["summary"]["kinds"]
    kind = kinds.get(reference_kind(reference) or "", {})
    return render(
        '<li><span class="summary-ref">{reference}</span> <span>{name}</span></li>',
        reference=reference,
        name=kind.get("name", ""),
    )


def _booking(booking: SummaryBooking) -> Safe:
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
    return render(
        '<section class="summary-booking"><h3>{reference}</h3><dl>{rows}</dl></section>',
        reference=booking.reference,
        rows=join(render("<dt>{t}</dt><dd>{v}</dd>", t=t, v=v) for t, v in rows if v),
    )


def _next_steps(references: Sequence[str]) -> Safe:
    words = wording()["summary"]
    steps: list[str] = []
    for reference in references:
        step = words["kinds"].get(reference_kind(reference) or "", {}).get("next")
        if step:
            line = f"{reference}: {step.strip()}"
            if line not in steps:
                steps.append(line)
    steps.append(words["general_next"].strip())
    return join(render("<li>{step}</li>", step=step) for step in steps)


def summary_document(
    references: Sequence[str], bookings: Sequence[SummaryBooking], printed_at: datetime
) -> Safe:
    """The whole printable page.

    Args:
        references: every reference given in the session, bookings' included.
        bookings: the computers booked in the session, soonest first.
        printed_at: the council's local time now.

    Returns:
        An HTML document, print-ready.
    """
    words = wording()["summary"]
    if references:
        listed = render(
            '<ul class="summary-refs">{items}</ul>',
            items=join(_reference_item(reference) for reference in references),
        )
    else:
        listed = render("<p>{none}</p>", none=words["no_references"])
    booked = NOTHING
    if bookings:
        booked = render(
            "<h2>{title}</h2>{items}",
            title=words["booking_title"],
            items=join(_booking(booking) for booking in bookings),
        )
    return render(
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><title>{title}</title>'
        '<link rel="stylesheet" href="{css}"><script src="{js}" defer></script></head>'
        '<body class="summary-page"><main class="summary">'
        '<div class="summary-actions no-print"><button type="button" class="button"'
        " data-print>{print_button}</button><p>{close_hint}</p></div>"
        "<h1>{title}</h1><p>{intro}</p><p>{printed} {day}, {time}.</p>"
        "<h2>{references_title}</h2>{listed}{booked}"
        '<h2>{next_title}</h2><ol class="summary-next">{next}</ol>'
        "</main></body></html>\n",
        title=words["title"],
        css=STYLESHEET_PATH,
        js=SCRIPT_PATH,
        print_button=words["print_button"],
        close_hint=words["close_hint"],
        intro=words["intro"],
        printed=words["printed"],
        day=day_label(printed_at.date()),
        time=clock(printed_at),
        references_title=words["references_title"],
        listed=listed,
        booked=booked,
        next_title=words["next_title"],
        next=_next_steps(references),
    )
