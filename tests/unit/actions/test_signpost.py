"""Signposts (``actions/signpost.py``): each topic's answer with the council's own values.

The sample council's ``signposts.yml`` is read as shipped; a second council is a copy of its
folder in a temporary knowledge base with other links and numbers.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, slots
from actions.common.triage import TriageRules, cached_rules
from actions.signpost import ActionSignpost, topic_of
from bot.councils.profile import load_profile
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml
from tests.unit.actions.trackers import load_tracker

SAMPLE = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"
SAMPLE_SIGNPOSTS = load_yaml((SAMPLE / "signposts.yml").read_text())["signposts"]
SAMPLE_CONTACT = load_yaml((SAMPLE / "profile.yml").read_text())["contact"]


def signpost_intents(domain: dict[str, Any]) -> list[str]:
    return sorted(i for i in domain["intents"] if str(i).startswith("signpost_"))


def run(intent: str, domain: dict[str, Any]) -> tuple[list[dict], list[dict[str, Any]]]:
    """Run the action after a message of that intent: (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("status_check", text="a question", intent=intent)
    events = asyncio.run(ActionSignpost().run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def other_council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A second council: the sample's folder with its own links, one own number, one topic
    left out (it gets the council's main website and number)."""
    folder = tmp_path / "kb" / "councils" / "elsewhere"
    shutil.copytree(SAMPLE, folder)
    profile = load_yaml((folder / "profile.yml").read_text())
    profile.update(
        slug="elsewhere", name="Elsewhere Borough Council", website="https://else.example"
    )
    profile["contact"].update(phone="01632 960000", phone_spoken="0 1 6 3 2, 9 6 0, 0 0 0")
    (folder / "profile.yml").write_text(yaml.safe_dump(profile))
    signposts = {
        topic: {"link": f"https://else.example/{topic}"}
        for topic in SAMPLE_SIGNPOSTS
        if topic != "planning"
    }
    signposts["bins"].update(
        phone="01632 960123", phone_spoken="0 1 6 3 2, 9 6 0, 1 2 3", hours="every day, 7am to 7pm"
    )
    (folder / "signposts.yml").write_text(yaml.safe_dump({"signposts": signposts}))
    council = load_profile(folder)
    monkeypatch.setattr(deps, "profile", lambda: council)
    return folder


def test_every_signpost_intent_is_a_topic_of_the_sample_council(domain):
    intents = signpost_intents(domain)
    assert len(intents) >= 12
    assert {topic_of(i) for i in intents} == set(SAMPLE_SIGNPOSTS)


@pytest.mark.usefixtures("council")
def test_each_topic_gets_its_response_with_the_councils_link_and_number(domain):
    for intent in signpost_intents(domain):
        topic = topic_of(intent)
        entry = SAMPLE_SIGNPOSTS[topic]
        phone = entry.get("phone", SAMPLE_CONTACT["phone"])
        spoken = entry.get("phone_spoken", SAMPLE_CONTACT["phone_spoken"])
        hours = entry.get("hours", SAMPLE_CONTACT["hours"])
        messages, events = run(intent, domain)
        assert len(messages) == 1, intent
        message = messages[0]
        assert message["response"] == f"utter_signpost_{topic}"
        assert message[slots.SIGNPOST_LINK] == entry["link"]
        assert message[slots.SIGNPOST_PHONE] == phone
        assert message[slots.SIGNPOST_PHONE_SPOKEN] == spoken
        assert message[slots.SIGNPOST_HOURS] == hours
        assert slot_events(events) == {
            slots.SIGNPOST_TOPIC: topic,
            slots.SIGNPOST_LINK: entry["link"],
            slots.SIGNPOST_PHONE: phone,
            slots.SIGNPOST_PHONE_SPOKEN: spoken,
            slots.SIGNPOST_HOURS: hours,
        }


@pytest.mark.usefixtures("council")
def test_the_sample_council_has_its_own_lines_for_registrations_and_schools(domain):
    messages, _ = run("signpost_register_death", domain)
    assert messages[0][slots.SIGNPOST_PHONE] == "01782 235260"
    assert "register_a_death" in messages[0][slots.SIGNPOST_LINK]
    messages, _ = run("signpost_school_admissions", domain)
    assert messages[0][slots.SIGNPOST_PHONE] == "01782 234598"
    messages, _ = run("signpost_contact", domain)
    assert messages[0][slots.SIGNPOST_PHONE] == "01782 234234"


def test_another_council_gives_its_own_links_and_numbers(other_council, domain):
    messages, _ = run("signpost_bins", domain)
    assert messages[0][slots.SIGNPOST_LINK] == "https://else.example/bins"
    assert messages[0][slots.SIGNPOST_PHONE] == "01632 960123"
    assert messages[0][slots.SIGNPOST_PHONE_SPOKEN] == "0 1 6 3 2, 9 6 0, 1 2 3"
    assert messages[0][slots.SIGNPOST_HOURS] == "every day, 7am to 7pm"
    messages, _ = run("signpost_noise", domain)
    assert messages[0][slots.SIGNPOST_LINK] == "https://else.example/noise"
    assert messages[0][slots.SIGNPOST_PHONE] == "01632 960000"  # the council's main number
    assert "stoke" not in str(messages).lower()


def test_a_topic_the_council_does_not_list_gets_its_main_website_and_number(other_council, domain):
    messages, events = run("signpost_planning", domain)
    assert messages[0]["response"] == "utter_signpost_planning"
    assert messages[0][slots.SIGNPOST_LINK] == "https://else.example"
    assert messages[0][slots.SIGNPOST_PHONE] == "01632 960000"
    assert slot_events(events)[slots.SIGNPOST_TOPIC] == "planning"


@pytest.mark.usefixtures("council")
def test_an_intent_without_a_signpost_response_gets_the_council_contact(domain):
    for intent in ("signpost_dragons", "greet"):
        messages, events = run(intent, domain)
        assert messages[0]["response"] == "utter_signpost_contact"
        assert messages[0][slots.SIGNPOST_LINK] == SAMPLE_SIGNPOSTS["contact"]["link"]
        assert slot_events(events)[slots.SIGNPOST_TOPIC] == "contact"


def test_topic_of():
    assert topic_of("signpost_missed_bin") == "missed_bin"
    assert topic_of("signpost_") == "contact"
    assert topic_of(None) == "contact"


def test_a_hand_off_after_a_housing_repairs_signpost_is_a_housing_case():
    rules: TriageRules = cached_rules(REPO_ROOT / "kb" / "triage" / "rules.yml")
    assert rules.category("signpost_housing_repairs", [], False) == "housing"
    assert rules.category("signpost_bins", [], False) == "other"
