"""Every council profile validates, maps to real services, and stays out of core code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.councils.profile import load_profile
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml

COUNCILS = sorted(p for p in (REPO_ROOT / "kb" / "councils").iterdir() if p.is_dir())
STAND_IN_SERVICES = REPO_ROOT / "web" / "stand_in" / "data" / "services.yml"
#: Every common street problem (the contract's report_* area): each council maps them all.
PROBLEM_TYPES = {
    "pothole", "streetlight", "fly_tipping", "graffiti", "blocked_drain", "damaged_pavement",
    "litter", "dog_fouling", "abandoned_vehicle", "dead_animal", "tree_or_hedge", "flooding",
    "glass_or_debris", "street_furniture",
}  # fmt: skip


def _stand_in_codes() -> set[str]:
    data = load_yaml(STAND_IN_SERVICES.read_text())
    services = data["services"] if isinstance(data, dict) else data
    return {str(service["service_code"]) for service in services}


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_profile_validates_and_covers_every_problem(council_dir: Path):
    profile = load_profile(council_dir)
    assert profile.slug == council_dir.name
    assert profile.local_authority_codes
    assert set(profile.problems) == PROBLEM_TYPES
    assert {p.service_code for p in profile.problems.values()} <= _stand_in_codes()


def test_the_sample_council_is_marked_as_sample_data():
    profile = load_profile(REPO_ROOT / "kb" / "councils" / "stoke-on-trent")
    assert profile.sample_data is True
    assert profile.local_authority_codes == ("E06000021",)


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_core_code_never_names_a_council(council_dir: Path):
    profile = load_profile(council_dir)
    needles = {profile.name, profile.short_name, profile.slug, *profile.local_authority_codes}
    tracked = subprocess.run(
        ["git", "ls-files", "bot", "workers", "actions", "integrations", "domain", "data",
         "config.yml"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    offenders = []
    for name in tracked:
        path = REPO_ROOT / name
        if name.startswith("bot/councils/") or name.endswith(".md") or not path.is_file():
            continue
        text = path.read_text(errors="ignore")
        offenders += [f"{name}: {needle}" for needle in needles if needle in text]
    assert not offenders, offenders


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_every_council_directory_file_loads(council_dir: Path):
    """Each profile's places.yml (the location directory) passes the loader's checks."""
    from web.places import load_directory

    directory = load_directory(council_dir / "places.yml")
    assert directory.places
    assert any(place.facilities.bookable_pcs for place in directory.places)


def _wording(value: object, key: str = "") -> list[str]:
    """Every string a resident may read or hear in a YAML document (sources and ids left out)."""
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in _wording(v, str(k))]
    if isinstance(value, list):
        return [text for item in value for text in _wording(item, key)]
    if isinstance(value, str) and key not in {"source", "checked", "payload"}:
        return [value]
    return []


#: Shared wording: every council's assistant says it, so none of them may be named in it.
SHARED_WORDING = ("domain", "kb/facts", "kb/translations", "kb/conversation", "kb/web_chat")


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_shared_wording_names_no_council_place_example_or_number(council_dir: Path):
    """Issue #17: examples, places and phone numbers come from the profile, not shared text."""
    from web.places import load_directory

    profile = load_profile(council_dir)
    examples = profile.examples
    needles = {profile.name, profile.short_name, profile.phone, profile.phone_spoken}
    needles |= {examples.postcode, examples.place, examples.library, examples.address}
    needles |= {place.name for place in load_directory(council_dir / "places.yml").places}
    offenders = []
    for folder in SHARED_WORDING:
        for path in sorted((REPO_ROOT / folder).rglob("*.yml")):
            data = load_yaml(path.read_text(encoding="utf-8"))
            for text in _wording(data):
                offenders += [f"{path.relative_to(REPO_ROOT)}: {n}" for n in needles if n in text]
    assert not offenders, sorted(set(offenders))
