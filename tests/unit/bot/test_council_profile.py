"""A council's service mapping: questions per problem and advice (``bot/councils/profile``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.councils.profile import ProfileError, QuestionMapping, load_profile
from bot.settings import REPO_ROOT
from lib.branding import MIN_CONTRAST, Branding, contrast_ratio

SAMPLE = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"


def council_with(tmp_path: Path, services: str) -> Path:
    """A copy of the sample council whose services.yml is ``services``."""
    folder = tmp_path / "council"
    shutil.copytree(SAMPLE, folder)
    (folder / "services.yml").write_text(services)
    return folder


def test_questions_map_to_attributes_in_order():
    flooding = load_profile(SAMPLE).problems["flooding"]
    assert flooding.question_names == ("flood_place", "flood_source")
    assert flooding.questions[0] == QuestionMapping("flood_place", "flood_location")


def test_advice_without_when_is_said_first_and_the_rest_follows_answers():
    flooding = load_profile(SAMPLE).problems["flooding"]
    [opening] = flooding.opening_advice
    assert "999" in opening.text
    inside, water_company = flooding.advice[1:]
    assert inside.follows("flood_place", "inside_property")
    assert not inside.follows("flood_place", "road")
    assert water_company.follows("flood_source", "sewage")


def test_a_council_may_use_its_own_attribute_keys(tmp_path):
    folder = council_with(
        tmp_path,
        """
problems:
  litter:
    service_code: STREET_CLEANSING
    label: litter
    questions:
      litter_problem: {attribute: type_of_issue, values: {overflowing_bin: BIN_FULL}}
""",
    )
    [mapping] = load_profile(folder).problems["litter"].questions
    assert mapping.attribute == "type_of_issue"
    assert mapping.value_for("overflowing_bin") == "BIN_FULL"
    assert mapping.value_for("litter") == "litter"


@pytest.mark.parametrize(
    "entry,fragment",
    [
        ("questions: [litter_problem]", "'questions' must be a mapping"),
        ("questions: {litter_problem: {values: {}}}", "needs an attribute code"),
        ("questions: {litter_problem: {attribute: a, values: [x]}}", "'values' must be"),
        ("advice: {text: x}", "'advice' must be a list"),
        ("advice: [{text: x}]", "needs 'text' and 'voice'"),
        ("advice: [{text: x, voice: y}]", "'source'"),
        ("advice: [{text: x, voice: y, source: s, when: {q: a}}]", "'when' maps"),
    ],
)
def test_a_malformed_mapping_is_refused_naming_the_file_and_problem(tmp_path, entry, fragment):
    folder = council_with(
        tmp_path,
        f"problems:\n  litter:\n    service_code: LITTER\n    label: litter\n    {entry}\n",
    )
    with pytest.raises(ProfileError) as raised:
        load_profile(folder)
    message = str(raised.value)
    assert "services.yml: litter" in message and fragment in message


def _profile_with_contact(tmp_path: Path, **contact: object) -> Path:
    """A copy of the sample council whose contact block is changed by ``contact``."""
    import yaml

    folder = tmp_path / "council"
    shutil.copytree(SAMPLE, folder)
    profile = yaml.safe_load((folder / "profile.yml").read_text())
    profile["contact"].update(contact)
    profile["contact"] = {k: v for k, v in profile["contact"].items() if v is not None}
    (folder / "profile.yml").write_text(yaml.safe_dump(profile))
    return folder


def test_the_contact_centre_hours_are_profile_data_in_uk_time():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hours = load_profile(SAMPLE).opening_hours
    london = ZoneInfo("Europe/London")
    assert hours.timezone == "Europe/London"
    assert hours.is_open(datetime(2026, 12, 1, 9, 0, tzinfo=london))
    assert not hours.is_open(datetime(2026, 12, 5, 11, 0, tzinfo=london))  # Saturday
    assert not hours.is_open(datetime(2026, 12, 25, 11, 0, tzinfo=london))  # bank holiday


@pytest.mark.parametrize(
    "opening_hours", [None, "Monday to Friday", {"monday": "9am-5pm"}, {"someday": "09:00-17:00"}]
)
def test_missing_or_malformed_contact_centre_hours_name_the_file(tmp_path, opening_hours):
    folder = _profile_with_contact(tmp_path, opening_hours=opening_hours)
    with pytest.raises(ProfileError, match="profile.yml"):
        load_profile(folder)


def test_the_sample_council_has_its_branding_and_legal_links():
    branding = load_profile(SAMPLE).branding
    assert branding.privacy_notice.startswith("https://www.stoke.gov.uk/")
    assert branding.accessibility_statement.startswith("https://www.stoke.gov.uk/")
    # The sample council ships the development stand-in logo, marked as such in its data.
    assert branding.logo == "/chat/logo-placeholder.svg" and branding.logo_placeholder
    assert contrast_ratio(branding.header_text, branding.header_background) >= MIN_CONTRAST
    assert contrast_ratio(branding.accent, "#ffffff") >= MIN_CONTRAST


def test_a_profile_without_branding_still_loads(tmp_path):
    folder = tmp_path / "council"
    shutil.copytree(SAMPLE, folder)
    profile = folder / "profile.yml"
    profile.write_text(profile.read_text().split("\nbranding:")[0] + "\n")
    assert load_profile(folder).branding == Branding()


def test_branding_with_too_little_contrast_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "council"
    shutil.copytree(SAMPLE, folder)
    profile = folder / "profile.yml"
    profile.write_text(profile.read_text().replace('accent: "#1d70b8"', 'accent: "#9fc5e8"'))
    with pytest.raises(ProfileError, match=r"profile.yml: 'branding.colours.accent'"):
        load_profile(folder)


def test_the_council_gives_its_own_examples_for_asking_for_a_place():
    examples = load_profile(SAMPLE).examples
    assert examples.postcode == "ST4 2DX"
    assert examples.postcode in examples.address
    assert examples.library.endswith("Library")


@pytest.mark.parametrize("line", ['  library: "Tunstall Library"\n', "examples:\n"])
def test_a_profile_without_its_examples_is_refused_naming_the_file(tmp_path, line):
    folder = tmp_path / "council"
    shutil.copytree(SAMPLE, folder)
    profile = folder / "profile.yml"
    text = profile.read_text()
    if line == "examples:\n":
        start = text.index(line)
        text = text[:start] + text[text.index("open311:") :]
    else:
        text = text.replace(line, "")
    profile.write_text(text)
    with pytest.raises(ProfileError, match="profile.yml"):
        load_profile(folder)
