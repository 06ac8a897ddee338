"""Service routes: the readiness check.

``GET /healthz`` answers once the schema is in place and the database answers; the test
harness and the launcher wait on it. ``GET /`` is the web chat (``web_chat.py``).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from web.api.deps import SessionDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["system"])


@router.get("/healthz")
def health(session: SessionDep) -> JSONResponse:
    """Answer ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("Health check: the database does not answer")
        return JSONResponse({"status": "unavailable"}, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"status": "ok"})
