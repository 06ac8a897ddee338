"""The stand-in Open311 CRM's report lifecycle as a transition table.

This module owns the internal states a street report moves through, which of them Open311
clients see as ``open`` or ``closed``, which ones staff may set, and every allowed move.
``crud.update_report`` is the only place that changes a report's status, and it asks
``check_transition`` first.
"""

from __future__ import annotations

from enum import Enum


class ReportStatus(str, Enum):
    """Internal states of a street report in the council's CRM."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    SCHEDULED = "scheduled"
    FIXED = "fixed"
    NO_ACTION_NEEDED = "no_action_needed"
    DUPLICATE = "duplicate"
    NOT_COUNCIL_RESPONSIBILITY = "not_council_responsibility"


class Open311Status(str, Enum):
    """The two status values of the GeoReport v2 specification."""

    OPEN = "open"
    CLOSED = "closed"


INITIAL_STATUS = ReportStatus.RECEIVED

OPEN311_STATUS: dict[ReportStatus, Open311Status] = {
    ReportStatus.RECEIVED: Open311Status.OPEN,
    ReportStatus.INVESTIGATING: Open311Status.OPEN,
    ReportStatus.SCHEDULED: Open311Status.OPEN,
    ReportStatus.FIXED: Open311Status.CLOSED,
    ReportStatus.NO_ACTION_NEEDED: Open311Status.CLOSED,
    ReportStatus.DUPLICATE: Open311Status.CLOSED,
    ReportStatus.NOT_COUNCIL_RESPONSIBILITY: Open311Status.CLOSED,
}

# Only the system sets RECEIVED (when a report arrives); staff may set every other state.
SYSTEM_ONLY_STATUSES: frozenset[ReportStatus] = frozenset({ReportStatus.RECEIVED})

_CLOSING = (
    ReportStatus.FIXED,
    ReportStatus.NO_ACTION_NEEDED,
    ReportStatus.DUPLICATE,
    ReportStatus.NOT_COUNCIL_RESPONSIBILITY,
)

TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    # A report can be closed straight from the queue: an obvious duplicate, a private road,
    # or a fault the crew fixed while passing.
    ReportStatus.RECEIVED: frozenset(
        {ReportStatus.INVESTIGATING, ReportStatus.SCHEDULED, *_CLOSING}
    ),
    ReportStatus.INVESTIGATING: frozenset({ReportStatus.SCHEDULED, *_CLOSING}),
    # Scheduled work can go back to inspection (the crew found more than was reported) or
    # end with no action (the crew found nothing to do); it is never a duplicate at this point.
    ReportStatus.SCHEDULED: frozenset(
        {ReportStatus.INVESTIGATING, ReportStatus.FIXED, ReportStatus.NO_ACTION_NEEDED}
    ),
    # Reopening: a closed report goes back to inspection when the resident says the problem
    # is still there or staff closed it by mistake. Nothing goes back to RECEIVED.
    ReportStatus.FIXED: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.NO_ACTION_NEEDED: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.DUPLICATE: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.NOT_COUNCIL_RESPONSIBILITY: frozenset({ReportStatus.INVESTIGATING}),
}


class InvalidTransition(ValueError):
    """A status change the workflow does not allow."""

    def __init__(self, from_status: ReportStatus, to_status: ReportStatus) -> None:
        self.from_status = from_status
        self.to_status = to_status
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[from_status])) or "none"
        super().__init__(
            f"A report cannot move from '{from_status.value}' to '{to_status.value}'. "
            f"Allowed next statuses: {allowed}."
        )


def is_allowed(from_status: ReportStatus, to_status: ReportStatus) -> bool:
    """Tell whether the workflow allows a move.

    Args:
        from_status: the report's current status.
        to_status: the requested status.

    Returns:
        True when the move is in the transition table.
    """
    return to_status in TRANSITIONS[from_status]


def check_transition(from_status: ReportStatus, to_status: ReportStatus) -> None:
    """Refuse a move the workflow does not allow.

    Args:
        from_status: the report's current status.
        to_status: the requested status.

    Raises:
        InvalidTransition: when the move is not in the transition table.
    """
    if not is_allowed(from_status, to_status):
        raise InvalidTransition(from_status, to_status)


def open311_status(status: ReportStatus) -> Open311Status:
    """Map an internal status to the Open311 ``open``/``closed`` value.

    Args:
        status: the internal status.

    Returns:
        The Open311 status.
    """
    return OPEN311_STATUS[status]


def statuses_for(open311: Open311Status) -> frozenset[ReportStatus]:
    """List the internal statuses that Open311 clients see as the given status.

    Args:
        open311: ``open`` or ``closed``.

    Returns:
        The internal statuses mapped to it.
    """
    return frozenset(s for s, mapped in OPEN311_STATUS.items() if mapped == open311)
