"""Service routes: the readiness check and a placeholder home page.

``GET /healthz`` answers once the schema is in place and the database answers; the test
harness and the launcher wait on it. ``GET /`` is a placeholder until the web chat replaces it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter, status
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from integrations.council_services.api.deps import SessionDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["system"])

_HOME_PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Council services (stand-in)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Council services stand-in is running</h1>
<p>This stands in for the council's customer records system. It speaks Open311 GeoReport v2.</p>
<ul>
<li><a href="/open311/v2/services.json">Open311 services list</a></li>
<li><a href="/docs">API documentation</a></li>
<li><a href="/healthz">Health check</a></li>
</ul>
</main>
</body>
</html>
"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home() -> HTMLResponse:
    """Say that the stand-in is running, with links to its documentation."""
    return HTMLResponse(_HOME_PAGE)


@router.get("/healthz")
def health(session: SessionDep) -> JSONResponse:
    """Answer ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("Health check: the database does not answer")
        return JSONResponse({"status": "unavailable"}, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"status": "ok"})
