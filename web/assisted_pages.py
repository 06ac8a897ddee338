"""The "Nearby places" list of an assisted session's staff panel, as server-rendered HTML.

This module owns the markup of the search form and of the full list of places near the
resident: nearest first, with what staff need to advise them (distance, opening, public
computers, assistive technology, staff help, Universal Credit support and digital skills
sessions) and, under each place with bookable computers, the booking form of
``assisted_booking_pages.py``. Every value is escaped by ``console_pages.render``. The list
is one ``<section id="assisted-places">``: the chat page puts it into its staff panel
(``static/assisted.js``) and, without script, it is the main content of a console page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lib.units import distance_label
from web.assisted_booking_pages import (
    Asked,
    Booked,
    Refused,
    booking_form,
    booking_outcome,
)
from web.assisted_panel import (
    NOTHING,
    Search,
    SessionFields,
    capitalised,
    options,
    when_label,
    wording,
)
from web.console_pages import Safe, Viewer, join, layout, render
from web.directory import Found
from web.places import PLACE_TYPES, Directory, Place, week_hours

SECTION_ID = "assisted-places"
PLACES_PATH = "/staff/assisted/places"


def _type_choices() -> list[tuple[str, str]]:
    words = wording()
    return [("", words["any_type"])] + [(kind, words["types"][kind]) for kind in PLACE_TYPES]


def search_form(session: SessionFields, search: Search | None = None) -> Safe:
    """The postcode and type form that asks for the list (a POST keeps the postcode out of URLs).

    Args:
        session: the assisted session's fields.
        search: what was asked for last, to fill the form in again.

    Returns:
        The form.
    """
    words = wording()
    search = search or Search("")
    return render(
        '<form method="post" action="{action}" class="assisted-form" autocomplete="off"'
        " data-assisted-form>{hidden}"
        '<div class="field"><label for="places-postcode">{postcode_label}</label>'
        '<p class="hint" id="places-postcode-hint">{postcode_hint}</p>'
        '<input type="text" id="places-postcode" name="postcode" value="{postcode}"'
        ' maxlength="20" autocomplete="off" spellcheck="false" autocapitalize="characters"'
        ' aria-describedby="places-postcode-hint"></div>'
        '<div class="field"><label for="places-type">{type_label}</label>'
        '<select id="places-type" name="type">{types}</select></div>'
        '<button type="submit" class="button">{button}</button></form>',
        action=PLACES_PATH,
        hidden=session.hidden(),
        postcode_label=words["postcode_label"],
        postcode_hint=words["postcode_hint"],
        postcode=search.postcode,
        type_label=words["type_label"],
        types=options(_type_choices(), search.place_type),
        button=words["search_button"],
    )


def _row(term: str, value: object) -> Safe:
    return render("<dt>{term}</dt><dd>{value}</dd>", term=term, value=value)


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


def _details(found: Found) -> Safe:
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
    rows = [
        _row("Address", f"{place.address}, {place.postcode}"),
        _row("Opening hours", week_hours(place) or "None listed"),
        _row("Phone", place.phone or "Not listed"),
        _row("Public computers", pcs),
        _row("Assistive technology", capitalised(", ".join(assistive)) or "None listed"),
        _row("Step-free access", "Yes" if facilities.step_free else "No"),
        _row("Staff help", "Yes, staff can help" if place.staff_help else "No staff on hand"),
        _row("Universal Credit support", _service(place, "universal_credit_support") or "No"),
        _row(
            "Digital skills sessions",
            join(render('<span class="line">{s}</span>', s=s) for s in skills) if skills else "No",
        ),
    ]
    return render('<dl class="place-details">{rows}</dl>', rows=join(rows))


def _place_item(
    found: Found,
    now: datetime,
    session: SessionFields,
    search: Search,
    directory: Directory,
    asked: Asked | None = None,
) -> Safe:
    place = found.place
    summary = [wording()["types"].get(place.type, place.type), distance_label(found.distance_m)]
    book = NOTHING
    if place.facilities.bookable_pcs:
        book = booking_form(place, session, search, directory, now.date(), asked)
    return render(
        '<li class="place" id="place-{place_id}"><h4>{name}</h4>'
        '<p class="place-summary">{summary}</p><p class="place-open">{opening}</p>'
        "{details}{book}</li>",
        place_id=place.id,
        name=place.name,
        summary=" · ".join(part for part in summary if part),
        opening=_opening(found, now),
        details=_details(found),
        book=book,
    )


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
) -> Safe:
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
    if problem is not None:
        body = render(
            '<div class="booking-result booking-result--refused" role="alert">'
            '<p id="places-problem" tabindex="-1" data-focus>{problem}</p></div>',
            problem=problem,
        )
    elif not found or now is None or directory is None:
        body = render(
            '<h3 tabindex="-1" data-focus>No places found</h3>'
            "<p>Try another type of place, or any type.</p>"
        )
    else:
        asked = outcome.asked if isinstance(outcome, Refused) else None
        items = join(_place_item(item, now, session, search, directory, asked) for item in found)
        body = render(
            '<h3 id="places-title" tabindex="-1"{focus}>{count} near {near}</h3>'
            "<p>Nearest first. Opening times are as of {now}.</p>"
            '<details class="place-list-box" open><summary>{toggle}</summary>'
            '<ol class="place-list">{items}</ol></details>',
            toggle=wording()["list_toggle"],
            focus=NOTHING if outcome else Safe(" data-focus"),
            count=f"{len(found)} place{'' if len(found) == 1 else 's'}",
            near=near_label or search.postcode,
            now=when_label(now, now),
            items=items,
        )
    return render(
        '<section id="{id}" class="assisted-places" aria-label="Nearby places">'
        "{outcome}{body}</section>",
        id=SECTION_ID,
        outcome=booking_outcome(outcome),
        body=body,
    )


def places_page(section: Safe, session: SessionFields, search: Search, viewer: Viewer) -> Safe:
    """The list as a whole console page: what the search form shows without script."""
    main = render(
        "<h1>Nearby places</h1>"
        '<p class="notice">Part of an assisted session. When you are done, close this tab '
        "so that nothing of the resident stays on screen or in its history.</p>{form}{section}",
        form=search_form(session, search),
        section=section,
    )
    return layout("Nearby places", main, viewer)
