"""Trains the Rasa model once per set of training inputs and reuses it afterwards.

The model file is named after a hash of everything that changes what is learnt
(config, domain, training data, the custom NLU components' code, the pretrained
encoder's identity and the Rasa version), so ``make run`` and the test session train
only when one of those changed. The encoder's files are fetched and checked first.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from bot.nlu.encoder_files import ENCODER_ID, ensure_encoder_files
from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

#: What a model depends on, relative to the repository root.
TRAINING_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "bot/nlu",
    "integrations/postcodes/normalise.py",
    "lib/references.py",
)
MODEL_PREFIX = "frontdoor-"


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


def ensure_model(models_dir: Path, root: Path = REPO_ROOT, force: bool = False) -> Path:
    """Return the model for the current inputs, training it first if it does not exist.

    A file lock makes concurrent callers (``make run`` and a test session) wait for one
    training run instead of training twice.

    Raises:
        RuntimeError: when ``rasa train`` fails.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    target = model_path(models_dir, root)
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists() and not force:
            logger.info("reusing trained model %s", target.name)
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
        return target
