"""Plain-English labels for the codes a triage record holds (issue #18: labels, not codes).

Each vocabulary has one data source, read once: categories, channels, statuses,
priorities, contact preferences, audit actions and non-staff actors from
``kb/triage/labels.yml``; languages from the ``name`` of each translation in
``kb/translations/``; vulnerability flags from the ``label`` of each flag in
``kb/triage/rules.yml``; journeys from ``kb/intent_labels.yml``. A code with no label is
shown as words (``some_new_code`` becomes "Some new code") rather than raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lib.yaml_files import load_yaml
from web.core.config import REPO_ROOT

KB_DIR = REPO_ROOT / "kb"


@dataclass(frozen=True)
class TriageLabels:
    """Every vocabulary's labels, keyed by code."""

    categories: dict[str, str]
    channels: dict[str, str]
    statuses: dict[str, str]
    priorities: dict[int, str]
    contact_preferences: dict[str, str]
    languages: dict[str, str]
    flags: dict[str, str]
    journeys: dict[str, str]
    audit_actions: dict[str, str]
    actors: dict[str, str]


def _read(path: Path) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, str]:
    section = data.get(name)
    if not isinstance(section, dict) or not section:
        raise ValueError(f"{path}: '{name}' must be a non-empty mapping of code to label")
    return {str(code): str(label) for code, label in section.items()}


def _languages(directory: Path) -> dict[str, str]:
    names = {}
    for path in sorted(directory.glob("*.yml")):
        data = _read(path)
        code, name = data.get("language"), data.get("name")
        if not code or not name:
            raise ValueError(f"{path}: a translation needs 'language' and 'name'")
        names[str(code).lower()] = str(name)
    return names


def _flags(path: Path) -> dict[str, str]:
    flags = _read(path).get("flags") or {}
    return {
        str(code): sentence_case(str((entry or {}).get("label") or code))
        for code, entry in flags.items()
    }


def sentence_case(text: str) -> str:
    """Upper-case the first letter only: ``risk of harm`` becomes ``Risk of harm``."""
    return text[:1].upper() + text[1:]


def words(code: str) -> str:
    """A code no vocabulary knows, as words: ``some_new_code`` becomes ``Some new code``."""
    return sentence_case(code.replace("_", " ").strip()) if code else ""


@lru_cache(maxsize=4)
def load_labels(kb_dir: Path = KB_DIR) -> TriageLabels:
    """Read every vocabulary (once per folder).

    Raises:
        ValueError: a file is missing a section, naming the file.
    """
    path = kb_dir / "triage" / "labels.yml"
    data = _read(path)
    intents = _read(kb_dir / "intent_labels.yml").get("labels") or {}
    return TriageLabels(
        categories=_section(data, "categories", path),
        channels=_section(data, "channels", path),
        statuses=_section(data, "statuses", path),
        priorities={int(k): v for k, v in _section(data, "priorities", path).items()},
        contact_preferences=_section(data, "contact_preferences", path),
        languages=_languages(kb_dir / "translations"),
        flags=_flags(kb_dir / "triage" / "rules.yml"),
        journeys={str(code): str(label) for code, label in intents.items()},
        audit_actions=_section(data, "audit_actions", path),
        actors=_section(data, "actors", path),
    )


def category(code: str) -> str:
    """``council_tax`` → ``Council Tax``."""
    return load_labels().categories.get(code) or words(code)


def channel(code: str) -> str:
    """``ivr`` → ``Phone line``."""
    return load_labels().channels.get(code) or words(code)


def status(code: str) -> str:
    """``claimed`` → ``Claimed``."""
    return load_labels().statuses.get(code) or words(code)


def priority(number: int) -> str:
    """``1`` → ``1 – urgent``."""
    return load_labels().priorities.get(number) or str(number)


def language(code: str) -> str:
    """``pl`` → ``Polish``; a language with no translation keeps its code in words."""
    return load_labels().languages.get(code.lower()) or f"Language code {code}"


def flag(code: str) -> str:
    """``risk_of_harm`` → ``Risk of harm``."""
    return load_labels().flags.get(code) or words(code)


def journey(code: str) -> str:
    """``council_tax_cant_pay`` → ``I can't pay my council tax``."""
    return load_labels().journeys.get(code) or words(code)


def contact_preference(code: str) -> str:
    """``text`` → ``Text message``."""
    return load_labels().contact_preferences.get(code) or words(code)


def audit_action(code: str) -> str:
    """``unclaim`` → ``Returned to the queue``."""
    return load_labels().audit_actions.get(code) or words(code)


def actor(code: str) -> str | None:
    """``api-token`` → ``Another system (staff API token)``; None for a staff username."""
    return load_labels().actors.get(code)


def record_labels(
    *,
    category_code: str,
    channel_code: str,
    language_code: str,
    status_code: str,
    priority_number: int,
    flags: list[str],
    journey_code: str | None,
) -> dict[str, Any]:
    """The labels of one record's codes, as the API's ``labels`` object."""
    return {
        "category": category(category_code),
        "channel": channel(channel_code),
        "language": language(language_code),
        "status": status(status_code),
        "priority": priority(priority_number),
        "vulnerability": [flag(code) for code in flags],
        "journey": journey(journey_code) if journey_code else None,
    }
