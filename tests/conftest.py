"""Fixtures shared by every test layer."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT, Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    """Settings of an isolated assistant: its own var folder and databases."""
    return Settings(
        _env_file=None,
        environment="test",
        var_dir=tmp_path / "var",
        kb_dir=REPO_ROOT / "kb",
    )
