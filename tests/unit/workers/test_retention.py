import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

from integrations.outbox import Outbox
from integrations.outbox.store import outbox_items
from workers.retention import purge_outbox, purge_tracker_events


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


# --- the daily worker (issue #15 item 12) ----------------------------------------------------


def _tracker_store(url: str, ages_days: list[float]) -> None:
    """Rasa's ``events`` table with one event per age."""
    engine = create_engine(url, future=True)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS events "
                "(id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)"
            )
        )
        for age in ages_days:
            conn.execute(
                text("INSERT INTO events (sender_id, timestamp) VALUES (:s, :t)"),
                {"s": f"age-{age}", "t": now - age * 86400},
            )
    engine.dispose()


def _senders(url: str) -> set[str]:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        senders = {row[0] for row in conn.execute(text("SELECT sender_id FROM events"))}
    engine.dispose()
    return senders


def _age(outbox: Outbox, reference: str, days: float) -> None:
    with outbox.engine.begin() as conn:
        conn.execute(
            outbox_items.update()
            .where(outbox_items.c.reference == reference)
            .values(created_at=datetime.now(timezone.utc) - timedelta(days=days))
        )


def _wait_until(check, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the retention worker did not purge in time"
        time.sleep(0.05)


def test_the_retention_worker_purges_old_rows_and_keeps_new_ones(test_settings):
    from workers.retention import run_retention_worker

    test_settings.var_dir.mkdir(parents=True)
    tracker = test_settings.tracker_store
    _tracker_store(tracker, [0, 29, 31, 90])
    outbox = Outbox(test_settings.database)
    old = outbox.hold("open311_request", {"phone": "07700900123"})
    outbox.mark_delivered(old, "SR-222222")
    _age(outbox, old, 40)
    new = outbox.hold("open311_request", {"phone": "07700900124"})
    outbox.mark_delivered(new, "SR-333333")

    stop = threading.Event()
    runs: list[int] = []
    worker = threading.Thread(
        target=lambda: runs.append(run_retention_worker(test_settings, 0.05, stop))
    )
    worker.start()
    try:
        _wait_until(lambda: _senders(tracker) == {"age-0", "age-29"})
        _wait_until(lambda: outbox.get(old) is None)
        assert outbox.get(new) is not None
        # Data that grows old later goes at a later run of the same loop.
        _tracker_store(tracker, [45])
        _wait_until(lambda: _senders(tracker) == {"age-0", "age-29"})
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert runs[0] >= 2
    outbox.engine.dispose()


def test_purge_all_reports_each_kind(test_settings):
    from workers.retention import purge_all

    test_settings.var_dir.mkdir(parents=True)
    _tracker_store(test_settings.tracker_store, [1, 40])
    removed = purge_all(test_settings)
    assert (removed.days, removed.conversation_events, removed.outbox_items) == (30, 1, 0)
    assert removed.lines()[0] == (
        "Removed 1 conversation events and 0 delivered outbox items older than 30 days."
    )
    assert purge_all(test_settings, days=0).conversation_events == 1


def test_the_command_runs_the_worker_every_configured_interval(monkeypatch, tmp_path):
    from bot.cli import main
    from workers import retention

    seen = {}
    monkeypatch.setattr(
        retention,
        "run_retention_worker",
        lambda settings, interval_s, stop: seen.update(interval_s=interval_s) or 1,
    )
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PURGE_INTERVAL_HOURS", "6")
    assert main(["retention-worker"]) == 0
    assert seen["interval_s"] == 6 * 3600
