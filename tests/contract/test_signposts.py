"""Signposts hold together: intents, responses, rules, every council's data and insight.

A signpost intent without its response, rule or a council's link would leave a resident
with no answer; a journey area the council services refuse would lose the insight event.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from bot.councils.profile import load_profile
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml
from web.insight import JOURNEYS
from web.insight_pages import JOURNEY_LABELS
from workers.outcomes import load_rules

COUNCILS = sorted(p for p in (REPO_ROOT / "kb" / "councils").iterdir() if p.is_dir())
DOMAIN = load_yaml((REPO_ROOT / "domain" / "signpost.yml").read_text())
INTENTS = [i for i in DOMAIN["intents"] if i.startswith("signpost_")]
TOPICS = {i.removeprefix("signpost_") for i in INTENTS}
RULES = load_yaml((REPO_ROOT / "data" / "rules" / "signpost.yml").read_text())["rules"]
LABELS = load_yaml((REPO_ROOT / "kb" / "intent_labels.yml").read_text())["labels"]


def _all_intents() -> set[str]:
    found: set[str] = set()
    for path in (REPO_ROOT / "domain").glob("*.yml"):
        for intent in load_yaml(path.read_text()).get("intents") or []:
            found.add(intent if isinstance(intent, str) else next(iter(intent)))
    return found


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_every_council_has_a_signpost_for_every_topic(council_dir: Path):
    profile = load_profile(council_dir)
    assert set(profile.signposts) == TOPICS


@pytest.mark.parametrize("intent", INTENTS)
def test_every_topic_has_its_response_rule_and_label(intent: str):
    variants = DOMAIN["responses"][f"utter_{intent}"]
    web = [v["text"] for v in variants if "channel" not in v]
    voice = [v["text"] for v in variants if v.get("channel") == "twilio_voice"]
    assert web and voice
    assert all("{signpost_link}" in text and "{signpost_phone}" in text for text in web)
    for text in voice:
        assert "{signpost_phone_spoken}" in text
        assert "{signpost_link}" not in text and "{signpost_phone}" not in text
    steps = [rule["steps"] for rule in RULES]
    assert [{"intent": intent}, {"action": "action_signpost"}] in steps
    assert intent in LABELS


def test_help_is_answered_with_buttons_that_start_real_journeys():
    assert [{"intent": "help"}, {"action": "utter_help"}] in [rule["steps"] for rule in RULES]
    web = next(v for v in DOMAIN["responses"]["utter_help"] if "channel" not in v)
    payloads = [button["payload"] for button in web["buttons"]]
    intents = _all_intents()
    for payload in payloads:
        if payload.startswith("/"):
            assert payload[1:] in intents, payload
    assert {"/report_problem", "/check_report_status", "/human_handoff", "/find_pc"} <= set(
        payloads
    )
    voice = next(v for v in DOMAIN["responses"]["utter_help"] if v.get("channel"))
    assert "buttons" not in voice


def test_the_signpost_area_is_an_insight_journey_the_council_services_accept():
    rules = load_rules(REPO_ROOT / "kb" / "insight" / "outcomes.yml")
    assert set(rules.journeys) <= set(JOURNEYS)
    assert set(JOURNEYS) <= set(JOURNEY_LABELS)
    assert all(rules.area_of(intent) == "signpost" for intent in [*INTENTS, "help"])
    self_served = rules.outcome_responses["self_served"]
    for intent in INTENTS:
        assert any(fnmatchcase(f"utter_{intent}", pattern) for pattern in self_served)
    assert not any(fnmatchcase("utter_help", pattern) for pattern in self_served)
