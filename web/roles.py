"""Staff roles and the parts of the console each one may use (least privilege, issue #18).

A role names a job; an area names a part of the console. ``admin`` may use every area.
"""

from __future__ import annotations

from enum import Enum


class StaffRole(str, Enum):
    """The job a staff account does."""

    LIBRARY = "library"
    CASEWORKER = "caseworker"
    MANAGER = "manager"
    ADMIN = "admin"


class Area(str, Enum):
    """A part of the staff console."""

    ASSISTED = "assisted"  # assisted sessions, the directory and PC bookings
    QUEUE = "queue"  # the triage queue and its records, text messages, undelivered items
    INSIGHT = "insight"  # the service insight dashboard and its exports
    ACCOUNTS = "accounts"  # staff accounts


ROLE_AREAS: dict[StaffRole, frozenset[Area]] = {
    StaffRole.LIBRARY: frozenset({Area.ASSISTED}),
    StaffRole.CASEWORKER: frozenset({Area.QUEUE}),
    StaffRole.MANAGER: frozenset({Area.INSIGHT}),
    StaffRole.ADMIN: frozenset(Area),
}

# Existing accounts got this role when roles arrived (schema version 14).
MIGRATED_ROLE = StaffRole.CASEWORKER


def may_use(role: StaffRole | str, area: Area) -> bool:
    """Tell whether a role may use an area; an unknown role may use nothing."""
    try:
        return area in ROLE_AREAS[StaffRole(role)]
    except ValueError:
        return False


def home_path(role: StaffRole | str) -> str:
    """The first page a role may use, where it lands after signing in."""
    for area, path in (
        (Area.QUEUE, "/staff"),
        (Area.ASSISTED, "/staff/assisted"),
        (Area.INSIGHT, "/staff/insight"),
    ):
        if may_use(role, area):
            return path
    return "/staff"
