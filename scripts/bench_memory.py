"""Resident memory of the web service and of the assistant, at rest and after use.

``make bench-memory`` runs this script. It measures the memory budgets of issue #19:

* ``web``: starts ``python -m web`` alone (stand-in mounted) on a free port with a fresh
  SQLite file, waits until it answers and has loaded its postcode data, samples its memory,
  then exercises it (place searches near many postcodes, Open311 reports, triage records,
  the resident page, the staff sign-in page, the API documents) and samples it again.
* ``assistant``: starts the council services, the action server and Rasa as ``make run``
  does (``bot/launcher/stack.py``, so the launcher's memory settings apply), samples the
  memory of Rasa and the action server once the model is loaded, replays conversations
  from ``scripts/bench_conversations.yml`` and samples them again.

Memory is the resident set (RSS) of each process and its children, as ``make bench``
counts it; ``peak`` is the highest value sampled every 0.1 s. ``--repeat`` runs it again
from a fresh start. ``--env NAME=VALUE`` adds a variable to every child's environment, to
compare settings. This is a script, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from lib.yaml_files import load_yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a file: make the packages importable
    sys.path.insert(0, str(REPO_ROOT))

from bot.launcher.stack import Service, Stack  # noqa: E402
from bot.settings import Settings  # noqa: E402
from scripts.bench import CONVERSATIONS, MemorySampler, Replayer, _tree_rss_mb  # noqa: E402
from tests.helpers import free_port  # noqa: E402

#: Postcodes in and around Stoke-on-Trent the place search is asked about (all letters S
#: and C, so the data of the council's areas is what stays loaded).
SEARCH_POSTCODES = ["ST4 2DX", "ST6 3JJ", "ST1 1HP", "ST3 1AA", "ST5 2SX", "CW1 2BJ"]
STAFF_TOKEN = "dev-staff-token"
OPEN311_KEY = "dev-open311-key"


def _settle_mb(pid: int, seconds: float = 3.0) -> float:
    """Memory after a short quiet spell (the last of a few samples)."""
    time.sleep(seconds)
    return round(_tree_rss_mb(pid), 1)


def _wait(url: str, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in time")


def exercise_web(base: str, rounds: int) -> int:
    """Use the web service as residents, staff and the assistant would; the call count."""
    calls = 0
    bearer = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        for number in range(rounds):
            postcode = SEARCH_POSTCODES[number % len(SEARCH_POSTCODES)]
            answers = [
                client.get("/api/v1/places", params={"near": postcode}),
                client.get("/api/v1/places", params={"near": postcode, "type": "public_pc"}),
                client.get("/"),
                client.get("/widget.js"),
                client.get("/staff/login"),
                client.get("/open311/v2/services.json"),
                client.post(
                    "/open311/v2/requests.json",
                    data={
                        "api_key": OPEN311_KEY,
                        "service_code": "FLYTIP",
                        "address_string": f"{number} Test Street, {postcode}",
                        "description": "Bags of rubbish dumped by the gate.",
                    },
                ),
                client.get("/open311/v2/requests.json"),
                client.post(
                    "/api/v1/triage",
                    headers=bearer,
                    json={
                        "conversation_id": f"memory-{number}",
                        "channel": "web",
                        "language": "en",
                        "category": "other",
                        "priority": 3,
                        "summary": "Needs help with a letter.",
                    },
                ),
                client.get("/api/v1/triage", headers=bearer),
            ]
            if number % 10 == 0:
                answers += [client.get("/openapi.json"), client.get("/docs")]
            calls += len(answers)
            failed = [a for a in answers if a.status_code >= 500]
            if failed:
                raise RuntimeError(f"{failed[0].request.url} answered {failed[0].status_code}")
    return calls


def measure_web(rounds: int) -> dict[str, Any]:
    """Start ``python -m web`` alone, measure it at rest and after ``rounds`` of use."""
    port = free_port()
    with tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "ENVIRONMENT": "development",
            "COUNCIL_SERVICES_DATABASE_URL": f"sqlite:///{var}/council_services.db",
            "PYTHONPATH": str(REPO_ROOT),
        }
        service = Service(
            "council-services",
            [sys.executable, "-m", "web", "--host", "127.0.0.1", "--port", str(port)],
            f"http://127.0.0.1:{port}/healthz",
            env,
        )
        service.start(Path(var))
        assert service.process is not None
        try:
            with MemorySampler([service], every_s=0.1) as sampler:
                base = f"http://127.0.0.1:{port}"
                _wait(f"{base}/healthz", service.process)
                # The first search waits for the postcode data the start-up is loading.
                _wait(f"{base}/api/v1/places?near=ST4%202DX", service.process)
                at_rest = _settle_mb(service.process.pid)
                started = time.perf_counter()
                calls = exercise_web(base, rounds)
                seconds = time.perf_counter() - started
                after_use = _settle_mb(service.process.pid)
            return {
                "at_rest_mb": at_rest,
                "after_use_mb": after_use,
                "peak_mb": round(sampler.peak_mb[service.name], 1),
                "calls": calls,
                "seconds": round(seconds, 1),
            }
        finally:
            service.stop()


def trained_model() -> Path:
    """The model of the current training inputs, from ``models/`` or the shared cache.

    Raises:
        SystemExit: when there is none; this script never trains.
    """
    from bot.training import model_path, shared_model_cache

    target = model_path(REPO_ROOT / "models")
    cache = shared_model_cache()
    for candidate in (target, cache / target.name if cache else None):
        if candidate is not None and candidate.is_file():
            return candidate
    raise SystemExit(f"no trained model {target.name}: make train first")


def measure_assistant(conversations: int, concurrency: int) -> dict[str, Any]:
    """Start the council services, the action server and Rasa; measure at rest and after use."""
    model = trained_model()
    with tempfile.TemporaryDirectory() as var:
        settings = Settings(
            _env_file=None,
            environment="test",
            var_dir=Path(var),
            rasa_port=free_port(),
            action_server_port=free_port(),
            council_services_url=f"http://127.0.0.1:{free_port()}",
        )
        stack = Stack(settings, model)
        services = [stack.council_services, stack.action_server, stack.rasa]
        stack.log_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + 900
        stack.seed_council_services(deadline)
        try:
            with MemorySampler(services, every_s=0.1) as sampler:
                for service in services:
                    service.start(stack.log_dir)
                for service in services:
                    stack.wait_healthy(service, deadline)
                measured = [stack.rasa, stack.action_server]
                time.sleep(3)
                at_rest = {s.name: round(_tree_rss_mb(s.process.pid), 1) for s in measured}  # type: ignore[union-attr]
                script = load_yaml(CONVERSATIONS.read_text(encoding="utf-8"))
                replayer = Replayer(settings.rasa_url, script)
                started = time.perf_counter()
                result = asyncio.run(replayer.run_level(concurrency, conversations)).summary()
                seconds = time.perf_counter() - started
                time.sleep(3)
                after = {s.name: round(_tree_rss_mb(s.process.pid), 1) for s in measured}  # type: ignore[union-attr]
            return {
                name: {
                    "at_rest_mb": at_rest[name],
                    "after_use_mb": after[name],
                    "peak_mb": round(sampler.peak_mb[name], 1),
                }
                for name in at_rest
            } | {
                "conversations": result["conversations"],
                "errors": result["errors"],
                "error_examples": result["error_examples"],
                "seconds": round(seconds, 1),
            }
        finally:
            for service in reversed(services):
                service.stop()


def main(argv: list[str] | None = None) -> int:
    """Measure what the command line asks for and print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=["web", "assistant"])
    parser.add_argument("--repeat", type=int, default=1, help="fresh starts to measure")
    parser.add_argument("--rounds", type=int, default=60, help="web: rounds of calls")
    parser.add_argument("--conversations", type=int, default=50, help="assistant: how many")
    parser.add_argument("--concurrency", type=int, default=5, help="assistant: at once")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for every child"
    )
    args = parser.parse_args(argv)
    for pair in args.env:
        name, _, value = pair.partition("=")
        os.environ[name] = value
    for _ in range(args.repeat):
        if args.target == "web":
            report = measure_web(args.rounds)
        else:
            report = measure_assistant(args.conversations, args.concurrency)
        sys.stdout.write(json.dumps({"target": args.target, "env": args.env, **report}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
