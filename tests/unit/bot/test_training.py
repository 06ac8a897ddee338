import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import training
from bot.launcher.startup import DEFAULT_SECONDS, StageLines, StageTimes, format_estimate
from bot.settings import REPO_ROOT
from bot.training import ensure_model, model_path, run_showing_output, training_fingerprint


def _copy_inputs(tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for entry in ("config.yml", "domain", "data"):
        source = REPO_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, tmp_path / entry)
        else:
            shutil.copy(source, tmp_path / entry)
    return tmp_path


def test_fingerprint_is_stable_and_follows_inputs(tmp_path):
    root = _copy_inputs(tmp_path)
    first = training_fingerprint(root)
    assert training_fingerprint(root) == first
    (root / "data" / "nlu" / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    assert training_fingerprint(root) != first


def test_model_path_names_the_fingerprint(tmp_path):
    root = _copy_inputs(tmp_path)
    path = model_path(tmp_path / "models", root)
    assert path.name == f"frontdoor-{training_fingerprint(root)}.tar.gz"


def test_fingerprint_follows_the_encoder(tmp_path):
    root = _copy_inputs(tmp_path)
    assert training_fingerprint(root, encoder_id="all-MiniLM-L6-v2@0000") != training_fingerprint(
        root
    )


def test_fingerprint_follows_the_nlu_components_code(tmp_path):
    root = _copy_inputs(tmp_path)
    (root / "bot" / "nlu").mkdir(parents=True)
    (root / "bot" / "nlu" / "component.py").write_text("THRESHOLD = 0.5\n")
    first = training_fingerprint(root)
    (root / "bot" / "nlu" / "component.py").write_text("THRESHOLD = 0.6\n")
    assert training_fingerprint(root) != first


# --- The shared model cache (issue #19) ---


class _FakeTraining:
    """Stands in for ``rasa train``: writes the model file it was asked for."""

    def __init__(self) -> None:
        self.runs = 0
        self.commands: list[list[str]] = []

    def __call__(self, command, **kwargs):
        self.runs += 1
        self.commands.append(command)
        out = Path(command[command.index("--out") + 1])
        name = command[command.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_bytes(b"model %d" % self.runs)
        return subprocess.CompletedProcess(command, 0)


@pytest.fixture
def fake_training(monkeypatch):
    fake = _FakeTraining()
    monkeypatch.setattr(training.subprocess, "run", fake)
    monkeypatch.setattr(training, "ensure_encoder_files", lambda: None)
    return fake


def test_a_trained_model_is_kept_in_the_cache_and_a_second_checkout_copies_it(
    tmp_path, fake_training
):
    root = _copy_inputs(tmp_path / "repo")
    cache = tmp_path / "cache"
    first = ensure_model(tmp_path / "one", root, cache=cache)
    assert fake_training.runs == 1
    assert (cache / first.name).read_bytes() == first.read_bytes()

    second = ensure_model(tmp_path / "two", root, cache=cache)
    assert fake_training.runs == 1  # copied, not trained
    assert second.read_bytes() == first.read_bytes()


def test_changed_inputs_miss_the_cache(tmp_path, fake_training):
    root = _copy_inputs(tmp_path / "repo")
    cache = tmp_path / "cache"
    ensure_model(tmp_path / "one", root, cache=cache)
    (root / "data" / "nlu" / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    ensure_model(tmp_path / "two", root, cache=cache)
    assert fake_training.runs == 2
    assert len(list(cache.glob("frontdoor-*.tar.gz"))) == 2


def test_rasa_validates_the_data_unless_told_not_to(tmp_path, fake_training):
    root = _copy_inputs(tmp_path / "repo")
    ensure_model(tmp_path / "one", root, cache=None)
    ensure_model(tmp_path / "two", root, cache=None, validate=False)
    assert ["--skip-validation" in command for command in fake_training.commands] == [
        False,
        True,
    ]


def test_force_and_no_cache_always_train(tmp_path, fake_training):
    root = _copy_inputs(tmp_path / "repo")
    cache = tmp_path / "cache"
    ensure_model(tmp_path / "one", root, cache=cache)
    ensure_model(tmp_path / "two", root, cache=cache, force=True)
    ensure_model(tmp_path / "three", root, cache=None)
    assert fake_training.runs == 3


def test_a_model_trained_before_the_cache_existed_is_added_to_it(tmp_path, fake_training):
    root = _copy_inputs(tmp_path / "repo")
    model = ensure_model(tmp_path / "one", root, cache=None)
    cache = tmp_path / "cache"
    ensure_model(tmp_path / "one", root, cache=cache)
    assert (cache / model.name).is_file()
    assert fake_training.runs == 1


def test_the_cache_is_per_python_and_package_versions(monkeypatch):
    first = training.runtime_tag()
    versions = {"tensorflow": "9.9.9"}
    real = training._package_version
    monkeypatch.setattr(training, "_package_version", lambda name: versions.get(name) or real(name))
    assert training.runtime_tag() != first


def test_model_cache_off_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ENCODER_CACHE_DIR", raising=False)
    monkeypatch.delenv("MODEL_CACHE", raising=False)
    assert training.shared_model_cache() == tmp_path / "front-door" / "models" / (
        training.runtime_tag()
    )
    monkeypatch.setenv("MODEL_CACHE", "off")
    assert training.shared_model_cache() is None


# --- Stage lines while training (``make run``) ---

RASA_OUTPUT = (
    "INFO rasa.engine.training.hooks - Starting to train component 'RegexFeaturizer'.\n"
    "INFO rasa.engine.training.hooks - Finished training component 'RegexFeaturizer'.\n"
    "INFO rasa.engine.training.hooks - Starting to train component 'DIETClassifier'.\n"
    "Epochs: 100%|##########| 100/100\r"
    "INFO rasa.engine.training.hooks - Finished training component 'DIETClassifier'.\n"
)


def _stage_lines(tmp_path):
    said: list[str] = []
    times = StageTimes.load(tmp_path / "stage-times.json")
    return StageLines(said.append, times, tick_s=None), said


def test_training_under_stage_lines_names_each_component_and_records_the_run(tmp_path, monkeypatch):
    root = _copy_inputs(tmp_path / "repo")
    monkeypatch.setattr(training, "ensure_encoder_files", lambda: None)

    def rasa_train(command, cwd, env, feed):
        out = Path(command[command.index("--out") + 1])
        name = command[command.index("--fixed-model-name") + 1]
        feed(RASA_OUTPUT)
        (out / f"{name}.tar.gz").write_bytes(b"model")
        return 0

    monkeypatch.setattr(training, "run_showing_output", rasa_train)
    lines, said = _stage_lines(tmp_path)
    model = ensure_model(tmp_path / "models", root, cache=None, lines=lines)
    expect = format_estimate(DEFAULT_SECONDS["training"])  # no run recorded yet: the default
    assert said[0] == f"[training] training {model.name} (the inputs changed) (expect {expect})..."
    assert said[1].startswith("[training] training RegexFeaturizer (1); ")
    assert said[2].startswith("[training] training DIETClassifier (2); ")
    assert said[3].startswith("[training] done in ")
    record = StageTimes.load(tmp_path / "stage-times.json")
    assert record.measured("training")
    assert [name for name, _ in record.components] == ["RegexFeaturizer", "DIETClassifier"]

    lines, said = _stage_lines(tmp_path)
    ensure_model(tmp_path / "models", root, cache=None, lines=lines)
    assert said == [f"[training] model found, no training: {model.name}"]


def test_a_failed_training_under_stage_lines_is_not_recorded(tmp_path, monkeypatch):
    root = _copy_inputs(tmp_path / "repo")
    monkeypatch.setattr(training, "ensure_encoder_files", lambda: None)
    monkeypatch.setattr(training, "run_showing_output", lambda *args: 1)
    lines, said = _stage_lines(tmp_path)
    with pytest.raises(RuntimeError, match="rasa train failed"):
        ensure_model(tmp_path / "models", root, cache=None, lines=lines)
    assert said[-1].startswith("[training] stopped after ")
    assert not StageTimes.load(tmp_path / "stage-times.json").measured("training")


def test_a_model_copied_from_the_cache_is_said_so(tmp_path, fake_training):
    root = _copy_inputs(tmp_path / "repo")
    cache = tmp_path / "cache"
    model = ensure_model(tmp_path / "one", root, cache=cache)
    lines, said = _stage_lines(tmp_path)
    ensure_model(tmp_path / "two", root, cache=cache, lines=lines)
    assert said == [f"[training] model found in the machine's cache, copied: {model.name}"]


def test_a_commands_output_passes_through_as_it_comes_and_is_read(tmp_path, capfd):
    read: list[str] = []
    code = run_showing_output(
        [sys.executable, "-c", "print('Starting to train component \\'TEDPolicy\\'.'); exit(4)"],
        tmp_path,
        {},
        read.append,
    )
    assert code == 4
    assert "".join(read) == "Starting to train component 'TEDPolicy'.\n"
    assert "Starting to train component 'TEDPolicy'." in capfd.readouterr().out


def test_no_training_is_needed_when_the_model_is_here_or_in_the_cache(tmp_path, monkeypatch):
    root = _copy_inputs(tmp_path / "repo")
    cache = tmp_path / "cache"
    monkeypatch.setattr(training, "shared_model_cache", lambda: cache)
    models = tmp_path / "models"
    assert training.needs_training(models, root)
    cache.mkdir()
    (cache / training.model_path(models, root).name).write_bytes(b"model")
    assert not training.needs_training(models, root)
    monkeypatch.setattr(training, "shared_model_cache", lambda: None)
    assert training.needs_training(models, root)
    models.mkdir()
    training.model_path(models, root).write_bytes(b"model")
    assert not training.needs_training(models, root)
