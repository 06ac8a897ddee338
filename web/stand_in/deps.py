"""Dependencies of the stand-in's routes: the Open311 catalogue, ``api_key`` and jurisdiction.

The session, settings and staff token come from ``web.api.deps`` like every other route's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request, status

from web.api.deps import SettingsDep, same_secret
from web.api.errors import Open311Error
from web.stand_in.open311.catalogue import Catalogue


def get_catalogue(request: Request) -> Catalogue:
    """Return the service catalogue loaded at start-up."""
    return request.app.state.stand_in_catalogue


def jurisdiction(
    jurisdiction_id: str | None = Query(
        None, description="Accepted on every call and ignored: this endpoint serves one council."
    ),
) -> str | None:
    """Accept the Open311 ``jurisdiction_id`` parameter."""
    return jurisdiction_id


def require_api_key(
    settings: SettingsDep,
    api_key: str | None = Form(None, description="The Open311 API key issued by the council."),
) -> None:
    """Refuse an Open311 request without the right ``api_key`` (403, as the spec says).

    Raises:
        Open311Error: 403 when the key is missing or wrong.
    """
    if not api_key:
        raise Open311Error(status.HTTP_403_FORBIDDEN, "api_key is required")
    if not same_secret(api_key, settings.open311_api_key.get_secret_value()):
        raise Open311Error(status.HTTP_403_FORBIDDEN, "api_key is not valid")


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
