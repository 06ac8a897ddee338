"""The scaling model of the scaled benchmark and its report (scripts/scaling_model.py)."""

from __future__ import annotations

import copy

import pytest

from scripts import scaling_model

TWO = {
    "replicas": 2,
    "messages": 1000,
    "errors": 0,
    "p50_ms": 900.0,
    "p95_ms": 2000.0,
    "messages_per_s": 10.0,
    "round_messages_per_s": [9.8, 10.2],
    "wall_s": 100.0,
    "machine_busy_s": 230.0,  # 30 s more than the stack: 0.3 cores for everything else
    "load_generator_cpu_s": 20.0,  # 0.2 cores of those
    "cpu_s": {
        "council-services": 20.0,
        "action-server-a": 10.0,
        "action-server-b": 10.0,
        "outbox-worker": 4.0,
        "rasa-a": 60.0,
        "rasa-b": 60.0,
        "nginx": 5.0,
        "postgresql": 25.0,
        "postgresql (shared)": 1.0,
        "redis": 5.0,
    },
    "peak_memory_mb": {
        "council-services": 300.0,
        "action-server-a": 250.0,
        "action-server-b": 250.0,
        "outbox-worker": 50.0,
        "rasa-a": 1800.0,
        "rasa-b": 1700.0,
        "nginx": 10.0,
    },
}
ONE = {
    **TWO,
    "replicas": 1,
    "messages": 500,
    "messages_per_s": 8.3,
    "wall_s": 60.0,
    "machine_busy_s": 110.0,
    "load_generator_cpu_s": 12.0,
    "round_messages_per_s": [8.0, 8.6],
    "cpu_s": {
        "council-services": 10.0,
        "action-server-a": 9.0,
        "outbox-worker": 2.0,
        "rasa-a": 55.0,
        "nginx": 2.0,
        "postgresql": 12.0,
        "redis": 2.0,
    },
}


def test_the_costs_come_from_the_run_with_the_most_replicas():
    model = scaling_model.build([ONE, TWO], machine_cores=2)
    assert model["from_replicas"] == 2
    assert model["stack_cpu_s_per_message"] == pytest.approx(0.2)
    assert model["rasa_cpu_s_per_message"] == pytest.approx(0.12)
    assert model["replica_ceiling_per_s"] == pytest.approx(8.33)
    assert model["cores_per_replica"] == pytest.approx(1.67)
    assert model["postgresql_cpu_s_per_message"] == pytest.approx(0.026)
    # council services: 0.02 s a message on one core. Workers and PostgreSQL set no ceiling.
    assert model["single_process_bottleneck"] == "council-services"
    assert model["single_process_ceiling_per_s"] == pytest.approx(50.0)
    assert model["memory"] == {"replica_mb": 2000, "fixed_mb": 360}


def test_each_measured_run_is_predicted_back_with_the_cores_it_had():
    model = scaling_model.build([ONE, TWO], machine_cores=2)
    assert model["checks"] == [
        # 1.7 cores: one replica is held by its Rasa process (8.33 a second) ...
        {
            "replicas": 1,
            "stack_cores": 1.7,
            "rasa_cores_per_replica": 0.92,
            "predicted_per_s": 8.3,
            "measured_per_s": 8.3,
        },
        # ... two by the cores (1.7 / 0.2).
        {
            "replicas": 2,
            "stack_cores": 1.7,
            "rasa_cores_per_replica": 0.6,
            "predicted_per_s": 8.5,
            "measured_per_s": 10.0,
        },
    ]
    assert scaling_model.bound_by(model, 1.7, 1) == "replicas"
    assert scaling_model.bound_by(model, 1.7, 2) == "cores"


def test_a_bigger_machine_gets_the_replicas_that_fill_it_until_a_single_process_caps_it():
    model = scaling_model.build([ONE, TWO], machine_cores=2)
    rows = {row["cores"]: row for row in model["predictions"]}
    assert rows[4] == {
        "cores": 4,
        "replicas": 3,  # 4 cores / 1.67 cores a replica
        "messages_per_s": 20.0,
        "plan_for_per_s": 14.0,
        "bound_by": "cores",
        "memory_gb": 6.2,
        "postgresql_cores": 0.52,
    }
    assert rows[16]["replicas"] == 10
    assert rows[16]["messages_per_s"] == 50.0
    assert rows[16]["bound_by"] == "council-services"


def test_nothing_measured_gives_no_model():
    empty = {**ONE, "messages": 0, "wall_s": 0.0}
    assert scaling_model.build([empty], machine_cores=2) is None
    no_rasa = copy.deepcopy(TWO)
    no_rasa["cpu_s"] = {"nginx": 1.0}
    assert scaling_model.build([no_rasa], machine_cores=2) is None


def report(model: bool = True) -> dict:
    topologies = [ONE, TWO]
    return {
        "measured_at": "2026-12-05 01:00 UTC",
        "machine": {
            "cores": 2,
            "cpu": "Test CPU",
            "memory_gb": 23.5,
            "python": "3.10.13",
            "rasa": "3.6.21",
        },
        "rounds": 2,
        "conversations_per_round": 40,
        "concurrency": 16,
        "topologies": topologies,
        "model": scaling_model.build(topologies, 2) if model else None,
    }


def test_the_report_describes_the_machine_the_runs_the_costs_and_the_model():
    text = scaling_model.markdown(report())
    assert "on 2 cores (Test CPU), 23.5 GB" in text
    row = "| 1 | 500 | 0 | 900.0 | 2000.0 | 8.3 (8.0, 8.6) | 184 | 110 | 1.53, 0.20, 0.10 |"
    assert row in text
    row = "| 2 | 1000 | 0 | 900.0 | 2000.0 | 10.0 (9.8, 10.2) | 200 | 120 | 2.00, 0.20, 0.10 |"
    assert row in text
    assert "Two replicas moved 1.20× the messages a second of one." in text
    assert "| process | 1 replica | 2 replicas |" in text
    assert "| rasa-b | 0.0 | 60.0 |" in text
    # Processes in the order of the bigger stack: rasa-b beside rasa-a, not at the end.
    assert text.index("| rasa-a |") < text.index("| rasa-b |") < text.index("| nginx |")
    assert "| **whole stack** | 184.0 | 200.0 |" in text
    assert "messages/s ≈ min(K / 0.200, n × 8.3, 50)" in text
    assert "(council-services, one core)" in text
    assert "| 1 | 1.7 | 8.3 | 8.3 | 0.92 |" in text
    assert "| 4 | 3 | 20.0 | 14.0 | cores | 6.2 | 0.52 |" in text
    assert "## Limits of the model" in text


def test_a_report_without_a_model_says_so():
    text = scaling_model.markdown(report(model=False))
    assert "No model: nothing was measured." in text
    assert "## Model" not in text
