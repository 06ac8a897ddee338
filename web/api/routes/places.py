"""The location directory and public PC bookings, mounted under ``/api/v1`` (issue #5).

``GET /api/v1/places`` is the contract's edge: places nearest first from a postcode (or a
place in the directory) with distances in metres, filtered by type, facilities, services
and "open now" in the council's local time. No token: the directory is public, and a
booking holds no personal data (its reference is all a resident needs to cancel it).
Errors are JSON ``{"detail": {"code": ..., "message": ...}}`` with a 4xx status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status

from web import crud_bookings
from web.api.deps import SessionDep
from web.api.rate_limits import booking_limit, check_conversation
from web.booking_models import (
    BOOKING_REFERENCE_PATTERN,
    BookingCancel,
    BookingCreate,
    BookingPublic,
    ClosurePublic,
    FacilitiesPublic,
    NearPublic,
    PcBooking,
    PlaceList,
    PlacePublic,
)
from web.crud_bookings import BookingRefused, BookingRequest
from web.directory import (
    FILTER_FEATURES,
    Found,
    NearError,
    Origin,
    PlaceFinder,
)
from web.places import PLACE_TYPES, SERVICES, WEEKDAYS, Place

router = APIRouter(tags=["location directory"])

MAX_LIMIT = 50
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "`near` is neither a postcode nor a place in the directory"},
    403: {"description": "Cancelling a booking another conversation made"},
    404: {"description": "Unknown postcode, place or booking"},
    409: {"description": "Fully booked, already cancelled, or the conversation holds enough"},
    422: {"description": "Outside the council's area, unknown filter, or a refused booking"},
}
_BOOKING_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    429: {"description": "Too many booking calls; try again after `Retry-After` seconds"},
}


_NEAR_DOC = "A postcode in the council's area, or the name or id of a place in the directory."
_TYPE_DOC = f"Place types (repeat or comma-separate): {', '.join(PLACE_TYPES)}."
_OPEN_DOC = "true: only places open now; false: only closed ones."
_FEATURE_DOC = f"Facilities every place must have: {', '.join(FILTER_FEATURES)}."
_SERVICE_DOC = f"Services every place must offer: {', '.join(SERVICES)}."
_AT_DOC = "Judge opening at this moment instead of now (ISO 8601; no offset: local time)."


def get_finder(request: Request) -> PlaceFinder:
    """The directory search built at start-up."""
    return request.app.state.place_finder


FinderDep = Annotated[PlaceFinder, Depends(get_finder)]


def _error(status_code: int, code: str, message: str) -> HTTPException:
    return HTTPException(status_code, {"code": code, "message": message})


def _refused(error: BookingRefused) -> HTTPException:
    """A refused booking; ``limit`` carries the rule's number (days ahead, bookings held)."""
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.limit is not None:
        detail["limit"] = error.limit
    return HTTPException(error.status, detail)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _place_public(found: Found) -> PlacePublic:
    place = found.place
    return PlacePublic(
        id=place.id,
        name=place.name,
        type=place.type,
        address=place.address,
        postcode=place.postcode,
        phone=place.phone,
        distance_m=found.distance_m,
        open_now=found.open_now,
        open_until=_iso(found.open_until),
        next_opening=_iso(found.next_opening),
        hours={
            day: [interval.label() for interval in place.hours[index]]
            for index, day in enumerate(WEEKDAYS)
        },
        closures=[
            ClosurePublic(date=day.isoformat(), reason=reason)
            for day, reason in sorted(place.closures.items())
        ],
        facilities=FacilitiesPublic(**place.facilities.__dict__),
        staff_help=place.staff_help,
        services=sorted(place.services),
        sessions=dict(place.sessions),
        how_to_book=place.how_to_book,
    )


def _moment(finder: PlaceFinder, at: datetime | None) -> datetime:
    return finder.local(at) if at else finder.now()


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _check(values: list[str], allowed: tuple[str, ...], name: str) -> None:
    for value in values:
        if value not in allowed:
            raise _error(
                422, f"unknown_{name}", f"{name} '{value}' is not one of {', '.join(allowed)}"
            )


@router.get(
    "/places",
    response_model=PlaceList,
    summary="Places near a postcode, nearest first",
    responses=_ERRORS,
)
def list_places(
    finder: FinderDep,
    near: Annotated[str | None, Query(max_length=100, description=_NEAR_DOC)] = None,
    type: Annotated[list[str] | None, Query(description=_TYPE_DOC)] = None,  # noqa: A002
    open_now: Annotated[bool | None, Query(description=_OPEN_DOC)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many.")] = 10,
    feature: Annotated[list[str] | None, Query(description=_FEATURE_DOC)] = None,
    service: Annotated[list[str] | None, Query(description=_SERVICE_DOC)] = None,
    at: Annotated[datetime | None, Query(description=_AT_DOC)] = None,
) -> PlaceList:
    """Places nearest first, with distance in metres, open now and the next opening."""
    types, features, services = _split(type), _split(feature), _split(service)
    _check(types, PLACE_TYPES, "type")
    _check(features, FILTER_FEATURES, "feature")
    _check(services, SERVICES, "service")
    origin: Origin | None = None
    if near and near.strip():
        try:
            origin = finder.origin(near)
        except NearError as error:
            raise _error(error.status, error.code, error.message) from error
    moment = _moment(finder, at)
    found = finder.search(
        origin=origin,
        at=moment,
        types=types,
        features=features,
        services=services,
        open_now=open_now,
        limit=limit,
    )
    return PlaceList(
        near=NearPublic(query=origin.query, postcode=origin.postcode, place_id=origin.place_id)
        if origin
        else None,
        at=moment.isoformat(timespec="minutes"),
        timezone=str(finder.area.timezone),
        sample_data=finder.directory.sample_data,
        count=len(found),
        places=[_place_public(item) for item in found],
    )


def _place_or_404(finder: PlaceFinder, place_id: str) -> Place:
    place = finder.directory.get(place_id)
    if place is None:
        raise _error(404, "place_not_found", f"no place with id {place_id}")
    return place


@router.get(
    "/places/{place_id}", response_model=PlacePublic, summary="One place", responses=_ERRORS
)
def read_place(
    finder: FinderDep,
    place_id: Annotated[str, Path(max_length=100)],
    at: Annotated[datetime | None, Query(description=_AT_DOC)] = None,
) -> PlacePublic:
    """One place, with whether it is open and its next opening."""
    place = _place_or_404(finder, place_id)
    return _place_public(finder.describe(place, _moment(finder, at)))


def _booking_public(finder: PlaceFinder, booking: PcBooking) -> BookingPublic:
    tz = finder.area.timezone
    place = finder.directory.get(booking.place_id)
    starts, ends = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    return BookingPublic(
        reference=booking.reference,
        status=booking.status,
        place_id=booking.place_id,
        place_name=place.name if place else booking.place_id,
        address=place.address if place else "",
        pc_number=booking.pc_number,
        date=starts.date().isoformat(),
        time=starts.strftime("%H:%M"),
        end_time=ends.strftime("%H:%M"),
        minutes=booking.minutes,
        starts_at=starts.isoformat(timespec="minutes"),
        ends_at=ends.isoformat(timespec="minutes"),
        created_at=booking.created_at.isoformat(timespec="seconds"),
        cancelled_at=booking.cancelled_at.isoformat(timespec="seconds")
        if booking.cancelled_at
        else None,
        assisted=booking.assisted,
    )


@router.post(
    "/places/{place_id}/bookings",
    response_model=BookingPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Book a public PC",
    responses=_BOOKING_ERRORS,
    dependencies=[Depends(booking_limit)],
)
def create_booking(
    request: Request,
    finder: FinderDep,
    body: BookingCreate,
    place_id: Annotated[str, Path(max_length=100)],
) -> BookingPublic:
    """Book the first free PC at a place for a date, time (local) and length.

    A booking starts at most the council's booking horizon ahead, and one conversation
    holds only so many at once (both from the council's profile).
    """
    check_conversation(request, body.conversation_id)
    place = _place_or_404(finder, place_id)
    try:
        booking = crud_bookings.book_pc(
            request.app.state.session_factory,
            BookingRequest(place=place, day=body.date, time=body.time, minutes=body.minutes),
            finder.directory,
            finder.area.timezone,
            finder.now(),
            conversation_id=body.conversation_id,
        )
    except BookingRefused as error:
        raise _refused(error) from error
    return _booking_public(finder, booking)


def _reference(reference: str) -> str:
    reference = reference.strip().upper()
    if not BOOKING_REFERENCE_PATTERN.match(reference):
        raise _error(404, "not_found", "booking references look like PC-7K3Q9X")
    return reference


@router.get(
    "/bookings/{reference}", response_model=BookingPublic, summary="A booking", responses=_ERRORS
)
def read_booking(
    finder: FinderDep, session: SessionDep, reference: Annotated[str, Path(max_length=20)]
) -> BookingPublic:
    """A PC booking by its reference."""
    booking = crud_bookings.get_booking(session, reference=_reference(reference))
    if booking is None:
        raise _error(404, "not_found", "no booking with that reference")
    return _booking_public(finder, booking)


@router.delete(
    "/bookings/{reference}",
    response_model=BookingPublic,
    summary="Cancel a booking",
    responses=_BOOKING_ERRORS,
    dependencies=[Depends(booking_limit)],
)
def cancel_booking(
    request: Request,
    finder: FinderDep,
    session: SessionDep,
    reference: Annotated[str, Path(max_length=20)],
    body: BookingCancel,
) -> BookingPublic:
    """Cancel a PC booking by its reference; its PC is free again at once.

    The body names the conversation asking: only the one that made the booking may
    cancel it (403 ``not_yours`` otherwise, and the booking stays).
    """
    check_conversation(request, body.conversation_id)
    try:
        booking = crud_bookings.cancel_booking(
            session, reference=_reference(reference), conversation_id=body.conversation_id
        )
    except BookingRefused as error:
        raise _error(error.status, error.code, error.message) from error
    return _booking_public(finder, booking)
