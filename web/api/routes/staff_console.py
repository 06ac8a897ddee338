"""The staff console at ``/staff``: sign in, work the triage queue, claim and resolve.

Server-rendered HTML (``console_pages.py``), no JavaScript. Staff may also message the
resident from a record (``staff_messages.py``: web chat, and a text message with consent).
A session is a signed cookie (``core/security.py``): HttpOnly, SameSite=Strict, scoped to
``/staff``, ``Secure`` outside development, and it lasts ``STAFF_SESSION_MINUTES``. It is
also kept on the server (``crud_staff_sessions.py``), so signing out ends it for every copy
of the cookie. Every form that changes something carries a CSRF token tied to the session,
and the sign-in form one tied to its own cookie. Failed sign-ins are throttled
(``login_throttle.py``): 429 with ``Retry-After``. Pages asked for without a session
redirect to ``/staff/login`` (303). Views and changes are written to the audit log under
the staff member's username.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from web import (
    crud_staff,
    crud_staff_sessions,
    crud_triage,
    login_throttle,
    staff_messages,
)
from web.api.deps import SessionDep, SettingsDep
from web.api.errors import LoginRequired, StaffForbidden
from web.api.routes.triage import SEARCH_MAX_LENGTH
from web.assistant_link import tell_resident
from web.clean_input import clean_block
from web.console_pages import (
    DONE_MESSAGES,
    DUE_FILTERS,
    SORT_ORDERS,
    STATUS_FILTERS,
    QueueFilters,
    ReplyForm,
    Viewer,
    login_page,
    message_page,
    queue_page,
    record_page,
)
from web.core.config import PACKAGE_DIR, Settings
from web.core.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    StaffSession,
    csrf_token,
    csrf_token_is_valid,
    issue_session,
    login_csrf_is_valid,
    login_csrf_token,
    new_login_nonce,
    read_session,
)
from web.crud_triage import AuditAction, ConcurrentChange
from web.models import TriageRecord
from web.reference_links import ReferenceLinks
from web.roles import Area, home_path, may_use
from web.triage_models import (
    NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Category,
)
from web.workflow import InvalidTriageTransition, TriageStatus

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff", include_in_schema=False)

COOKIE_PATH = "/staff"
QUEUE_LIMIT = 500
CSS_FILE = PACKAGE_DIR / "static" / "console.css"

# Pages hold personal data: never cached, never framed, no scripts, nothing from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _html(page: Markup, status_code: int = status.HTTP_200_OK) -> HTMLResponse:
    return HTMLResponse(str(page), status_code=status_code, headers=SECURITY_HEADERS)


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(
        location, status_code=status.HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"}
    )


class SignedIn:
    """The staff member behind a request, with the session their forms are tied to."""

    def __init__(
        self, username: str, display_name: str, role: str, session: StaffSession, secret: str
    ):
        self.username = username
        self.role = role
        self.session = session
        self.viewer = Viewer(
            username=username,
            display_name=display_name,
            csrf_token=csrf_token(secret, session),
            role=role,
        )
        self._secret = secret

    def form_is_genuine(self, token: str | None) -> bool:
        """Tell whether a posted form carries this session's CSRF token."""
        return csrf_token_is_valid(self._secret, self.session, token)


def _signed_in_or_none(
    request: Request, session: SessionDep, settings: SettingsDep
) -> SignedIn | None:
    secret = settings.staff_session_secret.get_secret_value()
    staff_session = read_session(secret, request.cookies.get(SESSION_COOKIE))
    if staff_session is None or not crud_staff_sessions.session_is_live(session, staff_session):
        return None
    account = crud_staff.get_active_staff(session, username=staff_session.username)
    if account is None:
        return None
    return SignedIn(account.username, account.display_name, account.role, staff_session, secret)


def signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> SignedIn:
    """The signed-in staff member, or a redirect to the sign-in page.

    Raises:
        LoginRequired: no valid session, or the account was switched off.
    """
    staff = _signed_in_or_none(request, session, settings)
    if staff is None:
        raise LoginRequired()
    return staff


StaffDep = Annotated[SignedIn, Depends(signed_in)]


def staff_in(area: Area, *, json: bool = False) -> Callable[[SignedIn], SignedIn]:
    """A dependency: the signed-in staff member, if their role may use this area.

    Args:
        area: the part of the console the route belongs to.
        json: refuse in JSON (for the console's script) instead of with a plain page.
    """

    def allowed(staff: StaffDep) -> SignedIn:
        if not may_use(staff.role, area):
            logger.warning("Staff member %s (%s) refused %s", staff.username, staff.role, area)
            raise StaffForbidden(json=json)
        return staff

    return allowed


QueueStaff = Annotated[SignedIn, Depends(staff_in(Area.QUEUE))]
AssistedStaff = Annotated[SignedIn, Depends(staff_in(Area.ASSISTED))]
AssistedScriptStaff = Annotated[SignedIn, Depends(staff_in(Area.ASSISTED, json=True))]
InsightStaff = Annotated[SignedIn, Depends(staff_in(Area.INSIGHT))]


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


@router.get("/console.css")
def stylesheet() -> Response:
    """The console's style sheet (served here: no CDN)."""
    return Response(
        _stylesheet(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


# --- Sign in and out --------------------------------------------------------------------------


LOGIN_PATH = "/staff/login"
TOO_MANY = "Too many sign-in attempts. Wait {wait} and try again."


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _login_response(
    settings: SettingsDep,
    status_code: int = status.HTTP_200_OK,
    error: str | None = None,
    username: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in form with a fresh token, and the cookie the token is tied to."""
    nonce = new_login_nonce()
    token = login_csrf_token(settings.staff_session_secret.get_secret_value(), nonce)
    response = _html(login_page(csrf_token=token, error=error, username=username), status_code)
    response.headers.update(headers or {})
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The sign-in form (or the start page, for someone already signed in)."""
    staff = _signed_in_or_none(request, session, settings)
    if staff is not None:
        return _see_other(home_path(staff.role))
    return _login_response(settings)


@router.get("/home")
def home(staff: StaffDep) -> Response:
    """The first page the staff member's role may use."""
    return _see_other(home_path(staff.role))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: str = Form(""),
    password: str = Form(""),
    csrf: Annotated[str, Form(alias="csrf_token")] = "",
) -> Response:
    """Check the username and password; on success start a session and show the queue.

    Refused with 403 without the sign-in form's token, and with 429 and ``Retry-After``
    while failed attempts for this account or client are being throttled.
    """
    secret = settings.staff_session_secret.get_secret_value()
    username = username.strip()[:64]
    if not login_csrf_is_valid(secret, request.cookies.get(LOGIN_COOKIE), csrf):
        error = "The sign-in page had expired. Enter your username and password again"
        return _login_response(settings, status.HTTP_403_FORBIDDEN, error, username)
    if not username or not password:
        error = "Enter your username and password"
        return _login_response(settings, status.HTTP_400_BAD_REQUEST, error, username)
    attempt = login_throttle.Attempt(username, _client(request))
    wait = login_throttle.retry_after(session, attempt) or login_throttle.count_attempt(
        session, attempt
    )
    if wait is not None:
        logger.warning("Staff sign-in throttled")
        error = TOO_MANY.format(wait=_wait_words(wait))
        headers = {"Retry-After": str(wait)}
        return _login_response(
            settings, status.HTTP_429_TOO_MANY_REQUESTS, error, username, headers
        )
    account = crud_staff.authenticate_staff(session, username=username, password=password)
    if account is None:
        error = "The username or password is not right"
        return _login_response(settings, status.HTTP_400_BAD_REQUEST, error, username)
    login_throttle.clear(session, attempt)
    minutes = settings.staff_session_minutes
    cookie, staff_session = issue_session(secret, account.username, timedelta(minutes=minutes))
    crud_staff_sessions.start_session(session, staff_session)
    response = _see_other(home_path(account.role))
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=minutes * 60,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    logger.info("Staff member %s signed in", account.username)
    return response


def end_session(session: SessionDep, staff: SignedIn, response: Response) -> None:
    """End a staff member's session on the server and remove its cookie from the browser."""
    crud_staff_sessions.end_session(session, staff.session)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(alias="csrf_token")] = "",
) -> Response:
    """End the session (on the server, and the cookie is removed); back to sign in."""
    staff = _signed_in_or_none(request, session, settings)
    if staff is not None and not staff.form_is_genuine(csrf):
        return _html(_expired_form(staff), status.HTTP_403_FORBIDDEN)
    response = _see_other(LOGIN_PATH)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    if staff is not None:
        end_session(session, staff, response)
        logger.info("Staff member %s signed out", staff.username)
    return response


def _expired_form(staff: SignedIn) -> Markup:
    return message_page(
        "This form has expired",
        "The page was open from an earlier session. Go back to the queue and try again.",
        staff.viewer,
    )


# --- The queue --------------------------------------------------------------------------------


def _filters(
    status_value: str,
    priority: str,
    category: str,
    query: str,
    mine: str,
    due: str = "",
    sort: str = "",
) -> tuple[QueueFilters, str | None]:
    """Read the filter form, falling back to the default for a value not recognised.

    A search looks at every status unless one is chosen: a caller's case may be closed.
    """
    error = None
    query = " ".join(query.split())[:SEARCH_MAX_LENGTH]
    status_value = status_value or ("all" if query else "open")
    if status_value not in STATUS_FILTERS:
        error, status_value = "Choose a status from the list", "open"
    chosen_priority = None
    if priority:
        if priority in {"1", "2", "3"}:
            chosen_priority = int(priority)
        else:
            error = "Choose a priority from the list"
    chosen_category = None
    if category:
        try:
            chosen_category = Category(category)
        except ValueError:
            error = "Choose a category from the list"
    if due not in DUE_FILTERS:
        error, due = "Choose a due-by filter from the list", ""
    if sort not in SORT_ORDERS:
        error, sort = "Choose an order from the list", ""
    filters = QueueFilters(
        status_value, chosen_priority, chosen_category, query, mine == "1", due, sort
    )
    return filters, error


@router.get("")
def queue(
    session: SessionDep,
    staff: QueueStaff,
    status_value: str = Query("", alias="status"),
    priority: str = Query(""),
    category: str = Query(""),
    q: str = Query(""),
    mine: str = Query(""),
    due: str = Query(""),
    sort: str = Query(""),
) -> Response:
    """The triage queue: most urgent first, then oldest first, with search and filters.

    ``due=overdue`` keeps the open records past their due-by time; ``sort=due`` puts the
    soonest due first.
    """
    filters, error = _filters(status_value, priority, category, q, mine, due, sort)
    now = datetime.now(timezone.utc)
    page = crud_triage.list_triage(
        session,
        statuses=STATUS_FILTERS[filters.status][1],
        priorities=[filters.priority] if filters.priority else None,
        categories=[filters.category] if filters.category else None,
        query=filters.query or None,
        assignee=staff.username if filters.mine else None,
        queue_order=True,
        overdue_at=now if filters.due == "overdue" else None,
        due_order=filters.sort == "due",
        limit=QUEUE_LIMIT,
    )
    crud_triage.record_access(
        session, records=page.records, actor=staff.username, action=AuditAction.LIST
    )
    html_page = queue_page(
        records=page.records,
        count=page.count,
        filters=filters,
        viewer=staff.viewer,
        now=now,
        error=error,
        names=crud_triage.display_names(
            session, usernames=[record.assignee for record in page.records]
        ),
    )
    return _html(html_page, status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK)


# --- One record -------------------------------------------------------------------------------


def _not_found(staff: SignedIn, reference: str) -> HTMLResponse:
    page = message_page(
        "Record not found",
        f"There is no triage record {reference[:20]}. Check the reference and try again.",
        staff.viewer,
    )
    return _html(page, status.HTTP_404_NOT_FOUND)


def _show(
    session: SessionDep,
    settings: Settings,
    staff: SignedIn,
    record: TriageRecord,
    note: str = "",
    error: str | None = None,
    resident_note: str = "",
    reply: ReplyForm | None = None,
    done: str | None = None,
    status_code: int | None = None,
) -> HTMLResponse:
    crud_triage.record_access(session, records=[record], actor=staff.username)
    audit = crud_triage.list_audit(session, record=record)
    possible = ReplyForm(
        web_chat=staff_messages.by_web_chat(record), sms_to=crud_triage.sms_number(record)
    )
    if reply is not None:
        possible = ReplyForm(possible.web_chat, possible.sms_to, reply.text, reply.sms, reply.error)
    page = record_page(
        record=record,
        audit=audit,
        viewer=staff.viewer,
        note=note,
        error=error,
        resident_note=resident_note,
        reply=possible,
        done=done,
        linked=crud_triage.linked_references(session, records=[record]).get(record.reference, []),
        names=crud_triage.display_names(
            session, usernames=[record.assignee, *(entry.actor for entry in audit)]
        ),
        links_to=ReferenceLinks.configured(
            open311_url=settings.open311_url, stand_in=settings.stand_in
        ),
    )
    failed = error or possible.error
    code = status_code or (status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK)
    return _html(page, code)


@router.get("/triage/{reference}")
def record(
    session: SessionDep,
    settings: SettingsDep,
    staff: QueueStaff,
    reference: str,
    done: str = Query(""),
    sent: str = Query(""),
) -> Response:
    """A record's full view, with its conversation and the forms to act on it.

    ``done`` names the change just made (post-redirect-get), for the success banner;
    ``sent=1`` is the older form of ``done=sent``.
    """
    found = crud_triage.get_triage(session, reference=reference)
    if found is None:
        return _not_found(staff, reference)
    finished = "sent" if sent == "1" else done
    shown = finished if finished in DONE_MESSAGES else None
    return _show(session, settings, staff, found, done=shown)


# Each button names the status it expects the record to be in, so a button on a page that
# went stale (someone else acted meanwhile) is refused instead of doing something else.
# ``_DONE``: the banner each move's redirect asks for.
_DONE = {"claim": "claimed", "unclaim": "released", "reopen": "reopened", "resolve": "resolved"}
_MOVES: dict[str, tuple[frozenset[TriageStatus], TriageStatus]] = {
    "claim": (frozenset({TriageStatus.NEW}), TriageStatus.CLAIMED),
    "unclaim": (frozenset({TriageStatus.CLAIMED}), TriageStatus.NEW),
    "reopen": (frozenset({TriageStatus.RESOLVED}), TriageStatus.CLAIMED),
    "resolve": (frozenset({TriageStatus.NEW, TriageStatus.CLAIMED}), TriageStatus.RESOLVED),
}


def _move(
    session: SessionDep,
    staff: SignedIn,
    reference: str,
    csrf: str,
    move: str,
    note: str | None = None,
    resident_note: str | None = None,
) -> Response:
    if not staff.form_is_genuine(csrf):
        return _html(_expired_form(staff), status.HTTP_403_FORBIDDEN)
    found = crud_triage.get_triage(session, reference=reference)
    if found is None:
        return _not_found(staff, reference)
    expected, target = _MOVES[move]
    try:
        if TriageStatus(found.status) not in expected:
            raise InvalidTriageTransition(TriageStatus(found.status), target)
        crud_triage.update_triage(
            session,
            record=found,
            actor=staff.username,
            status=target,
            resolution_note=note,
            resident_note=resident_note,
            sender_name=staff.viewer.display_name,
        )
    except (InvalidTriageTransition, ConcurrentChange):
        page = message_page(
            "This record has changed",
            f"Someone else may have claimed or resolved {found.reference} meanwhile. "
            "Open the record again to see where it stands.",
            staff.viewer,
        )
        return _html(page, status.HTTP_409_CONFLICT)
    return _see_other(_done_location(found.reference, _DONE[move]))


def _done_location(reference: str, done: str) -> str:
    """Where a change redirects: the record, with its success banner in view and focused."""
    return f"/staff/triage/{reference}?done={done}#banner-title"


CsrfField = Annotated[str, Form(alias="csrf_token")]


@router.post("/triage/{reference}/claim")
def claim(session: SessionDep, staff: QueueStaff, reference: str, csrf: CsrfField = "") -> Response:
    """Take a new record off the queue (it is assigned to whoever claims it)."""
    return _move(session, staff, reference, csrf, "claim")


@router.post("/triage/{reference}/unclaim")
def unclaim(
    session: SessionDep, staff: QueueStaff, reference: str, csrf: CsrfField = ""
) -> Response:
    """Put a claimed record back on the queue."""
    return _move(session, staff, reference, csrf, "unclaim")


@router.post("/triage/{reference}/reopen")
def reopen(
    session: SessionDep, staff: QueueStaff, reference: str, csrf: CsrfField = ""
) -> Response:
    """Reopen a resolved record; whoever reopens it owns it."""
    return _move(session, staff, reference, csrf, "reopen")


@router.post("/triage/{reference}/resolve")
def resolve(
    session: SessionDep,
    settings: SettingsDep,
    staff: QueueStaff,
    reference: str,
    csrf: CsrfField = "",
    note: str = Form(""),
    resident_note: str = Form(""),
) -> Response:
    """Resolve a record with a note saying what was done, and tell the resident.

    The resident's conversation hears that the case is closed, with the note for the
    resident when staff wrote one.
    """
    text = note.strip()
    for_resident = resident_note.strip()
    error = None
    if not text:
        error = "Enter a resolution note saying what was done"
    elif len(text) > NOTE_MAX_LENGTH:
        error = f"The resolution note must be {NOTE_MAX_LENGTH} characters or fewer"
    elif len(for_resident) > NOTE_MAX_LENGTH:
        error = f"The note for the resident must be {NOTE_MAX_LENGTH} characters or fewer"
    if error is None:
        response = _move(
            session, staff, reference, csrf, "resolve", note=text, resident_note=for_resident
        )
        resolved = crud_triage.get_triage(session, reference=reference)
        if response.status_code == status.HTTP_303_SEE_OTHER and resolved is not None:
            tell_resident(
                settings,
                conversation_id=resolved.conversation_id,
                reference=resolved.reference,
                channel=resolved.channel,
                note=for_resident or None,
            )
        return response
    if not staff.form_is_genuine(csrf):
        return _html(_expired_form(staff), status.HTTP_403_FORBIDDEN)
    found = crud_triage.get_triage(session, reference=reference)
    if found is None:
        return _not_found(staff, reference)
    return _show(
        session,
        settings,
        staff,
        found,
        note=note[: NOTE_MAX_LENGTH * 2],
        error=error,
        resident_note=resident_note[: NOTE_MAX_LENGTH * 2],
    )


@router.post("/triage/{reference}/reply")
def reply(
    session: SessionDep,
    settings: SettingsDep,
    staff: QueueStaff,
    reference: str,
    csrf: CsrfField = "",
    message: str = Form(""),
    send_sms: str = Form(""),
) -> Response:
    """Send a message to the resident: into their web chat, and by text with consent.

    The message is kept in the record's transcript under the staff member's display name
    and in the audit log. Caseworkers and admins only (``QueueStaff``).
    """
    if not staff.form_is_genuine(csrf):
        return _html(_expired_form(staff), status.HTTP_403_FORBIDDEN)
    found = crud_triage.get_triage(session, reference=reference)
    if found is None:
        return _not_found(staff, reference)
    text = clean_block(message).strip()
    sms = send_sms == "1"
    error = None
    if not text:
        error = "Enter a message for the resident"
    elif len(text) > REPLY_MAX_LENGTH:
        error = f"The message must be {REPLY_MAX_LENGTH} characters or fewer"
    code = status.HTTP_400_BAD_REQUEST
    if error is None:
        try:
            staff_messages.send_staff_message(
                session,
                settings,
                record=found,
                actor=staff.username,
                sender_name=staff.viewer.display_name,
                text=text,
                sms=sms,
            )
        except staff_messages.MessageRefused as exc:
            error = str(exc)
        except staff_messages.MessageUndelivered as exc:
            error, code = str(exc), status.HTTP_503_SERVICE_UNAVAILABLE
        except ConcurrentChange:
            error, code = (
                "The record changed meanwhile. Send the message again.",
                status.HTTP_409_CONFLICT,
            )
        else:
            return _see_other(_done_location(found.reference, "sent"))
    typed = ReplyForm(text=message[: REPLY_MAX_LENGTH * 2], sms=sms, error=error)
    return _show(session, settings, staff, found, reply=typed, status_code=code)
