"""English names of the languages the assistant speaks, from ``kb/translations/`` (issue #18).

Each translation file names its language (``language: pl``, ``name: Polish``); staff pages
show these names instead of codes. A script in brackets is dropped: ``pa.yml`` and
``pa-Arab.yml`` are both Punjabi.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from lib.yaml_files import load_yaml
from web.core.config import REPO_ROOT

UNKNOWN = {"und": "Not known"}


@lru_cache(maxsize=8)
def language_names(kb_dir: Path = REPO_ROOT / "kb") -> dict[str, str]:
    """Map ISO 639-1 codes to English language names.

    Args:
        kb_dir: the knowledge base folder (``KB_DIR``).

    Returns:
        ``{"en": "English", "pl": "Polish", ...}``; empty when there are no translations.
    """
    names: dict[str, str] = dict(UNKNOWN)
    for path in sorted((kb_dir / "translations").glob("*.yml")):
        try:
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        code, name = data.get("language"), data.get("name")
        if isinstance(code, str) and isinstance(name, str) and code not in names:
            names[code] = name.split(" (")[0]
    return names


def language_name(code: str, kb_dir: Path = REPO_ROOT / "kb") -> str:
    """The English name of a language code, or the code itself when it is not known."""
    return language_names(kb_dir).get(code, code)
