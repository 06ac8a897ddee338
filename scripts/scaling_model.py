"""The scaling model of the scaled benchmark, and its report (``make bench-scaled``).

From what one and two Rasa replicas cost per message on this machine, the model predicts
the messages per second of the same stack on a bigger one:

    messages/s ≈ min(K / c, n × R, S)

with K the cores the stack gets, c the CPU seconds the whole stack spends on a message
(every process: Rasa, action servers, nginx, council services, workers, PostgreSQL,
Redis), n the replicas, R one replica's ceiling (a Rasa process is one Python event loop,
so it runs on one core at most: R = 1 / the Rasa CPU seconds of a message) and S the
ceiling of the busiest process that is not replicated (one core each as well).

Everything here is pure: the runner (``scripts/bench_scaled.py``) measures, this reads.
"""

from __future__ import annotations

import math
from typing import Any

#: Process groups that run several processes (no one-core ceiling of their own).
MULTI_PROCESS = {"postgresql", "postgresql (shared)"}


def is_background(name: str) -> bool:
    """Whether a process works behind the messages (a worker): it falls behind, not the turns."""
    return name.endswith("-worker")


#: Stack sizes the report predicts (cores given to the stack, the load generator elsewhere).
PREDICTED_CORES = (4, 8, 16, 32, 64)
#: The share of a predicted rate to plan for: latency climbs steeply near a ceiling.
HEADROOM = 0.7


def is_replica_process(name: str) -> bool:
    """Whether a process group is one per replica (a Rasa server or an action server)."""
    return name.startswith(("rasa-", "action-server-"))


def per_message(topology: dict[str, Any]) -> dict[str, float]:
    """CPU seconds each process group spent on one message."""
    messages = topology["messages"]
    return {name: seconds / messages for name, seconds in topology["cpu_s"].items()}


def stack_cores(topology: dict[str, Any], machine_cores: int) -> float:
    """Cores the stack could have had: the machine's, less what everything else used.

    Everything else is the load generator and other work on the machine, measured as the
    machine's busy time less the stack's.
    """
    stack = sum(topology["cpu_s"].values())
    others = max(0.0, topology["machine_busy_s"] - stack)
    return machine_cores - others / topology["wall_s"]


def build(topologies: list[dict[str, Any]], machine_cores: int) -> dict[str, Any] | None:
    """The model from the measurements (None when nothing was measured).

    The costs come from the topology with the most replicas: that is the one a bigger
    machine runs. Each measured topology is then predicted back, as a check.
    """
    measured = [t for t in topologies if t["messages"] and t["wall_s"]]
    if not measured:
        return None
    largest = max(measured, key=lambda t: t["replicas"])
    costs = per_message(largest)
    stack = sum(costs.values())
    rasa = sum(cost for name, cost in costs.items() if name.startswith("rasa-"))
    if not stack or not rasa:
        return None
    single = {
        name: 1 / cost
        for name, cost in costs.items()
        if cost > 0
        and name not in MULTI_PROCESS
        and not is_replica_process(name)
        and not is_background(name)
    }
    bottleneck = min(single, key=single.__getitem__) if single else ""
    model: dict[str, Any] = {
        "from_replicas": largest["replicas"],
        "stack_cpu_s_per_message": round(stack, 4),
        "rasa_cpu_s_per_message": round(rasa, 4),
        "replica_ceiling_per_s": round(1 / rasa, 2),
        "single_process_ceiling_per_s": round(single[bottleneck], 1) if single else None,
        "single_process_bottleneck": bottleneck,
        "cores_per_replica": round(stack / rasa, 2),
        "postgresql_cpu_s_per_message": round(
            sum(costs.get(name, 0.0) for name in MULTI_PROCESS), 4
        ),
        "memory": memory_model(largest),
    }
    model["checks"] = [check(model, t, machine_cores) for t in measured]
    model["predictions"] = [prediction(model, cores) for cores in PREDICTED_CORES]
    return model


def check(model: dict[str, Any], topology: dict[str, Any], machine_cores: int) -> dict[str, Any]:
    """The model's rate for a measured topology, with the cores it had, beside the measured."""
    cores = stack_cores(topology, machine_cores)
    rasa = sum(sec for name, sec in topology["cpu_s"].items() if name.startswith("rasa-"))
    return {
        "replicas": topology["replicas"],
        "stack_cores": round(cores, 2),
        "rasa_cores_per_replica": round(rasa / topology["wall_s"] / topology["replicas"], 2),
        "predicted_per_s": round(predict(model, cores, topology["replicas"]), 1),
        "measured_per_s": round(topology["messages"] / topology["wall_s"], 1),
    }


def predict(model: dict[str, Any], cores: float, replicas: int) -> float:
    """Messages per second of ``replicas`` replicas on ``cores`` cores."""
    limits = [
        cores / model["stack_cpu_s_per_message"],
        replicas * model["replica_ceiling_per_s"],
    ]
    if model["single_process_ceiling_per_s"]:
        limits.append(model["single_process_ceiling_per_s"])
    return max(0.0, min(limits))


def bound_by(model: dict[str, Any], cores: float, replicas: int) -> str:
    """Which term of the model sets the rate."""
    rate = predict(model, cores, replicas)
    if math.isclose(rate, cores / model["stack_cpu_s_per_message"]):
        return "cores"
    if math.isclose(rate, replicas * model["replica_ceiling_per_s"]):
        return "replicas"
    return model["single_process_bottleneck"]


def prediction(model: dict[str, Any], cores: int) -> dict[str, Any]:
    """Replicas that fill ``cores`` cores, the rate they reach and what they need."""
    replicas = max(1, math.ceil(cores / model["cores_per_replica"]))
    rate = predict(model, cores, replicas)
    memory = model["memory"]
    return {
        "cores": cores,
        "replicas": replicas,
        "messages_per_s": round(rate, 1),
        "plan_for_per_s": round(HEADROOM * rate, 1),
        "bound_by": bound_by(model, cores, replicas),
        "memory_gb": round((memory["fixed_mb"] + replicas * memory["replica_mb"]) / 1024, 1),
        "postgresql_cores": round(rate * model["postgresql_cpu_s_per_message"], 2),
    }


def memory_model(topology: dict[str, Any]) -> dict[str, float]:
    """Peak memory of one replica (a Rasa and an action server) and of the rest (MB).

    PostgreSQL and Redis are not counted: they are shared servers with their own sizing.
    """
    peaks = topology.get("peak_memory_mb", {})
    replicas = max(1, topology["replicas"])
    replica = sum(mb for name, mb in peaks.items() if is_replica_process(name)) / replicas
    fixed = sum(mb for name, mb in peaks.items() if not is_replica_process(name))
    return {"replica_mb": round(replica), "fixed_mb": round(fixed)}


def markdown(report: dict[str, Any]) -> str:
    """``docs/benchmarks-scaled.md`` from the report."""
    machine = report["machine"]
    lines = [
        "# Scaled benchmark: one against two Rasa replicas",
        "",
        f"Measured {report['measured_at']} by `make bench-scaled` (scripts/bench_scaled.py) on "
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB, "
        f"Python {machine['python']}, Rasa {machine['rasa']}.",
        "",
        "Both topologies run at once on this machine, each with nginx in front, Rasa's SQL "
        "tracker store on PostgreSQL, the Redis lock store, and the outbox and council "
        "services on PostgreSQL; they differ only in the replicas behind nginx (a replica "
        "is one Rasa server and one action server). Rounds alternate between them, "
        f"{report['rounds']} each, {report['conversations_per_round']} conversations a round, "
        f"{report['concurrency']} at once, the same conversations in the same round "
        "(scripts/bench_conversations.yml). The load generator runs on the same machine.",
        "",
        "| replicas | messages | errors | p50 ms | p95 ms | messages/s (rounds) "
        "| stack CPU ms/message | Rasa CPU ms/message | cores: stack, load generator, "
        "other work |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_topology_row(t) for t in report["topologies"]]
    lines += _speedup(report["topologies"])
    lines += _cost_table(report["topologies"])
    lines += _model_section(report.get("model"), machine["cores"])
    return "\n".join(lines) + "\n"


def _topology_row(topology: dict[str, Any]) -> str:
    costs = per_message(topology) if topology["messages"] else {}
    rounds = ", ".join(f"{rate:.1f}" for rate in topology["round_messages_per_s"])
    rasa = sum(cost for name, cost in costs.items() if name.startswith("rasa-"))
    wall = topology["wall_s"] or 1.0
    stack = sum(topology["cpu_s"].values())
    generator = topology.get("load_generator_cpu_s", 0.0)
    other = max(0.0, topology["machine_busy_s"] - stack - generator)
    return (
        f"| {topology['replicas']} | {topology['messages']} | {topology['errors']} "
        f"| {topology['p50_ms']} | {topology['p95_ms']} "
        f"| {topology['messages_per_s']} ({rounds}) | {1000 * sum(costs.values()):.0f} "
        f"| {1000 * rasa:.0f} | {stack / wall:.2f}, {generator / wall:.2f}, {other / wall:.2f} |"
    )


def _speedup(topologies: list[dict[str, Any]]) -> list[str]:
    rates = {t["replicas"]: t["messages_per_s"] for t in topologies}
    if not rates.get(1) or not rates.get(2):
        return []
    return ["", f"Two replicas moved {rates[2] / rates[1]:.2f}× the messages a second of one."]


def _cost_table(topologies: list[dict[str, Any]]) -> list[str]:
    measured = [t for t in topologies if t["messages"]]
    if not measured:
        return []
    # In the order of the stack with the most replicas, which has every process.
    by_size = sorted(measured, key=lambda t: -t["replicas"])
    names = list(dict.fromkeys(name for t in by_size for name in t["cpu_s"]))
    header = " | ".join(_replicas(t["replicas"]) for t in measured)
    lines = [
        "",
        "CPU milliseconds per message, by process (the process and its children; PostgreSQL: "
        "the backends serving this stack's databases, and apart the postmaster and its "
        "background writers, which other work shares; Redis: the whole server):",
        "",
        f"| process | {header} |",
        "| --- |" + " --- |" * len(measured),
    ]
    for name in names:
        cells = " | ".join(f"{1000 * per_message(t).get(name, 0.0):.1f}" for t in measured)
        lines.append(f"| {name} | {cells} |")
    totals = " | ".join(f"{1000 * sum(per_message(t).values()):.1f}" for t in measured)
    lines.append(f"| **whole stack** | {totals} |")
    return lines


def _replicas(count: int) -> str:
    return f"{count} replica{'s' if count > 1 else ''}"


def _model_section(model: dict[str, Any] | None, machine_cores: int) -> list[str]:
    if model is None:
        return ["", "No model: nothing was measured."]
    c = model["stack_cpu_s_per_message"]
    replica = model["replica_ceiling_per_s"]
    single = model["single_process_ceiling_per_s"]
    formula = f"min(K / {c:.3f}, n × {replica:.1f}"
    formula += f", {single:.0f})" if single else ")"
    memory = model["memory"]
    lines = [
        "",
        "## Model",
        "",
        f"messages/s ≈ {formula}",
        "",
        f"- K: cores given to the stack. Each message costs {c:.3f} CPU seconds of the whole "
        f"stack (measured with {model['from_replicas']} replicas), so K cores handle at most "
        f"K / {c:.3f} messages a second.",
        f"- n: replicas. A Rasa process is one Python event loop and uses one core at most; "
        f"it spends {model['rasa_cpu_s_per_message']:.3f} CPU seconds on a message, so one "
        f"replica handles at most {replica:.1f} messages a second.",
    ]
    if single:
        lines.append(
            f"- {single:.0f}: the ceiling of the busiest process that is not replicated "
            f"({model['single_process_bottleneck']}, one core)."
        )
    lines += [
        f"- To fill K cores, run about K / {model['cores_per_replica']:.2f} replicas: each "
        "replica keeps that many cores busy with its share of nginx, the action server, "
        "the council services, PostgreSQL and Redis.",
        f"- Memory: about {memory['replica_mb']} MB per replica (Rasa and action server, peak) "
        f"and {memory['fixed_mb']} MB for the rest, besides PostgreSQL and Redis.",
        "",
        "The model against this run (K: the cores the stack had, the machine's "
        f"{machine_cores} less what the load generator and other work used):",
        "",
        "| replicas | K | predicted messages/s | measured messages/s "
        "| cores each Rasa process used |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {check['replicas']} | {check['stack_cores']} | {check['predicted_per_s']} "
        f"| {check['measured_per_s']} | {check['rasa_cores_per_replica']} |"
        for check in model["checks"]
    ]
    lines += [
        "",
        f"Predicted for a bigger machine (plan for {HEADROOM:.0%} of the rate: latency climbs "
        "near a ceiling):",
        "",
        "| cores for the stack | replicas | messages/s | plan for | bound by | memory GB "
        "| PostgreSQL cores |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {row['cores']} | {row['replicas']} | {row['messages_per_s']} "
        f"| {row['plan_for_per_s']} | {row['bound_by']} | {row['memory_gb']} "
        f"| {row['postgresql_cores']} |"
        for row in model["predictions"]
    ]
    lines += ["", "## Limits of the model", ""] + [f"- {limit}" for limit in LIMITS]
    return lines


LIMITS = (
    "It is linear: it assumes a message costs the same on a bigger machine. Contention for "
    "the one PostgreSQL server, the Redis lock store and memory bandwidth can raise the cost "
    "as replicas are added; rerun `make bench-scaled` there to check.",
    "It predicts throughput, not latency. A turn's latency rises steeply as the rate "
    "nears any ceiling; the rate to plan for keeps some room.",
    "The costs hold for this conversation mix (scripts/bench_conversations.yml) and this "
    "trained model. Longer conversations, other journeys or a bigger NLU pipeline cost more.",
    "The one-core ceiling of a replica assumes Rasa's work stays on its event loop. "
    "A little of it runs on other threads (about a twentieth here), so a replica can go "
    "a little past it.",
    "PostgreSQL's share is counted in the whole stack's cost; on its own machine, the "
    "table's PostgreSQL cores are what it needs. Its background writers and Redis are "
    "shared with other work on this machine, so their share may be a little high.",
    "On this machine the load generator and other work take cores too; the check against "
    "the run takes them out. A machine with two cores cannot show the ceiling of two "
    "replicas, only of one, so the replica ceiling is derived from CPU time, not seen.",
    "The outbox and insight workers work behind the turns, one process each: past one "
    "core they fall behind (the outbox queues), without slowing a turn.",
    "Processes that start and end within a round (none in this stack) would not be counted.",
)
