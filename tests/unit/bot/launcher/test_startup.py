"""``make run``'s plan, its estimates, the record of real durations and the stage lines
(``bot/launcher/startup.py``). A fake clock drives the stage lines: nothing here is timed.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from bot import model_identity
from bot.launcher import startup
from bot.launcher.startup import (
    DEFAULT_SECONDS,
    Situation,
    StageLines,
    StageTimes,
    TrainingProgress,
    describe,
    format_duration,
    format_estimate,
    plan,
    training_event,
)
from bot.nlu.encoder_files import ENCODER_ID
from bot.settings import REPO_ROOT
from bot.training import runtime_tag, training_fingerprint


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _lines(tmp_path: Path, clock: FakeClock) -> tuple[StageLines, list[str]]:
    said: list[str] = []
    times = StageTimes.load(tmp_path / "stage-times.json")
    return StageLines(said.append, times, clock=clock, tick_s=None), said


# --- Durations as people read them ---


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (44.6, "45 s"), (60, "1 min"), (80, "1 min 20 s"), (660, "11 min")],
)
def test_durations_read_as_minutes_and_seconds(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "~5 s"), (18, "~20 s"), (52, "~50 s"), (58, "~1 min"), (250, "~4 min"), (660, "~11 min")],
)
def test_estimates_are_rounded(seconds, text):
    assert format_estimate(seconds) == text


# --- The record of real durations ---


def test_without_a_record_the_defaults_apply(tmp_path):
    times = StageTimes.load(tmp_path / "stage-times.json")
    assert {stage: times.estimate(stage) for stage in startup.STAGES} == DEFAULT_SECONDS
    assert not times.measured("training")


def test_a_recorded_duration_is_kept_on_disk_and_used_next_time(tmp_path):
    path = tmp_path / "cache" / "stage-times.json"
    StageTimes.load(path).record("loading", 42.04)
    again = StageTimes.load(path)
    assert again.estimate("loading") == 42.0
    assert again.measured("loading")
    assert again.estimate("training") == DEFAULT_SECONDS["training"]
    assert json.loads(path.read_text())["stages"] == {"loading": [42.0]}


def test_the_estimate_is_the_median_of_the_last_three_runs(tmp_path):
    times = StageTimes.load(tmp_path / "t.json")
    for seconds in (900, 30, 40, 500, 45):
        times.record("loading", seconds)
    assert times.estimate("loading") == 45  # median of 40, 500, 45: one slow run counts little
    for seconds in (1, 2, 3, 4):
        times.record("loading", seconds)
    assert len(StageTimes.load(tmp_path / "t.json").runs["loading"]) == startup.KEPT_RUNS


@pytest.mark.parametrize("body", ["not json", '{"stages": {"loading": ["x"]}}', "[1, 2]"])
def test_a_damaged_record_counts_as_none(tmp_path, body):
    path = tmp_path / "stage-times.json"
    path.write_text(body)
    assert StageTimes.load(path).estimate("loading") == DEFAULT_SECONDS["loading"]


def test_an_unwritable_record_does_not_stop_the_start(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    times = StageTimes.load(blocker / "stage-times.json")
    times.record("loading", 10)  # its folder cannot exist: nothing raised
    assert times.estimate("loading") == 10


# --- The plan printed up front ---


def test_a_fresh_machine_is_told_every_stage_and_the_total(tmp_path):
    times = StageTimes.load(tmp_path / "t.json")
    text = describe(plan(Situation(False, False, False), times), times)
    assert "install ~40 s, encoder ~20 s, training ~3 min, loading ~1 min" in text
    assert "about 5 min in all" in text
    assert "first-time defaults" in text


def test_with_everything_in_place_only_the_loading_is_expected(tmp_path):
    times = StageTimes.load(tmp_path / "t.json")
    times.record("loading", 38)
    steps = plan(Situation(True, True, True), times)
    assert [(step.stage, step.seconds) for step in steps] == [
        ("install", 0),
        ("encoder", 0),
        ("training", 0),
        ("loading", 38),
    ]
    text = describe(steps, times)
    assert "model found: no training" in text
    assert "dependencies up to date" in text
    assert "loading ~40 s; about 40 s in all (from earlier runs on this machine)" in text


def test_the_plan_uses_the_times_recorded_here(tmp_path):
    times = StageTimes.load(tmp_path / "t.json")
    times.record("training", 1500)
    text = describe(plan(Situation(True, True, False), times), times)
    assert "training ~25 min, loading ~1 min; about 26 min in all" in text
    assert "partly first-time defaults" in text


# --- What is already there ---


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "requirements").mkdir(parents=True)
    (root / "requirements" / "requirements.in").write_text("rasa==3.6.21\n")
    (root / "requirements" / "constraints.txt").write_text(
        "numpy==1.23.5\nrasa==3.6.21\nscikit-learn==1.1.3\n"
    )
    (root / "config.yml").write_text("pipeline: []\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    return root


def test_the_install_is_current_only_while_the_stamp_holds_the_requirements(tmp_path):
    root = _repo(tmp_path)
    assert not startup.installed(root)  # no stamp yet
    assert startup.main(["stamp"], root=root) == 0
    assert startup.installed(root)
    (root / "requirements" / "constraints.txt").write_text("rasa==3.6.22\n")
    assert not startup.installed(root)


def test_an_older_empty_stamp_counts_as_make_judges_it(tmp_path):
    root = _repo(tmp_path)
    stamp = root / startup.STAMP
    stamp.write_text("")
    os.utime(stamp, (1, 1))  # older than the requirement files: install again
    assert not startup.installed(root)
    stamp.touch()  # newer: current, and it now holds the hash
    assert startup.installed(root)
    assert stamp.read_text().strip() == startup.requirements_digest(root)


def test_no_virtual_environment_is_never_installed(tmp_path):
    root = _repo(tmp_path)
    startup.main(["stamp"], root=root)
    (root / ".venv" / "bin" / "python").unlink()
    assert not startup.installed(root)


def _model_name(root: Path) -> str:
    pins = model_identity.pinned_versions(root)
    return model_identity.model_file_name(
        model_identity.fingerprint(root, ENCODER_ID, pins["rasa"])
    )


def test_a_model_is_found_in_the_checkout_or_the_machines_cache(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    monkeypatch.setenv("ENCODER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELS_DIR", raising=False)
    monkeypatch.delenv("MODEL_CACHE", raising=False)
    assert not startup.model_found(root)
    pins = model_identity.pinned_versions(root)
    tag = model_identity.runtime_tag(platform.python_version(), pins)
    cached = tmp_path / "cache" / "models" / tag / _model_name(root)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"model")
    assert startup.model_found(root)
    monkeypatch.setenv("MODEL_CACHE", "off")
    assert not startup.model_found(root)
    (root / "models").mkdir()
    (root / "models" / _model_name(root)).write_bytes(b"model")
    assert startup.model_found(root)


def test_a_changed_input_means_a_training(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    (root / "models").mkdir()
    (root / "models" / _model_name(root)).write_bytes(b"model")
    (root / "config.yml").write_text("pipeline: [{name: WhitespaceTokenizer}]\n")
    assert not startup.model_found(root)


def test_models_dir_in_dot_env_is_read_as_the_settings_read_it(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    monkeypatch.setenv("MODEL_CACHE", "off")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / _model_name(root)).write_bytes(b"model")
    (root / ".env").write_text(f"COUNCIL=x\nMODELS_DIR='{elsewhere}'\n")
    assert startup.model_found(root)


def test_the_pins_name_the_same_model_and_cache_as_the_installed_packages():
    """Before the environment exists the plan reads the pins: they must agree with it."""
    pins = model_identity.pinned_versions(REPO_ROOT)
    assert model_identity.fingerprint(REPO_ROOT, ENCODER_ID, pins["rasa"]) == (
        training_fingerprint()
    )
    assert model_identity.runtime_tag(platform.python_version(), pins) == runtime_tag()


def test_the_plan_needs_only_the_standard_library():
    """``make run`` plans on the machine's Python before any package is installed."""
    code = (
        "import sys, bot.launcher.startup as s; s.look();"
        " ours = ('bot', 'lib'); stdlib = sys.stdlib_module_names;"
        " extra = {m.split('.')[0] for m in sys.modules} - set(stdlib) - set(ours);"
        " print(sorted(m for m in extra if not m.startswith('_')))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT), "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


# --- Stage lines ---


def test_a_stage_says_what_it_does_the_time_to_expect_and_how_long_it_took(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    with lines.stage("loading", "starting 7 processes", 50) as stage:
        clock.advance(12)
        stage.say("rasa ready in 12 s")
        clock.advance(30)
    assert said == [
        "[loading] starting 7 processes (expect ~50 s)...",
        "[loading] rasa ready in 12 s",
        "[loading] done in 42 s",
    ]
    assert StageTimes.load(tmp_path / "stage-times.json").estimate("loading") == 42


def test_a_quiet_stage_says_the_time_so_far_and_what_it_waits_for(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    with lines.stage("loading", "starting 7 processes", 60) as stage:
        clock.advance(25)
        stage.status = "waiting for rasa"
        stage.tick(20)
        clock.advance(5)
        stage.tick(20)  # said something 5 s ago: quiet
        clock.advance(15)
        stage.say("rasa ready in 45 s")
        stage.tick(20)
    assert said[1] == "[loading] 25 s so far of ~1 min; waiting for rasa"
    assert said[2] == "[loading] rasa ready in 45 s"
    assert said[3] == "[loading] done in 45 s"


def test_a_failed_stage_says_so_and_is_not_recorded(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    with pytest.raises(RuntimeError), lines.stage("training", "training", 600):
        clock.advance(70)
        raise RuntimeError("rasa train failed")
    assert said[-1] == "[training] stopped after 1 min 10 s"
    assert not StageTimes.load(tmp_path / "stage-times.json").measured("training")


def test_a_stage_can_run_unrecorded_and_without_an_estimate(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    with lines.stage("install", "updating the dependencies", record=False):
        clock.advance(9)
    assert said == ["[install] updating the dependencies...", "[install] done in 9 s"]
    assert not StageTimes.load(tmp_path / "stage-times.json").measured("install")


def test_the_ticker_speaks_while_a_stage_is_silent(tmp_path):
    said: list[str] = []
    lines = StageLines(said.append, StageTimes(None), tick_s=0.01)
    with lines.stage("install", "installing", 240) as stage:
        stage.status = "pip"
        while len(said) < 2:
            pass
    assert said[1].startswith("[install] 0 s so far of ~4 min; pip")


# --- Rasa's training output ---


def test_rasas_component_lines_are_recognised():
    assert training_event(
        "2026-12-05 00:20:01 INFO rasa.engine.training.hooks - "
        "Starting to train component 'DIETClassifier'."
    ) == ("start", "DIETClassifier")
    assert training_event("... Finished training component 'TEDPolicy'.") == (
        "finish",
        "TEDPolicy",
    )
    assert training_event("Epochs:  10%|#   | 10/100") is None


def test_training_says_each_component_with_its_place_and_last_time(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    previous = [("CountVectorsFeaturizer", 2.0), ("DIETClassifier", 240.0), ("TEDPolicy", 120.0)]
    with lines.stage("training", "training", 600) as stage:
        progress = TrainingProgress(stage, previous, clock)
        progress.feed("INFO Starting to train component 'CountVectors")  # a line in two parts
        progress.feed("Featurizer'.\nINFO Finished training component 'CountVectorsFeaturizer'.\n")
        clock.advance(3)
        progress.feed("INFO Starting to train component 'DIETClassifier'.\r")
        progress.feed("Epochs:  50%|#####     | 50/100\rEpochs: 100%\n")
        clock.advance(200)
        progress.feed("INFO Finished training component 'DIETClassifier'.\n")
    assert said[1] == "[training] training CountVectorsFeaturizer (1/3); 0 s so far of ~10 min"
    assert said[2] == (
        "[training] training DIETClassifier (2/3), took 4 min last time; 3 s so far of ~10 min"
    )
    assert progress.done == [("CountVectorsFeaturizer", 0.0), ("DIETClassifier", 200.0)]


def test_the_first_training_counts_components_without_a_total(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    with lines.stage("training", "training", 600) as stage:
        progress = TrainingProgress(stage, [], clock)
        progress.feed("Starting to train component 'RegexFeaturizer'.\n")
    assert said[1] == "[training] training RegexFeaturizer (1); 0 s so far of ~10 min"


# --- ``make run``'s first step ---


class _Handover(Exception):
    """Stands in for the exec of ``python -m bot run``."""


@pytest.fixture
def first_step(tmp_path, monkeypatch):
    """``startup.main`` on a fake repository, with ``make`` and the exec recorded."""
    root = _repo(tmp_path)
    monkeypatch.setenv("ENCODER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELS_DIR", raising=False)
    calls: dict[str, list] = {"make": [], "exec": []}

    def fake_run(command, cwd, check):
        calls["make"].append(command)
        startup.main(["stamp"], root=root)
        return subprocess.CompletedProcess(command, 0)

    def fake_exec(path, argv, env):
        calls["exec"].append((path, argv, env))
        raise _Handover

    monkeypatch.setattr(startup.subprocess, "run", fake_run)
    monkeypatch.setattr(startup.os, "execve", fake_exec)
    return root, calls


def test_the_first_step_plans_then_hands_over_to_bot_run(first_step, capsys):
    root, calls = first_step
    startup.main(["stamp"], root=root)
    with pytest.raises(_Handover):
        startup.main([], root=root)
    out = capsys.readouterr().out
    assert out.startswith("Front Door: what `make run` does on this machine")
    assert "dependencies up to date" in out
    assert calls["make"] == []  # the stamp holds the requirements: no pip at all
    python, argv, env = calls["exec"][0]
    assert python == str(root / ".venv" / "bin" / "python")
    assert argv == [python, "-m", "bot", "run"]
    assert float(env[startup.STARTED_AT_ENV]) > 0


def test_changed_requirements_are_installed_under_a_stage_line(first_step, capsys):
    root, calls = first_step
    with pytest.raises(_Handover):
        startup.main([], root=root)
    assert calls["make"] == [["make", "--no-print-directory", "install"]]
    out = capsys.readouterr().out
    assert "[install] updating the dependencies (the requirements changed)..." in out
    assert "[install] done in " in out
    assert startup.installed(root)


def test_a_failed_install_stops_before_the_handover(first_step, monkeypatch, capsys):
    root, calls = first_step
    monkeypatch.setattr(
        startup.subprocess, "run", lambda command, cwd, check: subprocess.CompletedProcess([], 2)
    )
    (root / ".venv" / "bin" / "python").unlink()
    with pytest.raises(SystemExit) as stopped:
        startup.main([], root=root)
    assert stopped.value.code == 2
    assert calls["exec"] == []
    out = capsys.readouterr().out
    assert "[install] creating .venv and installing the pinned dependencies" in out
    assert "[install] make install failed (exit 2)" in out


# --- The encoder ---


def test_a_cached_encoder_is_checked_and_said_in_one_line(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    folder = tmp_path / "encoder"
    folder.mkdir()
    calls: list[int] = []
    assert startup.encoder_stage(lines, folder, lambda: calls.append(1) or folder) == folder
    assert calls == [1]  # checked again, every start
    assert said == [f"[encoder] found in the cache, SHA-256 checked: {folder}"]
    assert not StageTimes.load(tmp_path / "stage-times.json").measured("encoder")


def test_a_fetch_is_a_timed_stage(tmp_path, clock):
    lines, said = _lines(tmp_path, clock)
    folder = tmp_path / "encoder"

    def fetch() -> Path:
        clock.advance(14)
        folder.mkdir()
        return folder

    startup.encoder_stage(lines, folder, fetch)
    assert said == [
        "[encoder] downloading the sentence encoder (about 90 MB), then checking its SHA-256"
        " (expect ~20 s)...",
        f"[encoder] SHA-256 matches the published files; cached in {folder}",
        "[encoder] done in 14 s",
    ]
    assert StageTimes.load(tmp_path / "stage-times.json").estimate("encoder") == 14


def test_a_refused_encoder_stops_the_stage_unrecorded(tmp_path, clock):
    from bot.nlu.encoder_files import EncoderFilesError

    lines, said = _lines(tmp_path, clock)

    def tampered() -> Path:
        raise EncoderFilesError("model.safetensors has SHA-256 0000")

    with pytest.raises(EncoderFilesError):
        startup.encoder_stage(lines, tmp_path / "encoder", tampered)
    assert said[-1] == "[encoder] stopped after 0 s"
    assert not StageTimes.load(tmp_path / "stage-times.json").measured("encoder")
