"""Walks the triage workflow table both ways: every allowed move and every forbidden one."""

from __future__ import annotations

import itertools

import pytest

from web.workflow import (
    TRIAGE_INITIAL_STATUS,
    TRIAGE_MOVES,
    TRIAGE_TRANSITIONS,
    InvalidTriageTransition,
    TriageAction,
    TriageStatus,
    check_triage_transition,
    is_triage_move_allowed,
)

NEW, CLAIMED, RESOLVED = TriageStatus.NEW, TriageStatus.CLAIMED, TriageStatus.RESOLVED

# The issue's table, written out independently of workflow.py.
EXPECTED = {
    (NEW, CLAIMED): TriageAction.CLAIM,
    (CLAIMED, RESOLVED): TriageAction.RESOLVE,
    (CLAIMED, NEW): TriageAction.UNCLAIM,
    (NEW, RESOLVED): TriageAction.RESOLVE,
    (RESOLVED, CLAIMED): TriageAction.REOPEN,
}
ALL_PAIRS = list(itertools.product(TriageStatus, repeat=2))
ALLOWED = [pair for pair in ALL_PAIRS if pair in EXPECTED]
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def _id(pair: tuple[TriageStatus, TriageStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


@pytest.mark.parametrize("move", ALLOWED, ids=_id)
def test_allowed_move_succeeds_and_is_named(move: tuple[TriageStatus, TriageStatus]) -> None:
    assert is_triage_move_allowed(*move)
    assert check_triage_transition(*move) is EXPECTED[move]


@pytest.mark.parametrize("move", FORBIDDEN, ids=_id)
def test_forbidden_move_is_refused(move: tuple[TriageStatus, TriageStatus]) -> None:
    from_status, to_status = move
    assert not is_triage_move_allowed(from_status, to_status)
    with pytest.raises(InvalidTriageTransition) as raised:
        check_triage_transition(from_status, to_status)
    assert raised.value.from_status is from_status and raised.value.to_status is to_status
    assert f"'{from_status.value}'" in str(raised.value)
    assert f"'{to_status.value}'" in str(raised.value)


def test_the_table_is_exactly_the_issue_s_table() -> None:
    assert set(TRIAGE_TRANSITIONS) == set(TriageStatus)
    table = {(a, b) for a, targets in TRIAGE_TRANSITIONS.items() for b in targets}
    assert table == set(EXPECTED)
    assert TRIAGE_MOVES == EXPECTED
    assert len(ALLOWED) == 5 and len(FORBIDDEN) == 4
    assert TRIAGE_INITIAL_STATUS is NEW


def test_no_status_moves_to_itself() -> None:
    for status, targets in TRIAGE_TRANSITIONS.items():
        assert status not in targets


def test_every_status_is_reachable_and_nothing_is_a_dead_end() -> None:
    reachable = {TRIAGE_INITIAL_STATUS}
    frontier = [TRIAGE_INITIAL_STATUS]
    while frontier:
        for target in TRIAGE_TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(TriageStatus)
    assert all(TRIAGE_TRANSITIONS[status] for status in TriageStatus)


def test_the_refusal_says_what_is_allowed_instead() -> None:
    with pytest.raises(InvalidTriageTransition, match="Allowed next statuses: claimed"):
        check_triage_transition(RESOLVED, NEW)
