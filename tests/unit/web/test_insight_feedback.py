"""Answer feedback in the web chat: a "no" is not contained (insight_feedback.py, #18)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lib.conversation_hash import conversation_hash
from web import crud_web_chat, insight
from web.core.config import DEFAULT_INSIGHT_COSTS_PATH, Settings
from web.insight import InsightFilters, OutcomeEventIn, compute_insight, record_event
from web.insight_feedback import record_feedback
from web.main import create_app
from web.models import AnswerFeedback

SECRET = "test-insight-secret"
SENDER = "web-0123456789abcdef0123456789abcdef"
START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
END = START + timedelta(minutes=3)
WINDOW = 900.0
DAY = InsightFilters(date(2026, 11, 2), date(2026, 11, 2))
COSTS = insight.load_costs(DEFAULT_INSIGHT_COSTS_PATH)


def answer(outcome: str = "self_served", sender: str = SENDER) -> OutcomeEventIn:
    return OutcomeEventIn(
        conversation_hash=conversation_hash(SECRET, sender),
        started_at=START,
        ended_at=END,
        channel="web",
        language="en",
        journey="council_tax",
        outcome=outcome,
        fallbacks=0,
        duration_s=180,
        assisted=False,
    )


def feedback(session: Session, answered: bool, at: datetime, sender: str = SENDER) -> None:
    record_feedback(
        session, secret=SECRET, sender_id=sender, answered=answered, window_s=WINDOW, now=at
    )


def test_a_no_before_the_event_arrives_makes_the_answer_not_contained(session: Session) -> None:
    feedback(session, False, END + timedelta(seconds=20))
    record_event(session, answer(), feedback_window_s=WINDOW)
    figures = compute_insight(session, DAY, COSTS)
    assert figures["outcomes"]["not_answered"] == 1 and figures["outcomes"]["self_served"] == 0
    assert figures["contained"] == 0 and figures["containment_rate"] == 0.0
    assert figures["cost_avoided"]["total_pence"] == 0


def test_a_yes_leaves_the_answer_contained(session: Session) -> None:
    feedback(session, True, END + timedelta(seconds=20))
    record_event(session, answer(), feedback_window_s=WINDOW)
    figures = compute_insight(session, DAY, COSTS)
    assert figures["contained"] == 1 and figures["cost_avoided"]["total_pence"] == 282


def test_a_no_after_the_event_moves_it_and_its_counts(session: Session) -> None:
    record_event(session, answer(), feedback_window_s=WINDOW)
    assert compute_insight(session, DAY, COSTS)["contained"] == 1
    feedback(session, False, END + timedelta(minutes=5))
    moved = compute_insight(session, DAY, COSTS)
    assert moved["outcomes"]["not_answered"] == 1 and moved["contained"] == 0
    assert moved["by_journey"] == [
        {"journey": "council_tax", "conversations": 1, "contained": 0, "containment_rate": 0.0}
    ]
    assert sum(row["conversations"] for row in moved["busiest_hours"]) == 1
    insight.rebuild_rollup(session)
    assert compute_insight(session, DAY, COSTS) == moved


def test_a_no_does_not_undo_a_task_done(session: Session) -> None:
    feedback(session, False, END + timedelta(seconds=20))
    record_event(session, answer("report_made"), feedback_window_s=WINDOW)
    assert compute_insight(session, DAY, COSTS)["outcomes"]["report_made"] == 1


@pytest.mark.parametrize(
    ("at", "sender"),
    [
        (END + timedelta(seconds=WINDOW + 60), SENDER),  # after the session was over
        (START - timedelta(minutes=1), SENDER),  # before it started
        (END, "web-another-conversation-0000000000"),  # another conversation
    ],
)
def test_a_no_outside_the_session_changes_nothing(
    session: Session, at: datetime, sender: str
) -> None:
    feedback(session, False, at, sender)
    record_event(session, answer(), feedback_window_s=WINDOW)
    assert compute_insight(session, DAY, COSTS)["contained"] == 1


def test_feedback_keeps_no_conversation_id(session: Session) -> None:
    feedback(session, False, END)
    row = session.query(AnswerFeedback).one()
    assert row.conversation_hash == conversation_hash(SECRET, SENDER)
    assert SENDER not in str(vars(row))


# --- POST /chat/feedback ---------------------------------------------------------------------

CONVERSATION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cs.db'}",
        environment="development",
        insight_hash_secret=SECRET,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            crud_web_chat.use_conversation(
                session,
                conversation_id=CONVERSATION,
                browser_token="b" * 32,
                idle=timedelta(minutes=30),
            )
        yield client


def stored(client: TestClient) -> list[tuple[str, bool]]:
    with client.app.state.session_factory() as session:
        return [(row.conversation_hash, row.answered) for row in session.query(AnswerFeedback)]


def test_the_browser_holding_the_conversation_may_say_no(client: TestClient) -> None:
    client.cookies.set("fd_chat", "b" * 32, path="/chat")
    body = {"conversation_id": CONVERSATION, "answered": False}
    response = client.post("/chat/feedback", json=body)
    assert response.status_code == 204
    # The same one-way id as the assistant's outcome events for "web-<id>".
    assert stored(client) == [(conversation_hash(SECRET, "web-" + CONVERSATION), False)]


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": CONVERSATION, "answered": "no"},
        {"conversation_id": "not an id", "answered": True},
        {"answered": True},
        ["x"],
    ],
)
def test_a_malformed_body_is_refused(client: TestClient, body: object) -> None:
    client.cookies.set("fd_chat", "b" * 32, path="/chat")
    assert client.post("/chat/feedback", json=body).status_code == 400
    assert stored(client) == []


def test_another_browser_is_refused_and_nothing_is_kept(client: TestClient) -> None:
    client.cookies.set("fd_chat", "c" * 32, path="/chat")
    body = {"conversation_id": CONVERSATION, "answered": False}
    assert client.post("/chat/feedback", json=body).status_code == 403
    client.cookies.clear()
    assert client.post("/chat/feedback", json=body).status_code == 403
    assert stored(client) == []


def test_the_web_chat_keeps_its_answers_as_web(client: TestClient) -> None:
    client.cookies.set("fd_chat", "b" * 32, path="/chat")
    client.post("/chat/feedback", json={"conversation_id": CONVERSATION, "answered": True})
    with client.app.state.session_factory() as session:
        assert [row.channel for row in session.query(AnswerFeedback)] == ["web"]


# --- POST /api/v1/insight/feedback: the phone line's answers, through the assistant ----------

CALLER = "ivr-0123456789abcdef0123456789abcdef"


def phone_answer(answered: bool) -> dict[str, object]:
    """What the phone line posts: the call's one-way id, never the caller's number."""
    return {
        "conversation_hash": conversation_hash(SECRET, CALLER),
        "answered": answered,
        "channel": "ivr",
    }


def staff(client: TestClient) -> dict[str, str]:
    token = client.app.state.settings.staff_api_token.get_secret_value()
    return {"Authorization": f"Bearer {token}"}


def test_a_callers_no_lands_in_the_store_as_ivr_and_is_not_contained(
    client: TestClient,
) -> None:
    # The call ended a minute ago: the answer, given now, belongs to it.
    ended = datetime.now(timezone.utc) - timedelta(minutes=1)
    call = answer(sender=CALLER).dict() | {
        "channel": "ivr",
        "started_at": (ended - timedelta(minutes=3)).isoformat(),
        "ended_at": ended.isoformat(),
    }
    response = client.post("/api/v1/insight/events", json=call, headers=staff(client))
    assert response.status_code == 201
    response = client.post(
        "/api/v1/insight/feedback", json=phone_answer(False), headers=staff(client)
    )
    assert response.status_code == 204
    with client.app.state.session_factory() as session:
        rows = [(r.conversation_hash, r.answered, r.channel) for r in session.query(AnswerFeedback)]
        assert rows == [(conversation_hash(SECRET, CALLER), False, "ivr")]
    days = {
        "from": str(ended.date() - timedelta(days=1)),
        "to": str(ended.date() + timedelta(days=1)),
    }
    figures = client.get(
        "/api/v1/insight", params=days | {"channel": "ivr"}, headers=staff(client)
    ).json()
    assert figures["outcomes"]["not_answered"] == 1 and figures["contained"] == 0


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        (phone_answer(True), {}, 401),
        (phone_answer(True), {"Authorization": "Bearer wrong"}, 401),
        (phone_answer(True) | {"channel": "fax"}, None, 422),
        (phone_answer(True) | {"answered": "yes"}, None, 422),
        (phone_answer(True) | {"conversation_hash": "+447700900123"}, None, 422),
    ],
)
def test_the_phone_lines_feedback_needs_the_staff_token_and_a_clean_body(
    client: TestClient, body: dict[str, object], headers: dict[str, str] | None, code: int
) -> None:
    response = client.post(
        "/api/v1/insight/feedback", json=body, headers=staff(client) if headers is None else headers
    )
    assert response.status_code == code
    assert stored(client) == []
