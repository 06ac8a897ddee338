"""The stacks the scaled benchmark compares, and how it sorts processes (scripts/bench_scaled.py).

Nothing is started: PostgreSQL, nginx and the model are not needed to build the stacks.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.launcher import scaled_stack
from bot.launcher.scaled_stack import InternalPorts, write_nginx_config
from bot.settings import Settings
from scripts import bench_scaled
from scripts.bench import LevelResult
from scripts.proc_cpu import ProcessTimes

PORTS = InternalPorts(6101, 6102, 6201, 6202)
COUNCIL_DB = "postgresql+psycopg2://postgres@127.0.0.1:5432/council"


def upstream_servers(config: str) -> dict[str, list[str]]:
    """The servers of each nginx upstream block."""
    blocks = re.findall(r"upstream (\w+) \{(.*?)\}", config, flags=re.S)
    return {name: re.findall(r"server (127\.0\.0\.1:\d+)", body) for name, body in blocks}


def test_one_replica_keeps_the_first_rasa_and_action_server_behind_nginx(tmp_path):
    settings = Settings(_env_file=None, var_dir=tmp_path)
    config = write_nginx_config(settings, PORTS, tmp_path).read_text()
    assert upstream_servers(config) == {
        "rasa": ["127.0.0.1:6101", "127.0.0.1:6102"],
        "actions": ["127.0.0.1:6201", "127.0.0.1:6202"],
    }
    single = bench_scaled.single_replica_config(config, PORTS)
    assert upstream_servers(single) == {"rasa": ["127.0.0.1:6101"], "actions": ["127.0.0.1:6201"]}
    # Only those two lines go: the rest of the configuration is the same.
    assert len(config.splitlines()) - len(single.splitlines()) == 2


@pytest.fixture
def unchecked(monkeypatch):
    # No PostgreSQL databases or nginx are needed to build the processes.
    monkeypatch.setattr(scaled_stack, "check_scaled_settings", lambda *_: None)
    monkeypatch.setattr(scaled_stack, "ensure_database", lambda url: None)


@pytest.mark.parametrize("replicas", [1, 2])
def test_the_two_stacks_differ_only_in_their_replicas(tmp_path, unchecked, replicas):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = bench_scaled.ReplicaStack(settings, tmp_path / "m.tar.gz", COUNCIL_DB, replicas, PORTS)
    names = [service.name for service in stack.services]
    replica_names = {"rasa-a", "action-server-a"} | (
        {"rasa-b", "action-server-b"} if replicas == 2 else set()
    )
    assert {n for n in names if n.startswith(("rasa-", "action-server-"))} == replica_names
    assert {n for n in names if not n.startswith(("rasa-", "action-server-"))} == {
        "council-services", "outbox-worker", "insight-worker", "retention-worker",
        "council-retention-worker", "nginx",
    }  # fmt: skip
    config = Path(stack.nginx.command[2]).read_text()
    assert ("127.0.0.1:6102" in config) is (replicas == 2)
    assert ("127.0.0.1:6202" in config) is (replicas == 2)


def test_a_third_replica_is_refused(tmp_path, unchecked):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    with pytest.raises(ValueError):
        bench_scaled.ReplicaStack(settings, tmp_path / "m.tar.gz", COUNCIL_DB, 3, PORTS)


def test_each_process_is_charged_to_its_service_postgresql_or_redis():
    def service(name: str, pid: int) -> SimpleNamespace:
        return SimpleNamespace(name=name, process=SimpleNamespace(pid=pid))

    stack = SimpleNamespace(
        services=[service("rasa-a", 100), service("nginx", 200), service("unstarted", 0)]
    )
    stack.services[2].process = None
    topology = SimpleNamespace(stack=stack)
    after = {
        p.key: p
        for p in (
            ProcessTimes(100, "rasa", 1, 0, 1),
            ProcessTimes(101, "rasa child", 100, 0, 2),
            ProcessTimes(200, "nginx", 1, 0, 1),
            ProcessTimes(201, "nginx worker", 200, 0, 2),
            ProcessTimes(500, "postmaster", 1, 0, 1),
            ProcessTimes(501, "backend of ours", 500, 0, 2),
            ProcessTimes(502, "backend of another stack", 500, 0, 2),
            ProcessTimes(503, "walwriter", 500, 0, 2),
            ProcessTimes(600, "redis-server", 1, 0, 1),
        )
    }
    groups = bench_scaled.process_groups(topology, after, ({501}, {503}), 600)
    assert groups == {
        "rasa-a": {100, 101},
        "nginx": {200, 201},
        "postgresql": {501},
        "postgresql (shared)": {500, 503},
        "redis": {600},
    }
    assert "redis" not in bench_scaled.process_groups(topology, after, ({501}, {503}), None)


def test_a_topologys_rounds_add_up():
    stack = SimpleNamespace(replicas=2)
    topology = bench_scaled.Topology(stack, ["db"])
    topology.rounds = [
        LevelResult(16, conversations=2, latencies_ms=[100.0, 300.0], wall_s=2.0),
        LevelResult(16, conversations=3, latencies_ms=[200.0] * 6, errors=["x"], wall_s=2.0),
    ]
    topology.cpu_s = {"rasa-a": 1.23456}
    summary = topology.summary()
    assert summary["replicas"] == 2
    assert summary["conversations"] == 5
    assert summary["messages"] == 8
    assert summary["errors"] == 1
    assert summary["messages_per_s"] == 2.0
    assert summary["round_messages_per_s"] == [1.0, 3.0]
    assert summary["wall_s"] == 4.0
    assert summary["cpu_s"] == {"rasa-a": 1.235}


def test_each_stack_gets_fresh_databases_of_its_own():
    first = bench_scaled.database_urls("postgresql://pg", 1)
    second = bench_scaled.database_urls("postgresql://pg", 1)
    assert set(first) == {"tracker", "outbox", "council"}
    assert not set(first.values()) & set(second.values())
    assert all(url.startswith("postgresql://pg/fd_bench_1r_") for url in first.values())
