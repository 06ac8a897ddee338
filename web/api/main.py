"""Mounts every router of the council services stand-in under its prefix."""

from __future__ import annotations

from fastapi import APIRouter

from web.api.routes import (
    answer_feedback,
    assisted,
    assisted_places,
    council_tax,
    insight,
    open311,
    places,
    sms,
    staff_console,
    staff_insight,
    staff_reports,
    staff_undelivered,
    system,
    triage,
    undelivered,
    web_chat,
)

api_router = APIRouter()
api_router.include_router(system.router)
api_router.include_router(open311.router, prefix="/open311/v2")
api_router.include_router(staff_reports.router, prefix="/api/v1")
api_router.include_router(triage.router, prefix="/api/v1")
api_router.include_router(undelivered.router, prefix="/api/v1")
api_router.include_router(staff_console.router)
api_router.include_router(insight.router, prefix="/api/v1")
api_router.include_router(staff_insight.router)
api_router.include_router(staff_undelivered.router)
api_router.include_router(places.router, prefix="/api/v1")
api_router.include_router(council_tax.router, prefix="/api/v1")
# Before the web chat: its /chat/{name} assets would otherwise take GET /chat/feedback.
api_router.include_router(answer_feedback.router)
api_router.include_router(web_chat.router)
api_router.include_router(sms.api_router)
api_router.include_router(sms.console_router)
api_router.include_router(assisted.router)
api_router.include_router(assisted_places.router)
