"""Loads and validates a council's profile folder (``kb/councils/<slug>/``).

The profile is data: name, local authority codes, contact numbers and the mapping of
street problems to Open311 service codes. Another council swaps the folder by setting
``COUNCIL=<slug>``; no code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


class ProfileError(ValueError):
    """A council profile file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class ProblemCategory:
    """A street problem the council accepts, and the Open311 service that takes it."""

    problem_type: str
    service_code: str
    label: str
    label_plural: str


@dataclass(frozen=True)
class CouncilProfile:
    """Who the assistant speaks for."""

    slug: str
    name: str
    short_name: str
    sample_data: bool
    local_authority_codes: tuple[str, ...]
    postcode_areas: tuple[str, ...]
    website: str
    phone: str
    phone_spoken: str
    hours: str
    emergency_phone: str
    jurisdiction_id: str
    timezone: str
    problems: dict[str, ProblemCategory]

    def covers(self, local_authority_code: str | None) -> bool:
        """Whether a local authority code is inside the council's area."""
        return local_authority_code in self.local_authority_codes

    def problem(self, problem_type: str) -> ProblemCategory | None:
        """The category for a canonical problem type, or None if the council has none."""
        return self.problems.get(problem_type)

    def problem_for_service(self, service_code: str) -> ProblemCategory | None:
        """The category that maps to an Open311 service code."""
        return next((p for p in self.problems.values() if p.service_code == service_code), None)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ProfileError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        raise ProfileError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping at the top level")
    return data


def _require(data: dict[str, Any], key: str, path: Path) -> Any:
    value = data.get(key)
    if value in (None, "", [], {}):
        raise ProfileError(f"{path}: '{key}' is required")
    return value


def load_profile(council_dir: Path) -> CouncilProfile:
    """Load a council's profile and service mapping.

    Args:
        council_dir: the ``kb/councils/<slug>/`` folder.

    Returns:
        The validated profile.

    Raises:
        ProfileError: naming the file and field when something is missing or malformed.
    """
    profile_path = council_dir / "profile.yml"
    services_path = council_dir / "services.yml"
    data = _read_yaml(profile_path)
    contact = _require(data, "contact", profile_path)
    open311 = data.get("open311") or {}
    problems_data = _require(_read_yaml(services_path), "problems", services_path)
    problems: dict[str, ProblemCategory] = {}
    for problem_type, entry in problems_data.items():
        if not isinstance(entry, dict):
            raise ProfileError(f"{services_path}: '{problem_type}' must be a mapping")
        where = services_path
        problems[problem_type] = ProblemCategory(
            problem_type=problem_type,
            service_code=str(_require(entry, "service_code", where)),
            label=str(_require(entry, "label", where)),
            label_plural=str(entry.get("label_plural") or entry["label"]),
        )
    codes = _require(data, "local_authority_codes", profile_path)
    return CouncilProfile(
        slug=str(_require(data, "slug", profile_path)),
        name=str(_require(data, "name", profile_path)),
        short_name=str(data.get("short_name") or data["name"]),
        sample_data=bool(data.get("sample_data", False)),
        local_authority_codes=tuple(str(code) for code in codes),
        postcode_areas=tuple(str(area).upper() for area in data.get("postcode_areas") or ()),
        website=str(_require(data, "website", profile_path)),
        phone=str(_require(contact, "phone", profile_path)),
        phone_spoken=str(contact.get("phone_spoken") or contact["phone"]),
        hours=str(_require(contact, "hours", profile_path)),
        emergency_phone=str(contact.get("emergency_out_of_hours_phone") or contact["phone"]),
        jurisdiction_id=str(open311.get("jurisdiction_id") or ""),
        timezone=str(data.get("timezone") or "Europe/London"),
        problems=problems,
    )


@lru_cache(maxsize=8)
def cached_profile(council_dir: Path) -> CouncilProfile:
    """Load a profile once per process."""
    return load_profile(council_dir)
