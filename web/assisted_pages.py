"""The "Nearby places" list of an assisted session's staff panel, as server-rendered HTML.

This module prepares the search form and the full list of places near the resident:
nearest first, with what staff need to advise them (distance, opening, public computers,
assistive technology, staff help, Universal Credit support and digital skills sessions)
and, under each place with bookable computers, the booking form of
``assisted_booking_pages.py``. The markup is ``templates/staff/assisted/``. The list is one
``<section id="assisted-places">``: the chat page puts it into its staff panel
(``static/assisted.js``) and, without script, it is the main content of a console page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from markupsafe import Markup

from lib.units import distance_label
from web import templating
from web.assisted_booking_pages import (
    Asked,
    Booked,
    Refused,
    booking_form,
    booking_outcome,
)
from web.assisted_panel import (
    Search,
    SessionFields,
    capitalised,
    when_label,
    wording,
)
from web.console_pages import Viewer, page
from web.directory import Found
from web.places import PLACE_TYPES, Directory, Place, week_hours

SECTION_ID = "assisted-places"
PLACES_PATH = "/staff/assisted/places"


def _type_choices() -> list[tuple[str, str]]:
    words = wording()
    return [("", words["any_type"])] + [(kind, words["types"][kind]) for kind in PLACE_TYPES]


def search_form(session: SessionFields, search: Search | None = None) -> Markup:
    """The postcode and type form that asks for the list (a POST keeps the postcode out of URLs).

    Args:
        session: the assisted session's fields.
        search: what was asked for last, to fill the form in again.

    Returns:
        The form.
    """
    search = search or Search("")
    return templating.render(
        "staff/assisted/search_form.html",
        words=wording(),
        action=PLACES_PATH,
        session=session,
        postcode=search.postcode,
        types=_type_choices(),
        place_type=search.place_type,
    )


def _opening(found: Found, now: datetime) -> str:
    if found.open_now and found.open_until is not None:
        until = when_label(found.open_until, now).removeprefix("today at ")
        return f"Open now, until {until}"
    if found.next_opening is not None:
        return f"Closed now. Opens {when_label(found.next_opening, now)}"
    return "Closed now. No opening in the next three weeks"


def _service(place: Place, service: str) -> str | None:
    if service not in place.services:
        return None
    return place.sessions.get(service) or wording()["offered_ask_for_times"]


def _details(found: Found) -> list[tuple[str, str | list[str]]]:
    """Each (term, value) of a place's details; digital skills sessions are one line each."""
    words = wording()
    place = found.place
    facilities = place.facilities
    pcs = "None"
    if facilities.public_pcs:
        pcs = f"{facilities.public_pcs} ({facilities.bookable_pcs} can be booked)"
    assistive = [
        label for key, label in words["assistive_technology"].items() if place.facilities.has(key)
    ]
    skills = [
        f"{label}: {_service(place, key)}"
        for key, label in words["digital_skills"].items()
        if key in place.services
    ]
    return [
        ("Address", f"{place.address}, {place.postcode}"),
        ("Opening hours", week_hours(place) or "None listed"),
        ("Phone", place.phone or "Not listed"),
        ("Public computers", pcs),
        ("Assistive technology", capitalised(", ".join(assistive)) or "None listed"),
        ("Step-free access", "Yes" if facilities.step_free else "No"),
        ("Staff help", "Yes, staff can help" if place.staff_help else "No staff on hand"),
        ("Universal Credit support", _service(place, "universal_credit_support") or "No"),
        ("Digital skills sessions", skills or "No"),
    ]


def _place_item(
    found: Found,
    now: datetime,
    session: SessionFields,
    search: Search,
    directory: Directory,
    asked: Asked | None = None,
) -> dict[str, object]:
    place = found.place
    summary = [wording()["types"].get(place.type, place.type), distance_label(found.distance_m)]
    book = Markup("")
    if place.facilities.bookable_pcs:
        book = booking_form(place, session, search, directory, now.date(), asked)
    return {
        "id": place.id,
        "name": place.name,
        "summary": " · ".join(part for part in summary if part),
        "opening": _opening(found, now),
        "details": _details(found),
        "book": book,
    }


def places_section(
    *,
    session: SessionFields,
    search: Search,
    found: Sequence[Found] = (),
    now: datetime | None = None,
    directory: Directory | None = None,
    near_label: str = "",
    problem: str | None = None,
    outcome: Booked | Refused | None = None,
) -> Markup:
    """The list of every place near the resident, with the outcome of a booking above it.

    Args:
        session: the assisted session's fields, carried by every booking form.
        search: the postcode and type asked for.
        found: the places, nearest first.
        now: the council's local time now, naive (for opening times and the booking date).
        directory: for booking lengths (needed when ``found`` is not empty).
        near_label: the postcode as the directory understood it.
        problem: a message instead of the list (e.g. a postcode that cannot be used).
        outcome: a booking just made or refused.

    Returns:
        ``<section id="assisted-places">``.
    """
    places: list[dict[str, object]] = []
    if problem is None and found and now is not None and directory is not None:
        asked = outcome.asked if isinstance(outcome, Refused) else None
        places = [_place_item(item, now, session, search, directory, asked) for item in found]
    return templating.render(
        "staff/assisted/places_section.html",
        section_id=SECTION_ID,
        outcome=booking_outcome(outcome),
        problem=problem,
        places=places,
        toggle=wording()["list_toggle"],
        focus=not outcome,
        count=f"{len(found)} place{'' if len(found) == 1 else 's'}",
        near=near_label or search.postcode,
        now=when_label(now, now) if now is not None else "",
    )


def places_page(section: Markup, session: SessionFields, search: Search, viewer: Viewer) -> Markup:
    """The list as a whole console page: what the search form shows without script."""
    return page(
        "staff/assisted/places_page.html",
        title="Nearby places",
        viewer=viewer,
        form=search_form(session, search),
        section=section,
    )
