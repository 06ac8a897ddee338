"""NLU timings for ``make bench``: what understanding one message costs (issue #14 budgets).

Two measures, one message at a time on an idle stack, over the real-style held-out messages
(``tests/nlu/real_style.yml``: timing them trains nothing):

- **parse**: the whole NLU pipeline, through Rasa's ``POST /model/parse`` on the running
  stack (HTTP round trip included), so it is an upper bound of the NLU's share of a turn;
- **encoder**: the pretrained sentence encoder alone (``SentenceEncoder.encode_one``), run in
  this process. It is what the pipeline gained when the encoder came in: the linear intent
  model and the crisis safety net that read its vector take microseconds, and the linear
  model replaced DIET's intent head rather than adding to it.

Each held-out message is timed the first time the stack sees it: the warm-up sends other
messages, with digits, which the encoder's cache of short replies never keeps
(``bot/nlu/reply_cache.py``), so neither measure is a cache's answer.
"""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml

MESSAGES = REPO_ROOT / "tests" / "nlu" / "real_style.yml"
#: The budgets of issue #14, checked in the report (a benchmark, not a timed test).
BUDGETS = {
    "encoder_p50_ms": 25.0,
    "turn_p95_ms_at_1": 150.0,
    "rasa_memory_mb": 2000.0,
}
WARM_UP = 10
#: Sent before the timed messages: not among them, and never kept by the reply cache.
WARM_UP_TEXTS = [f"warm-up message {number} about a pothole" for number in range(WARM_UP)]


def held_out_texts(path: Path = MESSAGES) -> list[str]:
    """Every message of the real-style held-out set, in file order (all areas and voices)."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    return [str(row["text"]) for row in data["examples"]]


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    """p50, p95 and p99 (nearest rank) and the mean, rounded to 0.1 ms."""
    ordered = sorted(latencies_ms)

    def rank(pct: float) -> float:
        index = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
        return ordered[index - 1]

    return {
        "messages": len(ordered),
        "p50_ms": round(rank(50), 1),
        "p95_ms": round(rank(95), 1),
        "p99_ms": round(rank(99), 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def time_parse(rasa_url: str, token: str, texts: list[str]) -> dict[str, float]:
    """Latency of ``POST /model/parse`` for each text, one at a time."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=rasa_url, headers=headers, timeout=30.0) as client:
        for index, text in enumerate(WARM_UP_TEXTS + texts):
            started = time.perf_counter()
            response = client.post("/model/parse", json={"text": text})
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if index >= WARM_UP:
                latencies.append(elapsed)
    return percentiles(latencies)


def time_encoder(texts: list[str]) -> dict[str, float]:
    """Time of the sentence encoder alone for each text, one at a time, in this process."""
    from bot.nlu.sentence_encoder import shared_encoder  # loads TensorFlow: only when asked

    encoder = shared_encoder()
    for text in WARM_UP_TEXTS:
        encoder.encode_one(text)
    latencies = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode_one(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return percentiles(latencies)


def budget_rows(report: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    """(measure, value, budget, met) for each budget the report has figures for."""
    found: dict[str, tuple[str, float]] = {}
    encoder = (report.get("nlu") or {}).get("encoder")
    if encoder:
        found["encoder_p50_ms"] = ("NLU's added time per message, p50 (encoder)", encoder["p50_ms"])
    single = next((level for level in report.get("levels", []) if level["concurrency"] == 1), None)
    if single:
        found["turn_p95_ms_at_1"] = ("whole turn at 1 conversation, p95 ms", single["p95_ms"])
    rasa_mb = (report.get("peak_memory_mb") or {}).get("rasa")
    if rasa_mb is not None:
        found["rasa_memory_mb"] = ("Rasa resident memory, peak MB", rasa_mb)
    return [
        (label, value, BUDGETS[key], value <= BUDGETS[key]) for key, (label, value) in found.items()
    ]


def markdown(report: dict[str, Any]) -> list[str]:
    """The NLU and budget sections of ``docs/benchmarks.md``."""
    nlu = report.get("nlu")
    if not nlu:
        return []
    lines = [
        "",
        f"Understanding one message ({nlu['messages']} real-style held-out messages, one at a "
        "time, idle stack; scripts/bench_nlu.py):",
        "",
        "| measure | p50 ms | p95 ms | p99 ms | mean ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, label in (
        ("parse", "whole NLU pipeline (`/model/parse`, HTTP included)"),
        ("encoder", "the pretrained sentence encoder alone"),
    ):
        row = nlu[name]
        lines.append(
            f"| {label} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['mean_ms']} |"
        )
    lines += ["", "Budgets (issue #14):", "", "| measure | measured | budget | met |"]
    lines += ["| --- | --- | --- | --- |"]
    for measure, value, budget, met in budget_rows(report):
        lines.append(f"| {measure} | {value:g} | ≤ {budget:g} | {'yes' if met else 'no'} |")
    return lines
