"""Benchmark of the service insight dashboard's queries (``make bench-insight``; not a test).

Creates a scratch PostgreSQL database, upgrades it to the council services' schema, loads one
million generated outcome events over twelve months with COPY (and a hand-off for each one
handed off or urgent), rebuilds the daily rollup the dashboard reads (at run time it is kept
up to date as each event arrives), then times each query the dashboard runs for three
filters: the whole year, one month, and one month on one channel. Prints a Markdown table
(best of three runs) and drops the database.

    python scripts/bench_insight.py [--events 1000000] [--admin-url postgresql://...] [--keep]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web import insight  # noqa: E402
from web.core.config import (  # noqa: E402
    DEFAULT_INSIGHT_COSTS_PATH,
    Settings,
)
from web.core.db import (  # noqa: E402
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database  # noqa: E402

START = datetime(2025, 12, 1, tzinfo=timezone.utc)
DAYS = 365
CHANNELS = (("web", 60), ("ivr", 20), ("library", 10), ("api", 10))
LANGUAGES = (("en", 88), ("pl", 4), ("ur", 3), ("ro", 3), ("cy", 2))
JOURNEYS = (
    ("report", 25),
    ("council_tax", 25),
    ("universal_credit", 10),
    ("check_report_status", 8),
    ("find", 8),
    ("book", 5),
    ("broadband", 2),
    ("digital_skills", 2),
    ("human_handoff", 5),
    ("urgent_help", 1),
    ("out_of_scope", 5),
    ("small_talk", 4),
)
OUTCOMES = (
    ("self_served", 40),
    ("report_made", 18),
    ("transaction_done", 8),
    ("handed_off", 14),
    ("urgent", 1),
    ("abandoned", 19),
)
CATEGORIES = ("street", "council_tax", "universal_credit", "digital_access", "housing", "other")
# Office hours are busier.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 14, 13, 13, 14, 13, 12, 10, 8, 7, 6, 4, 3, 2]


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...], n: int) -> list[str]:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted], k=n)


def _copy(engine: sa.engine.Engine, table: str, columns: list[str], rows: io.StringIO) -> None:
    rows.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", rows
            )
        raw.commit()
    finally:
        raw.close()


def load(engine: sa.engine.Engine, count: int, seed: int = 10) -> None:
    """Generate and COPY ``count`` events, plus the matching triage records."""
    rng = random.Random(seed)
    batch = 200_000
    uk_hour = insight._uk_hour_and_week
    day = insight._uk_day
    received = datetime.now(timezone.utc).isoformat()
    triage_number = 0
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        channels = _pick(rng, CHANNELS, n)
        languages = _pick(rng, LANGUAGES, n)
        journeys = _pick(rng, JOURNEYS, n)
        outcomes = _pick(rng, OUTCOMES, n)
        hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
        events, triage = io.StringIO(), io.StringIO()
        for i in range(n):
            started = START + timedelta(
                days=rng.randrange(DAYS), hours=hours[i], seconds=rng.randrange(3600)
            )
            duration = rng.randrange(20, 900)
            hour, week = uk_hour(started)
            fallbacks = rng.choices((0, 1, 2, 3), weights=(70, 18, 8, 4))[0]
            events.write(
                f"{uuid.UUID(int=rng.getrandbits(128)).hex},{started.isoformat()},"
                f"{(started + timedelta(seconds=duration)).isoformat()},{channels[i]},"
                f"{languages[i]},{journeys[i]},{outcomes[i]},{fallbacks},{duration},"
                f"{'t' if channels[i] == 'library' else 'f'},{day(started).isoformat()},{hour},"
                f"{week.isoformat()},{received}\n"
            )
            if outcomes[i] in ("handed_off", "urgent"):
                triage_number += 1
                priority = 1 if outcomes[i] == "urgent" else rng.choice((2, 3, 3, 3))
                at = (started + timedelta(seconds=duration)).isoformat()
                triage.write(
                    f"FD-B{triage_number:09d},{at},{at},bench,{channels[i]},{languages[i]},"
                    f"{rng.choice(CATEGORIES)},{priority},[],Benchmark record.,[],new,f,"
                    f"{'t' if channels[i] == 'library' else 'f'}\n"
                )
        _copy(
            engine,
            "insight_events",
            [
                "conversation_hash", "started_at", "ended_at", "channel", "language", "journey",
                "outcome", "fallbacks", "duration_s", "assisted", "day", "hour_of_day",
                "week_start", "received_at",
            ],
            events,
        )  # fmt: skip
        _copy(
            engine,
            "triage_records",
            [
                "reference", "created_at", "updated_at", "conversation_id", "channel", "language",
                "category", "priority", "vulnerability", "summary", "transcript", "status",
                "interpreter", "assisted",
            ],
            triage,
        )  # fmt: skip
        sys.stdout.write(f"  loaded {offset + n:,} events\n")
        sys.stdout.flush()
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE insight_events"))
        connection.execute(sa.text("ANALYZE triage_records"))


def queries(
    costs: insight.ContactCosts,
) -> dict[str, Callable[[sa.orm.Session, insight.InsightFilters], object]]:
    """Each query of the dashboard, by name."""
    return {
        "outcomes and totals": insight.outcome_counts,
        "by channel": insight.by_channel,
        "by language": insight.by_language,
        "by journey": insight.by_journey,
        "busiest hours": insight.busiest_hours,
        "weekly trend": insight.weekly_trend,
        "hand-offs by category and priority": insight.handoffs,
        "whole dashboard (all of the above)": lambda s, f: insight.compute_insight(s, f, costs),
    }


def main() -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    name = f"frontdoor_bench_insight_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(args.admin_url).set(database=name)
    engine = create_db_engine(
        Settings(database_url=url.render_as_string(hide_password=False), environment="test")
    )
    try:
        upgrade_database(engine)
        sys.stdout.write(f"Loading {args.events:,} events into {name}...\n")
        began = time.perf_counter()
        load(engine, args.events)
        sys.stdout.write(f"Loaded in {time.perf_counter() - began:.0f} s\n")
        with create_session_factory(engine)() as session:
            began = time.perf_counter()
            rows = insight.rebuild_rollup(session)
            session.execute(sa.text("ANALYZE insight_rollup"))
            session.commit()
        sys.stdout.write(
            f"Rollup rebuilt from the events in {time.perf_counter() - began:.1f} s: "
            f"{rows:,} rows\n\n"
        )
        costs = insight.load_costs(DEFAULT_INSIGHT_COSTS_PATH)
        filters = {
            "12 months": insight.InsightFilters(date(2025, 12, 1), date(2026, 11, 30)),
            "1 month": insight.InsightFilters(date(2026, 11, 1), date(2026, 11, 30)),
            "1 month, web": insight.InsightFilters(date(2026, 11, 1), date(2026, 11, 30), "web"),
        }
        with create_session_factory(engine)() as session:
            total = session.execute(sa.text("SELECT count(*) FROM insight_events")).scalar()
            sys.stdout.write(f"{total:,} events in insight_events\n\n")
            sys.stdout.write("| query | " + " | ".join(filters) + " |\n")
            sys.stdout.write("| --- |" + " ---: |" * len(filters) + "\n")
            for label, query in queries(costs).items():
                cells = []
                for chosen in filters.values():
                    times = []
                    for _ in range(3):
                        start = time.perf_counter()
                        query(session, chosen)
                        times.append(time.perf_counter() - start)
                        session.rollback()
                    cells.append(
                        f"{min(times) * 1000:.0f} ms (median {statistics.median(times) * 1000:.0f})"
                    )
                sys.stdout.write(f"| {label} | " + " | ".join(cells) + " |\n")
                sys.stdout.flush()
            figures = insight.compute_insight(session, filters["12 months"], costs)
            sys.stdout.write(
                "\n12 months: "
                + json.dumps(
                    {
                        "conversations": figures["conversations"],
                        "containment_rate": figures["containment_rate"],
                        "cost_avoided": figures["cost_avoided"]["total"],
                    }
                )
                + "\n"
            )
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
