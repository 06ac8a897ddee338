"""What names a trained model: the training inputs' hash and the runtime that trains it.

Standard library only, so ``make run`` can tell whether a model is cached before the
virtual environment exists (``bot/launcher/startup.py``): the package versions then come
from the pins in ``requirements/constraints.txt``, which a fresh environment installs.
:mod:`bot.training` passes the installed versions instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

#: The repository root (this file is ``bot/model_identity.py``).
REPO_ROOT = Path(__file__).resolve().parent.parent

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
MODEL_RUNTIME_PACKAGES = ("rasa", "tensorflow", "numpy", "scikit-learn", "onnxruntime")
CONSTRAINTS = Path("requirements") / "constraints.txt"


def training_files(root: Path) -> list[Path]:
    """Every file of :data:`TRAINING_INPUTS` under ``root``, sorted."""
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


def fingerprint(root: Path, encoder_id: str, rasa_version: str) -> str:
    """A short hash of the training inputs, the encoder's identity and the Rasa version."""
    digest = hashlib.sha256(f"rasa=={rasa_version}\0encoder={encoder_id}".encode())
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_file_name(model_fingerprint: str) -> str:
    """The file name of the model trained for a fingerprint."""
    return f"{MODEL_PREFIX}{model_fingerprint}.tar.gz"


def runtime_tag(python_version: str, versions: Mapping[str, str]) -> str:
    """A short name for a Python version and the versions of :data:`MODEL_RUNTIME_PACKAGES`.

    Args:
        python_version: like ``3.10.13``.
        versions: package name to version; a missing package counts as ``-``.
    """
    major, minor = python_version.split(".")[:2]
    described = [f"python=={python_version}"] + [
        f"{name}=={versions.get(name, '-')}" for name in MODEL_RUNTIME_PACKAGES
    ]
    digest = hashlib.sha256("\0".join(described).encode()).hexdigest()[:12]
    return f"py{major}{minor}-{digest}"


def pinned_versions(root: Path = REPO_ROOT) -> dict[str, str]:
    """The ``name==version`` pins of ``requirements/constraints.txt``, names in lower case."""
    pins: dict[str, str] = {}
    path = root / CONSTRAINTS
    if not path.is_file():
        return pins
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins
