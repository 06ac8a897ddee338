import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

from bot.retention import purge_outbox, purge_tracker_events
from integrations.outbox import Outbox
from integrations.outbox.store import outbox_items


def test_purge_tracker_events_removes_only_old_events(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(url, future=True)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
        )
        for age_days in (0, 5, 29, 31, 90):
            conn.execute(
                text("INSERT INTO events (sender_id, timestamp) VALUES ('a', :t)"),
                {"t": now - age_days * 86400},
            )
    assert purge_tracker_events(url, 30) == 2
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM events")).scalar() == 3


def test_purge_tracker_events_without_a_store_is_zero(tmp_path):
    assert purge_tracker_events(f"sqlite:///{tmp_path / 'empty.db'}", 30) == 0


def test_purge_outbox_keeps_pending_and_recent(tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    outbox = Outbox(url)
    old_delivered = outbox.hold("open311_request", {"x": 1})
    outbox.mark_delivered(old_delivered, "SR-222222")
    old_pending = outbox.hold("open311_request", {"x": 2})
    recent = outbox.hold("open311_request", {"x": 3})
    outbox.mark_delivered(recent, "SR-333333")
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    with outbox.engine.begin() as conn:
        conn.execute(
            outbox_items.update()
            .where(outbox_items.c.reference.in_([old_delivered, old_pending]))
            .values(created_at=long_ago)
        )
    assert purge_outbox(url, 30) == 1
    assert outbox.get(old_delivered) is None
    assert outbox.get(old_pending) is not None and outbox.get(recent) is not None
