"""TED and memoization step aside only where Rasa's rules decide alone."""

from __future__ import annotations

import pytest
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import loop_turns

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [report_pothole, inform, restart, greet]
forms:
  report_form:
    required_slots: []
responses:
  utter_greet: [{text: "Hello"}]
"""
)

START = [ActionExecuted("action_listen"), UserUttered("pothole", {"name": "report_pothole"})]
IN_FORM = [*START, ActionExecuted("report_form"), ActiveLoop("report_form")]


def _tracker(events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("resident", events, DOMAIN.slots)


HAPPY = {
    "the resident answered the form": [
        *IN_FORM,
        ActionExecuted("action_listen"),
        UserUttered("ST6 3JJ", {"name": "inform"}),
    ],
    "the form has asked its question": [*IN_FORM, ActionExecuted("report_form")],
}
LEFT_TO_ALL = {
    "no form": [*START],
    "the form rejected the answer": [
        *IN_FORM,
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet"}),
        ActionExecutionRejected("report_form"),
    ],
    "a default action is due (restart)": [
        *IN_FORM,
        ActionExecuted("action_listen"),
        UserUttered("/restart", {"name": "restart"}),
    ],
    "the form ended": [*IN_FORM, ActionExecuted("report_form"), ActiveLoop(None)],
}


def _ted() -> TEDPolicy:
    policy = TEDPolicy.__new__(TEDPolicy)
    policy.priority = 1
    return policy


class Recording:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, policy, tracker, domain, *args, **kwargs):
        self.calls += 1
        return policy._prediction([0.0] * (domain.num_actions - 1) + [0.9])


@pytest.mark.parametrize("events", HAPPY.values(), ids=HAPPY.keys())
def test_on_a_forms_happy_path_the_policy_returns_no_prediction(events) -> None:
    own = Recording()
    predict = loop_turns._stepping_aside(own)
    prediction = predict(_ted(), _tracker(events), DOMAIN)
    assert own.calls == 0
    assert prediction.max_confidence == 0.0
    assert loop_turns.rules_decide_alone(_tracker(events))


@pytest.mark.parametrize("events", LEFT_TO_ALL.values(), ids=LEFT_TO_ALL.keys())
def test_everywhere_else_the_policy_predicts_as_before(events) -> None:
    own = Recording()
    predict = loop_turns._stepping_aside(own)
    prediction = predict(_ted(), _tracker(events), DOMAIN)
    assert own.calls == 1
    assert prediction.max_confidence == 0.9
    assert not loop_turns.rules_decide_alone(_tracker(events))


def test_install_wraps_ted_and_memoization_only(monkeypatch) -> None:
    for policy in (TEDPolicy, MemoizationPolicy):
        monkeypatch.setattr(
            policy, "predict_action_probabilities", loop_turns.STEPPING_ASIDE[policy]
        )
    loop_turns.install()
    for policy, own in loop_turns.STEPPING_ASIDE.items():
        assert policy.predict_action_probabilities.__wrapped__ is own
