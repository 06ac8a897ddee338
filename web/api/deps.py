"""Dependencies shared by the routes: settings, catalogue, database session and credentials.

Routes declare what they need through the annotated aliases at the bottom
(``SessionDep``, ``CatalogueDep``, ...), as in the full-stack FastAPI template.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from web.api.errors import Open311Error
from web.catalogue import Catalogue
from web.core.config import Settings

_bearer = HTTPBearer(auto_error=False, description="The staff API token (STAFF_API_TOKEN).")


def get_app_settings(request: Request) -> Settings:
    """Return the settings the app was built with."""
    return request.app.state.settings


def get_catalogue(request: Request) -> Catalogue:
    """Return the service catalogue loaded at start-up."""
    return request.app.state.catalogue


def get_db(request: Request) -> Iterator[Session]:
    """Yield a database session for one request and close it afterwards."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def _same_secret(given: str, expected: str) -> bool:
    """Compare secrets in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def jurisdiction(
    jurisdiction_id: str | None = Query(
        None, description="Accepted on every call and ignored: this endpoint serves one council."
    ),
) -> str | None:
    """Accept the Open311 ``jurisdiction_id`` parameter."""
    return jurisdiction_id


def require_api_key(
    settings: Annotated[Settings, Depends(get_app_settings)],
    api_key: str | None = Form(None, description="The Open311 API key issued by the council."),
) -> None:
    """Refuse an Open311 request without the right ``api_key`` (403, as the spec says).

    Raises:
        Open311Error: 403 when the key is missing or wrong.
    """
    if not api_key:
        raise Open311Error(status.HTTP_403_FORBIDDEN, "api_key is required")
    if not _same_secret(api_key, settings.open311_api_key.get_secret_value()):
        raise Open311Error(status.HTTP_403_FORBIDDEN, "api_key is not valid")


def require_staff(
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Refuse a staff request without the right bearer token (401, no data).

    Raises:
        HTTPException: 401 when the token is missing or wrong.
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated", challenge)
    if not _same_secret(credentials.credentials, settings.staff_api_token.get_secret_value()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid staff token", challenge)


class StaffTokenFirstRoute(APIRoute):
    """A route that checks the staff bearer token before FastAPI reads the body.

    FastAPI parses a JSON body before it runs dependencies, so a request without a token
    but with a malformed body would get 422 instead of 401. The contract says every triage
    endpoint answers 401 without the token, whatever else is wrong. ``require_staff`` stays
    on the routes as well, for the OpenAPI document.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the token check."""
        handler = super().get_route_handler()

        async def check_token_first(request: Request) -> Response:
            settings: Settings = request.app.state.settings
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            expected = settings.staff_api_token.get_secret_value()
            if scheme.lower() != "bearer" or not token.strip():
                return _unauthorised("Not authenticated")
            if not _same_secret(token.strip(), expected):
                return _unauthorised("Invalid staff token")
            return await handler(request)

        return check_token_first


def _unauthorised(detail: str) -> Response:
    return JSONResponse(
        {"detail": detail},
        status_code=status.HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
SessionDep = Annotated[Session, Depends(get_db)]
