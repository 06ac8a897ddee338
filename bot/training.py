"""Trains the Rasa model once per set of training inputs and reuses it afterwards.

The model file is named after a hash of everything that changes what is learnt
(config, domain, training data, the custom NLU components' code, the pretrained
encoder's identity and the Rasa version), so ``make run`` and the test session train
only when one of those changed. The encoder's files are fetched and checked first.

Trained models are also kept in a cache beside the encoder's files (``models/`` under
``~/.cache/front-door``), in a folder named after the Python and package versions that
trained them. A second clone or worktree of the same inputs on the same machine then
copies the model instead of training again (issue #19). ``MODEL_CACHE=off`` turns it off.

``rasa train`` runs through ``bot/yaml_once.py``, which has Rasa parse each YAML text once
instead of up to seven times (the same model, a minute or more sooner).
"""

from __future__ import annotations

import codecs
import fcntl
import logging
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot import model_identity
from bot.launcher.startup import StageLines, TrainingProgress
from bot.model_identity import MODEL_RUNTIME_PACKAGES, fingerprint, model_file_name
from bot.nlu.encoder_files import ENCODER_ID, default_cache_root, ensure_encoder_files
from bot.settings import REPO_ROOT
from bot.yaml_once import rasa_command, rasa_environment

logger = logging.getLogger(__name__)

#: The file, in the models folder, whose lock one training holds while others wait.
TRAIN_LOCK = ".train.lock"


def training_fingerprint(root: Path = REPO_ROOT, encoder_id: str = ENCODER_ID) -> str:
    """A short hash of the training inputs, the encoder's identity and the Rasa version."""
    return fingerprint(root, encoder_id, version("rasa"))


def model_path(models_dir: Path, root: Path = REPO_ROOT) -> Path:
    """Where the model for the current training inputs is (or will be) stored."""
    return models_dir / model_file_name(training_fingerprint(root))


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def runtime_tag() -> str:
    """A short name for this Python and the installed versions of the model's packages."""
    installed = {name: _package_version(name) for name in MODEL_RUNTIME_PACKAGES}
    return model_identity.runtime_tag(platform.python_version(), installed)


def shared_model_cache() -> Path | None:
    """The cache folder of models trained by this environment; None when ``MODEL_CACHE=off``.

    Read from the environment, like the encoder's cache, because training runs before
    any other configuration matters.
    """
    if os.environ.get("MODEL_CACHE", "on").strip().lower() in {"off", "0", "false", "no"}:
        return None
    return default_cache_root() / "models" / runtime_tag()


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy a model so that no reader ever sees half a file."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _keep_in_cache(model: Path, cache: Path | None) -> None:
    """Put a newly trained model in the shared cache; a failure only costs a later training."""
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        _copy_atomically(model, cache / model.name)
    except OSError as error:
        logger.warning("could not keep the model in the cache %s: %s", cache, error)


def needs_training(models_dir: Path, root: Path = REPO_ROOT) -> bool:
    """Whether :func:`ensure_model` would train: no model here nor in the shared cache."""
    target = model_path(models_dir, root)
    shared = shared_model_cache()
    return not target.exists() and not (shared is not None and (shared / target.name).is_file())


def ensure_model(
    models_dir: Path,
    root: Path = REPO_ROOT,
    force: bool = False,
    cache: Path | None | bool = True,
    lines: StageLines | None = None,
    validate: bool = True,
) -> Path:
    """Return the model for the current inputs, training it first if it does not exist.

    A file lock makes concurrent callers (``make run`` and a test session) wait for one
    training run instead of training twice. A model missing from ``models_dir`` but held
    by the shared cache is copied from there; ``force`` always trains.

    Args:
        models_dir: where the model is kept for this checkout.
        root: the repository whose training inputs are hashed.
        force: train even when a model exists.
        cache: the shared cache folder; True for :func:`shared_model_cache`, None or
            False for none.
        lines: the stage lines of ``make run``: what happens, and a line per component
            while training (the durations go into the machine's record).
        validate: let ``rasa train`` check the domain and data first (about half a
            minute). The test session turns it off: a test runs ``rasa data validate``
            with warnings as failures, a stricter check of the same files.

    Raises:
        RuntimeError: when ``rasa train`` fails.
    """
    shared = shared_model_cache() if cache is True else (cache or None)
    models_dir.mkdir(parents=True, exist_ok=True)
    target = model_path(models_dir, root)

    def say(message: str) -> None:
        if lines is None:
            logger.debug(message)
        else:
            lines.write(f"[training] {message}")

    with open(models_dir / TRAIN_LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another process is training this checkout's model: waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        cached = shared / target.name if shared is not None else None
        if target.exists() and not force:
            logger.info("reusing trained model %s", target.name)
            say(f"model found, no training: {target.name}")
            if cached is not None and not cached.is_file():
                _keep_in_cache(target, shared)
            return target
        if cached is not None and cached.is_file() and not force:
            logger.info("copying trained model %s from the cache %s", target.name, shared)
            _copy_atomically(cached, target)
            say(f"model found in the machine's cache, copied: {target.name}")
            return target
        ensure_encoder_files()
        logger.info("training model %s (inputs changed)", target.name)
        command = rasa_command(
            "train",
            "--config", str(root / "config.yml"),
            "--domain", str(root / "domain"),
            "--data", str(root / "data"),
            "--out", str(models_dir),
            "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        )  # fmt: skip
        if not validate:
            command.append("--skip-validation")
        env = rasa_environment(root)
        if lines is None:
            code = subprocess.run(command, cwd=root, env=env, check=False).returncode
        else:
            code = _train_with_lines(command, root, env, target.name, lines)
        if code != 0 or not target.exists():
            raise RuntimeError(f"rasa train failed (exit {code})")
        _keep_in_cache(target, shared)
        return target


def _train_with_lines(
    command: list[str], root: Path, env: dict[str, str], name: str, lines: StageLines
) -> int:
    """Run ``rasa train`` with its output shown as it comes, and a line per component.

    Returns:
        Its exit code.
    """
    times = lines.times
    with lines.stage(
        "training", f"training {name} (the inputs changed)", times.estimate("training")
    ) as stage:
        progress = TrainingProgress(stage, times.components, lines.clock)
        code = run_showing_output(command, root, env, progress.feed)
        if code != 0:
            raise RuntimeError(f"rasa train failed (exit {code})")
    times.record_components(progress.done)
    return code


def run_showing_output(
    command: list[str], cwd: Path, env: dict[str, str], feed: Callable[[str], None]
) -> int:
    """Run a command, pass its output through as it arrives and to ``feed``; its exit code."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    out = sys.stdout.buffer
    try:
        while chunk := os.read(process.stdout.fileno(), 1 << 16):
            out.write(chunk)
            out.flush()
            feed(decoder.decode(chunk))
    finally:
        process.stdout.close()
    return process.wait()
