"""Nearby places and PC bookings for the resident in a library assisted session (issue #6).

``POST /staff/assisted/places`` lists every place in the directory near the resident's
postcode, nearest first; ``POST /staff/assisted/bookings`` books a public computer for them
with the residents' own booking code (``crud_bookings.book_pc``), marked as assisted. Both
are POSTs so the resident's postcode never sits in a URL, the browser's history or the
server's access log. Both need a signed-in staff member (otherwise the console's redirect to
sign-in), the console's CSRF token and the session's assist token (403 without them). The
answer is a console page whose ``<section id="assisted-places">`` the chat page puts into
its staff panel (``static/assisted.js``); without script the page itself is shown.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from lib.references import normalise_reference
from web import crud_bookings
from web.api.deps import SessionDep, SettingsDep
from web.api.routes.assisted import SENDER_PREFIX, session_is_genuine
from web.api.routes.places import FinderDep
from web.api.routes.staff_console import (
    SECURITY_HEADERS,
    AssistedStaff,
    SignedIn,
)
from web.assisted_booking_pages import Asked, Booked, Refused
from web.assisted_pages import places_page, places_section
from web.assisted_panel import Search, SessionFields, wording
from web.assisted_summary import (
    SummaryBooking,
    summary_document,
    unique_references,
)
from web.booking_models import BookingCreate
from web.core.config import Settings
from web.crud_bookings import BookingRefused, BookingRequest
from web.directory import Found, NearError, PlaceFinder
from web.models import TriageRecord
from web.places import PLACE_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff/assisted", include_in_schema=False)

FormText = Annotated[str, Form()]
_POSTCODE_CHARS = 20
_ID_CHARS = 100
# The summary reads at most this many references the page found in the chat.
_CHAT_REFERENCES = 50
# The printed summary may run the page's script (its print button), nothing from elsewhere.
_SUMMARY_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class _Panel:
    """One request of the panel: who asks, for which session, and what they searched for."""

    def __init__(
        self, staff: SignedIn, conversation_id: str, assist_token: str, postcode: str, kind: str
    ) -> None:
        self.staff = staff
        self.fields = SessionFields(
            csrf_token=staff.viewer.csrf_token,
            conversation_id=conversation_id[:_ID_CHARS],
            assist_token=assist_token[: _ID_CHARS * 2],
        )
        self.search = Search(postcode=postcode.strip()[:_POSTCODE_CHARS], place_type=kind[:40])

    def refusal(self, settings: Settings, csrf: str) -> HTMLResponse | None:
        """403 unless the form carries the staff session's CSRF token and a live assist token."""
        if not self.staff.form_is_genuine(csrf):
            return self.answer(problem=wording()["form_expired"], code=status.HTTP_403_FORBIDDEN)
        if not session_is_genuine(settings, self.fields.conversation_id, self.fields.assist_token):
            return self.answer(problem=wording()["session_ended"], code=status.HTTP_403_FORBIDDEN)
        return None

    def answer(
        self,
        *,
        finder: PlaceFinder | None = None,
        problem: str | None = None,
        outcome: Booked | Refused | None = None,
        code: int = status.HTTP_200_OK,
    ) -> HTMLResponse:
        """The page with the list (searched again when ``finder`` is given) or a problem.

        A search problem sets the status only when there is no booking outcome to report.
        """
        found: list[Found] = []
        near, now = "", None
        if finder is not None and problem is None:
            now = finder.now()
            try:
                found, near = self._search(finder, now)
            except _SearchProblem as error:
                problem = error.message
                code = code if outcome else error.status
        section = places_section(
            session=self.fields,
            search=self.search,
            found=found,
            now=now,
            directory=finder.directory if finder else None,
            near_label=near,
            problem=problem,
            outcome=outcome,
        )
        page = places_page(section, self.fields, self.search, self.staff.viewer)
        return HTMLResponse(str(page), status_code=code, headers=SECURITY_HEADERS)

    def _search(self, finder: PlaceFinder, now: datetime) -> tuple[list[Found], str]:
        """Every place of the chosen type near the postcode, and the postcode as understood.

        Raises:
            _SearchProblem: no postcode, an unknown type, or a postcode that cannot be used.
        """
        words = wording()
        if not self.search.postcode:
            raise _SearchProblem(400, words["postcode_problems"]["missing"])
        if self.search.place_type and self.search.place_type not in PLACE_TYPES:
            raise _SearchProblem(400, words["unknown_type"])
        try:
            origin = finder.origin(self.search.postcode)
        except NearError as error:
            message = words["postcode_problems"].get(error.code, error.message)
            raise _SearchProblem(error.status, message) from error
        found = finder.search(
            origin=origin,
            at=now,
            types=[self.search.place_type] if self.search.place_type else [],
            limit=len(finder.directory.places),
        )
        return found, origin.postcode or origin.query


class _SearchProblem(Exception):
    """A search that cannot be done, with the status and the message for staff."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status_code
        self.message = message


@router.post("/places")
def places(
    settings: SettingsDep,
    staff: AssistedStaff,
    finder: FinderDep,
    csrf_token: FormText = "",
    conversation_id: FormText = "",
    assist_token: FormText = "",
    postcode: FormText = "",
    kind: Annotated[str, Form(alias="type")] = "",
) -> HTMLResponse:
    """Every place near the resident's postcode, nearest first."""
    panel = _Panel(staff, conversation_id, assist_token, postcode, kind)
    return panel.refusal(settings, csrf_token) or panel.answer(finder=finder)


def _booking_problem(error: ValidationError) -> str:
    problems = wording()["booking_problems"]
    field = str(error.errors()[0]["loc"][0]) if error.errors() else "date"
    return problems.get(field, problems["date"])


@router.post("/bookings")
def book(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: AssistedStaff,
    finder: FinderDep,
    csrf_token: FormText = "",
    conversation_id: FormText = "",
    assist_token: FormText = "",
    postcode: FormText = "",
    kind: Annotated[str, Form(alias="type")] = "",
    place_id: FormText = "",
    date: FormText = "",
    time: FormText = "",
    minutes: FormText = "",
) -> HTMLResponse:
    """Book a public computer for the resident, marked as made in an assisted session."""
    panel = _Panel(staff, conversation_id, assist_token, postcode, kind)
    refused = panel.refusal(settings, csrf_token)
    if refused is not None:
        return refused
    asked = Asked(place_id[:_ID_CHARS], date[:10], time[:5], minutes[:4])
    place = finder.directory.get(asked.place_id)
    if place is None:
        outcome = Refused(wording()["booking_problems"]["place"])
        return panel.answer(finder=finder, outcome=outcome, code=status.HTTP_404_NOT_FOUND)
    try:
        # pydantic's own checks, shared with the residents' API, turn the strings into types.
        wanted = BookingCreate(date=date, time=time, minutes=minutes)  # type: ignore[arg-type]
    except ValidationError as error:
        outcome = Refused(_booking_problem(error), asked)
        return panel.answer(finder=finder, outcome=outcome, code=status.HTTP_400_BAD_REQUEST)
    # The sign-in check read the staff account in the request's session; end that read
    # before book_pc's own transactions, or SQLite's lock would make them wait on it.
    session.close()
    try:
        booking = crud_bookings.book_pc(
            request.app.state.session_factory,
            BookingRequest(place=place, day=wanted.date, time=wanted.time, minutes=wanted.minutes),
            finder.directory,
            finder.area.timezone,
            finder.now(),
            assisted_by=staff.username,
            # The session's conversation, so the resident can cancel it there later.
            conversation_id=SENDER_PREFIX + panel.fields.conversation_id,
        )
    except BookingRefused as error:
        return panel.answer(finder=finder, outcome=Refused(error.message, asked), code=error.status)
    logger.info(
        "Staff member %s booked PC %s in an assisted session", staff.username, booking.reference
    )
    tz = finder.area.timezone
    outcome = Booked(
        reference=booking.reference,
        place=place,
        pc_number=booking.pc_number,
        start=booking.starts_at.astimezone(tz),
        end=booking.ends_at.astimezone(tz),
    )
    return panel.answer(finder=finder, outcome=outcome, code=status.HTTP_201_CREATED)


def _triage_references(session: Session, conversation_id: str) -> list[str]:
    """References of the requests to speak to someone made in the conversation, oldest first."""
    return list(
        session.execute(
            sa.select(TriageRecord.reference)
            .where(TriageRecord.conversation_id == conversation_id)
            .order_by(TriageRecord.created_at)
        ).scalars()
    )


@router.post("/summary")
def summary(
    session: SessionDep,
    settings: SettingsDep,
    staff: AssistedStaff,
    finder: FinderDep,
    csrf_token: FormText = "",
    conversation_id: FormText = "",
    assist_token: FormText = "",
    reference: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """The printable summary for the resident: references, bookings and what happens next.

    The references come from the records of the session's conversation (computer bookings,
    requests to speak to someone) and from those the chat page shows (``reference``, sent
    by ``assisted.js``: street reports and others the stand-in does not tie to a
    conversation); only well-formed references are kept.
    """
    panel = _Panel(staff, conversation_id, assist_token, "", "")
    refused = panel.refusal(settings, csrf_token)
    if refused is not None:
        return refused
    conversation = SENDER_PREFIX + panel.fields.conversation_id
    tz = finder.area.timezone
    bookings = []
    for booking in crud_bookings.conversation_bookings(session, conversation):
        place = finder.directory.get(booking.place_id)
        if place is not None:
            bookings.append(
                SummaryBooking(
                    reference=booking.reference,
                    place=place,
                    pc_number=booking.pc_number,
                    start=booking.starts_at.astimezone(tz),
                    end=booking.ends_at.astimezone(tz),
                )
            )
    from_chat = [normalise_reference(text[:40]) for text in (reference or [])[:_CHAT_REFERENCES]]
    references = unique_references(
        [
            [booking.reference for booking in bookings],
            _triage_references(session, conversation),
            [text for text in from_chat if text],
        ]
    )
    logger.info("Staff member %s printed an assisted session's summary", staff.username)
    page = summary_document(references, bookings, finder.now())
    return HTMLResponse(str(page), headers=_SUMMARY_HEADERS)
