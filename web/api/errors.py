"""Error responses: the GeoReport v2 error array under ``/open311``, FastAPI's elsewhere.

Every error under ``/open311`` (our own, FastAPI's validation errors, unknown paths and
methods) leaves as ``[{"code": <HTTP status>, "description": "<text>"}]`` with that HTTP
status, so any Open311 client can read it. Other paths keep FastAPI's ``{"detail": ...}``,
except a staff console page asked for without a session, which redirects to sign-in (303).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.core.security import SESSION_COOKIE

logger = logging.getLogger(__name__)

OPEN311_PREFIX = "/open311"


class LoginRequired(Exception):
    """A staff console page was asked for without a valid session: go to the sign-in page."""


LOGIN_PATH = "/staff/login"


class StaffForbidden(Exception):
    """A signed-in staff member asked for a part of the console their role may not use.

    Args:
        json: answer in JSON (for the console's script) instead of a plain page.
    """

    def __init__(self, *, json: bool = False) -> None:
        super().__init__("forbidden for this role")
        self.json = json


FORBIDDEN_TITLE = "You cannot use this page"
FORBIDDEN_TEXT = "Your account does not give you access to this part of the console."
FORBIDDEN_PAGE = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    f"<title>{FORBIDDEN_TITLE} - Front Door staff console</title>"
    '<link rel="stylesheet" href="/staff/console.css"></head>'
    f'<body><main id="main"><h1>{FORBIDDEN_TITLE}</h1><p>{FORBIDDEN_TEXT}</p>'
    '<p>Ask an administrator if you need it.</p><p><a href="/staff/home">Go to your start page</a>'
    "</p></main></body></html>"
)


class Open311Error(Exception):
    """An error to send as a GeoReport v2 error array.

    Args:
        status_code: the HTTP status, repeated as each entry's ``code``.
        descriptions: one readable sentence, or several for several problems.
    """

    def __init__(self, status_code: int, descriptions: str | Sequence[str]) -> None:
        self.status_code = status_code
        self.descriptions = [descriptions] if isinstance(descriptions, str) else list(descriptions)
        super().__init__("; ".join(self.descriptions))


def open311_error_response(
    status_code: int, descriptions: Sequence[str], headers: dict[str, str] | None = None
) -> JSONResponse:
    """Build the GeoReport v2 error array response.

    Args:
        status_code: the HTTP status.
        descriptions: one entry per problem.
        headers: extra headers (e.g. ``Allow`` on 405).

    Returns:
        The JSON response.
    """
    body = [{"code": status_code, "description": text} for text in descriptions]
    return JSONResponse(body, status_code=status_code, headers=headers)


def _is_open311(request: Request) -> bool:
    return request.url.path.startswith(OPEN311_PREFIX)


def describe_validation_errors(errors: Sequence[dict]) -> list[str]:
    """Turn pydantic/FastAPI error dicts into readable sentences.

    Args:
        errors: ``exc.errors()`` of a validation error.

    Returns:
        One sentence per error, naming the field unless the error concerns the whole request.
    """
    sentences = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        location = [part for part in location if part != "__root__"]
        message = str(error.get("msg", "is not valid"))
        field = ".".join(location)
        if field and not message.startswith(field):
            message = f"{field}: {message}"
        sentences.append(message)
    return sentences or ["the request is not valid"]


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    response = RedirectResponse(LOGIN_PATH, status_code=status.HTTP_303_SEE_OTHER)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/staff")
    response.headers["Cache-Control"] = "no-store"
    return response


async def _staff_forbidden(request: Request, exc: StaffForbidden) -> Response:
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if exc.json:
        return JSONResponse({"error": FORBIDDEN_TEXT}, status.HTTP_403_FORBIDDEN, headers)
    return HTMLResponse(FORBIDDEN_PAGE, status.HTTP_403_FORBIDDEN, headers)


async def _open311_error(request: Request, exc: Open311Error) -> Response:
    return open311_error_response(exc.status_code, exc.descriptions)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if not _is_open311(request):
        return await http_exception_handler(request, exc)
    if exc.status_code == status.HTTP_404_NOT_FOUND and exc.detail == "Not Found":
        description = f"{request.url.path} is not an Open311 resource"
    elif exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        description = f"{request.method} is not allowed on {request.url.path}"
    else:
        description = str(exc.detail)
    return open311_error_response(exc.status_code, [description], headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if not _is_open311(request):
        return await request_validation_exception_handler(request, exc)
    return open311_error_response(
        status.HTTP_400_BAD_REQUEST, describe_validation_errors(exc.errors())
    )


def describe_open311_errors_in_openapi(app: FastAPI) -> None:
    """Drop FastAPI's automatic 422 response from the Open311 operations in ``/openapi.json``.

    Those operations answer validation problems with 400 and the error array (documented on
    each route), so advertising 422 would mislead clients and schema-based test tools.

    Args:
        app: the FastAPI application.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, operations in schema.get("paths", {}).items():
                if path.startswith(OPEN311_PREFIX):
                    for operation in operations.values():
                        operation.get("responses", {}).pop("422", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def register_exception_handlers(app: FastAPI) -> None:
    """Install the error handlers on the app.

    Args:
        app: the FastAPI application.
    """
    # Starlette types handlers as taking any Exception; each is registered for its own type.
    app.add_exception_handler(Open311Error, _open311_error)  # type: ignore[arg-type]
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(StaffForbidden, _staff_forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
