"""Benchmark of the running stack: latency, throughput and memory of real conversations.

``make bench`` runs this script. It starts the product exactly as ``make run`` does (council
services, action server, outbox worker, Rasa) on free ports with fresh SQLite files, then
replays the conversations of ``scripts/bench_conversations.yml`` through the REST channel
at each concurrency level (default 1, 10 and 50 conversations at once). For every level it
reports per-message latency percentiles, messages per second, errors (a reply missing the
text that shows the assistant understood), and the peak resident memory of each process.
It also times a full ``rasa train`` of the current inputs into a scratch folder unless
``--skip-train`` is given.

Unless ``--skip-bare`` is given, a bare Rasa project (``scripts/bare_rasa.py``) runs beside
the stack, and each level takes turns between the two (``scripts/bench_bare.py``): the same
client replays ``scripts/bench_bare_conversations.yml`` against the bare project, and the
report adds Front Door's ratios to it and issue #19's targets.

Results go to ``docs/benchmarks.json`` and ``docs/benchmarks.md``. This is a script, not a
test: numbers depend on the machine, which the report describes.

``--soak MINUTES`` (``make soak``) instead holds a steady load (``--soak-concurrency``
conversations at once) for that long, samples each process's memory every
``--soak-sample`` seconds, and writes ``docs/soak.json`` and ``docs/soak.md``: errors, and
memory in the first and last fifth of the run, so growth shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from bot.launcher.stack import Service, Stack
from bot.settings import REPO_ROOT
from bot.training import ensure_model
from lib.yaml_files import load_yaml
from scripts import bare_rasa, bench_bare, bench_nlu
from tests.helpers import stack_settings

CONVERSATIONS = REPO_ROOT / "scripts" / "bench_conversations.yml"
BARE_CONVERSATIONS = REPO_ROOT / "scripts" / "bench_bare_conversations.yml"
DOCS = REPO_ROOT / "docs"


@dataclass
class LevelResult:
    """What one concurrency level measured."""

    concurrency: int
    conversations: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    #: When each reply came (``time.perf_counter()``), to count the replies of the busy time.
    replied_at: list[float] = field(default_factory=list)
    #: Time while every one of the ``concurrency`` conversations was going, and its replies.
    busy_s: float = 0.0
    busy_messages: int = 0

    def absorb(self, other: LevelResult) -> None:
        """Add another batch of the same level to this one (rounds of an interleaved run)."""
        self.conversations += other.conversations
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.wall_s += other.wall_s
        self.replied_at += other.replied_at
        self.busy_s += other.busy_s
        self.busy_messages += other.busy_messages

    def summary(self) -> dict[str, Any]:
        """Percentiles and throughput as plain numbers.

        ``messages_per_s`` divides every message by the whole time; ``busy_messages_per_s``
        only counts the time before the first conversation slot ran out of work, so the
        last long conversations, with fewer going at once, do not weigh on it.
        """
        ordered = sorted(self.latencies_ms)
        return {
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "messages": len(ordered),
            "errors": len(self.errors),
            "error_examples": self.errors[:5],
            "p50_ms": round(_percentile(ordered, 50), 1),
            "p95_ms": round(_percentile(ordered, 95), 1),
            "p99_ms": round(_percentile(ordered, 99), 1),
            "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
            "messages_per_s": round(len(ordered) / self.wall_s, 1) if self.wall_s else 0.0,
            "busy_messages_per_s": (
                round(self.busy_messages / self.busy_s, 1) if self.busy_s else 0.0
            ),
            "wall_s": round(self.wall_s, 1),
        }


def _percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values (0 when there are none)."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class MemorySampler:
    """Samples the resident memory of each service's process tree in the background."""

    def __init__(self, services: list[Service], every_s: float = 0.25) -> None:
        self.services = services
        self.every_s = every_s
        self.peak_mb: dict[str, float] = {service.name: 0.0 for service in services}
        #: (seconds since start, {process: MB}) for every sample.
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        started = time.perf_counter()
        while not self._stop.is_set():
            sample = {}
            for service in self.services:
                if service.process is not None:
                    rss = _tree_rss_mb(service.process.pid)
                    sample[service.name] = rss
                    self.peak_mb[service.name] = max(self.peak_mb[service.name], rss)
            self.samples.append((time.perf_counter() - started, sample))
            self._stop.wait(self.every_s)

    def growth(self) -> dict[str, dict[str, float]]:
        """Mean memory of each process in the first and the last fifth of the samples."""
        fifth = max(1, len(self.samples) // 5)
        first, last = self.samples[:fifth], self.samples[-fifth:]
        report = {}
        for name in self.peak_mb:
            start = statistics.fmean(s[name] for _, s in first if name in s)
            end = statistics.fmean(s[name] for _, s in last if name in s)
            report[name] = {"first_mb": round(start, 1), "last_mb": round(end, 1),
                            "growth_mb": round(end - start, 1)}  # fmt: skip
        return report


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (Linux /proc)."""
    total_kb = 0
    for child in _descendants(pid) | {pid}:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total_kb / 1024


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in map(int, children):
        found |= {child} | _descendants(child)
    return found


class Replayer:
    """Plays scripted conversations against the REST channel."""

    def __init__(self, rasa_url: str, script: dict[str, Any], seed: int = 7) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.conversations = script["conversations"]
        self.weights = [c.get("weight", 1) for c in self.conversations]
        self.interjections: dict[str, str] = script.get("interjections", {})
        self.postcodes: list[str] = script.get("postcodes") or [""]
        self.random = random.Random(seed)

    async def _send(
        self, client: httpx.AsyncClient, sender: str, text: str, result: LevelResult
    ) -> str:
        started = time.perf_counter()
        response = await client.post(
            self.url, json={"sender": sender, "message": text, "metadata": {"channel": "web"}}
        )
        replied = time.perf_counter()
        result.latencies_ms.append((replied - started) * 1000)
        result.replied_at.append(replied)
        response.raise_for_status()
        return "\n".join(reply.get("text", "") for reply in response.json())

    async def play_one(self, client: httpx.AsyncClient, result: LevelResult) -> None:
        """One whole conversation, as a new resident."""
        conversation = self.random.choices(self.conversations, self.weights)[0]
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        postcode = self.random.choice(self.postcodes)
        for turn in conversation["turns"]:
            text = turn["say"].replace("{postcode}", postcode)
            try:
                reply = await self._send(client, sender, text, result)
                for question, answer in self.interjections.items():
                    if question in reply:
                        reply = await self._send(client, sender, answer, result)
                if not reply.strip() or turn.get("expect", "") not in reply:
                    result.errors.append(f"{conversation['name']}: {text!r} -> {reply[:80]!r}")
                    return
            except httpx.HTTPError as error:
                result.errors.append(f"{conversation['name']}: {text!r} -> {error!r}")
                return
        result.conversations += 1

    async def run_for(self, concurrency: int, seconds: float) -> LevelResult:
        """Keep ``concurrency`` conversations going until ``seconds`` have passed."""
        result = LevelResult(concurrency)
        deadline = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    await self.play_one(client, result)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            result.wall_s = time.perf_counter() - started
        return result

    async def run_level(self, concurrency: int, conversations: int) -> LevelResult:
        """Run ``conversations`` conversations with ``concurrency`` of them at once."""
        result = LevelResult(concurrency)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for number in range(conversations):
            queue.put_nowait(number)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        first_idle: list[float] = []
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:

            async def worker() -> None:
                while not queue.empty():
                    queue.get_nowait()
                    await self.play_one(client, result)
                if not first_idle:
                    first_idle.append(time.perf_counter())

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            result.wall_s = time.perf_counter() - started
        result.busy_s = first_idle[0] - started
        result.busy_messages = sum(1 for at in result.replied_at if at <= first_idle[0])
        return result


async def run_interleaved(
    replayers: dict[str, Replayer],
    levels: list[int],
    per_level: int,
    rounds: int,
    on_batch: Callable[[int, str, LevelResult], None] | None = None,
) -> dict[str, list[LevelResult]]:
    """Each level on each side, in alternating batches (``bench_bare.interleaved_plan``).

    Args:
        replayers: the replayer of each side, by side name.
        levels: concurrency levels, in order.
        per_level: conversations per level and side, split over the rounds (0: default).
        rounds: batches per level and side.
        on_batch: called with (level, side, batch result) after each batch.

    Returns:
        For each side, one result per level: its batches added together.
    """
    totals = {side: {level: LevelResult(level) for level in levels} for side in replayers}
    for level, side in bench_bare.interleaved_plan(levels, rounds):
        count = bench_bare.batch_size(level, per_level, rounds)
        batch = await replayers[side].run_level(level, count)
        totals[side][level].absorb(batch)
        if on_batch is not None:
            on_batch(level, side, batch)
    return {side: [by_level[level] for level in levels] for side, by_level in totals.items()}


def _machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "rasa": version("rasa"),
    }


def _time_training() -> float:
    """A full training: a scratch model folder and a scratch Rasa cache, so nothing is reused."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as cache:
        before = os.environ.get("RASA_CACHE_DIRECTORY")
        os.environ["RASA_CACHE_DIRECTORY"] = cache
        try:
            started = time.perf_counter()
            ensure_model(Path(scratch), force=True, cache=None)
            return time.perf_counter() - started
        finally:
            if before is None:
                os.environ.pop("RASA_CACHE_DIRECTORY", None)
            else:
                os.environ["RASA_CACHE_DIRECTORY"] = before


def _markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {report['measured_at']} by `make bench` (scripts/bench.py) on "
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB, "
        f"Python {machine['python']}, Rasa {machine['rasa']}. Conversations: "
        f"{', '.join(report['conversation_mix'])} (scripts/bench_conversations.yml), "
        "through the REST channel against the running stack with SQLite. One client address "
        "plays every resident, so the per-address rate limit is off for the run; each "
        "conversation's own limit stays on.",
        "",
        "| concurrent conversations | conversations | messages | errors | p50 ms | p95 ms "
        "| p99 ms | messages/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for level in report["levels"]:
        lines.append(
            f"| {level['concurrency']} | {level['conversations']} | {level['messages']} "
            f"| {level['errors']} | {level['p50_ms']} | {level['p95_ms']} | {level['p99_ms']} "
            f"| {level['messages_per_s']} |"
        )
    lines += ["", "Peak resident memory of each process (MB, process and its children):", ""]
    lines += ["| process | peak MB |", "| --- | --- |"]
    lines += [f"| {name} | {mb:.0f} |" for name, mb in report["peak_memory_mb"].items()]
    if report.get("training_s") is not None:
        lines += ["", f"`rasa train` of the current inputs: {report['training_s']:.0f} s."]
    lines += bench_nlu.markdown(report)
    lines += bench_bare.markdown(report)
    # Imported here: the tracker store benchmark imports this module's helpers.
    from scripts import bench_tracker_store

    lines += bench_tracker_store.saved_section()  # make bench-tracker-store's latest figures
    return "\n".join(lines) + "\n"


def _soak_markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    load = report["load"]
    lines = [
        "# Soak",
        "",
        f"Measured {report['measured_at']} by `make soak` (scripts/bench.py --soak) on "
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB: "
        f"{load['concurrency']} conversations at once for {report['minutes']} minutes, "
        f"{load['messages']} messages, {load['errors']} errors, p95 {load['p95_ms']} ms, "
        f"{load['messages_per_s']} messages/s.",
        "",
        "| process | first fifth MB | last fifth MB | growth MB |",
        "| --- | --- | --- | --- |",
    ]
    for name, row in report["memory"].items():
        lines.append(f"| {name} | {row['first_mb']} | {row['last_mb']} | {row['growth_mb']} |")
    return "\n".join(lines) + "\n"


#: Every simulated resident writes from this one address; real residents each have their
#: own, so the per-address limit (``REST_ADDRESS_RATE_LIMIT``) would measure only itself.
#: Each conversation's own limit stays on.
BENCH_OVERRIDES = {"rest_address_rate_limit": "0"}


def _start_stack(var_dir: Path) -> Stack:
    model = ensure_model(REPO_ROOT / "models")
    stack = Stack(stack_settings(var_dir, **BENCH_OVERRIDES), model)
    stack.start(timeout_s=600)
    return stack


def _print_batch(level: int, side: str, batch: LevelResult) -> None:
    sys.stdout.write(f"{json.dumps({'side': side, **batch.summary()})}\n")
    sys.stdout.flush()


def _bench_levels(
    args: argparse.Namespace,
    stack: Stack,
    replayer: Replayer,
    bare: bare_rasa.BareRasa | None,
    report: dict[str, Any],
) -> list[str]:
    """Run the levels (beside the bare project unless there is none) into ``report``.

    Returns the names of the bare project's processes that died (none or ``bare-rasa``).
    """
    levels = [int(level) for level in args.levels.split(",")]
    if bare is None:
        results = []
        with MemorySampler(stack.services) as memory:
            for level in levels:
                count = args.per_level or max(20, 2 * level)
                result = asyncio.run(replayer.run_level(level, count))
                _print_batch(level, bench_bare.FRONT_DOOR, result)
                results.append(result.summary())
        report.update(
            levels=results,
            peak_memory_mb={name: round(mb, 1) for name, mb in memory.peak_mb.items()},
        )
        return []
    bare_script = load_yaml(BARE_CONVERSATIONS.read_text(encoding="utf-8"))
    bare.wait_ready()
    bare_replayer = Replayer(bare.url, bare_script)
    asyncio.run(bare_replayer.run_level(2, 4))  # warm-up, as for Front Door
    with MemorySampler([*stack.services, bare.service]) as memory:
        sides = asyncio.run(
            run_interleaved(
                {bench_bare.BARE: bare_replayer, bench_bare.FRONT_DOOR: replayer},
                levels, args.per_level, args.rounds, _print_batch,
            )
        )  # fmt: skip
    dead = [] if bare.service.running else [bare_rasa.SERVICE_NAME]
    bare.stop()  # the NLU timings that follow want an idle machine
    peak = {name: round(mb, 1) for name, mb in memory.peak_mb.items()}
    bare_mb = peak.pop(bare_rasa.SERVICE_NAME)
    results = [result.summary() for result in sides[bench_bare.FRONT_DOOR]]
    report.update(levels=results, peak_memory_mb=peak)
    report["bare"] = bench_bare.section(
        results,
        [result.summary() for result in sides[bench_bare.BARE]],
        {"rasa": bare_mb},
        rounds=args.rounds,
        rasa_version=version("rasa"),
        conversation_mix=[c["name"] for c in bare_script["conversations"]],
    )
    return dead


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or the soak) and write the reports; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50", help="concurrency levels, comma-separated")
    parser.add_argument(
        "--per-level",
        type=int,
        default=0,
        help="conversations per level and side (default 2x level, 20+)",
    )
    parser.add_argument(
        "--skip-bare", action="store_true", help="Front Door alone, without the bare project"
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="batches per level and side beside the bare project"
    )
    parser.add_argument("--skip-train", action="store_true", help="do not time a fresh training")
    parser.add_argument(
        "--skip-nlu", action="store_true", help="do not time the NLU one message at a time"
    )
    parser.add_argument("--soak", type=float, default=0, help="minutes of steady load instead")
    parser.add_argument("--soak-concurrency", type=int, default=10)
    parser.add_argument("--soak-sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the reports")
    args = parser.parse_args(argv)
    script = load_yaml(CONVERSATIONS.read_text(encoding="utf-8"))
    report: dict[str, Any] = {
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "conversation_mix": [c["name"] for c in script["conversations"]],
    }
    bare_project = None
    if not (args.soak or args.skip_bare):
        sys.stderr.write("bare Rasa project: trained once per Rasa version, then cached\n")
        bare_project = bare_rasa.ensure_project()
    with tempfile.TemporaryDirectory() as var_dir, contextlib.ExitStack() as running:
        bare = None
        if bare_project is not None:
            bare = running.enter_context(bare_rasa.BareRasa(bare_project))
            bare.launch(Path(var_dir))  # loads its model while the stack starts
        stack = _start_stack(Path(var_dir))
        try:
            replayer = Replayer(stack.settings.rasa_url, script)
            asyncio.run(replayer.run_level(2, 4))  # warm-up: first calls load lazy parts
            bare_dead: list[str] = []
            if args.soak:
                with MemorySampler(stack.services, every_s=args.soak_sample) as memory:
                    load = asyncio.run(replayer.run_for(args.soak_concurrency, args.soak * 60))
                report.update(minutes=args.soak, load=load.summary(), memory=memory.growth())
            else:
                bare_dead = _bench_levels(args, stack, replayer, bare, report)
                if not args.skip_nlu:
                    texts = bench_nlu.held_out_texts()
                    report["nlu"] = {
                        "messages": len(texts),
                        "parse": bench_nlu.time_parse(
                            stack.settings.rasa_url,
                            stack.settings.rasa_api_token.get_secret_value(),
                            texts,
                        ),
                        "encoder": bench_nlu.time_encoder(texts),
                    }
            dead = [service.name for service in stack.services if not service.running]
            report["processes_that_died"] = dead + bare_dead
        finally:
            stack.stop()

    args.out.mkdir(parents=True, exist_ok=True)
    if args.soak:
        name, markdown = "soak", _soak_markdown(report)
    else:
        report["training_s"] = None if args.skip_train else round(_time_training(), 1)
        name, markdown = "benchmarks", _markdown(report)
    (args.out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(markdown)
    sys.stdout.write(markdown)
    return 1 if report["processes_that_died"] else 0


if __name__ == "__main__":
    sys.exit(main())
