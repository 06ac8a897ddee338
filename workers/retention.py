"""Removes the assistant's personal data past its retention, by hand or daily.

Conversations (Rasa's tracker events), delivered outbox items (copies of reports and
hand-offs, with contact details) and the insight worker's delivery keys (sender ids) are
kept ``TRANSCRIPT_RETENTION_DAYS`` (30). ``python -m bot purge`` removes them once; the
``retention-worker`` command, which ``make run`` starts, every ``PURGE_INTERVAL_HOURS`` (24).
The council services purge their own data (``web/retention.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import inspect, text

from bot.settings import Settings
from integrations.outbox import Outbox
from lib.periodic import run_every
from lib.sqlite import create_engine

logger = logging.getLogger(__name__)


def purge_tracker_events(tracker_store_url: str, older_than_days: int) -> int:
    """Delete Rasa tracker events older than the given number of days; returns how many.

    Works on Rasa's SQL tracker store (``events`` table, ``timestamp`` in epoch seconds).
    """
    engine = create_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        cutoff = time.time() - older_than_days * 86400
        with engine.begin() as conn:
            result = conn.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            )
        return int(result.rowcount or 0)
    finally:
        engine.dispose()


def purge_outbox(database_url: str, older_than_days: int) -> int:
    """Delete delivered outbox items (which hold contact details) past retention."""
    outbox = Outbox(database_url)
    try:
        return outbox.purge_delivered(datetime.now(timezone.utc) - timedelta(days=older_than_days))
    finally:
        outbox.engine.dispose()


@dataclass(frozen=True)
class AssistantPurge:
    """What one purge of the assistant's data removed."""

    days: int
    conversation_events: int
    outbox_items: int
    insight_keys: int

    def lines(self) -> list[str]:
        """One sentence per kind, for the command line."""
        return [
            f"Removed {self.conversation_events} conversation events and {self.outbox_items} "
            f"delivered outbox items older than {self.days} days.",
            f"Removed {self.insight_keys} insight delivery keys older than {self.days} days.",
        ]


def purge_all(settings: Settings, days: int | None = None) -> AssistantPurge:
    """Apply the retention once; ``days`` overrides ``TRANSCRIPT_RETENTION_DAYS``."""
    from workers.insight import purge_delivered

    keep = settings.transcript_retention_days if days is None else days
    settings.var_dir.mkdir(parents=True, exist_ok=True)  # where the SQLite defaults live
    removed = AssistantPurge(
        days=keep,
        conversation_events=purge_tracker_events(settings.tracker_store, keep),
        outbox_items=purge_outbox(settings.database, keep),
        insight_keys=purge_delivered(settings.database, keep),
    )
    if removed.conversation_events or removed.outbox_items or removed.insight_keys:
        logger.info("Retention removed %s", removed)
    return removed


def run_retention_worker(settings: Settings, interval_s: float, stop: threading.Event) -> int:
    """Purge now and every ``interval_s`` seconds until ``stop`` is set; returns the runs."""
    return run_every(lambda: purge_all(settings), interval_s, stop)
