from pathlib import Path

import pytest

from actions.common.triage import (
    journey_intent,
    load_rules,
    real_misses,
    resident_texts,
    said_lines,
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


# --- Issue #18: a record staff can trust -------------------------------------------------


def _bot(text, ts, buttons=None, **metadata):
    event = {"event": "bot", "text": text, "timestamp": ts, "metadata": metadata}
    if buttons:
        event["data"] = {"buttons": buttons}
    return event


def _loop(name, ts=1_700_000_000.0):
    return {"event": "active_loop", "name": name, "timestamp": ts}


def test_a_button_press_is_recorded_as_its_title():
    buttons = [
        {"title": "Yes, that's right", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]
    events = [
        _bot("Is the pothole on Leek Road?", 1.0, buttons),
        _user("/affirm", "affirm", 2.0),
        _user('/inform{"x": 1}', "inform", 3.0),  # offered by no button: left out
    ]
    lines = transcript(events)
    assert [(line["role"], line["text"]) for line in lines] == [
        ("assistant", "Is the pothole on Leek Road?"),
        ("resident", "Yes, that's right"),
    ]
    assert resident_texts(events) == ["Yes, that's right"]


def test_the_whole_session_is_kept_and_a_very_long_one_is_marked():
    events = [_user(f"message {n}", "nlu_fallback", float(n)) for n in range(150)]
    assert len(transcript(events)) == 150  # the old cut kept the last 60

    many = [_user(f"message {n}", "nlu_fallback", float(n)) for n in range(1200)]
    lines = transcript(many)
    assert len(lines) == 1000
    assert lines[0]["text"] == "message 0" and lines[-1]["text"] == "message 1199"
    marker = lines[100]
    assert marker["role"] == "system" and "201 messages" in marker["text"]


def test_a_staff_message_is_not_sent_back_as_the_assistant():
    events = [
        _user("hello", "greet", 1.0),
        _bot("We have fixed it", 2.0, staff_message=True, staff_name="Sam"),
    ]
    assert [line["role"] for line in transcript(events)] == ["resident"]


def test_the_verified_council_tax_account_has_its_own_line():
    events = [
        {"event": "slot", "name": "ct_account_reference", "value": "40012345", "timestamp": 1.0},
        {"event": "slot", "name": "ct_verified", "value": True, "timestamp": 2.0},
    ]
    lines = transcript(events)
    assert lines == [
        {
            "role": "system",
            "text": "Council tax account verified: 40012345",
            "at": lines[0]["at"],
        }
    ]


def test_the_crisis_text_given_in_this_turn_joins_the_transcript():
    polish = [{"type": "slot", "name": "language", "value": "pl"}]
    domain = {
        "responses": {
            "utter_urgent_help": [
                {"text": "Zadzwoń pod {emergency_phone}.", "condition": polish},
                {"text": "Phone: {emergency_phone_spoken}", "channel": "twilio_voice"},
                {"text": "Call {emergency_phone} now. Samaritans: {samaritans_phone}."},
            ]
        }
    }
    messages = [
        {
            "response": "utter_urgent_help",
            "emergency_phone": "999",
            "emergency_phone_spoken": "nine nine nine",
            "samaritans_phone": "116 123",
        }
    ]
    lines = said_lines(messages, domain, "rest", {"language": "en"})
    assert [line["role"] for line in lines] == ["assistant"]
    assert lines[0]["text"].startswith("Call 999 now.")
    assert said_lines(messages, domain, "rest", {"language": "pl"})[0]["text"] == (
        "Zadzwoń pod 999."
    )
    spoken = said_lines(messages, domain, "twilio_voice", {"language": "en"})
    assert spoken[0]["text"] == "Phone: nine nine nine"
    assert said_lines([{"text": "Plain words"}], {}, None)[0]["text"] == "Plain words"


def test_only_real_misses_count_not_answers_to_a_form():
    events = [
        _user("blah", "nlu_fallback"),
        _loop("handoff_form"),
        _user("Jo Bloggs", "nlu_fallback"),  # a name: the form's answer
        _user("12 Leek Road", "out_of_scope"),
        _loop(None),
        _user("what is the weather", "out_of_scope"),
    ]
    assert real_misses(events) == 2


def test_category_follows_the_form_not_the_first_guess():
    # A Polish pothole report, first taken for Universal Credit, then the report form ran.
    text = "Na ulicy jest ogromna dziura, bardzo niebezpieczna"
    events = [
        _user(text, "universal_credit"),
        _loop("report_form"),
        _user("ST4 1AA", "universal_credit"),  # a form answer's guessed intent
        _loop(None),
        _user("rozmowa z człowiekiem", "human_handoff"),
    ]
    journey = journey_intent(events)
    assert journey == "report_problem"
    flags = RULES.flags_in(resident_texts(events))
    assert RULES.category(journey, flags, urgent=False) == "street"
    assert RULES.priority(flags) == 2
    assert "danger to the public" in {flag.label for flag in flags}


@pytest.mark.parametrize(
    "text,flag",
    [
        ("ive got 2 kids", "children"),
        ("I have three children and no heating", "children"),
        ("I'm a single mum", "children"),
        ("she is 78 and lives alone", "elderly"),
        ("she is 78 and lives alone", "lives_alone"),
        ("my dad's 91", "elderly"),
        ("mam dwoje dzieci", "children"),
        ("ona ma 78 lat i mieszka sama", "elderly"),
        ("ona ma 78 lat i mieszka sama", "lives_alone"),
        ("am doi copii", "children"),
        ("locuiește singură", "lives_alone"),
        ("mám dve deti", "children"),
        ("býva sama", "lives_alone"),
        ("لدي طفلان", "children"),
        ("আমার দুটি বাচ্চা আছে", "children"),
        ("ਮੇਰੇ ਦੋ ਬੱਚੇ ਹਨ", "children"),
        ("میرے دو بچے ہیں", "children"),
        ("وہ اکیلی رہتی ہے", "lives_alone"),
        ("nie stać mnie na podatek", "hardship"),
        ("jestem niepełnosprawny", "disability"),
    ],
)
def test_widened_and_translated_vulnerability_flags(text, flag):
    flags = RULES.flags_in([text])
    assert flag in {f.name for f in flags}
    assert RULES.priority(flags) == 2


@pytest.mark.parametrize(
    "text",
    [
        "the number 78 bus is late",
        "I paid £80 last month",
        "can I borrow kids' books",
        "there is a pothole on Leek Road",
        "when is the library open",
    ],
)
def test_ordinary_messages_raise_no_vulnerability_flag(text):
    assert RULES.flags_in([text]) == []
