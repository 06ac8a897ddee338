"""Rasa's RulePolicy matching rules without decoding them again on every prediction.

Rasa 3.6 keeps each learned rule as a JSON string. For every prediction it filters all of
them (801 rules here, 234 more for forms' unhappy paths), and for each rule and each turn
of the conversation it decodes the string (``json.loads`` behind an LRU cache of 1,000,
which those 1,035 keys overflow, so nearly every look-up decodes) and copies the states
reversed. That was about 11% of Rasa's CPU per message (profiled on a whole turn).

``install`` keeps the same matching, rule for rule: each key is decoded once, reversed
once and kept for the life of the process (the rules are fixed by the trained model).
The first filter, on the conversation's current state, only looks at the rules whose last
state can match its previous action (rules indexed once by that action); every rule it
keeps still passes Rasa's own test, so the set of rules found is the same.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.nlu.constants import ACTION_NAME

_original_is_rule_applicable = RulePolicy._is_rule_applicable
_original_get_possible_keys = RulePolicy._get_possible_keys

#: Index buckets besides each previous action's name.
NO_PREVIOUS_ACTION = "\0none"
ANY_PREVIOUS_ACTION = "\0any"
_indexes: dict[int, tuple[dict[str, Any], int, dict[str, list[str]]]] = {}


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


def _bucket(previous_action: dict[str, Any] | None) -> str:
    if not previous_action:
        return NO_PREVIOUS_ACTION
    name = previous_action.get(ACTION_NAME)
    if not name or name == SHOULD_NOT_BE_SET:
        return ANY_PREVIOUS_ACTION
    return str(name)


def rules_by_last_previous_action(lookup: dict[str, Any]) -> dict[str, list[str]]:
    """The rules of one look-up table, by the previous action of their last state.

    Built once per table (the tables are fixed once a model is loaded).
    """
    known = _indexes.get(id(lookup))
    if known is not None and known[0] is lookup and known[1] == len(lookup):
        return known[2]
    index: dict[str, list[str]] = defaultdict(list)
    for key in lookup:
        index[_bucket(reversed_rule_states(key)[0].get(PREVIOUS_ACTION))].append(key)
    _indexes[id(lookup)] = (lookup, len(lookup), dict(index))
    return _indexes[id(lookup)][2]


def candidates(lookup: dict[str, Any], state: dict[str, Any]) -> list[str]:
    """The rules that can apply to a conversation whose current state is ``state``.

    A rule whose last state names a previous action applies only when the conversation's
    previous action has that name; a rule with none only at a conversation's start.
    """
    index = rules_by_last_previous_action(lookup)
    bucket = _bucket(state.get(PREVIOUS_ACTION))
    if bucket == NO_PREVIOUS_ACTION:
        return index.get(NO_PREVIOUS_ACTION, [])
    return index.get(bucket, []) + index.get(ANY_PREVIOUS_ACTION, [])


def get_possible_keys(
    self: RulePolicy, lookup: dict[str, Any], states: list[dict[str, Any]]
) -> set[str]:
    """Rasa's ``RulePolicy._get_possible_keys``, starting from the indexed candidates."""
    if not states:
        return set(lookup.keys())
    turns = list(reversed(states))
    possible = {
        key for key in candidates(lookup, turns[0]) if self._is_rule_applicable(key, 0, turns[0])
    }
    for turn_index, state in enumerate(turns[1:], start=1):
        possible = {key for key in possible if self._is_rule_applicable(key, turn_index, state)}
    return possible


def install() -> None:
    """Match rules on states decoded once (same results as Rasa's own matching)."""
    RulePolicy._rule_key_to_state = staticmethod(rule_states)  # type: ignore[assignment]
    RulePolicy._is_rule_applicable = is_rule_applicable  # type: ignore[method-assign]
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]
