"""Loads and validates a council's profile folder (``kb/councils/<slug>/``).

The profile is data: name, local authority codes, contact numbers, the mapping of
street problems to Open311 service codes (``services.yml``) and where to send residents
for the services the assistant does not handle (``signposts.yml``). Another council swaps
the folder by setting ``COUNCIL=<slug>``; no code changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.councils.signposts import ContactDefaults, Signpost, SignpostError, load_signposts
from lib.branding import Branding, BrandingError, parse_branding
from lib.opening_hours import OpeningHours, OpeningHoursError, parse_opening_hours
from lib.yaml_files import load_yaml


class ProfileError(ValueError):
    """A council profile file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class QuestionMapping:
    """A question the report form asks about a problem, and the attribute that carries it.

    Attributes:
        question: the question's name in ``kb/report_questions.yml`` (also its slot).
        attribute: the Open311 attribute code of the council's service.
        values: answer key to the council's attribute value key, where they differ.
    """

    question: str
    attribute: str
    values: Mapping[str, str] = field(default_factory=dict)

    def value_for(self, answer: str) -> str:
        """The attribute value the council expects for an answer key."""
        return self.values.get(answer, answer)


@dataclass(frozen=True)
class Advice:
    """Who else to call about a problem, said as the council would say it.

    Attributes:
        text: the written wording.
        voice: the phone line's wording.
        when: question to the answers that call for it; empty: as soon as the problem is known.
    """

    text: str
    voice: str
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def follows(self, question: str, answer: str) -> bool:
        """Whether this answer to this question calls for the advice."""
        return answer in self.when.get(question, ())


@dataclass(frozen=True)
class ProblemCategory:
    """A street problem the council accepts, and the Open311 service that takes it."""

    problem_type: str
    service_code: str
    label: str
    label_plural: str
    questions: tuple[QuestionMapping, ...] = ()
    advice: tuple[Advice, ...] = ()

    @property
    def question_names(self) -> tuple[str, ...]:
        """The questions the form asks for this problem, in order."""
        return tuple(mapping.question for mapping in self.questions)

    @property
    def opening_advice(self) -> tuple[Advice, ...]:
        """The advice given as soon as the resident says what the problem is."""
        return tuple(advice for advice in self.advice if not advice.when)


@dataclass(frozen=True)
class PlaceExamples:
    """The council's own examples, given when the assistant asks for a place.

    Shared replies name no council's streets: they say "like {example_postcode}", and each
    session fills the slots from here.
    """

    #: A postcode in the area (``ST4 2DX``).
    postcode: str
    #: A street and a landmark, as a resident would describe a spot (``Leek Road, outside
    #: the Co-op``).
    place: str
    #: A library residents know by name (``Tunstall Library``).
    library: str
    #: A full address with house number, street and postcode (``12 Leek Road, ST4 2DX``).
    address: str


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
    signposts: dict[str, Signpost]
    #: When the contact centre answers calls (the phone line checks before putting through).
    opening_hours: OpeningHours
    #: Examples of a postcode, a place, a library and an address in the council's area.
    examples: PlaceExamples
    #: How the resident chat page shows the council (optional ``branding`` section).
    branding: Branding = field(default_factory=Branding)

    def covers(self, local_authority_code: str | None) -> bool:
        """Whether a local authority code is inside the council's area."""
        return local_authority_code in self.local_authority_codes

    def problem(self, problem_type: str) -> ProblemCategory | None:
        """The category for a canonical problem type, or None if the council has none."""
        return self.problems.get(problem_type)

    def problem_for_service(self, service_code: str) -> ProblemCategory | None:
        """The category that maps to an Open311 service code."""
        return next((p for p in self.problems.values() if p.service_code == service_code), None)

    def signpost(self, topic: str) -> Signpost:
        """Where to send a resident for a topic (``bins``, ``parking``).

        A topic the council's ``signposts.yml`` does not list gets its main website and
        contact number, so a resident is never left without somewhere to go.
        """
        return self.signposts.get(topic) or Signpost(
            topic=topic,
            link=self.website,
            phone=self.phone,
            phone_spoken=self.phone_spoken,
            hours=self.hours,
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
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


def _questions(data: Any, where: str) -> tuple[QuestionMapping, ...]:
    """``questions``: ``name: attribute`` or ``name: {attribute: .., values: {..}}``."""
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: 'questions' must be a mapping of question to attribute")
    mappings = []
    for question, target in data.items():
        if isinstance(target, str) and target:
            mappings.append(QuestionMapping(question=str(question), attribute=target))
            continue
        if not isinstance(target, dict) or not target.get("attribute"):
            raise ProfileError(f"{where}: question '{question}' needs an attribute code")
        values = target.get("values") or {}
        if not isinstance(values, dict):
            raise ProfileError(f"{where}: question '{question}': 'values' must be a mapping")
        mappings.append(
            QuestionMapping(
                question=str(question),
                attribute=str(target["attribute"]),
                values={str(key): str(value) for key, value in values.items()},
            )
        )
    return tuple(mappings)


def _advice(data: Any, where: str) -> tuple[Advice, ...]:
    """``advice``: a list of ``{text, voice, when?, source}``."""
    if not isinstance(data, list):
        raise ProfileError(f"{where}: 'advice' must be a list")
    entries = []
    for position, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not entry.get("text") or not entry.get("voice"):
            raise ProfileError(f"{where}: advice #{position} needs 'text' and 'voice'")
        if not entry.get("source"):
            raise ProfileError(f"{where}: advice #{position} needs the 'source' it was checked at")
        when = entry.get("when") or {}
        if not isinstance(when, dict) or not all(
            isinstance(answers, list) and answers for answers in when.values()
        ):
            raise ProfileError(f"{where}: advice #{position}: 'when' maps questions to answers")
        entries.append(
            Advice(
                text=str(entry["text"]),
                voice=str(entry["voice"]),
                when={str(q): tuple(str(a) for a in answers) for q, answers in when.items()},
            )
        )
    return tuple(entries)


def load_profile(council_dir: Path) -> CouncilProfile:
    """Load a council's profile, service mapping and signposts.

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
            questions=_questions(entry.get("questions") or {}, f"{where}: {problem_type}"),
            advice=_advice(entry.get("advice") or [], f"{where}: {problem_type}"),
        )
    codes = _require(data, "local_authority_codes", profile_path)
    phone = str(_require(contact, "phone", profile_path))
    phone_spoken = str(contact.get("phone_spoken") or phone)
    hours = str(_require(contact, "hours", profile_path))
    timezone = str(data.get("timezone") or "Europe/London")
    try:
        opening_hours = parse_opening_hours(
            _require(contact, "opening_hours", profile_path),
            contact.get("closed_on") or (),
            timezone,
        )
    except (OpeningHoursError, AttributeError, TypeError) as error:
        raise ProfileError(f"{profile_path}: contact opening_hours: {error}") from error
    try:
        signposts = load_signposts(
            council_dir / "signposts.yml", ContactDefaults(phone, phone_spoken, hours)
        )
    except SignpostError as error:
        raise ProfileError(str(error)) from error
    examples_data = _require(data, "examples", profile_path)
    if not isinstance(examples_data, dict):
        raise ProfileError(f"{profile_path}: 'examples' must be a mapping")
    examples = PlaceExamples(
        **{
            name: str(_require(examples_data, name, profile_path)).strip()
            for name in ("postcode", "place", "library", "address")
        }
    )
    try:
        branding = parse_branding(data.get("branding"), str(profile_path))
    except BrandingError as error:
        raise ProfileError(str(error)) from error
    return CouncilProfile(
        slug=str(_require(data, "slug", profile_path)),
        name=str(_require(data, "name", profile_path)),
        short_name=str(data.get("short_name") or data["name"]),
        sample_data=bool(data.get("sample_data", False)),
        local_authority_codes=tuple(str(code) for code in codes),
        postcode_areas=tuple(str(area).upper() for area in data.get("postcode_areas") or ()),
        website=str(_require(data, "website", profile_path)),
        phone=phone,
        phone_spoken=phone_spoken,
        hours=hours,
        emergency_phone=str(contact.get("emergency_out_of_hours_phone") or contact["phone"]),
        jurisdiction_id=str(open311.get("jurisdiction_id") or ""),
        timezone=timezone,
        problems=problems,
        signposts=signposts,
        opening_hours=opening_hours,
        examples=examples,
        branding=branding,
    )


@lru_cache(maxsize=8)
def cached_profile(council_dir: Path) -> CouncilProfile:
    """Load a profile once per process."""
    return load_profile(council_dir)
