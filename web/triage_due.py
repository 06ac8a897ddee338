"""When staff must respond to a triage record: its due-by time, from its priority.

The response time of each priority is data (``response_due`` and ``working_day_ends`` in
``kb/triage/rules.yml``, beside the wording the resident is told): a number of hours
(urgent, day or night) or the end of a number of working days after the day the record
arrived. Working days are Monday to Friday in UK time; bank holidays are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lib.yaml_files import load_yaml
from web.core.config import REPO_ROOT

RULES_PATH = REPO_ROOT / "kb" / "triage" / "rules.yml"

try:
    UK_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without tzdata: count days in UTC rather than fail
    UK_TIME = ZoneInfo("UTC")


@dataclass(frozen=True)
class ResponseTime:
    """How long staff have for one priority: hours, or whole working days."""

    hours: int | None = None
    working_days: int | None = None


@dataclass(frozen=True)
class ResponseRules:
    """Each priority's response time and when a working day ends."""

    times: dict[int, ResponseTime]
    day_ends: time

    def due_by(self, created_at: datetime, priority: int) -> datetime:
        """When a record of this priority received at ``created_at`` must be answered (UTC).

        A priority with no entry takes the least urgent one's time.
        """
        rule = self.times.get(priority) or self.times[max(self.times)]
        if rule.hours is not None:
            return (created_at + timedelta(hours=rule.hours)).astimezone(timezone.utc)
        day = created_at.astimezone(UK_TIME).date()
        remaining = rule.working_days or 0
        while remaining > 0 or day.weekday() >= 5:
            day += timedelta(days=1)
            if day.weekday() < 5:
                remaining -= 1
        end = datetime.combine(day, self.day_ends, tzinfo=UK_TIME)
        return end.astimezone(timezone.utc)


def _response_time(priority: object, entry: object, path: Path) -> ResponseTime:
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ValueError(
            f"{path}: response_due {priority} needs exactly one of hours, working_days"
        )
    ((unit, amount),) = entry.items()
    if unit not in {"hours", "working_days"} or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"{path}: response_due {priority}: '{unit}: {amount}' is not understood")
    return ResponseTime(**{unit: amount})


@lru_cache(maxsize=4)
def load_response_rules(path: Path = RULES_PATH) -> ResponseRules:
    """Read the response times from the triage rules (once per file).

    Raises:
        ValueError: a priority's entry or the working day's end is not understood.
    """
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    entries = data.get("response_due") or {}
    times = {int(p): _response_time(p, entry, path) for p, entry in entries.items()}
    if not {1, 2, 3} <= set(times):
        raise ValueError(f"{path}: response_due needs an entry for priorities 1, 2 and 3")
    try:
        day_ends = time.fromisoformat(str(data.get("working_day_ends", "17:00")))
    except ValueError:
        raise ValueError(f"{path}: working_day_ends must be a time such as 17:00") from None
    return ResponseRules(times=times, day_ends=day_ends)


def due_by(created_at: datetime, priority: int) -> datetime:
    """The due-by time of a record (UTC), from the shipped rules."""
    return load_response_rules().due_by(created_at, priority)


def is_overdue(created_at: datetime, priority: int, status: str, now: datetime) -> bool:
    """Tell whether an open record is past its due-by time (a resolved one never is)."""
    return status != "resolved" and due_by(created_at, priority) < now
