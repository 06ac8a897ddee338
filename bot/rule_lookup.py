"""Rasa's RulePolicy matching rules without decoding them again on every prediction.

Rasa 3.6 keeps each learned rule as a JSON string. For every prediction it filters all of
them (801 rules here, 234 more for forms' unhappy paths), and for each rule and each turn
of the conversation it decodes the string (``json.loads`` behind an LRU cache of 1,000,
which those 1,035 keys overflow, so nearly every look-up decodes) and copies the states
reversed. That was about 11% of Rasa's CPU per message (profiled on a whole turn).

``install`` keeps the same matching, rule for rule: each key is decoded once, reversed
once and kept for the life of the process (the rules are fixed by the trained model).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION

_original_is_rule_applicable = RulePolicy._is_rule_applicable


@cache
def rule_states(rule_key: str) -> list[dict[str, Any]]:
    """A rule's states, decoded once per key (Rasa's ``_rule_key_to_state``)."""
    return json.loads(rule_key)


@cache
def reversed_rule_states(rule_key: str) -> tuple[dict[str, Any], ...]:
    """A rule's states, last first, decoded once per key."""
    return tuple(reversed(rule_states(rule_key)))


def is_rule_applicable(
    self: RulePolicy, rule_key: str, turn_index: int, conversation_state: dict[str, Any]
) -> bool:
    """Rasa's ``RulePolicy._is_rule_applicable`` on states decoded once."""
    reversed_states = reversed_rule_states(rule_key)
    if turn_index >= len(reversed_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = reversed_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return self._does_rule_match_state(reversed_states[turn_index], conversation_state)


def install() -> None:
    """Match rules on states decoded once (same results as Rasa's own matching)."""
    RulePolicy._rule_key_to_state = staticmethod(rule_states)  # type: ignore[assignment]
    RulePolicy._is_rule_applicable = is_rule_applicable  # type: ignore[method-assign]
