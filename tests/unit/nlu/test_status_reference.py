"""The StatusReferenceRouter NLU component, run directly on messages (no training)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.status_reference import StatusReferenceRouter


@pytest.fixture(scope="module")
def component() -> StatusReferenceRouter:
    return StatusReferenceRouter({"kb_dir": ""})


def _run(component, text, intent="report_problem", confidence=0.8):
    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": [],
        }
    )
    component.process([message])
    references = [e["value"] for e in message.get("entities") if e["entity"] == "reference"]
    return message.get("intent")["name"], references


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("any news on my pothole SR-PT6XJP", "SR-PT6XJP"),
        ("SR-TPHJ65", "SR-TPHJ65"),
        ("sr tphj65", "SR-TPHJ65"),
        ("what's happening with FD-7K3Q9X?", "FD-7K3Q9X"),
        ("update on HR-7K3Q9X please", "HR-7K3Q9X"),
        ("status PC-7K3Q9X", "PC-7K3Q9X"),
        ("CT-7K3Q9X", "CT-7K3Q9X"),
        ("Any update on BB-7K3Q9X", "BB-7K3Q9X"),
    ],
)
def test_reference_with_no_other_task_goes_to_status(component, text, reference):
    assert _run(component, text) == ("check_report_status", [reference])


@pytest.mark.parametrize(
    "text",
    [
        "I want to report another pothole, my last one was SR-PT6XJP",
        "any news on SR-PT6XJP and can I book a PC",
        "SR-PT6XJP was about a pothole near the school",
        "any news on my pothole",
        "update on SR-PT6XJP and FD-7K3Q9X",
    ],
)
def test_other_tasks_or_no_reference_are_left_alone(component, text):
    assert _run(component, text) == ("report_problem", [])


def test_urgent_help_is_never_overridden(component):
    assert _run(component, "SR-PT6XJP", intent="urgent_help") == ("urgent_help", [])


def test_status_intent_leads_the_ranking(component):
    message = Message(data={"text": "SR-TPHJ65", "intent": None, "intent_ranking": []})
    component.process([message])
    assert message.get("intent_ranking")[0] == {"name": "check_report_status", "confidence": 1.0}
