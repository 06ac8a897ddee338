"""The council's signposts file (``bot/councils/signposts.py``): loading and its checks.

A broken file must stop the profile from loading with an error that names the file and the
topic, never reach a resident as a wrong link or number.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.councils.profile import ProfileError, load_profile
from bot.councils.signposts import ContactDefaults, SignpostError, load_signposts
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml

SAMPLE = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"
DEFAULTS = ContactDefaults("01632 960000", "0 1 6 3 2, 9 6 0, 0 0 0", "Monday to Friday")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "signposts.yml"
    path.write_text(text)
    return path


def test_topics_without_their_own_number_or_hours_use_the_council_contact(tmp_path: Path):
    path = write(
        tmp_path,
        """
signposts:
  bins: {link: "https://example.org/bins"}
  register_death:
    link: https://example.org/deaths
    phone: "01632 960123"
    phone_spoken: "0 1 6 3 2, 9 6 0, 1 2 3"
    hours: "Monday to Thursday, 9am to 4pm"
""",
    )
    signposts = load_signposts(path, DEFAULTS)
    bins = signposts["bins"]
    assert (bins.link, bins.phone, bins.phone_spoken, bins.hours) == (
        "https://example.org/bins", "01632 960000", "0 1 6 3 2, 9 6 0, 0 0 0", "Monday to Friday",
    )  # fmt: skip
    death = signposts["register_death"]
    assert (death.phone, death.phone_spoken, death.hours) == (
        "01632 960123", "0 1 6 3 2, 9 6 0, 1 2 3", "Monday to Thursday, 9am to 4pm",
    )  # fmt: skip


@pytest.mark.parametrize(
    "text, message",
    [
        ("- just a list", "expected a mapping"),
        ("signposts: {}", "'signposts' must map each topic"),
        ("signpost:\n  bins: {link: 'https://example.org'}", "unknown key(s) ['signpost']"),
        ("signposts:\n  bins: {}", "signpost 'bins': 'link' is required"),
        ("signposts:\n  bins: https://example.org", "signpost 'bins' must be a mapping"),
        ("signposts:\n  Bins: {link: 'https://example.org'}", "topic 'Bins' must be a snake_case"),
        ("signposts:\n  bins: {link: 'http://example.org'}", "'link' must be an https:// address"),
        ("signposts:\n  bins: {link: 'www.example.org'}", "'link' must be an https:// address"),
        ("signposts:\n  bins: {lnk: 'https://example.org'}", "unknown key(s) ['lnk']"),
        (
            "signposts:\n  bins: {link: 'https://example.org', phone: '999'}",
            "signpost 'bins': 'phone' '999' is not a UK phone number",
        ),
        (
            "signposts:\n  bins: {link: 'https://example.org', phone: '01632 960123'}",
            "'phone_spoken' is required with 'phone'",
        ),
        (
            "signposts:\n  bins: {link: 'https://example.org', phone: '01632 960123',"
            " phone_spoken: '0 1 6 3 2, 9 6 0, 1 2 4'}",
            "'phone_spoken' does not read out the digits of 'phone'",
        ),
        (
            "signposts:\n  bins: {link: 'https://example.org', phone_spoken: '0 1 6 3 2'}",
            "'phone_spoken' without 'phone'",
        ),
        ("signposts:\n  bins: {link: 'https://example.org', hours: ''}", "'hours' must be"),
        ("signposts: [unclosed", "not valid YAML"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file(tmp_path: Path, text: str, message: str):
    path = write(tmp_path, text)
    with pytest.raises(SignpostError) as raised:
        load_signposts(path, DEFAULTS)
    assert str(raised.value).startswith(str(path)), raised.value
    assert message in str(raised.value)


def test_the_profile_does_not_load_without_valid_signposts(tmp_path: Path):
    council = tmp_path / "elsewhere"
    shutil.copytree(SAMPLE, council)
    (council / "signposts.yml").unlink()
    with pytest.raises(ProfileError, match=r"elsewhere/signposts\.yml: file not found"):
        load_profile(council)
    data = load_yaml((SAMPLE / "signposts.yml").read_text())
    data["signposts"]["parking"]["link"] = "stoke.gov.uk/parking"
    (council / "signposts.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(ProfileError, match=r"signposts\.yml: signpost 'parking': 'link'"):
        load_profile(council)


def test_the_sample_council_signposts_load_and_are_marked_as_sample_data():
    profile = load_profile(SAMPLE)
    assert profile.signpost("bins").link.startswith("https://")
    assert load_yaml((SAMPLE / "signposts.yml").read_text())["sample_data"] is True
    # A topic the file leaves out still has somewhere to go: the council's main details.
    fallback = profile.signpost("not_a_topic")
    assert (fallback.link, fallback.phone) == (profile.website, profile.phone)
