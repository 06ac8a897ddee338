"""Front Door beside a bare Rasa project: the order of the batches, ratios, targets, report."""

from __future__ import annotations

import argparse
import asyncio
import os
import stat
from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace

import pytest

from lib.yaml_files import load_yaml
from scripts import bare_rasa, bench, bench_bare
from scripts.bench_bare import BARE, FRONT_DOOR


def _level(concurrency: int, p50: float, p95: float, p99: float, busy: float) -> dict:
    return {
        "concurrency": concurrency, "conversations": 20, "messages": 60, "errors": 0,
        "error_examples": [], "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "mean_ms": p50,
        "messages_per_s": busy, "busy_messages_per_s": busy, "wall_s": 5.0,
    }  # fmt: skip


def test_the_sides_take_turns_and_the_first_side_changes_every_round() -> None:
    assert bench_bare.interleaved_plan([1, 10], 3) == [
        (1, BARE), (1, FRONT_DOOR),
        (1, FRONT_DOOR), (1, BARE),
        (1, BARE), (1, FRONT_DOOR),
        (10, BARE), (10, FRONT_DOOR),
        (10, FRONT_DOOR), (10, BARE),
        (10, BARE), (10, FRONT_DOOR),
    ]  # fmt: skip


def test_a_batch_splits_the_level_over_the_rounds_but_keeps_every_slot_busy() -> None:
    assert bench_bare.batch_size(1, 40, 4) == 10
    assert bench_bare.batch_size(1, 0, 4) == 5  # the sequential default: 20 a level
    assert bench_bare.batch_size(10, 20, 4) == 20  # two conversations for each slot
    assert bench_bare.batch_size(50, 0, 4) == 100


def test_ratios_are_front_door_over_bare_at_each_level_both_ran() -> None:
    front_door = [_level(1, 150.0, 300.0, 400.0, 6.0), _level(10, 800.0, 1600.0, 2000.0, 8.0)]
    bare = [_level(1, 100.0, 200.0, 0.0, 12.0), _level(50, 1.0, 1.0, 1.0, 1.0)]
    assert bench_bare.ratios(front_door, bare) == [
        {"concurrency": 1, "p50": 1.5, "p95": 1.5, "p99": None, "messages_per_s": 0.5}
    ]


def test_targets_say_which_are_met_and_which_are_not() -> None:
    rows = bench_bare.target_rows([
        {"concurrency": 1, "p50": 1.25, "p95": 2.0, "p99": 2.0, "messages_per_s": 0.1},
        {"concurrency": 10, "p50": 9.0, "p95": 9.0, "p99": 9.0, "messages_per_s": 0.99},
    ])  # fmt: skip
    assert [(row["measured"], row["target"], row["met"]) for row in rows] == [
        (1.25, "≤ 1.25", True),
        (0.99, "≥ 1", False),
    ]
    assert bench_bare.target_rows([]) == []


def _report() -> dict:
    front_door = [_level(1, 150.0, 300.0, 400.0, 6.0), _level(10, 800.0, 1600.0, 2000.0, 12.0)]
    bare = [_level(1, 100.0, 200.0, 250.0, 12.0), _level(10, 400.0, 800.0, 1000.0, 10.0)]
    return {
        "measured_at": "2026-12-05 01:00 UTC",
        "machine": {"cores": 2, "cpu": "AMD EPYC", "memory_gb": 23.5, "python": "3.10.13",
                    "rasa": "3.6.21"},
        "conversation_mix": ["pothole report (Open311)"],
        "levels": front_door,
        "peak_memory_mb": {"action-server": 250.0, "rasa": 1800.0},
        "bare": bench_bare.section(
            front_door, bare, {"rasa": 1200.0}, rounds=4, rasa_version="3.6.21",
            conversation_mix=["happy path"],
        ),
    }  # fmt: skip


def test_the_report_has_a_bare_section_with_ratios_and_targets() -> None:
    markdown = bench._markdown(_report())
    section = markdown[markdown.index("## Bare Rasa beside") :]
    assert "`rasa init --no-prompt (Rasa 3.6.21)`" in section
    assert "4 rounds" in section
    assert "| 1 | Front Door | 60 | 0 | 150.0 | 300.0 | 400.0 | 6.0 |" in section
    assert "| 1 | bare Rasa | 60 | 0 | 100.0 | 200.0 | 250.0 | 12.0 |" in section
    assert "| 1 | 1.5× | 1.5× | 1.6× | 0.5× |" in section
    assert "| 10 | 2× | 2× | 2× | 1.2× |" in section
    assert "Front Door 1800 MB, bare Rasa 1200 MB (1.5×)" in section
    assert "| a turn at 1 conversation, p50, × bare | 1.5× | ≤ 1.25× | no |" in section
    assert "| messages a second at 10 conversations, × bare | 1.2× | ≥ 1× | yes |" in section


def test_front_door_alone_keeps_the_old_report() -> None:
    report = _report()
    del report["bare"]
    markdown = bench._markdown(report)
    assert "Bare Rasa" not in markdown
    assert "| 1 | 20 | 60 | 0 | 150.0 | 300.0 | 400.0 | 6.0 |" in markdown
    assert "| rasa | 1800 |" in markdown


class _FakeReplayer:
    """Records the batches it is asked for; each reply takes no time at all."""

    def __init__(self, side: str, calls: list[tuple[str, int, int]]) -> None:
        self.side, self.calls = side, calls

    async def run_level(self, concurrency: int, conversations: int) -> bench.LevelResult:
        self.calls.append((self.side, concurrency, conversations))
        return bench.LevelResult(
            concurrency, conversations=conversations,
            latencies_ms=[float(len(self.calls))] * 3, errors=[f"error {len(self.calls)}"],
            wall_s=2.0, busy_s=1.0, busy_messages=2,
        )  # fmt: skip


def test_an_interleaved_run_adds_up_each_sides_batches_level_by_level() -> None:
    calls: list[tuple[str, int, int]] = []
    replayers = {side: _FakeReplayer(side, calls) for side in (BARE, FRONT_DOOR)}
    seen: list[tuple[int, str]] = []
    results = asyncio.run(
        bench.run_interleaved(
            replayers, [1, 10], 0, 2, lambda level, side, _: seen.append((level, side))
        )
    )
    assert calls == [
        (BARE, 1, 10), (FRONT_DOOR, 1, 10), (FRONT_DOOR, 1, 10), (BARE, 1, 10),
        (BARE, 10, 20), (FRONT_DOOR, 10, 20), (FRONT_DOOR, 10, 20), (BARE, 10, 20),
    ]  # fmt: skip
    assert seen == [(level, side) for side, level, _ in calls]
    bare_at_1 = results[BARE][0].summary()
    assert bare_at_1["concurrency"] == 1
    assert bare_at_1["conversations"] == 20
    assert bare_at_1["messages"] == 6
    assert results[BARE][0].latencies_ms == [1.0] * 3 + [4.0] * 3
    assert results[BARE][0].errors == ["error 1", "error 4"]
    assert bare_at_1["wall_s"] == 4.0
    assert bare_at_1["busy_messages_per_s"] == 2.0
    assert [result.concurrency for result in results[FRONT_DOOR]] == [1, 10]


def test_the_bare_conversations_expect_what_the_bare_project_says() -> None:
    domain = load_yaml(
        files("rasa.cli").joinpath("initial_project/domain.yml").read_text(encoding="utf-8")
    )
    said = [reply["text"] for replies in domain["responses"].values() for reply in replies]
    script = load_yaml(bench.BARE_CONVERSATIONS.read_text(encoding="utf-8"))
    for conversation in script["conversations"]:
        for turn in conversation["turns"]:
            assert any(turn["expect"] in text for text in said), turn


def _fake_rasa(folder: Path, body: str) -> Path:
    """A stand-in ``rasa`` command: a shell script run with the arguments it was given."""
    command = folder / "rasa"
    command.write_text(f"#!/bin/sh\n{body}\n")
    command.chmod(command.stat().st_mode | stat.S_IXUSR)
    return command


def test_a_trained_bare_project_is_kept_by_rasa_version_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "init.log"
    # What `rasa init --no-prompt --init-dir DIR` leaves: the project and a trained model.
    trains = 'echo "$@"; mkdir -p "$4/models" "$4/.rasa" && touch "$4/models/1.tar.gz"'
    monkeypatch.setattr(bare_rasa, "rasa_executable", lambda: _fake_rasa(tmp_path, trains))
    project = bare_rasa.ensure_project(tmp_path / "cache", log=log)
    assert project == tmp_path / "cache" / bare_rasa.version("rasa")
    assert bare_rasa.trained_model(project) == project / "models" / "1.tar.gz"
    assert not (project / ".rasa").exists()
    assert log.read_text().startswith("init --no-prompt --init-dir ")
    assert os.listdir(tmp_path / "cache") == [project.name]

    fails = "exit 3"
    monkeypatch.setattr(bare_rasa, "rasa_executable", lambda: _fake_rasa(tmp_path, fails))
    assert bare_rasa.ensure_project(tmp_path / "cache", log=log) == project


def test_a_failed_training_leaves_nothing_half_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_model = 'mkdir -p "$4/data"; exit 0'
    monkeypatch.setattr(bare_rasa, "rasa_executable", lambda: _fake_rasa(tmp_path, no_model))
    with pytest.raises(RuntimeError, match="rasa init failed"):
        bare_rasa.ensure_project(tmp_path / "cache", log=tmp_path / "init.log")
    assert os.listdir(tmp_path / "cache") == []


def test_the_bare_server_reads_only_its_own_project_and_listens_on_loopback(
    tmp_path: Path,
) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "1.tar.gz").touch()
    server = bare_rasa.BareRasa(tmp_path, port=5999)
    command = server.service.command
    assert command[1:3] == ["run", "--enable-api"]
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert command[command.index("--model") + 1] == str(tmp_path / "models" / "1.tar.gz")
    assert command[command.index("--credentials") + 1] == str(tmp_path / "credentials.yml")
    assert command[command.index("--endpoints") + 1] == str(tmp_path / "endpoints.yml")
    assert server.service.health_url == "http://127.0.0.1:5999/status"


def test_a_bare_project_without_a_model_cannot_be_served(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no trained model"):
        bare_rasa.BareRasa(tmp_path)


def test_skip_bare_runs_front_door_alone_level_after_level() -> None:
    calls: list[tuple[str, int, int]] = []
    stack = SimpleNamespace(services=[])
    args = argparse.Namespace(levels="1,10", per_level=0, rounds=4)
    report: dict = {}
    dead = bench._bench_levels(args, stack, _FakeReplayer(FRONT_DOOR, calls), None, report)
    assert dead == []
    assert calls == [(FRONT_DOOR, 1, 20), (FRONT_DOOR, 10, 20)]
    assert [level["concurrency"] for level in report["levels"]] == [1, 10]
    assert report["peak_memory_mb"] == {}
    assert "bare" not in report
