"""Walks the report workflow table both ways: every allowed move and every forbidden one."""

from __future__ import annotations

import itertools

import pytest

from web.stand_in.open311.workflow import (
    INITIAL_STATUS,
    OPEN311_STATUS,
    SYSTEM_ONLY_STATUSES,
    TRANSITIONS,
    InvalidTransition,
    Open311Status,
    ReportStatus,
    check_transition,
    is_allowed,
    open311_status,
    statuses_for,
)

ALL_PAIRS = list(itertools.product(ReportStatus, repeat=2))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def _id(pair: tuple[ReportStatus, ReportStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


@pytest.mark.parametrize("move", ALLOWED, ids=_id)
def test_allowed_move_succeeds(move: tuple[ReportStatus, ReportStatus]) -> None:
    assert is_allowed(*move)
    check_transition(*move)


@pytest.mark.parametrize("move", FORBIDDEN, ids=_id)
def test_forbidden_move_is_refused(move: tuple[ReportStatus, ReportStatus]) -> None:
    from_status, to_status = move
    assert not is_allowed(from_status, to_status)
    with pytest.raises(InvalidTransition) as raised:
        check_transition(from_status, to_status)
    assert raised.value.from_status is from_status and raised.value.to_status is to_status
    assert from_status.value in str(raised.value) and to_status.value in str(raised.value)


def test_the_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(ReportStatus)
    assert set(OPEN311_STATUS) == set(ReportStatus)
    assert len(ALLOWED) + len(FORBIDDEN) == len(ReportStatus) ** 2


def test_no_status_moves_to_itself_or_back_to_the_system_only_status() -> None:
    for status, targets in TRANSITIONS.items():
        assert status not in targets
        assert not targets & SYSTEM_ONLY_STATUSES


def test_every_status_is_reachable_and_every_closed_status_can_reopen() -> None:
    reachable = {INITIAL_STATUS}
    frontier = [INITIAL_STATUS]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ReportStatus)
    for status in statuses_for(Open311Status.CLOSED):
        assert any(open311_status(t) is Open311Status.OPEN for t in TRANSITIONS[status])


def test_open311_mapping() -> None:
    assert open311_status(INITIAL_STATUS) is Open311Status.OPEN
    assert open311_status(ReportStatus.FIXED) is Open311Status.CLOSED
    assert open311_status(ReportStatus.NOT_COUNCIL_RESPONSIBILITY) is Open311Status.CLOSED
    assert statuses_for(Open311Status.OPEN) | statuses_for(Open311Status.CLOSED) == set(
        ReportStatus
    )
    assert not statuses_for(Open311Status.OPEN) & statuses_for(Open311Status.CLOSED)
