"""The resident web chat at ``/`` and its same-origin message endpoint (issue #6).

The page, its script and its style sheet are served from ``static/``: no CDN. The
script talks only to ``POST /chat/messages`` on this origin, which passes the message to
the assistant (``chat_relay.py``), and, while a case is open, ``GET /chat/updates`` for the
message that staff have resolved it. Nothing of the conversation is kept here: the page keeps
it in the browser's ``sessionStorage`` and wipes it when the resident finishes or the
chat goes idle for ``WEB_CHAT_IDLE_MINUTES``.

Each conversation belongs to the browser that started it (``crud_web_chat.py``): the first
message sets an HttpOnly, SameSite=Lax cookie scoped to ``/chat``, and a message with a
conversation id bound to another browser is refused (403) and never reaches the
assistant. "Finish and clear" posts to ``/chat/finish``, which ends the conversation here
and in the assistant (every slot, a council tax verification included, is forgotten) and
removes the cookie.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from web import crud_web_chat, templating
from web.api.deps import SessionDep, SettingsDep
from web.api.rate_limits import client_address, web_chat_limit
from web.assistant_link import end_conversation
from web.chat_relay import (
    CONVERSATION_ID,
    MAX_BODY_BYTES,
    SENDER_PREFIX,
    AssistantUnavailable,
    ChatInputError,
    check_conversation_id,
    fetch_case_updates,
    parse_message,
    relay,
)
from web.core.config import PACKAGE_DIR, Settings
from web.resident_page import (
    CouncilPage,
    brand_css,
    load_council_page,
    page_data,
    script_json,
)
from web.widget import council_dir_for

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

STATIC_DIR = PACKAGE_DIR / "static"
ASSETS = {
    "chat.js": "text/javascript",
    "chat.css": "text/css",
    "assisted.js": "text/javascript",  # the staff panel of a library assisted session
    "logo-placeholder.svg": "image/svg+xml",  # the development council's stand-in logo
}
FINISH_LABEL = "Finish and clear"
UNAVAILABLE = "unavailable"
BROWSER_COOKIE = "fd_chat"
COOKIE_PATH = "/chat"
NOT_YOURS = "This conversation is not available. A new one has been started."
ENDED = "That conversation has finished. A new one has been started."


def page_headers(frame_ancestors: str, img_origin: str = "") -> dict[str, str]:
    """Security headers of the chat page: own scripts only, talk only to this origin.

    ``img_origin`` is the origin of the council's logo when it is an https address.
    """
    images = f"'self' {img_origin}" if img_origin else "'self'"
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; "
            f"frame-ancestors {frame_ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def council_page(settings: Settings, council_dir: Path | None = None) -> CouncilPage:
    """The council the page speaks for (its profile, read once per process)."""
    return load_council_page(council_dir or settings.council_dir)


def _phone_href(phone: str) -> str:
    """The ``tel:`` link of a UK number (``01782 232200`` is ``tel:+441782232200``)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "tel:+44" + digits[1:] if digits.startswith("0") else "tel:" + digits


def chat_document(
    settings: Settings,
    mode: Markup | None = None,
    staff_panel: Markup | None = None,
    finish_label: str = FINISH_LABEL,
    council_dir: Path | None = None,
    embed: bool = False,
) -> Markup:
    """The chat page; the library assisted session adds its attributes and staff panel.

    ``embed``: the compact page the widget shows in its panel (``web/widget.py``): no
    title bar (the panel has its own) and no developer links; everything else kept.
    """
    council = council_page(settings, council_dir)
    data = page_data(settings.kb_dir)
    developer_links = ""
    if settings.is_development and not embed:
        developer_links = "stand_in" if settings.stand_in else "plain"
    return templating.render(
        "chat/page.html",
        idle_minutes=settings.web_chat_idle_minutes,
        max_chars=settings.max_message_chars,
        mode=mode,
        staff_panel=staff_panel,
        finish_label=finish_label,
        finish_chrome=finish_label == FINISH_LABEL,
        council_name=council.name,
        logo=council.branding.logo,
        logo_placeholder=council.branding.logo_placeholder,
        exit_url=data["exit_url"],
        page_data=Markup(script_json(data)),
        privacy=council.branding.privacy_notice,
        accessibility=council.branding.accessibility_statement,
        phone=council.phone,
        phone_href=_phone_href(council.phone) if council.phone else "",
        developer_links=developer_links,
        embed=embed,
    )


def chat_headers(settings: Settings) -> dict[str, str]:
    """The chat page's headers, allowing the council's logo when it is hosted elsewhere."""
    return page_headers(settings.web_chat_frame_ancestors, council_page(settings).logo_origin)


@router.get("/")
def chat_page(settings: SettingsDep, embed: str = "", council: str = "") -> HTMLResponse:
    """The resident web chat; ``?embed=1&council=<slug>`` is the widget's panel.

    Only the widget's page may be framed by the council's own sites
    (``WIDGET_ALLOWED_ORIGINS``); an unknown council gets the configured one.
    """
    if embed != "1":
        return HTMLResponse(str(chat_document(settings)), headers=chat_headers(settings))
    council_dir = council_dir_for(settings, council)
    page = chat_document(settings, council_dir=council_dir, embed=True)
    headers = page_headers(
        settings.widget_frame_ancestors, council_page(settings, council_dir).logo_origin
    )
    return HTMLResponse(str(page), headers=headers)


@router.get("/chat/updates")
async def chat_updates(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    conversation_id: str = "",
    after: float | None = None,
) -> JSONResponse:
    """Messages about a resolved case said in this conversation since ``after``.

    The page asks while the resident has a case open: when staff resolve it, the assistant
    says so in the conversation, and this is how the open page hears it. Answers
    ``{"updates": [{"text", "at"}], "cursor": float}``; send ``cursor`` as ``after`` next time.
    403 for a conversation that is not this browser's (its HttpOnly chat cookie).
    Declared before ``/chat/{name}``, so that the asset route does not take it.
    """
    try:
        checked = check_conversation_id(conversation_id)
    except ChatInputError as error:
        return _error(str(error), status.HTTP_400_BAD_REQUEST)
    owned = await run_in_threadpool(
        crud_web_chat.owns_conversation,
        session,
        conversation_id=checked,
        browser_token=request.cookies.get(BROWSER_COOKIE, ""),
    )
    if not owned:
        # Only the browser that holds the conversation hears what staff said in it.
        return _restart(NOT_YOURS, status.HTTP_403_FORBIDDEN)
    try:
        updates, cursor = await fetch_case_updates(settings, checked, after)
    except AssistantUnavailable:
        return _error(UNAVAILABLE, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse(
        {"updates": updates, "cursor": cursor}, headers={"Cache-Control": "no-store"}
    )


@router.get("/chat/brand.css")
def chat_brand(settings: SettingsDep) -> Response:
    """The council's colours from its profile (checked for contrast when loaded)."""
    return Response(
        brand_css(council_page(settings).branding),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
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


def _browser_token(request: Request) -> tuple[str, bool]:
    """The browser's chat token, and whether it is new (the cookie must then be set)."""
    token = request.cookies.get(BROWSER_COOKIE, "")
    if 20 <= len(token) <= 64:
        return token, False
    return crud_web_chat.new_browser_token(), True


def _set_browser_cookie(
    response: Response, settings: SettingsDep, token: str, *, drop: bool = False
) -> None:
    """Set (or, with ``drop``, remove) the cookie that binds conversations to this browser.

    With ``SameSite=None`` (the chat framed on another site, e.g. by the widget) the cookie
    is also ``Partitioned``: kept for that site only, so browsers that block third-party
    cookies still keep it. Removing it must name the same attributes.
    """
    cross_site = settings.web_chat_cookie_samesite == "none"
    response.set_cookie(
        BROWSER_COOKIE,
        "" if drop else token,
        max_age=0 if drop else None,
        path=COOKIE_PATH,
        httponly=True,
        samesite=settings.web_chat_cookie_samesite,
        # Browsers take SameSite=None only with Secure.
        secure=settings.secure_cookies or cross_site,
    )
    if cross_site:
        # Starlette writes Partitioned only on Python 3.14 and later: add it here.
        name, value = response.raw_headers[-1]  # set_cookie appends its header last
        if name == b"set-cookie":
            response.raw_headers[-1] = (name, value + b"; Partitioned")


@router.post("/chat/messages", dependencies=[Depends(web_chat_limit)])
async def chat_message(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Pass one message to the assistant; answer with its replies.

    400 with a short ``error`` for a malformed message, 403 ``restart`` for a conversation
    id that belongs to another browser, 409 ``restart`` for one that has ended (the page
    then starts a new conversation), 503 ``unavailable`` when the assistant does not answer
    (the page then shows its own apology), 429 with ``Retry-After`` when one address sends
    more than ``WEB_CHAT_RATE_LIMIT``.
    """
    try:
        message = parse_message(await read_json(request), settings.max_message_chars)
    except ChatInputError as error:
        return _error(str(error), status.HTTP_400_BAD_REQUEST)
    token, new = _browser_token(request)
    try:
        # Database work off the event loop, as FastAPI does for plain functions.
        await run_in_threadpool(
            crud_web_chat.use_conversation,
            session,
            conversation_id=message.conversation_id,
            browser_token=token,
            idle=timedelta(minutes=settings.web_chat_idle_minutes),
        )
    except crud_web_chat.NotThisBrowsers:
        logger.warning("web chat: a conversation id was sent from another browser")
        return _restart(NOT_YOURS, status.HTTP_403_FORBIDDEN)
    except crud_web_chat.ConversationEnded:
        return _restart(ENDED, status.HTTP_409_CONFLICT)
    try:
        replies = await relay(settings, message, resident_address=client_address(request))
    except AssistantUnavailable:
        response: Response = _error(UNAVAILABLE, status.HTTP_503_SERVICE_UNAVAILABLE)
    else:
        response = JSONResponse({"replies": replies}, headers={"Cache-Control": "no-store"})
    if new:
        _set_browser_cookie(response, settings, token)
    return response


def _restart(message: str, status_code: int) -> JSONResponse:
    return JSONResponse(
        {"error": message, "restart": True}, status_code, headers={"Cache-Control": "no-store"}
    )


@router.post("/chat/finish")
async def chat_finish(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the conversation here and in the assistant at "Finish and clear"; drop the cookie.

    204 whatever was sent (there is nothing to tell a page about someone else's id), but only
    the browser that owns the conversation ends it.
    """
    try:
        body = await read_json(request)
    except ChatInputError as error:
        return _error(str(error), status.HTTP_400_BAD_REQUEST)
    conversation_id = body.get("conversation_id") if isinstance(body, dict) else None
    token = request.cookies.get(BROWSER_COOKIE, "")
    if (
        isinstance(conversation_id, str)
        and CONVERSATION_ID.match(conversation_id)
        and token
        and await run_in_threadpool(
            crud_web_chat.finish_conversation,
            session,
            conversation_id=conversation_id,
            browser_token=token,
        )
    ):
        await run_in_threadpool(end_conversation, settings, SENDER_PREFIX + conversation_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.headers["Cache-Control"] = "no-store"
    _set_browser_cookie(response, settings, "", drop=True)
    return response
