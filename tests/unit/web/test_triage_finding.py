"""Finding a case (issue #18 item 3): due-by, linked records, labels, banners, history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web import triage_labels
from web.core.config import Settings
from web.crud_staff import create_staff
from web.triage_due import (
    RULES_PATH,
    due_by,
    load_response_rules,
)

TOKEN = {"Authorization": "Bearer dev-staff-token"}
PASSWORD = "correct horse battery"
UTC = timezone.utc
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- Due-by from the rules ---------------------------------------------------------------------


def test_urgent_records_are_due_four_hours_after_they_arrive() -> None:
    arrived = datetime(2026, 12, 5, 22, 30, tzinfo=UTC)  # a Saturday night
    assert due_by(arrived, 1) == datetime(2026, 12, 6, 2, 30, tzinfo=UTC)


def test_working_days_skip_the_weekend_and_end_at_five_uk_time() -> None:
    friday = datetime(2026, 12, 4, 16, 5, tzinfo=UTC)
    assert due_by(friday, 2) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Monday
    assert due_by(friday, 3) == datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # Wednesday
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert due_by(saturday, 2) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    # In summer the working day still ends at 17:00 in the UK: 16:00 UTC.
    tuesday = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    assert due_by(tuesday, 2) == datetime(2026, 6, 3, 16, 0, tzinfo=UTC)


def test_the_response_times_are_read_from_the_rules_file(tmp_path: Path) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    changed = tmp_path / "rules.yml"
    changed.write_text(
        text.replace("1: {hours: 4}", "1: {hours: 2}").replace(
            'working_day_ends: "17:00"', 'working_day_ends: "16:30"'
        ),
        encoding="utf-8",
    )
    rules = load_response_rules(changed)
    arrived = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert rules.due_by(arrived, 1) == datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert rules.due_by(arrived, 2) == datetime(2026, 12, 7, 16, 30, tzinfo=UTC)


def test_a_response_time_the_loader_does_not_understand_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "rules.yml"
    broken.write_text("response_due:\n  1: {minutes: 5}\n  2: {hours: 1}\n  3: {hours: 2}\n")
    with pytest.raises(ValueError, match="rules.yml"):
        load_response_rules(broken)


# --- Labels from the data ----------------------------------------------------------------------


def test_each_code_has_words_from_its_own_data_file() -> None:
    assert triage_labels.language("pl") == "Polish"  # kb/translations/pl.yml
    assert triage_labels.language("en") == "English"
    assert triage_labels.flag("risk_of_harm") == "Risk of harm"  # kb/triage/rules.yml
    assert triage_labels.journey("council_tax_cant_pay") == "I can't pay my council tax"
    assert triage_labels.category("council_tax") == "Council Tax"  # kb/triage/labels.yml
    assert triage_labels.channel("ivr") == "Phone line"
    assert triage_labels.status("claimed") == "Claimed"


def test_a_code_no_vocabulary_knows_is_still_shown_as_words() -> None:
    assert triage_labels.flag("some_new_flag") == "Some new flag"
    assert triage_labels.language("xx") == "Language code xx"


# --- The API and the console -------------------------------------------------------------------


def hand_off(client: TestClient, **fields: Any) -> str:
    body: dict[str, Any] = {
        "conversation_id": "conv-one",
        "channel": "web",
        "language": "pl",
        "category": "council_tax",
        "priority": 3,
        "vulnerability": ["hardship"],
        "summary": "Resident cannot pay their council tax.",
        "transcript": [],
        "journey": "council_tax_cant_pay",
        **fields,
    }
    response = client.post("/api/v1/triage", json=body, headers=TOKEN)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="development")
    app = make_app(settings)
    long_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            create_staff(
                session,
                username="cara",
                password=PASSWORD,
                role="caseworker",
                display_name="Cara Jones",
            )
        refs = {
            "late": hand_off(client, created_at=long_ago),
            "fresh": hand_off(client),
            "other": hand_off(client, conversation_id="conv-two", language="en", vulnerability=[]),
        }
        yield client, refs


def api(client: TestClient, path: str = "", **params: Any) -> Any:
    response = client.get(f"/api/v1/triage{path}", params=params, headers=TOKEN)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_api_gives_due_by_overdue_linked_and_labels(setup) -> None:
    client, refs = setup
    late = api(client, f"/{refs['late']}")
    created = datetime.fromisoformat(late["created_at"])
    assert datetime.fromisoformat(late["due_by"]) == due_by(created, 3)
    assert late["overdue"] is True
    assert late["linked"] == [refs["fresh"]]
    assert late["labels"] == {
        "category": "Council Tax",
        "channel": "Web chat",
        "language": "Polish",
        "status": "New",
        "priority": "3 – standard",
        "vulnerability": ["Financial hardship"],
        "journey": "I can't pay my council tax",
    }
    fresh = api(client, f"/{refs['fresh']}")
    assert fresh["overdue"] is False and fresh["linked"] == [refs["late"]]
    assert api(client, f"/{refs['other']}")["linked"] == []


def test_the_api_filters_overdue_records_and_sorts_by_due_by(setup) -> None:
    client, refs = setup
    assert [r["reference"] for r in api(client, overdue="true")["data"]] == [refs["late"]]
    assert api(client, overdue="true")["count"] == 1
    by_due = api(client, sort="due")["data"]
    assert by_due[0]["reference"] == refs["late"]
    assert [r["due_by"] for r in by_due] == sorted(r["due_by"] for r in by_due)
    listed = {r["reference"]: r["linked"] for r in api(client)["data"]}
    assert listed[refs["fresh"]] == [refs["late"]]
    # A resolved record is never overdue.
    resolved = client.patch(
        f"/api/v1/triage/{refs['late']}",
        json={"status": "resolved", "resolution_note": "Payment plan agreed."},
        headers=TOKEN,
    )
    assert resolved.json()["overdue"] is False
    assert api(client, overdue="true")["data"] == []


def signed_in(client: TestClient) -> None:
    assert staff_sign_in(client, "cara", PASSWORD).status_code == 303


def test_the_queue_shows_due_by_marks_overdue_in_words_and_filters_it(setup) -> None:
    client, refs = setup
    signed_in(client)
    page = client.get("/staff").text
    assert '<th scope="col">Due by</th>' in page
    assert '<label for="due">Due by</label>' in page and '<label for="sort">Order</label>' in page
    late_row = re.search(rf"<tr><th scope=\"row\">.{{0,60}}{refs['late']}.*?</tr>", page)
    assert late_row and ">Overdue</strong>" in late_row.group(0)
    fresh_row = re.search(rf"<tr><th scope=\"row\">.{{0,60}}{refs['fresh']}.*?</tr>", page)
    assert fresh_row and "Overdue" not in fresh_row.group(0)
    overdue = client.get("/staff", params={"due": "overdue"}).text
    assert refs["late"] in overdue and refs["fresh"] not in overdue
    assert client.get("/staff", params={"sort": "sideways"}).status_code == 400


def test_the_record_page_links_the_same_conversation_and_shows_labels(setup) -> None:
    client, refs = setup
    signed_in(client)
    page = client.get(f"/staff/triage/{refs['fresh']}").text
    assert f'<a href="/staff/triage/{refs["late"]}">Triage record {refs["late"]}</a>' in page
    assert refs["other"] not in page
    for label in ("Polish", "I can&#39;t pay my council tax", "Web chat", "Financial hardship"):
        assert label in page
    for code in ("council_tax_cant_pay", "<dd>pl", "<dd>web<", ">hardship<", ">council_tax<"):
        assert code not in page
    other = client.get(f"/staff/triage/{refs['other']}").text
    assert "No other record came from this conversation." in other
    assert "<dd>English</dd>" in other


def _post(client: TestClient, reference: str, action: str, **data: str) -> str:
    page = client.get(f"/staff/triage/{reference}").text
    csrf = CSRF.search(page).group(1)
    response = client.post(
        f"/staff/triage/{reference}/{action}",
        data={"csrf_token": csrf, **data},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.mark.parametrize(
    ("moves", "done", "heading"),
    [
        (["claim"], "claimed", "Record claimed"),
        (["claim", "unclaim"], "released", "Record returned to the queue"),
        (["resolve"], "resolved", "Record resolved"),
        (["resolve", "reopen"], "reopened", "Record reopened"),
    ],
)
def test_each_change_lands_on_a_page_with_a_success_banner(setup, moves, done, heading) -> None:
    client, refs = setup
    signed_in(client)
    for move in moves:
        location = _post(client, refs["other"], move, note="Called back.")
    assert location == f"/staff/triage/{refs['other']}?done={done}#banner-title"
    page = client.get(location.split("#")[0]).text
    assert re.search(
        rf'<div class="notice notice--success" role="status" aria-labelledby="banner-title">'
        rf'<h2 id="banner-title" tabindex="-1">{heading}</h2>',
        page,
    )
    # A reload without ``done`` shows no banner, and an unknown ``done`` none either.
    assert 'id="banner-title"' not in client.get(f"/staff/triage/{refs['other']}").text
    plain = client.get(f"/staff/triage/{refs['other']}", params={"done": "<b>"}).text
    assert 'id="banner-title"' not in plain


def test_the_history_lists_changes_by_display_name_and_counts_views(setup) -> None:
    client, refs = setup
    signed_in(client)
    for _ in range(3):
        client.get("/staff")
    _post(client, refs["other"], "claim")
    page = client.get(f"/staff/triage/{refs['other']}").text
    history = page[page.index('<h2 id="history">') :]
    assert "<td>Cara Jones</td><td>Claimed</td><td>from New to Claimed; assigned to Cara Jones" in (
        history
    )
    assert "<td>Opened</td>" not in history and "<td>Shown in a list</td>" not in history
    assert "Opened by Cara Jones 2 times" in history  # this view and the one before claiming
    assert "Shown in a queue or list 3 times" in history
    assert "cara" not in history.replace("Cara", "")
    assert "<dt>Assigned to</dt><dd>Cara Jones</dd>" in page
    # Every view stays in the audit log.
    audit = api(client, f"/{refs['other']}/audit")["data"]
    assert sum(entry["action"] == "view" for entry in audit) >= 2
    assert sum(entry["action"] == "list" for entry in audit) >= 3
    queue = client.get("/staff", params={"mine": "1"}).text
    assert "<td>Cara Jones</td>" in queue
