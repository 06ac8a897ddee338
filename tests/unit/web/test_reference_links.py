"""Street reports link to the configured Open311 system, or to nothing (issue #17).

A street report lives in the council's Open311 system. The record page links it to
``OPEN311_URL`` when that is set, to this service while it mounts the stand-in, and
otherwise shows the reference without a link rather than a link that answers 404.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web.core.config import DEV_STAFF_API_TOKEN, Settings
from web.crud_staff import create_staff
from web.reference_links import ReferenceLinks
from web.roles import StaffRole

PASSWORD = "correct horse battery"
CRM = "https://crm.example.gov.uk"


def test_a_configured_open311_url_is_linked_even_with_the_stand_in_on() -> None:
    links = ReferenceLinks.configured(open311_url=CRM + "/", stand_in=True)
    assert links.page("street_report", "SR-7K3Q9X") == (
        "Street report",
        f"{CRM}/open311/v2/requests/SR-7K3Q9X.json",
    )


def test_the_stand_in_is_linked_on_this_service_when_no_url_is_set() -> None:
    links = ReferenceLinks.configured(open311_url="", stand_in=True)
    assert links.page("street_report", "SR-7K3Q9X") == (
        "Street report",
        "/open311/v2/requests/SR-7K3Q9X.json",
    )


def test_without_a_url_or_the_stand_in_a_street_report_is_not_linked() -> None:
    links = ReferenceLinks.configured(open311_url="", stand_in=False)
    assert links.page("street_report", "SR-7K3Q9X") == ("Street report", None)


def test_other_references_keep_their_own_pages() -> None:
    links = ReferenceLinks.configured(open311_url="", stand_in=False)
    assert links.page("triage", "FD-ABCDEF") == ("Triage record", "/staff/triage/FD-ABCDEF")
    assert links.page("pc_booking", "PC-ABCDEF") == ("Public PC booking", None)


@pytest.mark.parametrize("value", ["crm.example.gov.uk", "javascript:alert(1)", "ftp://crm"])
def test_the_open311_url_must_be_http(value: str) -> None:
    with pytest.raises(ValidationError, match="OPEN311_URL"):
        Settings(environment="development", open311_url=value)


def _record_page(tmp_path: Path, **settings: object) -> str:
    """The record page of a hand-off whose conversation gave a street report reference."""
    app = make_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="test", **settings)
    )
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            create_staff(
                session,
                username="caseworker",
                password=PASSWORD,
                role=StaffRole.CASEWORKER,
                display_name="Sam",
            )
        posted = client.post(
            "/api/v1/triage",
            headers={"Authorization": f"Bearer {DEV_STAFF_API_TOKEN}"},
            json={
                "conversation_id": "web-conversation-1",
                "channel": "web",
                "language": "en",
                "category": "street",
                "priority": 3,
                "summary": "Asked about a pothole report.",
                "transcript": [
                    {
                        "role": "assistant",
                        "text": "Your report is SR-7K3Q9X.",
                        "at": "2026-11-23T10:01:00+00:00",
                    }
                ],
            },
        )
        assert posted.status_code == 201, posted.text
        assert staff_sign_in(client, "caseworker", PASSWORD).status_code == 303
        page = client.get(f"/staff/triage/{posted.json()['reference']}")
        assert page.status_code == 200
        return page.text


def test_the_record_page_links_the_configured_open311_system(tmp_path: Path) -> None:
    page = _record_page(tmp_path, stand_in=False, open311_url=CRM)
    assert f'<a href="{CRM}/open311/v2/requests/SR-7K3Q9X.json">SR-7K3Q9X</a>' in page


def test_the_record_page_shows_an_unlinked_reference_without_open311(tmp_path: Path) -> None:
    page = _record_page(tmp_path, stand_in=False)
    assert "Street report: <strong>SR-7K3Q9X</strong>" in page
    assert "/open311/v2/requests/" not in page
