"""The triage lifecycle as a transition table.

This module owns the states of a triage record (``TRIAGE_TRANSITIONS``), enforced by
``crud_triage.update_triage`` through ``check_triage_transition``. The stand-in Open311
CRM's report lifecycle is its own table, in ``stand_in/open311/workflow.py``.
"""

from __future__ import annotations

from enum import Enum

# --- Triage records (the hand-off queue) ------------------------------------------------------


class TriageStatus(str, Enum):
    """States of a triage record: waiting, being handled by someone, done."""

    NEW = "new"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


TRIAGE_INITIAL_STATUS = TriageStatus.NEW

TRIAGE_TRANSITIONS: dict[TriageStatus, frozenset[TriageStatus]] = {
    # Claiming takes a record off the queue; resolving straight from the queue covers the
    # resident who rang back and was helped at once, so nobody needs to claim it first.
    TriageStatus.NEW: frozenset({TriageStatus.CLAIMED, TriageStatus.RESOLVED}),
    # Unclaiming puts a record back on the queue (shift ends, wrong team).
    TriageStatus.CLAIMED: frozenset({TriageStatus.NEW, TriageStatus.RESOLVED}),
    # Reopening: the resident comes back about the same problem; whoever reopens it owns it.
    TriageStatus.RESOLVED: frozenset({TriageStatus.CLAIMED}),
}


class TriageAction(str, Enum):
    """What a status move is called in the audit log and on the staff console's buttons."""

    CLAIM = "claim"
    UNCLAIM = "unclaim"
    RESOLVE = "resolve"
    REOPEN = "reopen"


TRIAGE_MOVES: dict[tuple[TriageStatus, TriageStatus], TriageAction] = {
    (TriageStatus.NEW, TriageStatus.CLAIMED): TriageAction.CLAIM,
    (TriageStatus.NEW, TriageStatus.RESOLVED): TriageAction.RESOLVE,
    (TriageStatus.CLAIMED, TriageStatus.NEW): TriageAction.UNCLAIM,
    (TriageStatus.CLAIMED, TriageStatus.RESOLVED): TriageAction.RESOLVE,
    (TriageStatus.RESOLVED, TriageStatus.CLAIMED): TriageAction.REOPEN,
}


class InvalidTriageTransition(ValueError):
    """A triage status change the workflow does not allow."""

    def __init__(self, from_status: TriageStatus, to_status: TriageStatus) -> None:
        self.from_status = from_status
        self.to_status = to_status
        allowed = ", ".join(sorted(s.value for s in TRIAGE_TRANSITIONS[from_status])) or "none"
        super().__init__(
            f"A triage record cannot move from '{from_status.value}' to '{to_status.value}'. "
            f"Allowed next statuses: {allowed}."
        )


def is_triage_move_allowed(from_status: TriageStatus, to_status: TriageStatus) -> bool:
    """Tell whether the triage workflow allows a move.

    Args:
        from_status: the record's current status.
        to_status: the requested status.

    Returns:
        True when the move is in the triage transition table.
    """
    return to_status in TRIAGE_TRANSITIONS[from_status]


def check_triage_transition(from_status: TriageStatus, to_status: TriageStatus) -> TriageAction:
    """Refuse a triage move the workflow does not allow, and name the one it does.

    Args:
        from_status: the record's current status.
        to_status: the requested status.

    Returns:
        The action the move stands for (claim, unclaim, resolve, reopen).

    Raises:
        InvalidTriageTransition: when the move is not in the transition table.
    """
    if not is_triage_move_allowed(from_status, to_status):
        raise InvalidTriageTransition(from_status, to_status)
    return TRIAGE_MOVES[(from_status, to_status)]
