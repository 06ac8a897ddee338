"""Dependencies shared by the routes: settings, database session and credentials.

Routes declare what they need through the annotated aliases at the bottom
(``SessionDep``, ``SettingsDep``, ...), as in the full-stack FastAPI template.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from web.core.config import Settings

_bearer = HTTPBearer(auto_error=False, description="The staff API token (STAFF_API_TOKEN).")


def get_app_settings(request: Request) -> Settings:
    """Return the settings the app was built with."""
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """Yield a database session for one request and close it afterwards."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def same_secret(given: str, expected: str) -> bool:
    """Compare secrets in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


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
    if not same_secret(credentials.credentials, settings.staff_api_token.get_secret_value()):
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
            if not same_secret(token.strip(), expected):
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
SessionDep = Annotated[Session, Depends(get_db)]
