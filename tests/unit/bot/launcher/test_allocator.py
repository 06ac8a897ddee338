"""Rasa runs on jemalloc when the system has it, and on the system allocator otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launcher import allocator
from bot.launcher.allocator import allocator_env, jemalloc_library
from bot.launcher.stack import rasa_service
from bot.settings import Settings


def _library(folder: Path, name: str = "libjemalloc.so.2") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"")
    return path


def test_the_first_library_found_is_preloaded(tmp_path: Path) -> None:
    second = _library(tmp_path / "b")
    candidates = [tmp_path / "a" / "libjemalloc.so.2", second]
    assert allocator_env("jemalloc", {}, candidates) == {"LD_PRELOAD": str(second)}


def test_without_the_library_nothing_changes(tmp_path: Path) -> None:
    assert allocator_env("jemalloc", {}, [tmp_path / "libjemalloc.so.2"]) == {}


def test_the_system_allocator_can_be_chosen(tmp_path: Path) -> None:
    assert allocator_env("system", {}, [_library(tmp_path)]) == {}


def test_another_preload_is_kept_after_jemalloc(tmp_path: Path) -> None:
    library = _library(tmp_path)
    env = allocator_env("jemalloc", {"LD_PRELOAD": "/opt/a.so:/opt/b.so"}, [library])
    assert env == {"LD_PRELOAD": f"{library} /opt/a.so /opt/b.so"}
    assert allocator_env("jemalloc", {"LD_PRELOAD": str(library)}, [library]) == {}


def _rasa(settings: Settings, tmp_path: Path) -> dict[str, str]:
    service = rasa_service("rasa", settings, tmp_path / "m.tar.gz", "127.0.0.1", 5005,
                           tmp_path / "endpoints.yml", {"COUNCIL": "x"})  # fmt: skip
    return service.env


def test_the_launcher_starts_rasa_on_jemalloc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _library(tmp_path / "lib")
    monkeypatch.setattr(allocator, "JEMALLOC_PATHS", (library,))
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    env = _rasa(Settings(_env_file=None), tmp_path)
    assert env["LD_PRELOAD"] == str(library)
    assert env["COUNCIL"] == "x"
    assert "LD_PRELOAD" not in _rasa(Settings(_env_file=None, rasa_allocator="system"), tmp_path)
    monkeypatch.setattr(allocator, "JEMALLOC_PATHS", (tmp_path / "none.so",))
    assert "LD_PRELOAD" not in _rasa(Settings(_env_file=None), tmp_path)


def test_a_child_really_runs_on_jemalloc() -> None:
    library = jemalloc_library()
    if library is None:
        pytest.skip("libjemalloc2 is not installed here")
    env = {**os.environ, **allocator_env("jemalloc", os.environ)}
    maps = subprocess.run(
        [sys.executable, "-c", "print(open('/proc/self/maps').read())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(library.resolve()) in maps or library.name in maps
