"""Service insight in the stand-in: the containment definition, the figures and the API.

The expected figures below are worked out by hand from the fixture, not by the code.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web_app import make_app
from web import insight
from web.core.config import DEFAULT_INSIGHT_COSTS_PATH, Settings
from web.insight import (
    InsightFilters,
    OutcomeEventIn,
    compute_insight,
    is_contained,
    load_costs,
    parse_filters,
    record_event,
)
from web.models import OutcomeEvent, TriageRecord


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# (channel, language, journey, outcome, fallbacks, duration_s, started_at)
FIXTURE = [
    ("web", "en", "report", "report_made", 0, 120, utc(2026, 11, 2, 9, 15)),
    ("web", "en", "council_tax", "self_served", 1, 60, utc(2026, 11, 2, 9, 40)),
    ("web", "cy", "council_tax", "handed_off", 2, 300, utc(2026, 11, 3, 14, 5)),
    ("ivr", "en", "report", "report_made", 0, 200, utc(2026, 11, 10, 9, 0)),
    ("library", "en", "universal_credit", "transaction_done", 0, 600, utc(2026, 11, 11, 10, 30)),
    ("library", "en", "urgent_help", "urgent", 0, 90, utc(2026, 11, 12, 17, 0)),
    ("web", "en", "report", "abandoned", 1, 45, utc(2026, 11, 12, 22, 10)),
    # Outside 1-30 November 2026 (UK time): not counted.
    ("api", "en", "small_talk", "abandoned", 0, 10, utc(2026, 12, 1, 0, 5)),
    ("web", "en", "council_tax", "self_served", 0, 30, utc(2026, 10, 31, 23, 30)),
]
NOVEMBER = InsightFilters(date(2026, 11, 1), date(2026, 11, 30))


def event(number: int, row: tuple) -> OutcomeEventIn:
    channel, language, journey, outcome, fallbacks, duration, started = row
    return OutcomeEventIn(
        conversation_hash=f"{number:016x}",
        started_at=started,
        ended_at=started,
        channel=channel,
        language=language,
        journey=journey,
        outcome=outcome,
        fallbacks=fallbacks,
        duration_s=duration,
        assisted=channel == "library",
    )


def triage(
    reference: str, category: str, priority: int, channel: str, at: datetime
) -> TriageRecord:
    return TriageRecord(
        reference=reference,
        created_at=at,
        updated_at=at,
        conversation_id="c",
        channel=channel,
        language="en",
        category=category,
        priority=priority,
        vulnerability=[],
        summary="s",
        transcript=[],
        status="new",
        interpreter=False,
        assisted=channel == "library",
    )


@pytest.fixture
def filled(session: Session) -> Session:
    for number, row in enumerate(FIXTURE):
        record_event(session, event(number, row))
    session.add_all(
        [
            triage("FD-AAAAAA", "council_tax", 3, "web", utc(2026, 11, 3, 14, 10)),
            triage("FD-BBBBBB", "safeguarding", 1, "library", utc(2026, 11, 12, 17, 1)),
            triage("FD-CCCCCC", "council_tax", 2, "web", utc(2026, 11, 20, 8, 0)),
            triage("FD-DDDDDD", "street", 3, "web", utc(2026, 12, 2, 8, 0)),  # outside
        ]
    )
    session.commit()
    return session


@pytest.fixture
def costs() -> insight.ContactCosts:
    return load_costs(DEFAULT_INSIGHT_COSTS_PATH)


def test_contained_is_self_served_report_made_or_transaction_done() -> None:
    assert {o.value for o in insight.Outcome if is_contained(o.value)} == {
        "self_served",
        "report_made",
        "transaction_done",
    }
    for outcome in ("handed_off", "urgent", "abandoned"):
        assert not is_contained(outcome)


def test_the_costs_come_from_kb_with_their_source(costs: insight.ContactCosts) -> None:
    assert costs.costs_pence == {"face_to_face": 823, "phone": 321, "web": 39}
    assert "Socitm" in costs.source and "Wolverhampton" in costs.source
    assert costs.saving_pence("web") == 321 - 39
    assert costs.saving_pence("library") == 823 - 39


def test_figures_for_november_by_hand(filled: Session, costs: insight.ContactCosts) -> None:
    figures = compute_insight(filled, NOVEMBER, costs)
    # Seven conversations started in November; four were contained (report, FAQ, report
    # by phone, Universal Credit in the library). 4 / 7 = 0.5714.
    assert figures["conversations"] == 7
    assert figures["contained"] == 4
    assert figures["containment_rate"] == 0.5714
    assert figures["outcomes"] == {
        "self_served": 1,
        "report_made": 2,
        "transaction_done": 1,
        "handed_off": 1,
        "urgent": 1,
        "abandoned": 1,
        "not_answered": 0,
    }
    assert figures["fallbacks"] == 0 + 1 + 2 + 0 + 0 + 0 + 1
    # (120 + 60 + 300 + 200 + 600 + 90 + 45) / 7 = 1415 / 7 = 202.14
    assert figures["average_duration_s"] == 202.1
    assert figures["assisted"] == 2
    # Cost avoided: web 2 x (321p - 39p) + phone line 1 x (321p - 39p)
    # + library 1 x (823p - 39p) = 564 + 282 + 784 = 1,630p.
    cost = figures["cost_avoided"]
    assert cost["total_pence"] == 1630
    assert cost["total"] == "£16.30"
    assert "contained conversations x" in cost["formula"]
    assert {line["channel"]: line["saving_pence"] for line in cost["by_channel"]} == {
        "web": 564,
        "ivr": 282,
        "library": 784,
    }
    assert {
        row["channel"]: (row["conversations"], row["contained"]) for row in figures["by_channel"]
    } == {
        "web": (4, 2),
        "ivr": (1, 1),
        "library": (2, 1),
    }
    assert {row["language"]: row["conversations"] for row in figures["by_language"]} == {
        "en": 6,
        "cy": 1,
    }
    assert {row["journey"]: row["conversations"] for row in figures["by_journey"]} == {
        "report": 3,
        "council_tax": 2,
        "universal_credit": 1,
        "urgent_help": 1,
    }
    hours = {row["hour"]: row["conversations"] for row in figures["busiest_hours"]}
    assert len(hours) == 24
    assert {hour: n for hour, n in hours.items() if n} == {9: 3, 14: 1, 10: 1, 17: 1, 22: 1}
    weeks = {
        row["week_start"]: (row["conversations"], row["contained"]) for row in figures["weekly"]
    }
    # 1 November 2026 is a Sunday: its week starts on Monday 26 October.
    assert list(weeks) == [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
        "2026-11-30",
    ]
    assert weeks["2026-11-02"] == (3, 2) and weeks["2026-11-09"] == (4, 2)
    assert weeks["2026-10-26"] == (0, 0)
    handoffs = figures["handoffs"]
    assert handoffs["total"] == 3
    assert handoffs["by_category"] == [
        {"category": "council_tax", "count": 2},
        {"category": "safeguarding", "count": 1},
    ]
    assert handoffs["by_priority"] == [
        {"priority": 1, "count": 1},
        {"priority": 2, "count": 1},
        {"priority": 3, "count": 1},
    ]


def test_the_channel_filter(filled: Session, costs: insight.ContactCosts) -> None:
    web = InsightFilters(date(2026, 11, 1), date(2026, 11, 30), "web")
    figures = compute_insight(filled, web, costs)
    # Web: report, FAQ, hand-off, abandoned: 2 of 4 contained; 2 x 282p = 564p.
    assert figures["conversations"] == 4
    assert figures["containment_rate"] == 0.5
    assert figures["cost_avoided"]["total_pence"] == 564
    assert figures["handoffs"]["total"] == 2


def test_an_empty_range_has_no_rate(session: Session, costs: insight.ContactCosts) -> None:
    figures = compute_insight(session, NOVEMBER, costs)
    assert figures["conversations"] == 0
    assert figures["containment_rate"] is None
    assert figures["cost_avoided"]["total_pence"] == 0


def test_one_event_per_session(session: Session) -> None:
    first = record_event(session, event(1, FIXTURE[0]))
    again = record_event(session, event(1, FIXTURE[0]))
    assert first.created and not again.created and first.id == again.id
    assert session.query(OutcomeEvent).count() == 1


def test_hours_and_weeks_are_uk_local_time(session: Session) -> None:
    summer = ("web", "en", "report", "report_made", 0, 1, utc(2026, 7, 5, 23, 30))
    record_event(session, event(5, summer))
    row = session.query(OutcomeEvent).one()
    # 23:30 UTC on Sunday 5 July is 00:30 BST on Monday 6 July.
    assert row.hour_of_day == 0
    assert row.week_start == date(2026, 7, 6)


@pytest.mark.parametrize(
    ("date_from", "date_to", "channel", "message"),
    [
        ("2026-13-01", None, None, "YYYY-MM-DD"),
        ("2026-11-30", "2026-11-01", None, "on or before"),
        ("2020-01-01", "2026-01-01", None, "three years"),
        (None, None, "fax", "channel must be"),
    ],
)
def test_bad_filters_are_explained(date_from, date_to, channel, message) -> None:
    with pytest.raises(insight.FilterError, match=message):
        parse_filters(date_from, date_to, channel)


def test_default_range_is_the_last_30_days() -> None:
    filters = parse_filters(None, None, None, today=date(2026, 11, 30))
    assert filters == InsightFilters(date(2026, 11, 1), date(2026, 11, 30), None)


# --- Over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="development")
    with TestClient(make_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {settings.staff_api_token.get_secret_value()}"
        yield client


def body(number: int, row: tuple) -> dict:
    return event(number, row).dict() | {
        "started_at": row[6].isoformat(),
        "ended_at": row[6].isoformat(),
        "outcome": row[3],
    }


def test_the_api_needs_the_staff_token(client: TestClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}):
        assert client.get("/api/v1/insight", headers=headers).status_code == 401
        response = client.post("/api/v1/insight/events", json={"x": 1}, headers=headers)
        assert response.status_code == 401
        assert "conversations" not in response.text


def test_posting_events_moves_the_figures_and_filters_work(client: TestClient) -> None:
    for number, row in enumerate(FIXTURE):
        assert client.post("/api/v1/insight/events", json=body(number, row)).status_code == 201
    assert client.post("/api/v1/insight/events", json=body(0, FIXTURE[0])).status_code == 200
    figures = client.get(
        "/api/v1/insight", params={"from": "2026-11-01", "to": "2026-11-30"}
    ).json()
    assert (figures["conversations"], figures["contained"]) == (7, 4)
    assert figures["cost_avoided"]["total_pence"] == 1630
    ivr = client.get(
        "/api/v1/insight", params={"from": "2026-11-01", "to": "2026-11-30", "channel": "ivr"}
    ).json()
    assert (ivr["conversations"], ivr["contained"]) == (1, 1)
    december = client.get("/api/v1/insight", params={"from": "2026-12-01", "to": "2026-12-01"})
    assert december.json()["outcomes"]["abandoned"] == 1


def test_bad_input_is_refused_and_changes_nothing(client: TestClient) -> None:
    response = client.get("/api/v1/insight", params={"from": "yesterday"})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["detail"]
    bad = body(1, FIXTURE[0]) | {"channel": "fax"}
    assert client.post("/api/v1/insight/events", json=bad).status_code == 422
    bad = body(1, FIXTURE[0]) | {"conversation_hash": "07700 900123"}
    assert client.post("/api/v1/insight/events", json=bad).status_code == 422
    figures = client.get("/api/v1/insight", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert figures.json()["conversations"] == 0


def test_the_rollup_rebuilt_from_events_gives_the_same_figures(
    filled: Session, costs: insight.ContactCosts
) -> None:
    incremental = compute_insight(filled, NOVEMBER, costs)
    assert insight.rebuild_rollup(filled) > 0
    assert compute_insight(filled, NOVEMBER, costs) == incremental


def test_purging_old_events_removes_their_counts(filled: Session, costs) -> None:
    removed = insight.purge_events(filled, older_than_days=10, now=utc(2026, 11, 20, 12))
    # Events before 10 November (UK days): the 31 October one and the first three.
    assert removed == 4
    figures = compute_insight(filled, NOVEMBER, costs)
    assert figures["conversations"] == 4 and figures["contained"] == 2


# --- Tasks, hand-offs from the queue, freshness (issue #18) ---------------------------------


def test_tasks_are_counted_per_kind_and_follow_the_filters(
    session: Session, costs: insight.ContactCosts
) -> None:
    first, second, third = (event(n, row) for n, row in enumerate(FIXTURE[:3]))
    first.tasks = {"report_made": 2, "pc_booking": 1}
    second.tasks = {"report_made": 1, "pc_booking": 0}
    third.tasks = {"council_tax_task": 4}
    for item in (first, second, third):
        record_event(session, item)
    record_event(session, first)  # posted twice: counted once
    figures = compute_insight(session, NOVEMBER, costs)
    # report_made 2 + 1; council_tax_task 4; pc_booking 1 (a zero count is not stored).
    assert figures["tasks"]["by_kind"] == [
        {"kind": "council_tax_task", "count": 4},
        {"kind": "report_made", "count": 3},
        {"kind": "pc_booking", "count": 1},
    ]
    assert figures["tasks"]["completed"] == 8
    ivr = compute_insight(
        session, InsightFilters(NOVEMBER.date_from, NOVEMBER.date_to, "ivr"), costs
    )
    assert ivr["tasks"]["completed"] == 0


@pytest.mark.parametrize(
    "tasks", [{"Report made": 1}, {"report_made": -1}, {"report_made": 1001}, {"x" * 40: 1}]
)
def test_bad_task_counts_are_refused(tasks: dict) -> None:
    with pytest.raises(ValueError):
        OutcomeEventIn(**(event(0, FIXTURE[0]).dict() | {"tasks": tasks}))


def test_an_event_without_tasks_is_still_taken(client: TestClient) -> None:
    old = body(0, FIXTURE[0])
    old.pop("tasks")
    assert client.post("/api/v1/insight/events", json=old).status_code == 201


def test_purging_old_events_removes_their_tasks(session: Session, costs) -> None:
    old = event(0, FIXTURE[0])
    old.tasks = {"report_made": 1}
    record_event(session, old)
    insight.purge_events(session, older_than_days=10, now=utc(2026, 11, 20, 12))
    assert compute_insight(session, NOVEMBER, costs)["tasks"]["completed"] == 0


def test_hand_offs_are_the_queue_records_of_the_period(
    filled: Session, costs: insight.ContactCosts
) -> None:
    figures = compute_insight(filled, NOVEMBER, costs)
    in_queue = filled.query(TriageRecord).filter(
        TriageRecord.created_at >= NOVEMBER.start, TriageRecord.created_at < NOVEMBER.end
    )
    # FD-AAAAAA, FD-BBBBBB and FD-CCCCCC; FD-DDDDDD is in December. Only one conversation
    # of the fixture ended handed_off: the queue, not the outcomes, gives the figure.
    assert figures["handoffs"]["total"] == figures["tasks"]["handoffs"] == in_queue.count() == 3
    assert figures["outcomes"]["handed_off"] == 1


def test_the_api_says_how_fresh_the_figures_are(client: TestClient) -> None:
    empty = client.get("/api/v1/insight").json()["freshness"]
    assert empty == {"last_updated": None, "counted_after_quiet_minutes": 15}
    assert client.post("/api/v1/insight/events", json=body(0, FIXTURE[0])).status_code == 201
    fresh = client.get("/api/v1/insight").json()["freshness"]
    updated = datetime.fromisoformat(fresh["last_updated"])
    assert abs((datetime.now(timezone.utc) - updated).total_seconds()) < 60


def test_the_idle_time_shown_is_the_setting(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cs.db'}",
        environment="development",
        insight_idle_s=600,
    )
    with TestClient(make_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {settings.staff_api_token.get_secret_value()}"
        figures = client.get("/api/v1/insight").json()
    assert figures["freshness"]["counted_after_quiet_minutes"] == 10


def test_unanswered_text_is_redacted_again_when_stored(session: Session) -> None:
    from web.models import UnansweredQuestion

    item = event(0, FIXTURE[0])
    item.unanswered = [
        insight.UnansweredIn(text="ring me on 07700 900123", asked_at=utc(2026, 11, 2, 9, 16))
    ]
    record_event(session, item)
    assert session.query(UnansweredQuestion.text).scalar() == "ring me on [phone]"
