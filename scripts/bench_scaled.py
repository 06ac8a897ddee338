"""Scaled benchmark: one against two Rasa replicas behind nginx, with the CPU of a message.

``make bench-scaled`` runs this script. It starts two copies of the scaled topology
(``bot/launcher/scaled_stack.py``) on free ports, each with its own fresh PostgreSQL
databases (Rasa's tracker store, the outbox, the council services) and the Redis lock
store: one with a single replica behind nginx (one Rasa server, one action server), one
with two. Nothing else differs. It then replays ``scripts/bench_conversations.yml``
through nginx in rounds that alternate between the two (the same conversations in the
same round), so that other work on a shared machine weighs on both alike.

Around each round it reads the CPU time of every process of the stack from /proc
(``scripts/proc_cpu.py``): each service and its children, the PostgreSQL backends serving
the stack's databases, PostgreSQL's background processes, Redis, nginx; and the machine's
busy time, so what the load generator and other work took is known too. From the CPU a
message costs it builds a model of the rate on a bigger machine (``scripts/scaling_model.py``)
and writes ``docs/benchmarks-scaled.md`` and ``.json``. The databases are dropped at the end.

This is a script, not a test: the numbers depend on the machine, which the report describes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text

from bot.launcher.scaled_stack import InternalPorts, ScaledStack
from bot.settings import REPO_ROOT, Settings
from bot.training import ensure_model
from lib.yaml_files import load_yaml
from scripts import proc_cpu, scaling_model
from scripts.bench import (
    CONVERSATIONS,
    DOCS,
    LevelResult,
    MemorySampler,
    Replayer,
    _machine,
)
from tests.helpers import free_port, stack_settings

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
DATABASE_KINDS = ("tracker", "outbox", "council")


def single_replica_config(config: str, ports: InternalPorts) -> str:
    """The two-replica nginx config with the second Rasa and action server taken out."""
    second = "|".join(str(port) for port in (ports.rasa_b, ports.actions_b))
    return re.sub(rf"^[ \t]*server 127\.0\.0\.1:(?:{second})\b[^\n]*\n", "", config, flags=re.M)


class ReplicaStack(ScaledStack):
    """The scaled topology with one or two replicas (a Rasa server and an action server)."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        council_services_db: str,
        replicas: int,
        ports: InternalPorts,
    ) -> None:
        if replicas not in (1, 2):
            raise ValueError("the scaled topology has one or two replicas")
        super().__init__(settings, model, council_services_db, ports)
        self.replicas = replicas
        if replicas == 1:
            self.rasa_servers = self.rasa_servers[:1]
            self.action_servers = self.action_servers[:1]
            config = Path(self.nginx.command[2])
            config.write_text(single_replica_config(config.read_text(), ports), encoding="utf-8")


@dataclass
class Topology:
    """One running stack and what its rounds measured."""

    stack: ReplicaStack
    databases: list[str]
    rounds: list[LevelResult] = field(default_factory=list)
    cpu_s: dict[str, float] = field(default_factory=dict)
    machine_busy_s: float = 0.0
    #: CPU of this script (the load generator), which the machine's busy time includes.
    load_generator_s: float = 0.0
    peak_memory_mb: dict[str, float] = field(default_factory=dict)

    @property
    def replicas(self) -> int:
        """How many replicas sit behind nginx."""
        return self.stack.replicas

    def summary(self) -> dict[str, Any]:
        """Everything measured, as plain numbers."""
        merged = LevelResult(self.rounds[0].concurrency if self.rounds else 0)
        for result in self.rounds:
            merged.conversations += result.conversations
            merged.latencies_ms += result.latencies_ms
            merged.errors += result.errors
            merged.wall_s += result.wall_s
        return {
            "replicas": self.replicas,
            **merged.summary(),
            "round_messages_per_s": [r.summary()["messages_per_s"] for r in self.rounds],
            "cpu_s": {name: round(seconds, 3) for name, seconds in self.cpu_s.items()},
            "machine_busy_s": round(self.machine_busy_s, 3),
            "load_generator_cpu_s": round(self.load_generator_s, 3),
            "wall_s": round(merged.wall_s, 3),
            "peak_memory_mb": {name: round(mb, 1) for name, mb in self.peak_memory_mb.items()},
        }


def database_urls(postgres: str, replicas: int) -> dict[str, str]:
    """Fresh database URLs for one stack, one per kind."""
    token = uuid.uuid4().hex[:8]
    return {kind: f"{postgres}/fd_bench_{replicas}r_{kind}_{token}" for kind in DATABASE_KINDS}


def drop_databases(postgres: str, urls: list[str]) -> None:
    """Drop the benchmark's databases, closing their connections first."""
    admin = create_engine(f"{postgres}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for url in urls:
                name = url.rsplit("/", 1)[1]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def say(line: str) -> None:
    """Progress on standard output, at once."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def start_topology(
    replicas: int, model: Path, var_dir: Path, postgres: str, redis_url: str
) -> Topology:
    """Create the databases and start one stack; stops and drops them if it fails."""
    urls = database_urls(postgres, replicas)
    settings = stack_settings(
        var_dir,
        tracker_store_url=urls["tracker"],
        database_url=urls["outbox"],
        redis_url=redis_url,
    )
    ports = InternalPorts(free_port(), free_port(), free_port(), free_port())
    say(f"starting the stack with {replicas} replica(s) (Rasa loading takes minutes)")
    started = time.perf_counter()
    try:
        stack = ReplicaStack(settings, model, urls["council"], replicas, ports)
        stack.start(timeout_s=900)
        say(f"started in {time.perf_counter() - started:.0f} s")
    except Exception:
        drop_databases(postgres, list(urls.values()))
        raise
    return Topology(stack, list(urls.values()))


@contextmanager
def running(topology: Topology, postgres: str) -> Iterator[Topology]:
    """Stop the stack and drop its databases when done."""
    try:
        yield topology
    finally:
        topology.stack.stop()
        drop_databases(postgres, topology.databases)


def postgres_backends(postgres: str, databases: list[str]) -> tuple[set[int], set[int]]:
    """Ids of the PostgreSQL backends serving ``databases``, and of its background processes."""
    names = [url.rsplit("/", 1)[1] for url in databases]
    engine = create_engine(f"{postgres}/postgres")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT pid, datname, backend_type FROM pg_stat_activity")
            ).all()
    finally:
        engine.dispose()
    ours = {pid for pid, datname, _ in rows if datname in names}
    shared = {pid for pid, datname, kind in rows if datname is None and kind != "client backend"}
    return ours, shared


def redis_pid(redis_url: str) -> int | None:
    """The Redis server's process id (None when it runs where /proc cannot see it)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def process_groups(
    topology: Topology,
    after: proc_cpu.Snapshot,
    postgres: tuple[set[int], set[int]],
    redis_process: int | None,
) -> dict[str, set[int]]:
    """Which process ids belong to which part of the stack."""
    processes = after.values()
    groups = {
        service.name: proc_cpu.descendants([service.process.pid], processes)
        for service in topology.stack.services
        if service.process is not None
    }
    ours, shared = postgres
    parents = {times.ppid for times in processes if times.pid in ours | shared}
    groups["postgresql"] = ours
    groups["postgresql (shared)"] = shared | (parents - {0, 1})
    if redis_process is not None:
        groups["redis"] = {redis_process}
    return groups


def measure_round(
    topology: Topology,
    script: dict[str, Any],
    seed: int,
    concurrency: int,
    conversations: int,
    postgres: str,
    redis_url: str,
) -> LevelResult:
    """One round of conversations against one stack, adding up what it cost."""
    replayer = Replayer(topology.stack.settings.rasa_url, script, seed=seed)
    redis_process = redis_pid(redis_url)
    backends_before = postgres_backends(postgres, topology.databases)
    with MemorySampler(topology.stack.services, every_s=1.0) as memory:
        busy_before, before = proc_cpu.machine_busy_ticks(), proc_cpu.snapshot()
        result = asyncio.run(replayer.run_level(concurrency, conversations))
        after, busy_after = proc_cpu.snapshot(), proc_cpu.machine_busy_ticks()
    backends_after = postgres_backends(postgres, topology.databases)
    backends = (
        backends_before[0] | backends_after[0],
        backends_before[1] | backends_after[1],
    )
    groups = process_groups(topology, after, backends, redis_process)
    for name, seconds in proc_cpu.cpu_by_group(before, after, groups).items():
        topology.cpu_s[name] = topology.cpu_s.get(name, 0.0) + seconds
    topology.machine_busy_s += (busy_after - busy_before) / proc_cpu.CLOCK_TICKS
    topology.load_generator_s += proc_cpu.cpu_seconds(before, after, {os.getpid()})
    for name, mb in memory.peak_mb.items():
        topology.peak_memory_mb[name] = max(topology.peak_memory_mb.get(name, 0.0), mb)
    topology.rounds.append(result)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the scaled benchmark and write the reports; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds for each topology")
    parser.add_argument("--conversations", type=int, default=40, help="conversations a round")
    parser.add_argument("--concurrency", type=int, default=16, help="conversations at once")
    parser.add_argument("--postgres", default=POSTGRES, help="PostgreSQL server (no database)")
    parser.add_argument("--redis", default=REDIS, help="the Redis lock store")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the reports")
    args = parser.parse_args(argv)
    script = load_yaml(CONVERSATIONS.read_text(encoding="utf-8"))
    machine = _machine()
    report: dict[str, Any] = {
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "conversation_mix": [c["name"] for c in script["conversations"]],
        "rounds": args.rounds,
        "conversations_per_round": args.conversations,
        "concurrency": args.concurrency,
    }
    model = ensure_model(REPO_ROOT / "models")
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stacks:
        topologies = [
            stacks.enter_context(
                running(
                    start_topology(
                        replicas, model, Path(scratch) / f"{replicas}r", args.postgres, args.redis
                    ),
                    args.postgres,
                )
            )
            for replicas in (1, 2)
        ]
        for topology in topologies:  # warm-up: the first calls load lazy parts
            replayer = Replayer(topology.stack.settings.rasa_url, script, seed=1000)
            asyncio.run(replayer.run_level(4, 8))
        for number in range(args.rounds):
            # Alternate which goes first, so neither always follows the other.
            for topology in topologies if number % 2 == 0 else topologies[::-1]:
                result = measure_round(
                    topology, script, number, args.concurrency, args.conversations,
                    args.postgres, args.redis,
                )  # fmt: skip
                line = {"replicas": topology.replicas, "round": number + 1, **result.summary()}
                say(json.dumps(line))
        report["processes_that_died"] = [
            service.name
            for topology in topologies
            for service in topology.stack.services
            if not service.running
        ]
        report["topologies"] = [topology.summary() for topology in topologies]
    report["model"] = scaling_model.build(report["topologies"], machine["cores"])
    args.out.mkdir(parents=True, exist_ok=True)
    markdown = scaling_model.markdown(report)
    (args.out / "benchmarks-scaled.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "benchmarks-scaled.md").write_text(markdown)
    sys.stdout.write(markdown)
    return 1 if report["processes_that_died"] else 0


if __name__ == "__main__":
    sys.exit(main())
