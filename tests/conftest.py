"""Fixtures shared by every test layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import REPO_ROOT, Settings


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    """Settings of an isolated assistant: its own var folder and databases."""
    return Settings(
        _env_file=None,
        environment="test",
        var_dir=tmp_path / "var",
        kb_dir=REPO_ROOT / "kb",
    )
