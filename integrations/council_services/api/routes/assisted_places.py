"""Nearby places for the resident in a library assisted session (issue #6).

``POST /staff/assisted/places`` lists every place in the directory near the resident's
postcode, nearest first. It is a POST so the resident's postcode never sits in a URL, the
browser's history or the server's access log. It needs a signed-in staff member (otherwise
the console's redirect to sign-in), the console's CSRF token and the session's assist token
(403 without them). The answer is a console page whose ``<section id="assisted-places">``
the chat page puts into its staff panel (``static/assisted.js``); without script the page
itself is shown.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, status
from fastapi.responses import HTMLResponse

from integrations.council_services.api.deps import SettingsDep
from integrations.council_services.api.routes.assisted import session_is_genuine
from integrations.council_services.api.routes.places import FinderDep
from integrations.council_services.api.routes.staff_console import (
    SECURITY_HEADERS,
    SignedIn,
    StaffDep,
)
from integrations.council_services.assisted_pages import places_page, places_section
from integrations.council_services.assisted_panel import Search, SessionFields, wording
from integrations.council_services.core.config import Settings
from integrations.council_services.directory import Found, NearError, PlaceFinder
from integrations.council_services.places import PLACE_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff/assisted", include_in_schema=False)

FormText = Annotated[str, Form()]
_POSTCODE_CHARS = 20
_ID_CHARS = 100


class _Panel:
    """One request of the panel: who asks, for which session, and what they searched for."""

    def __init__(
        self, staff: SignedIn, conversation_id: str, assist_token: str, postcode: str, kind: str
    ) -> None:
        self.staff = staff
        self.fields = SessionFields(
            csrf_token=staff.viewer.csrf_token,
            conversation_id=conversation_id[:_ID_CHARS],
            assist_token=assist_token[: _ID_CHARS * 2],
        )
        self.search = Search(postcode=postcode.strip()[:_POSTCODE_CHARS], place_type=kind[:40])

    def refusal(self, settings: Settings, csrf: str) -> HTMLResponse | None:
        """403 unless the form carries the staff session's CSRF token and a live assist token."""
        if not self.staff.form_is_genuine(csrf):
            return self.answer(problem=wording()["form_expired"], code=status.HTTP_403_FORBIDDEN)
        if not session_is_genuine(settings, self.fields.conversation_id, self.fields.assist_token):
            return self.answer(problem=wording()["session_ended"], code=status.HTTP_403_FORBIDDEN)
        return None

    def answer(
        self,
        *,
        finder: PlaceFinder | None = None,
        problem: str | None = None,
        code: int = status.HTTP_200_OK,
    ) -> HTMLResponse:
        """The page with the list (searched when ``finder`` is given) or a problem."""
        found: list[Found] = []
        near, now = "", None
        if finder is not None and problem is None:
            now = finder.now()
            try:
                found, near = self._search(finder, now)
            except _SearchProblem as error:
                problem = error.message
                code = error.status
        section = places_section(found=found, now=now, near_label=near, problem=problem)
        page = places_page(section, self.fields, self.search, self.staff.viewer)
        return HTMLResponse(str(page), status_code=code, headers=SECURITY_HEADERS)

    def _search(self, finder: PlaceFinder, now: datetime) -> tuple[list[Found], str]:
        """Every place of the chosen type near the postcode, and the postcode as understood.

        Raises:
            _SearchProblem: no postcode, an unknown type, or a postcode that cannot be used.
        """
        words = wording()
        if not self.search.postcode:
            raise _SearchProblem(400, words["postcode_problems"]["missing"])
        if self.search.place_type and self.search.place_type not in PLACE_TYPES:
            raise _SearchProblem(400, words["unknown_type"])
        try:
            origin = finder.origin(self.search.postcode)
        except NearError as error:
            message = words["postcode_problems"].get(error.code, error.message)
            raise _SearchProblem(error.status, message) from error
        found = finder.search(
            origin=origin,
            at=now,
            types=[self.search.place_type] if self.search.place_type else [],
            limit=len(finder.directory.places),
        )
        return found, origin.postcode or origin.query


class _SearchProblem(Exception):
    """A search that cannot be done, with the status and the message for staff."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status_code
        self.message = message


@router.post("/places")
def places(
    settings: SettingsDep,
    staff: StaffDep,
    finder: FinderDep,
    csrf_token: FormText = "",
    conversation_id: FormText = "",
    assist_token: FormText = "",
    postcode: FormText = "",
    kind: Annotated[str, Form(alias="type")] = "",
) -> HTMLResponse:
    """Every place near the resident's postcode, nearest first."""
    panel = _Panel(staff, conversation_id, assist_token, postcode, kind)
    return panel.refusal(settings, csrf_token) or panel.answer(finder=finder)
