"""Plain-English wording of every status a council system returns: read from kb/statuses.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib.yaml_files import load_yaml


@dataclass(frozen=True)
class StatusWording:
    """What a status means to a resident and what they can do next."""

    meaning: str
    next_step: str
    finished: bool


class StatusWordings:
    """The wording of each kind's statuses, with closing reasons for street reports."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Keep the parsed ``kb/statuses.yml``."""
        self._data = data

    @classmethod
    def from_file(cls, path: Path) -> StatusWordings:
        """Read and check the file.

        Raises:
            ValueError: naming the file, kind and status when an entry lacks wording.
        """
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        for kind, statuses in data.items():
            for status, entry in (statuses or {}).items():
                entries = entry if status == "closed_reasons" else [entry]
                for item in entries:
                    if not item.get("meaning") or not item.get("next_step"):
                        raise ValueError(f"{path}: {kind}.{status} needs meaning and next_step")
        return cls(data)

    def describe(self, kind: str, status: str, notes: str = "") -> StatusWording | None:
        """The wording for a status, or None when the file does not know it.

        Args:
            kind: a kind from ``lib.references`` (``street_report``, ``triage``...).
            status: the value the system returned, in any case.
            notes: the council's notes; for a closed street report they pick the reason.
        """
        statuses = self._data.get(kind) or {}
        status = (status or "").strip().lower()
        entry = statuses.get(status)
        if entry is None or status == "closed_reasons":
            return None
        finished = bool(entry.get("finished"))
        if finished and notes:
            lowered = notes.lower()
            for reason in statuses.get("closed_reasons") or []:
                if any(word.lower() in lowered for word in reason["words"]):
                    entry = reason
                    break
        return StatusWording(str(entry["meaning"]), str(entry["next_step"]), finished)
