"""The resident web chat at ``/`` and its same-origin message endpoint (issue #6).

The page, its script and its style sheet are served from ``static/``: no CDN. The
script talks only to ``POST /chat/messages`` on this origin, which passes the message to
the assistant (``chat_relay.py``), and, while a case is open, ``GET /chat/updates`` for the
message that staff have resolved it. Nothing of the conversation is kept here: the page keeps
it in the browser's ``sessionStorage`` and wipes it when the resident finishes or the
chat goes idle for ``WEB_CHAT_IDLE_MINUTES``.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response

from integrations.council_services.api.deps import SettingsDep
from integrations.council_services.chat_relay import (
    MAX_BODY_BYTES,
    AssistantUnavailable,
    ChatInputError,
    check_conversation_id,
    fetch_case_updates,
    parse_message,
    relay,
)
from integrations.council_services.console_pages import Safe, render
from integrations.council_services.core.config import PACKAGE_DIR, Settings

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

STATIC_DIR = PACKAGE_DIR / "static"
ASSETS = {
    "chat.js": "text/javascript",
    "chat.css": "text/css",
    "assisted.js": "text/javascript",  # the staff panel of a library assisted session
}
UNAVAILABLE = "unavailable"
NOTHING = Safe("")


def page_headers(frame_ancestors: str) -> dict[str, str]:
    """Security headers of the chat page: own scripts only, talk only to this origin."""
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; "
            f"frame-ancestors {frame_ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def chat_document(
    settings: Settings,
    mode: Safe = NOTHING,
    staff_panel: Safe = NOTHING,
    finish_label: str = "Finish and clear",
) -> Safe:
    """The chat page; the library assisted session adds its attributes and staff panel."""
    return render(
        _asset("chat.html"),
        idle_minutes=settings.web_chat_idle_minutes,
        max_chars=settings.max_message_chars,
        mode=mode,
        staff_panel=staff_panel,
        finish_label=finish_label,
    )


@router.get("/")
def chat_page(settings: SettingsDep) -> HTMLResponse:
    """The resident web chat."""
    page = chat_document(settings)
    return HTMLResponse(str(page), headers=page_headers(settings.web_chat_frame_ancestors))


@router.get("/chat/updates")
async def chat_updates(
    settings: SettingsDep, conversation_id: str = "", after: float | None = None
) -> JSONResponse:
    """Messages about a resolved case said in this conversation since ``after``.

    The page asks while the resident has a case open: when staff resolve it, the assistant
    says so in the conversation, and this is how the open page hears it. Answers
    ``{"updates": [{"text", "at"}], "cursor": float}``; send ``cursor`` as ``after`` next time.
    Declared before ``/chat/{name}``, so that the asset route does not take it.
    """
    try:
        checked = check_conversation_id(conversation_id)
    except ChatInputError as error:
        return _error(str(error), status.HTTP_400_BAD_REQUEST)
    try:
        updates, cursor = await fetch_case_updates(settings, checked, after)
    except AssistantUnavailable:
        return _error(UNAVAILABLE, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse(
        {"updates": updates, "cursor": cursor}, headers={"Cache-Control": "no-store"}
    )


@router.get("/chat/{name}")
def chat_asset(name: str) -> Response:
    """The chat's script and style sheet (served here: no CDN)."""
    if name not in ASSETS:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return Response(
        _asset(name),
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


def _error(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code, headers={"Cache-Control": "no-store"})


async def read_json(request: Request) -> object:
    """The request's JSON body, refused when it is not JSON or too large.

    Raises:
        ChatInputError: wrong content type, too large, or not JSON.
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ChatInputError("Send the message as JSON.")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise ChatInputError("The message is too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ChatInputError("The message is too large.")
    try:
        return json.loads(body)
    except ValueError as error:
        raise ChatInputError("Send the message as JSON.") from error


@router.post("/chat/messages")
async def chat_message(request: Request, settings: SettingsDep) -> JSONResponse:
    """Pass one message to the assistant; answer with its replies.

    400 with a short ``error`` for a malformed message, 503 ``unavailable`` when the
    assistant does not answer (the page then shows its own apology).
    """
    try:
        message = parse_message(await read_json(request), settings.max_message_chars)
    except ChatInputError as error:
        return _error(str(error), status.HTTP_400_BAD_REQUEST)
    try:
        replies = await relay(settings, message)
    except AssistantUnavailable:
        return _error(UNAVAILABLE, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"replies": replies}, headers={"Cache-Control": "no-store"})
