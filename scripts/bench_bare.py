"""Front Door against a bare Rasa project in the same run (``make bench``, issue #19).

Absolute times drift on a shared machine, so the benchmark measures the bare project
(``scripts/bare_rasa.py``) beside Front Door with the same client, in interleaved rounds
at each concurrency level, and judges Front Door by ratios: its figure divided by the bare
project's. This module holds the pure parts: the order of the batches, the ratios, the
targets and the report's section.
"""

from __future__ import annotations

import math
from typing import Any

#: The two sides of an interleaved run, as the report names them.
BARE, FRONT_DOOR = "bare", "front-door"
#: Issue #19's targets, as ratios to the bare project measured in the same run.
TARGETS = {
    "p50_ratio_at_1": 1.25,
    "throughput_ratio_at_10": 1.0,
}


def interleaved_plan(levels: list[int], rounds: int) -> list[tuple[int, str]]:
    """The order of the batches: (concurrency, side) for each level, round after round.

    Each round runs one batch on each side. Which side goes first alternates from round
    to round (bare then Front Door, then Front Door then bare), so neither side always
    runs on a machine the other has just warmed or loaded.
    """
    plan: list[tuple[int, str]] = []
    for level in levels:
        for number in range(rounds):
            sides = (BARE, FRONT_DOOR) if number % 2 == 0 else (FRONT_DOOR, BARE)
            plan += [(level, side) for side in sides]
    return plan


def batch_size(concurrency: int, per_level: int, rounds: int) -> int:
    """Conversations in one batch: ``per_level`` split over the rounds.

    At least two for each of the ``concurrency`` slots, so that every slot stays busy for
    a while before the first one runs out of work. ``per_level`` 0 means the default of
    the sequential run: twice the level, 20 at least.
    """
    total = per_level or max(20, 2 * concurrency)
    return max(2 * concurrency, math.ceil(total / max(1, rounds)))


def _ratio(front_door: float, bare: float) -> float | None:
    """Front Door's figure over the bare project's, to two places; None without a base."""
    return round(front_door / bare, 2) if bare else None


def ratios(front_door: list[dict[str, Any]], bare: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Front Door over bare at each level both sides ran: latency percentiles and throughput.

    A latency ratio above 1 means Front Door is slower; a throughput ratio below 1 means it
    handles fewer messages a second. Throughput is taken while every conversation slot was
    busy (``busy_messages_per_s``).
    """
    by_level = {level["concurrency"]: level for level in bare}
    rows = []
    for ours in front_door:
        theirs = by_level.get(ours["concurrency"])
        if theirs is None:
            continue
        rows.append({
            "concurrency": ours["concurrency"],
            "p50": _ratio(ours["p50_ms"], theirs["p50_ms"]),
            "p95": _ratio(ours["p95_ms"], theirs["p95_ms"]),
            "p99": _ratio(ours["p99_ms"], theirs["p99_ms"]),
            "messages_per_s": _ratio(ours["busy_messages_per_s"], theirs["busy_messages_per_s"]),
        })  # fmt: skip
    return rows


def target_rows(ratio_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue #19's targets the run has figures for: measured ratio, target, met or not."""
    by_level = {row["concurrency"]: row for row in ratio_rows}
    rows = []
    single = by_level.get(1)
    if single and single["p50"] is not None:
        target = TARGETS["p50_ratio_at_1"]
        rows.append({
            "measure": "a turn at 1 conversation, p50, × bare",
            "measured": single["p50"], "target": f"≤ {target:g}", "met": single["p50"] <= target,
        })  # fmt: skip
    ten = by_level.get(10)
    if ten and ten["messages_per_s"] is not None:
        target = TARGETS["throughput_ratio_at_10"]
        rows.append({
            "measure": "messages a second at 10 conversations, × bare",
            "measured": ten["messages_per_s"], "target": f"≥ {target:g}",
            "met": ten["messages_per_s"] >= target,
        })  # fmt: skip
    return rows


def section(
    front_door: list[dict[str, Any]],
    bare: list[dict[str, Any]],
    peak_memory_mb: dict[str, float],
    *,
    rounds: int,
    rasa_version: str,
    conversation_mix: list[str],
) -> dict[str, Any]:
    """The ``bare`` part of ``docs/benchmarks.json``."""
    ratio_rows = ratios(front_door, bare)
    return {
        "project": f"rasa init --no-prompt (Rasa {rasa_version})",
        "conversation_mix": conversation_mix,
        "rounds": rounds,
        "levels": bare,
        "peak_memory_mb": peak_memory_mb,
        "ratios": ratio_rows,
        "targets": target_rows(ratio_rows),
    }


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:g}×"


def markdown(report: dict[str, Any]) -> list[str]:
    """The "bare Rasa beside" section of ``docs/benchmarks.md`` (none without a bare run)."""
    bare = report.get("bare")
    if not bare:
        return []
    lines = [
        "",
        "## Bare Rasa beside (issue #19)",
        "",
        f"The same client replayed the bare project's own conversations "
        f"({', '.join(bare['conversation_mix'])}; scripts/bench_bare_conversations.yml) "
        f"against `{bare['project']}`: its default pipeline and policies, the in-memory "
        "tracker store, no custom actions (scripts/bare_rasa.py). The two sides took turns "
        f"at each level, {bare['rounds']} rounds of one batch each, the side that went first "
        "changing every round. Messages a second count the time while every conversation "
        "slot was busy.",
        "",
        "| concurrent conversations | side | messages | errors | p50 ms | p95 ms | p99 ms "
        "| messages/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    bare_by_level = {level["concurrency"]: level for level in bare["levels"]}
    for ours in report["levels"]:
        theirs = bare_by_level.get(ours["concurrency"])
        for side, level in (("Front Door", ours), ("bare Rasa", theirs)):
            if level is None:
                continue
            lines.append(
                f"| {level['concurrency']} | {side} | {level['messages']} | {level['errors']} "
                f"| {level['p50_ms']} | {level['p95_ms']} | {level['p99_ms']} "
                f"| {level['busy_messages_per_s']} |"
            )
    lines += [
        "",
        "Front Door over bare Rasa (latency above 1×: slower; messages a second below 1×: fewer):",
        "",
        "| concurrent conversations | p50 | p95 | p99 | messages/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in bare["ratios"]:
        lines.append(
            f"| {row['concurrency']} | {_cell(row['p50'])} | {_cell(row['p95'])} "
            f"| {_cell(row['p99'])} | {_cell(row['messages_per_s'])} |"
        )
    rasa_mb = (report.get("peak_memory_mb") or {}).get("rasa")
    bare_mb = bare["peak_memory_mb"].get("rasa")
    if rasa_mb is not None and bare_mb:
        lines += [
            "",
            f"Peak resident memory of Rasa: Front Door {rasa_mb:.0f} MB, bare Rasa "
            f"{bare_mb:.0f} MB ({_cell(_ratio(rasa_mb, bare_mb))}).",
        ]
    lines += ["", "Targets (issue #19):", "", "| measure | measured | target | met |"]
    lines += ["| --- | --- | --- | --- |"]
    for row in bare["targets"]:
        lines.append(
            f"| {row['measure']} | {row['measured']:g}× | {row['target']}× "
            f"| {'yes' if row['met'] else 'no'} |"
        )
    return lines
