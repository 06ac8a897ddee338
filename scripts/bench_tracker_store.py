"""Benchmark of Rasa's SQL tracker store as Front Door runs it: SQLite against PostgreSQL.

``make bench-tracker-store`` runs this script (issue #19). For each backend (a SQLite file
in a scratch folder with the project's pragmas, WAL included; a fresh PostgreSQL database
``fd_bench_<hex>``, dropped afterwards) it replays what Rasa does for each message:
``retrieve(sender)``, a turn of events appended (the user's message with its parse data,
the actions, the bot's answer, a slot set), then ``save(tracker)``. Many conversations
are grown to about 10, 50 and 200 events, and one turn of each is timed at each length.

Both Rasa's tracker store as shipped and Front Door's (``bot/tracker_store.py``'s
``install``) are measured, each in a fresh process of its own, since ``install`` patches
classes for the whole process; the two take turns over ``--rounds`` rounds. The tracker
store is built from the settings Front Door writes to endpoints.yml
(``bot/launcher/rasa_files.py``) and the project's domain.

This is a script, not a test: numbers depend on the machine, which the report describes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.launcher.rasa_files import tracker_store_config
from bot.settings import REPO_ROOT
from lib.sqlite import create_engine
from scripts.bench import _machine, _percentile

# Rasa is imported where it is used: this process only starts the ones that measure.

#: Where PostgreSQL is reached to create and drop the scratch database.
POSTGRES_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
#: The tracker store as Rasa ships it, and with Front Door's ``install``.
VARIANTS = {"rasa": False, "front-door": True}
VARIANT_NAMES = {"rasa": "Rasa as shipped", "front-door": "Front Door (`install()`)"}
DOMAIN_DIR = REPO_ROOT / "domain"
#: What ``make bench-tracker-store`` writes; ``make bench`` adds it to docs/benchmarks.md.
RESULTS = REPO_ROOT / "docs" / "benchmarks-tracker-store.json"
HEADING = "## Tracker store: SQLite against PostgreSQL (issue #19)"
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: A slot of the project's domain that a turn sets.
SLOT = "place_postcode"
#: Events a turn appends (see :func:`turn_events`).
TURN_EVENTS = 5


def session_events() -> list[Any]:
    """The events that start a conversation's session, as Rasa stores them."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    # Apart in time: ``retrieve`` hands back the events from the session's start on.
    now = time.time()
    return [
        ActionExecuted("action_session_start", timestamp=now - 0.002),
        SessionStarted(timestamp=now - 0.001),
        ActionExecuted("action_listen", timestamp=now),
    ]


def turn_events(n: int) -> list[Any]:
    """One turn: the resident's message (with parse data), an answer, a slot, listening."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    text = f"there is a pothole outside number {n} on the high street"
    street = text.index("high street")
    message_id = uuid.uuid4().hex
    ranking = [
        {"name": name, "confidence": round(confidence, 3)}
        for name, confidence in zip(
            ("report_pothole", "report_flytipping", "report_streetlight", "greet", "bye"),
            (0.91, 0.04, 0.02, 0.02, 0.01),
            strict=True,
        )
    ]
    parse_data = {
        "text": text,
        "intent": ranking[0],
        "intent_ranking": ranking,
        "entities": [
            {"entity": "street", "value": "high street", "start": street, "end": street + 11}
        ],
        "message_id": message_id,
        "metadata": {"language": "en"},
    }
    return [
        UserUttered(text, ranking[0], parse_data["entities"], parse_data, message_id=message_id),
        ActionExecuted("utter_ask_place_postcode", policy="RulePolicy", confidence=1.0),
        BotUttered("Which postcode is it near?", {"buttons": None}, {"language": "en"}),
        SlotSet(SLOT, f"ST{n % 10} 3JJ"),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


def open_store(url: str, domain: Any) -> Any:
    """Rasa's tracker store made from the settings Front Door writes to endpoints.yml."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    return TrackerStore.create(EndpointConfig.from_dict(tracker_store_config(url)), domain)


def _stats(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    return {
        "p50_ms": round(_percentile(ordered, 50), 2),
        "p95_ms": round(_percentile(ordered, 95), 2),
    }


async def measure(
    store: Any, domain: Any, senders: list[str], lengths: list[int]
) -> list[dict[str, Any]]:
    """Time one turn of every conversation as each grows to each length.

    Before the timed turns at a length, every conversation is grown (untimed) with whole
    turns until it has at least that many events. Every retrieve is checked against the number
    of events saved before, so a replay that loses events fails.

    Args:
        store: a tracker store (:func:`open_store`).
        domain: the domain the store and the events use.
        senders: the conversations, new to the store.
        lengths: the events a conversation has before its timed turn, at least.

    Returns:
        For each length, one entry for each timed turn: the events before it, and the
        milliseconds its ``retrieve`` and its ``save`` took (:func:`summarise` sums up).
    """
    stored = dict.fromkeys(senders, 0)
    results = []
    for length in lengths:
        retrieve_ms: list[float] = []
        save_ms: list[float] = []
        before: list[int] = []
        for sender in senders:  # all grown first: the timed reads are not of hot rows
            await _grow(store, domain, sender, length, stored)
        for sender in senders:
            started = time.perf_counter()
            tracker = await store.retrieve(sender)
            retrieved = time.perf_counter()
            _check(sender, tracker, stored[sender])
            before.append(len(tracker.events))
            tracker.update_with_events(turn_events(len(tracker.events)), domain)
            saving = time.perf_counter()
            await store.save(tracker)
            saved = time.perf_counter()
            stored[sender] = session_length(tracker)
            retrieve_ms.append((retrieved - started) * 1000)
            save_ms.append((saved - saving) * 1000)
        results.append(
            {"length": length, "events": before, "retrieve_ms": retrieve_ms, "save_ms": save_ms}
        )
    return results


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The timed turns of one length (from any number of rounds) as percentiles.

    Returns:
        The length, the events before a turn (median), the turns timed, and p50/p95
        milliseconds of ``retrieve``, of ``save`` and of the two together.
    """
    before = sorted(n for row in rows for n in row["events"])
    retrieve_ms = [ms for row in rows for ms in row["retrieve_ms"]]
    save_ms = [ms for row in rows for ms in row["save_ms"]]
    return {
        "length": rows[0]["length"],
        "events": before[len(before) // 2],
        "turns": len(before),
        "retrieve": _stats(retrieve_ms),
        "save": _stats(save_ms),
        "turn": _stats([r + s for r, s in zip(retrieve_ms, save_ms, strict=True)]),
    }


async def _grow(store: Any, domain: Any, sender: str, length: int, stored: dict[str, int]) -> None:
    """Add whole turns (one save, untimed) until the conversation has ``length`` events."""
    if stored[sender] >= length:
        return
    if stored[sender]:
        tracker = await store.retrieve(sender)
        _check(sender, tracker, stored[sender])
    else:
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        tracker.update_with_events(session_events(), domain)
    while session_length(tracker) < length:
        tracker.update_with_events(turn_events(len(tracker.events)), domain)
    await store.save(tracker)
    stored[sender] = session_length(tracker)


def session_length(tracker: Any) -> int:
    """The events ``retrieve`` hands back: those from the latest session start on."""
    from rasa.shared.core.events import SessionStarted

    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
    return len(events) - (starts[-1] if starts else 0)


def _check(sender: str, tracker: Any, expected: int) -> None:
    found = len(tracker.events) if tracker is not None else 0
    if found != expected:
        raise RuntimeError(f"{sender}: retrieved {found} events, {expected} were saved")


def measure_variant(
    patched: bool, urls: dict[str, str], senders: int, lengths: list[int]
) -> dict[str, Any]:
    """Measure each backend with Rasa's store (``patched`` False) or Front Door's.

    Meant for a fresh process (:func:`run` starts one per variant and round): Front Door's
    ``install`` patches classes for the whole process, and is called here only when
    ``patched``. Either way SQLite gets the project's pragmas (WAL), as
    ``bot/rasa_server.py`` gives them.
    """
    warnings.simplefilter("ignore")  # SQLAlchemy 2.0's notes on Rasa, Rasa's on the domain
    from rasa.shared.core.domain import Domain

    from bot import tracker_store
    from lib.sqlite import install_for_every_engine

    install_for_every_engine()
    if patched:
        tracker_store.install()
    domain = Domain.load(DOMAIN_DIR)
    names = [f"resident-{n:04d}" for n in range(senders)]
    backends: dict[str, Any] = {}
    for backend, url in urls.items():
        store = open_store(url, domain)
        asyncio.run(measure(store, domain, ["warm-up"], lengths))  # first connection, imports
        backends[backend] = {
            "server": _server(store.engine),
            "lengths": asyncio.run(measure(store, domain, names, lengths)),
        }
        store.engine.dispose()
    return backends


def _server(engine: sa.engine.Engine) -> str:
    """The database and its version; for SQLite, its journal mode too (WAL as configured)."""
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            version = str(connection.exec_driver_sql("SHOW server_version").scalar())
            return f"PostgreSQL {version.split()[0]}"
        version = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        return f"SQLite {version} ({mode})"


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database ``fd_bench_<hex>``, dropped afterwards."""
    name = f"fd_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def run(
    senders: int, lengths: list[int], rounds: int, postgres: str | None, scratch: Path
) -> dict[str, Any]:
    """Each variant in a fresh process, each backend in a fresh database; the report.

    The variants take turns, the one that goes first changing every round, so a machine
    busy with other work weighs on both alike; the rounds' turns are pooled.
    """
    report: dict[str, Any] = {
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "rounds": rounds,
        "senders": senders,
        "turn_events": TURN_EVENTS,
        "load_average": {"start": round(os.getloadavg()[0], 1)},
        "variants": {},
    }
    measured: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    spawn = get_context("spawn")
    for round_ in range(rounds):
        order = list(VARIANTS) if round_ % 2 == 0 else list(reversed(VARIANTS))
        for variant in order:
            with contextlib.ExitStack() as databases:
                urls = {"sqlite": f"sqlite:///{scratch / f'{variant}-{round_}.db'}"}
                if postgres:
                    urls["postgresql"] = databases.enter_context(fresh_postgres(postgres))
                sys.stderr.write(f"round {round_ + 1}/{rounds}, {variant}: {', '.join(urls)}\n")
                with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as process:
                    job = process.submit(measure_variant, VARIANTS[variant], urls, senders, lengths)
                    measured[variant].append(job.result())
    report["load_average"]["end"] = round(os.getloadavg()[0], 1)
    for variant, results in measured.items():
        report["variants"][variant] = {
            backend: {
                "server": first["server"],
                "lengths": [
                    summarise([result[backend]["lengths"][index] for result in results])
                    for index in range(len(lengths))
                ],
            }
            for backend, first in results[0].items()
        }
    return report


def markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown table, one row per backend, store and length."""
    machine = report["machine"]
    lines = [
        f"Measured {report['measured_at']} by `make bench-tracker-store` "
        f"(scripts/bench_tracker_store.py) on {machine['cores']} cores ({machine['cpu']}), "
        f"Python {machine['python']}, Rasa {machine['rasa']}: {report['rounds']} rounds of "
        f"{report['senders']} conversations, one timed turn ({report['turn_events']} events) "
        f"each at each length. Load average (1 min) {report['load_average']['start']} at "
        f"the start, {report['load_average']['end']} at the end.",
        "",
        "| backend | tracker store | events before the turn | retrieve p50 ms "
        "| retrieve p95 ms | save p50 ms | save p95 ms | turn p50 ms | turn p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    variants = report["variants"]
    first = next(iter(variants.values()))
    for backend, result in first.items():
        for index in range(len(result["lengths"])):
            for variant, backends in variants.items():
                row = backends[backend]["lengths"][index]
                lines.append(
                    f"| {result['server']} | {VARIANT_NAMES[variant]} | {row['events']} "
                    f"| {row['retrieve']['p50_ms']} | {row['retrieve']['p95_ms']} "
                    f"| {row['save']['p50_ms']} | {row['save']['p95_ms']} "
                    f"| {row['turn']['p50_ms']} | {row['turn']['p95_ms']} |"
                )
    return "\n".join(lines) + "\n"


def section(report: dict[str, Any]) -> list[str]:
    """docs/benchmarks.md's section: the heading, the table, and what it says."""
    return ["", HEADING, "", *markdown(report).splitlines(), "", _what_it_says(report)]


def saved_section(path: Path = RESULTS) -> list[str]:
    """The section for the results saved by ``make bench-tracker-store``, if there are any."""
    return section(json.loads(path.read_text())) if path.exists() else []


def _what_it_says(report: dict[str, Any]) -> str:
    """Plain sentences on the figures: a turn's cost, its growth, and ``install``'s gain."""
    ours, theirs = report["variants"]["front-door"], report["variants"]["rasa"]

    def each(text: Any) -> str:
        return " and ".join(
            f"{text(rows['lengths'])} on {BACKEND_NAMES[b]}" for b, rows in ours.items()
        )

    def ratios(backend: str) -> str:
        times = [
            theirs[backend]["lengths"][i]["turn"]["p50_ms"] / row["turn"]["p50_ms"]
            for i, row in enumerate(ours[backend]["lengths"])
        ]
        low, high = f"{min(times):.1f}", f"{max(times):.1f}"
        span = low if low == high else f"{low}–{high}"
        return f"{span}× as long on {BACKEND_NAMES[backend]}"

    lengths = next(iter(ours.values()))["lengths"]
    first, last = lengths[0], lengths[-1]
    sentences = [
        "With Front Door's store, Rasa's read and write of a turn take (p50) "
        + each(lambda rows: f"{rows[0]['turn']['p50_ms']} ms")
        + f" in a conversation of about {first['events']} events, and "
        + each(lambda rows: f"{rows[-1]['turn']['p50_ms']} ms")
        + f" at about {last['events']}.",
        "The read grows with the conversation, since Rasa reads and replays every event of "
        "the session ("
        + each(
            lambda rows: f"{rows[0]['retrieve']['p50_ms']} → {rows[-1]['retrieve']['p50_ms']} ms"
        )
        + "); the write stores only the turn's new rows ("
        + each(lambda rows: f"{rows[0]['save']['p50_ms']} → {rows[-1]['save']['p50_ms']} ms")
        + ").",
        "Rasa's store as shipped takes a turn "
        + " and ".join(ratios(backend) for backend in ours)
        + ".",
    ]
    if "postgresql" in ours:
        sentences.append(
            "On PostgreSQL Rasa already pools connections, so `install()` saves only the count "
            "before each write and the search for each event's class."
        )
    load = report["load_average"]
    if max(load["start"], load["end"]) > report["machine"]["cores"]:
        sentences.append(
            f"The machine was busy with other work (load average above its "
            f"{report['machine']['cores']} cores), so the 95th percentiles vary from run to run."
        )
    return " ".join(sentences)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write ``--json`` and print the table with ``--markdown``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=100, help="conversations a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each variant")
    parser.add_argument("--lengths", default="10,50,200", help="events before the timed turns")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="PostgreSQL admin URL")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    lengths = [int(length) for length in args.lengths.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        postgres = None if args.skip_postgres else args.postgres
        report = run(args.senders, lengths, args.rounds, postgres, Path(scratch))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown or not args.json:
        sys.stdout.write("\n".join(section(report)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
