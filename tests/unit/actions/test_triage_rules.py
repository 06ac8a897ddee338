from pathlib import Path

import pytest

from actions.common.triage import (
    journey_intent,
    load_rules,
    resident_texts,
    transcript,
)
from bot.settings import REPO_ROOT

RULES = load_rules(REPO_ROOT / "kb" / "triage" / "rules.yml")


@pytest.mark.parametrize(
    "text,priority,flag",
    [
        ("my partner hits me and i'm scared to go home", 1, "domestic_abuse"),
        ("I've been kicked out and have nowhere to sleep tonight", 1, "homeless_tonight"),
        ("i want to end it all", 1, "self_harm"),
        ("the kids next door are left alone all day and neglected", 1, "child_at_risk"),
        ("I can't pay my council tax, I'm skint", 2, "hardship"),
        ("got a section 21 eviction notice", 2, "eviction"),
        ("my kids have nothing to eat", 2, "no_food"),
        ("I'm in a wheelchair and can't get to the library", 2, "disability"),
        ("my mum is 84 and a pensioner", 2, "elderly"),
        ("there is a pothole on Leek Road", 3, None),
    ],
)
def test_priority_follows_the_flags(text, priority, flag):
    flags = RULES.flags_in([text])
    assert RULES.priority(flags) == priority
    if flag:
        assert flag in {f.name for f in flags}
    else:
        assert flags == []


def test_urgent_help_is_always_priority_one():
    assert RULES.priority([], urgent=True) == 1


@pytest.mark.parametrize(
    "intent,text,urgent,category",
    [
        ("report_pothole", "pothole", False, "street"),
        ("check_report_status", "", False, "street"),
        ("council_tax", "can't pay", False, "council_tax"),
        ("report_pothole", "nowhere to sleep tonight", False, "housing"),
        ("council_tax", "he hits me", True, "safeguarding"),
        (None, "", True, "safeguarding"),
        (None, "", False, "other"),
    ],
)
def test_category_follows_the_journey_and_overrides(intent, text, urgent, category):
    assert RULES.category(intent, RULES.flags_in([text]), urgent) == category


def test_response_times_come_from_data():
    assert RULES.response_time(1) != RULES.response_time(3)
    assert RULES.response_time(7) == RULES.response_time(3)


def test_summary_redacts_the_resident_s_words():
    summary = RULES.summary(
        urgent=False, flags=[], category="council_tax",
        need="call me on 07700 900123 about my bill", last_failure=None, preferred="phone",
    )  # fmt: skip
    assert "07700" not in summary and "[phone]" in summary
    assert "council tax" in summary and "Contact by phone" in summary


def test_urgent_summary_names_the_flags():
    flags = RULES.flags_in(["nowhere to sleep tonight"])
    summary = RULES.summary(
        urgent=True, flags=flags, category="housing", need=None, last_failure=None, preferred=None
    )
    assert summary.startswith("URGENT") and "homeless tonight" in summary


def _user(text, intent, ts=1_700_000_000.0):
    return {
        "event": "user",
        "text": text,
        "timestamp": ts,
        "parse_data": {"intent": {"name": intent}},
    }


def test_transcript_is_redacted_and_skips_payloads():
    events = [
        _user("hello", "greet"),
        {"event": "bot", "text": "Hello. What do you need?", "timestamp": 1_700_000_001.0},
        _user("/affirm", "affirm"),
        _user("my email is jo@example.com", "nlu_fallback"),
    ]
    lines = transcript(events)
    assert [line["role"] for line in lines] == ["resident", "assistant", "resident"]
    assert lines[2]["text"] == "my email is [email]"
    assert lines[0]["at"].endswith("+00:00")


def test_journey_is_the_latest_service_intent():
    events = [
        _user("pothole", "report_pothole"),
        _user("yes", "affirm"),
        _user("person", "human_handoff"),
    ]
    assert journey_intent(events) == "report_pothole"
    assert resident_texts(events) == ["pothole", "yes", "person"]


def test_bad_rules_file_is_named(tmp_path: Path):
    bad = tmp_path / "rules.yml"
    bad.write_text(
        "flags:\n  x:\n    priority: 9\n    patterns: ['a']\nresponse_times: {3: soon}\n"
    )
    with pytest.raises(ValueError, match="rules.yml"):
        load_rules(bad)
