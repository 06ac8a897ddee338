"""Outcome derivation from tracker events (workers/outcomes.py) and the insight worker."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.settings import REPO_ROOT
from integrations.insight import InsightClient
from workers.insight import InsightWorker
from workers.outcomes import (
    OutcomeRulesError,
    conversation_hash,
    derive_event,
    load_rules,
    split_sessions,
)

RULES = load_rules(REPO_ROOT / "kb" / "insight" / "outcomes.yml")
SECRET = "test-secret"
T0 = 1_795_000_000.0  # 2026-11-18 (a Wednesday), around 09:46 UTC


class Conversation:
    """Builds Rasa tracker events the way Rasa 3.6 stores them."""

    def __init__(self, start: float = T0, channel: str = "web") -> None:
        self.clock = start
        self.events: list[dict[str, Any]] = []
        self.start_session(channel)

    def _add(self, event: dict[str, Any], step: float = 1.0) -> None:
        self.clock += step
        self.events.append({**event, "timestamp": self.clock})

    def start_session(self, channel: str = "web", gap: float = 1.0) -> Conversation:
        self._add({"event": "slot", "name": "session_started_metadata", "value": {}}, gap)
        self._add({"event": "action", "name": "action_session_start"})
        self._add({"event": "session_started"})
        self._add({"event": "slot", "name": "channel", "value": channel})
        self._add({"event": "slot", "name": "language", "value": "en"})
        self._add({"event": "action", "name": "action_listen"})
        return self

    def user(
        self, text: str, intent: str, ranking: list[tuple[str, float]] | None = None
    ) -> Conversation:
        ranking = ranking or [(intent, 0.95)]
        self._add(
            {
                "event": "user",
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": ranking[0][1]},
                    "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
                    "entities": [],
                },
                "input_channel": "rest",
            },
            step=10.0,
        )
        return self

    def action(self, name: str) -> Conversation:
        self._add({"event": "action", "name": name})
        return self

    def bot(self, response: str, text: str = "...") -> Conversation:
        self._add({"event": "bot", "text": text, "metadata": {"utter_action": response}})
        return self

    def add_active_loop(self, name: str | None) -> Conversation:
        self._add({"event": "active_loop", "name": name})
        return self

    def slot(self, name: str, value: Any) -> Conversation:
        self._add({"event": "slot", "name": name, "value": value})
        return self


def only_session(conversation: Conversation, sender: str = "resident-1") -> dict[str, Any]:
    sessions = split_sessions(sender, conversation.events)
    assert len(sessions) == 1
    return derive_event(sessions[0], RULES, SECRET)


def pothole_report() -> Conversation:
    return (
        Conversation()
        .user("there's a massive pothole on my road", "report_pothole")
        .action("report_form")
        .bot("utter_ask_report_form_location")
        .user("ST6 3JJ", "inform")
        .action("report_form")
        .user("yes", "affirm")
        .action("action_submit_report")
        .bot("utter_report_submitted", "Thank you. Your reference is SR-7K3Q9X.")
        .action("action_listen")
    )


def test_a_report_is_report_made_with_no_personal_data() -> None:
    event = only_session(pothole_report(), sender="+447700900123")
    assert event["outcome"] == "report_made"
    assert event["journey"] == "report"
    assert event["channel"] == "web" and event["language"] == "en"
    assert event["fallbacks"] == 0 and event["assisted"] is False
    assert event["conversation_hash"] == conversation_hash(SECRET, "+447700900123")
    assert "447700900123" not in json.dumps(event)
    assert "SR-7K3Q9X" not in json.dumps(event)
    assert event["unanswered"] == []
    assert event["duration_s"] > 0


def test_an_faq_answer_is_self_served() -> None:
    conversation = (
        Conversation()
        .user("hi", "greet")
        .bot("utter_greet")
        .user("how do i pay my council tax", "council_tax")
        .action("utter_council_tax")
        .bot("utter_council_tax/ways_to_pay")
    )
    event = only_session(conversation)
    assert (event["journey"], event["outcome"]) == ("council_tax", "self_served")


def test_a_hand_off_after_two_misses_records_the_questions_redacted() -> None:
    conversation = (
        Conversation(channel="library")
        .user(
            "my bins r always late call me 07700 900123",
            "nlu_fallback",
            [("nlu_fallback", 0.3), ("report_problem", 0.25)],
        )
        .action("action_handle_fallback")
        .bot("utter_fallback_suggestions")
        .user("bins bins bins", "nlu_fallback", [("nlu_fallback", 0.3), ("out_of_scope", 0.2)])
        .action("action_handle_fallback")
        .bot("utter_fallback_offer_person")
        .user("/human_handoff", "human_handoff")
        .action("handoff_form")
        .action("action_create_triage")
        .bot("utter_handoff_created")
    )
    event = only_session(conversation)
    assert event["outcome"] == "handed_off"
    assert event["journey"] == "human_handoff"
    assert event["channel"] == "library" and event["assisted"] is True
    assert event["fallbacks"] == 2
    first, second = event["unanswered"]
    assert first["text"] == "my bins r always late call me [phone]"
    assert (first["best_guess"], first["confidence"]) == ("report_problem", 0.25)
    assert first["reason"] == second["reason"] == "handoff"
    assert second["best_guess"] == "out_of_scope"


def test_a_core_fallback_counts_and_records_the_message_before_it() -> None:
    conversation = (
        Conversation()
        .user("what about the thing", "council_tax")
        .action("action_default_fallback")
        .bot("utter_default")
    )
    event = only_session(conversation)
    assert event["fallbacks"] == 1
    assert [item["text"] for item in event["unanswered"]] == ["what about the thing"]
    assert event["unanswered"][0]["best_guess"] == "council_tax"
    assert event["outcome"] == "abandoned"


def test_five_tasks_and_a_hand_off_count_five_tasks() -> None:
    conversation = Conversation()
    for _ in range(2):
        conversation.user("pothole", "report_pothole").bot("utter_report_submitted")
    (
        conversation.user("book a pc", "book_pc")
        .bot("utter_booking_made")
        .user("pay in instalments", "council_tax_instalments")
        .bot("utter_council_tax_instalments_case_created")
        .user("broadband voucher", "broadband_voucher")
        .bot("utter_broadband_application_sent")
        .user("/human_handoff", "human_handoff")
        .bot("utter_handoff_created")
    )
    event = only_session(conversation)
    assert event["outcome"] == "handed_off"
    assert event["tasks"] == {
        "report_made": 2,
        "pc_booking": 1,
        "council_tax_task": 1,
        "broadband_application": 1,
    }
    assert sum(event["tasks"].values()) == 5


def test_a_session_with_no_task_has_none() -> None:
    event = only_session(Conversation().user("hello", "greet").bot("utter_greet"))
    assert event["tasks"] == {}


def test_an_answer_to_a_form_question_is_never_an_unanswered_question() -> None:
    conversation = (
        Conversation()
        .user("i want a council tax discount", "council_tax_discount")
        .action("council_tax_discount_form")
        .add_active_loop("council_tax_discount_form")
        .slot("requested_slot", "full_name")
        .user("Jo Bloggs", "nlu_fallback", [("nlu_fallback", 0.3), ("greet", 0.1)])
        .action("action_default_fallback")
        .slot("requested_slot", "address")
        .user("12 Church Street Hanley", "nlu_fallback", [("nlu_fallback", 0.2)])
        .slot("requested_slot", "account_number")
        .user("A12345678", "nlu_fallback", [("nlu_fallback", 0.2)])
        .add_active_loop(None)
        .slot("requested_slot", None)
        .user("what colour is the sky", "nlu_fallback", [("nlu_fallback", 0.2)])
    )
    event = only_session(conversation)
    # Every miss still counts as a miss (four messages, one also followed by the core fallback).
    assert event["fallbacks"] == 5
    assert [item["text"] for item in event["unanswered"]] == ["what colour is the sky"]
    assert "Bloggs" not in json.dumps(event) and "A12345678" not in json.dumps(event)


def test_a_question_outside_a_form_is_stored_redacted() -> None:
    event = only_session(
        Conversation().user(
            "email me at jo.bloggs@example.com about my bins",
            "nlu_fallback",
            [("nlu_fallback", 0.2)],
        )
    )
    assert [item["text"] for item in event["unanswered"]] == ["email me at [email] about my bins"]


def test_urgent_beats_a_report_in_progress() -> None:
    conversation = (
        Conversation()
        .user("pothole on my road", "report_pothole")
        .action("report_form")
        .user("my partner hit me", "urgent_help")
        .action("action_urgent_help")
        .bot("utter_urgent_help")
        .bot("utter_urgent_case_opened")
    )
    event = only_session(conversation)
    assert (event["journey"], event["outcome"]) == ("report", "urgent")


def test_an_abandoned_form() -> None:
    conversation = (
        Conversation()
        .user("i want to report fly tipping", "report_fly_tipping")
        .action("report_form")
        .bot("utter_ask_report_form_location")
    )
    event = only_session(conversation)
    assert (event["journey"], event["outcome"]) == ("report", "abandoned")


def test_only_small_talk_is_small_talk_and_abandoned() -> None:
    event = only_session(Conversation().user("hello", "greet").bot("utter_greet"))
    assert (event["journey"], event["outcome"]) == ("small_talk", "abandoned")


def test_a_slot_value_outside_the_contract_is_not_passed_on() -> None:
    conversation = Conversation().slot("channel", "fax").slot("language", "<b>").user("hi", "greet")
    event = only_session(conversation)
    assert (event["channel"], event["language"]) == ("api", "und")


def test_sessions_split_at_session_started_and_end_when_idle() -> None:
    conversation = pothole_report()
    first_end = conversation.clock
    conversation.start_session(gap=4000).user("hello", "greet").bot("utter_greet")
    sessions = split_sessions("r", conversation.events)
    assert len(sessions) == 2
    first, second = sessions
    assert first.followed and first.has_ended(now=first_end, idle_s=3600)
    assert first.last_at == first_end  # the next session's opening events moved over
    assert second.events[0]["name"] == "session_started_metadata"
    assert not second.has_ended(now=second.last_at + 10, idle_s=60)
    assert second.has_ended(now=second.last_at + 60, idle_s=60)
    events = [derive_event(session, RULES, SECRET) for session in sessions]
    assert [e["outcome"] for e in events] == ["report_made", "abandoned"]
    assert events[0]["conversation_hash"] == events[1]["conversation_hash"]
    assert events[0]["started_at"] != events[1]["started_at"]


def test_a_quiet_gap_ends_a_session_and_what_follows_counts_on_its_own() -> None:
    conversation = Conversation(channel="library").user("hello", "greet").bot("utter_greet")
    conversation.slot("requested_slot", "location")
    conversation.clock += 20 * 60  # quiet for 20 minutes: Rasa's own session goes on
    conversation.user("ST6 3JJ", "nlu_fallback", [("nlu_fallback", 0.2)])
    conversation.user("pothole", "report_pothole").bot("utter_report_submitted")
    assert len(split_sessions("r", conversation.events)) == 1  # without the idle rule
    first, second = split_sessions("r", conversation.events, idle_s=15 * 60)
    assert first.followed
    assert second.started_at > first.last_at + 15 * 60
    before, after = (derive_event(session, RULES, SECRET) for session in (first, second))
    assert before["outcome"] == "abandoned" and before["journey"] == "small_talk"
    assert after["outcome"] == "report_made" and after["channel"] == "library"
    assert after["unanswered"] == []  # still answering the form's question
    assert after["tasks"] == {"report_made": 1}


def test_a_slow_reply_does_not_split_a_session() -> None:
    conversation = Conversation().user("pothole", "report_pothole")
    conversation.clock += 20 * 60  # the assistant (or a staff message) after the gap
    conversation.bot("utter_report_submitted")
    (session,) = split_sessions("r", conversation.events, idle_s=15 * 60)
    assert derive_event(session, RULES, SECRET)["outcome"] == "report_made"


def test_a_gap_shorter_than_the_idle_time_keeps_one_session() -> None:
    conversation = Conversation().user("hello", "greet")
    conversation.clock += 14 * 60
    conversation.user("pothole", "report_pothole").bot("utter_report_submitted")
    assert len(split_sessions("r", conversation.events, idle_s=15 * 60)) == 1


def test_the_default_idle_time_is_fifteen_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.delenv("INSIGHT_IDLE_SECONDS", raising=False)
    assert Settings(_env_file=None).insight_idle_s == 15 * 60


def test_a_session_where_the_resident_said_nothing_is_dropped() -> None:
    assert split_sessions("r", Conversation().events) == []


def test_broken_rules_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yml"
    path.write_text("journeys: {}\nincidental: []\noutcomes: {won: {}}\nnot_understood: {}\n")
    with pytest.raises(OutcomeRulesError, match="unknown outcomes: won"):
        load_rules(path)


# --- The worker over a tracker store -----------------------------------------------------------


def tracker_store(path: Path, conversations: dict[str, Conversation]) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
    engine.dispose()
    for sender, conversation in conversations.items():
        append_events(url, sender, conversation.events)
    return url


def append_events(url: str, sender: str, events: list[dict[str, Any]]) -> None:
    """Add events to a conversation of the tracker store, as Rasa saves them."""
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:
        for event in events:
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, :t, :ts, :d)"
                ),
                {
                    "s": sender,
                    "t": event["event"],
                    "ts": event["timestamp"],
                    "d": json.dumps(event),
                },
            )
    engine.dispose()


def test_the_worker_posts_each_ended_session_once(tmp_path: Path) -> None:
    posted: list[dict[str, Any]] = []
    stored: set[tuple[str, str]] = set()

    def council_services(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer token"
        body = json.loads(request.content)
        posted.append(body)
        key = (body["conversation_hash"], body["started_at"])
        created = key not in stored
        stored.add(key)
        return httpx.Response(201 if created else 200, json={"id": 1, "created": created})

    ongoing = Conversation(start=T0 + 5000).user("pothole", "report_pothole")
    url = tracker_store(tmp_path / "tracker.db", {"a": pothole_report(), "b": ongoing})
    worker = InsightWorker(
        url,
        f"sqlite:///{tmp_path / 'frontdoor.db'}",
        InsightClient("http://cs", "token", transport=httpx.MockTransport(council_services)),
        RULES,
        SECRET,
        idle_s=600,
        lookback_s=86400,
    )
    try:
        now = ongoing.clock + 60  # "a" idle for over an hour, "b" for a minute
        assert asyncio.run(worker.run_once(now=now)) == 1
        assert [body["outcome"] for body in posted] == ["report_made"]
        assert asyncio.run(worker.run_once(now=now)) == 0  # delivered: not posted again
        assert asyncio.run(worker.run_once(now=ongoing.clock + 601)) == 1  # "b" has gone idle
        assert [body["outcome"] for body in posted] == ["report_made", "abandoned"]
    finally:
        worker.close()


def test_the_worker_retries_when_the_council_services_are_down(tmp_path: Path) -> None:
    up = False

    def council_services(request: httpx.Request) -> httpx.Response:
        if not up:
            raise httpx.ConnectError("down")
        return httpx.Response(201, json={"id": 1, "created": True})

    url = tracker_store(tmp_path / "tracker.db", {"a": pothole_report()})
    worker = InsightWorker(
        url,
        f"sqlite:///{tmp_path / 'frontdoor.db'}",
        InsightClient("http://cs", "token", transport=httpx.MockTransport(council_services)),
        RULES,
        SECRET,
        idle_s=600,
        lookback_s=86400 * 365 * 10,
    )
    try:
        assert asyncio.run(worker.run_once()) == 0
        up = True
        assert asyncio.run(worker.run_once()) == 1
    finally:
        worker.close()


def test_delivery_keys_follow_the_transcript_retention(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from workers.insight import insight_delivered, purge_delivered

    url = f"sqlite:///{tmp_path / 'frontdoor.db'}"
    assert purge_delivered(url, 30) == 0  # no table yet
    engine = sa.create_engine(url, future=True)
    insight_delivered.metadata.create_all(engine)
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        for key, age in (("old", 40), ("new", 1)):
            connection.execute(
                insight_delivered.insert().values(
                    session_key=key, status="delivered", delivered_at=now - timedelta(days=age)
                )
            )
    engine.dispose()
    assert purge_delivered(url, 30) == 1


def _domain_names() -> tuple[set[str], set[str]]:
    import yaml

    responses: set[str] = set()
    actions: set[str] = set()
    for path in (REPO_ROOT / "domain").glob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses |= set(document.get("responses") or {})
        actions |= set(document.get("actions") or [])
    return responses, actions


def test_every_named_response_and_action_exists_in_the_domain():
    """A misspelt name in outcomes.yml would silently count conversations as abandoned."""
    from fnmatch import fnmatch

    responses, actions = _domain_names()
    for outcome, patterns in RULES.outcome_responses.items():
        for pattern in patterns:
            assert any(fnmatch(name, pattern) for name in responses), (outcome, pattern)
    for outcome, names in RULES.outcome_actions.items():
        for name in names:
            assert name in actions, (outcome, name)
    assert RULES.task_responses
    for kind, patterns in RULES.task_responses.items():
        for pattern in patterns:
            assert any(fnmatch(name, pattern) for name in responses), (kind, pattern)


def test_every_intent_of_the_training_data_has_a_journey_area():
    import yaml

    intents = set()
    for path in (REPO_ROOT / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    assert intents
    for intent in sorted(intents):
        assert RULES.area_of(intent) is not None, intent
