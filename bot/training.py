"""Trains the Rasa model once per set of training inputs and reuses it afterwards.

The model file is named after a hash of everything that changes what is learnt
(config, domain, training data, the custom NLU components' code, the pretrained
encoder's identity and the Rasa version), so ``make run`` and the test session train
only when one of those changed. The encoder's files are fetched and checked first.

Trained models are also kept in a cache beside the encoder's files (``models/`` under
``~/.cache/front-door``), in a folder named after the Python and package versions that
trained them. A second clone or worktree of the same inputs on the same machine then
copies the model instead of training again (issue #19). ``MODEL_CACHE=off`` turns it off.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.nlu.encoder_files import ENCODER_ID, default_cache_root, ensure_encoder_files
from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

#: What a model depends on, relative to the repository root.
TRAINING_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "bot/nlu",
    "lib/postcodes/normalise.py",
    "lib/references.py",
)
MODEL_PREFIX = "frontdoor-"
#: Packages whose versions decide how a trained model is built and loaded: a cached model
#: is reused only by an environment with the same versions of all of them.
MODEL_RUNTIME_PACKAGES = ("rasa", "tensorflow", "numpy", "scikit-learn", "transformers")


def _files(root: Path) -> list[Path]:
    found: list[Path] = []
    for entry in TRAINING_INPUTS:
        path = root / entry
        if path.is_dir():
            found += [
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix in {".yml", ".yaml", ".md", ".py"}
            ]
        elif path.is_file():
            found.append(path)
    return sorted(found)


def training_fingerprint(root: Path = REPO_ROOT, encoder_id: str = ENCODER_ID) -> str:
    """A short hash of the training inputs, the encoder's identity and the Rasa version."""
    digest = hashlib.sha256(f"rasa=={version('rasa')}\0encoder={encoder_id}".encode())
    for path in _files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, root: Path = REPO_ROOT) -> Path:
    """Where the model for the current training inputs is (or will be) stored."""
    return models_dir / f"{MODEL_PREFIX}{training_fingerprint(root)}.tar.gz"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def runtime_tag() -> str:
    """A short name for this Python and the versions of :data:`MODEL_RUNTIME_PACKAGES`."""
    described = [f"python=={platform.python_version()}"] + [
        f"{name}=={_package_version(name)}" for name in MODEL_RUNTIME_PACKAGES
    ]
    digest = hashlib.sha256("\0".join(described).encode()).hexdigest()[:12]
    return f"py{sys.version_info.major}{sys.version_info.minor}-{digest}"


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


def ensure_model(
    models_dir: Path,
    root: Path = REPO_ROOT,
    force: bool = False,
    cache: Path | None | bool = True,
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

    Raises:
        RuntimeError: when ``rasa train`` fails.
    """
    shared = shared_model_cache() if cache is True else (cache or None)
    models_dir.mkdir(parents=True, exist_ok=True)
    target = model_path(models_dir, root)
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = shared / target.name if shared is not None else None
        if target.exists() and not force:
            logger.info("reusing trained model %s", target.name)
            if cached is not None and not cached.is_file():
                _keep_in_cache(target, shared)
            return target
        if cached is not None and cached.is_file() and not force:
            logger.info("copying trained model %s from the cache %s", target.name, shared)
            _copy_atomically(cached, target)
            return target
        ensure_encoder_files()
        logger.info("training model %s (inputs changed)", target.name)
        command = [
            sys.executable, "-m", "rasa", "train",
            "--config", str(root / "config.yml"),
            "--domain", str(root / "domain"),
            "--data", str(root / "data"),
            "--out", str(models_dir),
            "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(root), "RASA_TELEMETRY_ENABLED": "false"}
        result = subprocess.run(command, cwd=root, env=env, check=False)
        if result.returncode != 0 or not target.exists():
            raise RuntimeError(f"rasa train failed (exit {result.returncode})")
        _keep_in_cache(target, shared)
        return target
