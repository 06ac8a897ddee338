"""Mounts every router of Front Door's web service under its prefix.

The readiness check (``system``) is separate: the stand-in alone serves it too. The
stand-ins of the council's own systems are not here; ``web/main.py`` mounts them when
configured (``web/stand_in/``).
"""

from __future__ import annotations

from fastapi import APIRouter

from web.api.routes import (
    answer_feedback,
    assisted,
    assisted_places,
    insight,
    places,
    staff_console,
    staff_insight,
    staff_sms,
    staff_undelivered,
    system,
    triage,
    undelivered,
    web_chat,
    widget,
)

system_router = system.router

api_router = APIRouter()
api_router.include_router(triage.router, prefix="/api/v1")
api_router.include_router(undelivered.router, prefix="/api/v1")
api_router.include_router(staff_console.router)
api_router.include_router(insight.router, prefix="/api/v1")
api_router.include_router(staff_insight.router)
api_router.include_router(staff_undelivered.router)
api_router.include_router(places.router, prefix="/api/v1")
# Before the web chat: its /chat/{name} assets would otherwise take GET /chat/feedback.
api_router.include_router(answer_feedback.router)
api_router.include_router(web_chat.router)
api_router.include_router(widget.router)
api_router.include_router(staff_sms.console_router)
api_router.include_router(assisted.router)
api_router.include_router(assisted_places.router)
