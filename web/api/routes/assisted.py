"""Library assisted sessions (issue #6): staff help a resident through the web chat.

A signed-in staff member starts a session at ``/staff/assisted``. The session gets a new
conversation id (``library-<random>``) and a token signed with ``LIBRARY_ASSIST_SECRET``
(``lib/assisted_tokens.py``); the chat page sends both with each message to
``/staff/assisted/messages``, which checks the staff session, the CSRF token and the
assist token, then passes the message on with channel ``library``. The assistant checks
the token again before it marks the conversation assisted, so every report and triage
record of the session carries the mark. The page keeps nothing in the browser's storage,
shows staff guidance beside the chat, and "Finish session" ends the staff member's session
on the server (``/staff/assisted/finish``) and leaves for the sign-in page, so nobody at
the public computer afterwards finds the staff console signed in.
"""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from lib.assisted_tokens import issue_token, token_is_valid
from lib.yaml_files import load_yaml
from web import templating
from web.api.deps import SessionDep, SettingsDep
from web.api.rate_limits import client_address
from web.api.routes.staff_console import (
    LOGIN_PATH,
    SECURITY_HEADERS,
    AssistedScriptStaff,
    AssistedStaff,
    end_session,
)
from web.api.routes.web_chat import (
    UNAVAILABLE,
    chat_document,
    page_headers,
    read_json,
)
from web.assisted_pages import search_form
from web.assisted_panel import SessionFields
from web.assisted_panel import wording as places_wording
from web.assisted_summary import STYLESHEET_PATH, SUMMARY_PATH
from web.chat_relay import (
    AssistantUnavailable,
    ChatInputError,
    parse_message,
    relay,
)
from web.console_pages import page as console_page
from web.core.config import PACKAGE_DIR, Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff/assisted", include_in_schema=False)

GUIDANCE_FILE = PACKAGE_DIR / "data" / "assisted_guidance.yml"
SENDER_PREFIX = "library-"


def session_is_genuine(settings: Settings, conversation_id: str, token: object) -> bool:
    """Whether ``token`` was issued for this assisted session and has not expired.

    Args:
        settings: for ``LIBRARY_ASSIST_SECRET``.
        conversation_id: the session's id as the page holds it (without ``library-``).
        token: the token the page sent.
    """
    secret = settings.library_assist_secret.get_secret_value()
    return token_is_valid(secret, SENDER_PREFIX + conversation_id, token)


@lru_cache(maxsize=1)
def guidance() -> dict[str, Any]:
    """The staff guidance (``data/assisted_guidance.yml``)."""
    return load_yaml(GUIDANCE_FILE.read_text(encoding="utf-8"))


def guidance_panel(session: SessionFields) -> Markup:
    """The staff-only panel beside the chat (``assisted.css`` lays the two out).

    It holds the button for the printable summary, the guidance and the "Nearby places"
    search, whose list ``assisted.js`` puts into ``#assisted-output`` so the chat stays on
    screen (without script the form opens it as a page of its own).
    """
    return templating.render(
        "staff/assisted/panel.html",
        css=STYLESHEET_PATH,
        guidance=guidance(),
        words=places_wording(),
        session=session,
        summary_action=SUMMARY_PATH,
        search_form=search_form(session),
    )


@router.get("/assisted.css")
def stylesheet(staff: AssistedStaff) -> Response:
    """The layout of the assisted session's page and of the printed summary (their staff only)."""
    return Response(
        _stylesheet(),
        media_type="text/css",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (PACKAGE_DIR / "static" / "assisted.css").read_text(encoding="utf-8")


@router.get("")
def start_page(staff: AssistedStaff) -> HTMLResponse:
    """Explain assisted sessions and offer to start one."""
    page = console_page("staff/assisted/start.html", title="Assisted session", viewer=staff.viewer)
    return HTMLResponse(str(page), headers=SECURITY_HEADERS)


@router.post("/start")
def start(
    settings: SettingsDep, staff: AssistedStaff, csrf: str = Form("", alias="csrf_token")
) -> Response:
    """Start a session: a new conversation id and its signed token, in the chat page."""
    if not staff.form_is_genuine(csrf):
        return Response("This form has expired. Go back and try again.", status_code=403)
    conversation_id = uuid.uuid4().hex
    token = issue_token(
        settings.library_assist_secret.get_secret_value(), SENDER_PREFIX + conversation_id
    )
    logger.info("Staff member %s started an assisted session", staff.username)
    mode = templating.render(
        "staff/assisted/chat_mode.html",
        conversation=conversation_id,
        token=token,
        csrf=staff.viewer.csrf_token,
        next=LOGIN_PATH,
    )
    panel = guidance_panel(SessionFields(staff.viewer.csrf_token, conversation_id, token))
    page = chat_document(settings, mode=mode, staff_panel=panel, finish_label="Finish session")
    headers = {**page_headers("'none'")}
    return HTMLResponse(str(page), headers=headers)


@router.post("/messages")
async def message(
    request: Request, settings: SettingsDep, staff: AssistedScriptStaff
) -> JSONResponse:
    """Pass one message of an assisted session to the assistant, on channel ``library``."""
    if not staff.form_is_genuine(request.headers.get("x-csrf-token")):
        return JSONResponse({"error": "Your session has expired. Start again."}, 403)
    try:
        body = await read_json(request)
        chat = parse_message(body, settings.max_message_chars)
    except ChatInputError as error:
        return JSONResponse({"error": str(error)}, status.HTTP_400_BAD_REQUEST)
    token = body.get("assist_token") if isinstance(body, dict) else None
    if not session_is_genuine(settings, chat.conversation_id, token):
        return JSONResponse({"error": "This session has ended. Start a new one."}, 403)
    try:
        replies = await relay(
            settings,
            chat,
            channel="library",
            extra_metadata={"assist_token": str(token)},
            sender_prefix=SENDER_PREFIX,
            resident_address=client_address(request),
        )
    except AssistantUnavailable:
        return JSONResponse({"error": UNAVAILABLE}, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"replies": replies}, headers={"Cache-Control": "no-store"})


@router.post("/finish")
def finish(request: Request, session: SessionDep, staff: AssistedScriptStaff) -> Response:
    """End the staff member's session for good at "Finish session" (then the page signs in).

    The page posts here with the session's CSRF token in ``X-CSRF-Token``; 204 when the
    session has ended, 403 (nothing ended) without the token.
    """
    if not staff.form_is_genuine(request.headers.get("x-csrf-token")):
        return JSONResponse({"error": "Your session has expired. Start again."}, 403)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.headers["Cache-Control"] = "no-store"
    end_session(session, staff, response)
    logger.info("Staff member %s finished an assisted session and was signed out", staff.username)
    return response
