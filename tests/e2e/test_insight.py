"""Service insight end to end: scripted conversations move the JSON figures exactly.

Four conversations over the REST channel (a pothole report, an FAQ answered, a hand-off
and an abandoned form); the insight worker sees each session end after the short idle
timeout of the test stack and posts its outcome; ``/api/v1/insight`` moves by exactly
what it should.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers import Resident
from tests.stack_fixtures import INSIGHT_IDLE_S

pytestmark = pytest.mark.e2e

SETTLE_S = INSIGHT_IDLE_S + 2.0


@pytest.fixture
def insight_api(stack) -> httpx.Client:
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
        timeout=10,
    ) as client:
        yield client


def _figures(client: httpx.Client) -> dict[str, Any]:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    params = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
    }
    response = client.get("/insight", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, tuple[int, int]]:
    return {row[key]: (row["conversations"], row["contained"]) for row in rows}


def _delta(after: dict, before: dict, key: str, name: str) -> tuple[int, int]:
    a, b = _by(after[key], name), _by(before[key], name)
    return {
        value: (
            a.get(value, (0, 0))[0] - b.get(value, (0, 0))[0],
            a.get(value, (0, 0))[1] - b.get(value, (0, 0))[1],
        )
        for value in set(a) | set(b)
        if a.get(value) != b.get(value)
    }


def test_the_json_needs_the_staff_token(stack) -> None:
    base = f"{stack.settings.council_services_url}/api/v1/insight"
    assert httpx.get(base).status_code == 401
    assert httpx.get(base, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_four_conversations_move_the_figures_exactly(stack, insight_api: httpx.Client) -> None:
    # Let every earlier test's conversation end and be recorded first.
    time.sleep(SETTLE_S)
    before = _figures(insight_api)

    report = Resident(stack.settings.rasa_url)
    assert "Where is the" in report.say_text("there's a massive pothole on my road")
    assert "describe the problem" in report.say_text("ST3 5NA")
    assert "dangerous" in report.say_text("Deep hole outside the chip shop")
    assert "contact you" in report.say_text("no")
    assert "Please check your report" in report.say_text("no thanks")
    assert "SR-" in report.say_text("yes")

    faq = Resident(stack.settings.rasa_url)
    assert "Direct Debit" in faq.say_text("how can i pay my council tax")

    handoff = Resident(stack.settings.rasa_url)
    handoff.say_text("put me through to an advisor")
    handoff.say_text("question about my council tax band")
    assert "FD-" in handoff.say_text("no thanks")

    abandoned = Resident(stack.settings.rasa_url)
    assert "Where is the" in abandoned.say_text("someone has sprayed graffiti on the bus shelter")
    assert "describe the problem" in abandoned.say_text("ST3 4QN")
    # ... and the resident leaves.

    deadline = time.monotonic() + 60
    after = _figures(insight_api)
    while after["conversations"] < before["conversations"] + 4 and time.monotonic() < deadline:
        time.sleep(0.5)
        after = _figures(insight_api)
    time.sleep(SETTLE_S)  # nothing more may arrive
    after = _figures(insight_api)

    outcomes = {
        name: after["outcomes"][name] - before["outcomes"][name] for name in after["outcomes"]
    }
    assert after["conversations"] - before["conversations"] == 4, outcomes
    assert after["contained"] - before["contained"] == 2, outcomes
    assert outcomes == {
        "self_served": 1,
        "report_made": 1,
        "transaction_done": 0,
        "handed_off": 1,
        "urgent": 0,
        "abandoned": 1,
        "not_answered": 0,  # nobody pressed "No" under the answer
    }
    assert _delta(after, before, "by_channel", "channel") == {"web": (4, 2)}
    assert _delta(after, before, "by_language", "language") == {"en": (4, 2)}
    # The hand-off was about a council tax band: its journey is council tax.
    assert _delta(after, before, "by_journey", "journey") == {
        "report": (2, 1),
        "council_tax": (2, 1),
    }
    # Two contained web conversations, each standing in for a phone call: 2 x (321p - 39p).
    saved = after["cost_avoided"]["total_pence"] - before["cost_avoided"]["total_pence"]
    assert saved == 2 * (321 - 39)
    assert after["handoffs"]["total"] - before["handoffs"]["total"] == 1
    assert (
        sum(row["conversations"] for row in after["busiest_hours"])
        - sum(row["conversations"] for row in before["busiest_hours"])
        == 4
    )


def test_a_message_not_understood_is_listed_redacted(stack, insight_api: httpx.Client) -> None:
    resident = Resident(stack.settings.rasa_url)
    resident.say("flibble wibble sprocket, my mobile is 07700 900123")
    deadline = time.monotonic() + 60 + SETTLE_S
    found: list[str] = []
    while not found and time.monotonic() < deadline:
        time.sleep(1)
        groups = insight_api.get("/insight/unanswered").json()["groups"]
        found = [
            example
            for group in groups
            for example in group["examples"]
            if example.startswith("flibble wibble sprocket, my mobile")
        ]
    assert found == ["flibble wibble sprocket, my mobile is [phone]"]
