"""The rule policy's matching on rules decoded once gives Rasa's own answers."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

from bot import rule_lookup

ACTIONS = ["action_listen", "report_form", "utter_greet", None]
INTENTS = ["greet", "report_pothole", "deny", None]
LOOPS = ["report_form", SHOULD_NOT_BE_SET, None]
SLOTS = ["handoff_consent", "triage_reference"]


@st.composite
def states(draw: st.DrawFn, rule: bool) -> dict:
    state: dict = {}
    action = draw(st.sampled_from(ACTIONS))
    if action:
        state["prev_action"] = {"action_name": action}
    intent = draw(st.sampled_from(INTENTS))
    if intent:
        state["user"] = {"intent": intent}
    loop = draw(st.sampled_from(LOOPS))
    if loop and (rule or loop != SHOULD_NOT_BE_SET):
        state["active_loop"] = {"name": loop}
    values = [(1.0,), (0.0,), SHOULD_NOT_BE_SET] if rule else [(1.0,), (0.0,)]
    slots = draw(st.dictionaries(st.sampled_from(SLOTS), st.sampled_from(values), max_size=2))
    if slots:
        state["slots"] = slots
    return state


class RasasOwn:
    """What Rasa's matching reads from ``self``, as Rasa ships it."""

    _rule_key_to_state = staticmethod(json.loads)
    _does_rule_match_state = staticmethod(RulePolicy._does_rule_match_state)


@settings(max_examples=500, deadline=None)
@given(
    rule=st.lists(states(rule=True), min_size=1, max_size=4),
    conversation=st.lists(states(rule=False), min_size=1, max_size=5),
)
def test_matching_gives_rasas_answer_for_every_turn(rule, conversation) -> None:
    key = json.dumps(rule)
    for turn_index, state in enumerate(reversed(conversation)):
        ours = rule_lookup.is_rule_applicable(RasasOwn(), key, turn_index, state)  # type: ignore[arg-type]
        rasas = rule_lookup._original_is_rule_applicable(RasasOwn(), key, turn_index, state)  # type: ignore[arg-type]
        assert ours == rasas


def test_a_rule_is_decoded_once() -> None:
    key = json.dumps([{"prev_action": {"action_name": "action_listen"}}, {"user": {"intent": "x"}}])
    first = rule_lookup.reversed_rule_states(key)
    assert first is rule_lookup.reversed_rule_states(key)
    assert first == tuple(reversed(json.loads(key)))


def test_install_puts_the_matching_in_rasas_policy(monkeypatch) -> None:
    monkeypatch.setattr(RulePolicy, "_is_rule_applicable", RulePolicy._is_rule_applicable)
    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", RulePolicy._rule_key_to_state)
    rule_lookup.install()
    assert RulePolicy._is_rule_applicable is rule_lookup.is_rule_applicable
    key = json.dumps([{"user": {"intent": "greet"}}])
    assert RulePolicy._rule_key_to_state(key) is RulePolicy._rule_key_to_state(key)


class RasasOwnPolicy(RasasOwn):
    _is_rule_applicable = rule_lookup._original_is_rule_applicable


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(st.lists(states(rule=True), min_size=1, max_size=3), min_size=1, max_size=25),
    conversation=st.lists(states(rule=False), max_size=5),
)
def test_the_indexed_search_finds_the_rules_rasa_finds(rules, conversation) -> None:
    lookup = {json.dumps(rule): "utter_greet" for rule in rules}
    ours = rule_lookup.get_possible_keys(RasasOwnPolicy(), lookup, conversation)  # type: ignore[arg-type]
    rasas = rule_lookup._original_get_possible_keys(RasasOwnPolicy(), lookup, conversation)  # type: ignore[arg-type]
    assert ours == rasas


def test_the_index_is_built_once_per_table() -> None:
    lookup = {json.dumps([{"prev_action": {"action_name": "action_listen"}}]): "x"}
    assert rule_lookup.rules_by_last_previous_action(
        lookup
    ) is rule_lookup.rules_by_last_previous_action(lookup)
