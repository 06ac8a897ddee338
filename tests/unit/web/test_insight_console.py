"""The insight dashboard and unanswered questions, over HTTP with a signed-in staff member."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lib.yaml_files import load_yaml
from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web.core.config import REPO_ROOT, Settings
from web.crud_staff import create_staff
from web.insight_unanswered import group_questions
from web.models import UnansweredQuestion

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def post(client: TestClient, number: int, outcome: str, channel: str = "web", unanswered=()):
    started = NOW - timedelta(hours=1, seconds=number)
    body = {
        "conversation_hash": f"{number:032x}",
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=2)).isoformat(),
        "channel": channel,
        "language": "en",
        "journey": "council_tax",
        "outcome": outcome,
        "fallbacks": len(unanswered),
        "duration_s": 120,
        "assisted": channel == "library",
        "unanswered": [
            {
                "text": text,
                "asked_at": (started + timedelta(seconds=i + 1)).isoformat(),
                "best_guess": guess,
                "confidence": 0.3,
            }
            for i, (text, guess) in enumerate(unanswered)
        ],
    }
    response = client.post(
        "/api/v1/insight/events", json=body, headers={"Authorization": "Bearer dev-staff-token"}
    )
    assert response.status_code == 201, response.text


BINS = [
    ("when do my bins get collected", "out_of_scope"),
    ("when are the bins collected", "out_of_scope"),
    ("bin collection day?", "report_problem"),
    ("when is bin collection", "out_of_scope"),
]
PARKING = [
    ("how do i get a parking permit", "council_tax"),
    ("parking permit for my street", "council_tax"),
]


@pytest.fixture
def app_and_client(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="development")
    app = make_app(settings)
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            create_staff(
                session,
                username="jo",
                password="correct horse battery",
                display_name="Jo",
                role="manager",
            )
        yield app, client


@pytest.fixture
def client(app_and_client) -> TestClient:
    return app_and_client[1]


def sign_in(client: TestClient) -> None:
    assert staff_sign_in(client, "jo", "correct horse battery").status_code == 303


def test_the_dashboard_needs_a_session(client: TestClient) -> None:
    for path in ("/staff/insight", "/staff/insight/unanswered", "/staff/insight/unanswered/1.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"


def test_the_dashboard_shows_the_figures_charts_and_tables(client: TestClient) -> None:
    post(client, 1, "self_served")
    post(client, 2, "report_made")
    post(client, 3, "handed_off")
    post(client, 4, "abandoned")
    post(client, 5, "transaction_done", channel="library")
    sign_in(client)
    response = client.get("/staff/insight")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    page = response.text
    assert "<script" not in page
    assert "<h1>Service insight</h1>" in page
    # 3 of 5 contained: 60.0%; cost avoided 2 web x £2.82 + 1 library x £7.84 = £13.48.
    assert re.search(r"<dt>Containment rate</dt><dd>60.0%</dd>", page)
    assert "£13.48" in page
    assert "2 × (£3.21 − £0.39) + 1 × (£8.23 − £0.39) = £13.48" in page
    assert "Socitm" in page and "Wolverhampton" in page
    charts = re.findall(
        r'<svg class="chart" role="img" aria-labelledby="([\w-]+)-title \1-desc"', page
    )
    assert len(charts) == 8  # with the tasks completed (issue #18)
    for chart in charts:
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    assert page.count("<table>") >= 8
    assert (
        '<label for="from">From</label>' in page and '<select id="channel" name="channel">' in page
    )


def test_charts_fill_the_width_and_keep_their_text_size() -> None:
    from web.insight_pages import bar_chart, column_chart, long_date, short_date

    bars = bar_chart("b", "Languages", [("Polish", 3), ("English", 12)])
    columns = column_chart("c", "Weeks", [(short_date("2026-11-02"), 4, 2)])
    for chart in (bars, columns):
        assert 'width="100%"' in chart and "viewBox" not in chart  # nothing scales the text
    # The longest bar takes 80% of the width; the value is written after it.
    assert 'width="80.0%"' in bars and 'width="20.0%"' in bars
    assert ">2 Nov</text>" in columns
    assert (short_date("2026-11-02"), long_date("2026-12-28")) == ("2 Nov", "28 Dec 2026")
    css = (REPO_ROOT / "web" / "static" / "console.css").read_text(encoding="utf-8")
    assert re.search(r"\.chart \{[^}]*width: 100%", css)
    assert "overflow-x: auto" not in css.split(".chart-scroll")[1].split("}")[0]


def test_the_page_says_how_fresh_its_figures_are(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/staff/insight").text
    assert "never: no conversation has been counted yet" in page
    post(client, 1, "self_served")
    page = client.get("/staff/insight").text
    assert "<strong>Figures last updated:</strong>" in page and "(UK time)" in page
    assert "quiet for 15 minutes" in page


def test_the_channel_filter_and_a_bad_date(client: TestClient) -> None:
    post(client, 1, "self_served")
    post(client, 2, "transaction_done", channel="library")
    sign_in(client)
    page = client.get("/staff/insight", params={"channel": "library"}).text
    assert re.search(r"<dt>Conversations</dt><dd>1</dd>", page)
    assert '<option value="library" selected>' in page
    response = client.get("/staff/insight", params={"from": "31/11/2026"})
    assert response.status_code == 400
    assert "There is a problem" in response.text and "YYYY-MM-DD" in response.text
    assert 'value="31/11/2026"' in response.text


def test_unanswered_questions_are_grouped_escaped_and_exported(client: TestClient) -> None:
    post(client, 1, "abandoned", unanswered=BINS[:2] + PARKING[:1])
    post(client, 2, "handed_off", unanswered=BINS[2:] + PARKING[1:])
    post(client, 3, "abandoned", unanswered=[("<script>alert(1)</script>", None)])
    post(client, 4, "abandoned", unanswered=[('=HYPERLINK("http://x")', None)])
    api = client.get(
        "/api/v1/insight/unanswered", headers={"Authorization": "Bearer dev-staff-token"}
    ).json()
    groups = api["groups"]
    assert [group["count"] for group in groups][:2] == [4, 2]
    bins, parking = groups[0], groups[1]
    assert bins["best_guess"] == "out_of_scope" and bins["handed_off"] == 2
    assert parking["best_guess"] == "council_tax"
    assert set(bins["examples"]) == {text for text, _ in BINS}

    sign_in(client)
    page = client.get("/staff/insight/unanswered").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "when do my bins get collected" in page

    exported = client.get(f"/staff/insight/unanswered/{bins['id']}.yml")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    nlu = load_yaml(exported.text)
    assert nlu["version"] == "3.1"
    assert nlu["nlu"][0]["intent"] == "out_of_scope"
    examples = [line[2:] for line in nlu["nlu"][0]["examples"].splitlines()]
    assert set(examples) == {text for text, _ in BINS}

    formula = next(g for g in groups if g["examples"][0].startswith("=HYPERLINK"))
    rows = list(
        csv.reader(io.StringIO(client.get(f"/staff/insight/unanswered/{formula['id']}.csv").text))
    )
    assert rows[0][:4] == ["asked_at", "channel", "language", "text"]
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert client.get("/staff/insight/unanswered/999999.csv").status_code == 404
    assert (
        client.get(
            f"/api/v1/insight/unanswered/{bins['id']}.csv", headers={"Authorization": "Bearer x"}
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("kind", "media_type"),
    [("yml", "application/x-yaml; charset=utf-8"), ("csv", "text/csv; charset=utf-8")],
)
def test_the_api_and_the_console_download_the_same_file(
    client: TestClient, kind: str, media_type: str
) -> None:
    post(client, 1, "abandoned", unanswered=BINS)
    token = {"Authorization": "Bearer dev-staff-token"}
    group_id = client.get("/api/v1/insight/unanswered", headers=token).json()["groups"][0]["id"]
    from_api = client.get(f"/api/v1/insight/unanswered/{group_id}.{kind}", headers=token)
    sign_in(client)
    from_console = client.get(f"/staff/insight/unanswered/{group_id}.{kind}")
    for response in (from_api, from_console):
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == (
            f'attachment; filename="unanswered-{group_id}.{kind}"'
        )
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert from_api.content == from_console.content
    assert "bin collection" in from_api.text


def test_one_message_is_its_own_group() -> None:
    question = UnansweredQuestion(
        id=7,
        conversation_hash="a",
        asked_at=NOW,
        channel="web",
        language="en",
        text="hi",
        reason="fallback",
    )
    (group,) = group_questions([question])
    assert (group.id, group.count, group.best_guess) == (7, 1, None)
