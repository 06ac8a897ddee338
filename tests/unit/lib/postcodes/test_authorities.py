"""Loading and validating kb/local_authorities.yml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib.postcodes.authorities import (
    AuthorityDataError,
    LocalAuthorities,
    LocalAuthority,
    load_authorities,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
KB_FILE = REPO_ROOT / "kb" / "local_authorities.yml"

GOOD = """\
checked: 2026-11-23
fallback:
  name: your local council
  website: https://www.gov.uk/find-local-council
  report_street_problem_url: https://www.gov.uk/report-pothole
authorities:
  E07000195:
    name: Newcastle-under-Lyme Borough Council
    website: https://www.newcastle-staffs.gov.uk
    report_street_problem_url: https://www.staffordshire.gov.uk/Highways
    highways_authority: Staffordshire County Council
    url_status: best-known
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "local_authorities.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_loads() -> None:
    table = load_authorities(KB_FILE)
    assert isinstance(table, LocalAuthorities)
    assert table.checked == dt.date(2026, 11, 23)
    assert table.fallback_url == "https://www.gov.uk/find-local-council"
    expected = {
        "E06000021",
        "E07000195",
        "E07000197",
        "E07000198",
        "E06000049",
        "E08000025",
        "E08000003",
        "E08000035",
        "E09000033",
    }
    assert expected <= set(table)
    for code in ("E07000195", "E07000197", "E07000198"):
        assert table[code].highways_authority == "Staffordshire County Council"
    for entry in table.values():
        assert entry.url_status in {"verified", "best-known"}
        assert entry.website.startswith("https://")


def test_describe() -> None:
    table = load_authorities(KB_FILE)
    stoke = table.describe("E06000021")
    assert isinstance(stoke, LocalAuthority)
    assert stoke.code == "E06000021"
    assert table.describe(" e06000021 ") == stoke
    assert table.describe("E99999999") is None
    assert table.describe(None) is None
    assert table.describe("") is None


def test_minimal_good_file(tmp_path: Path) -> None:
    table = load_authorities(_write(tmp_path, GOOD))
    entry = table["E07000195"]
    assert entry.sources == ()
    assert entry.notes == ""
    assert len(table) == 1
    assert table.source == tmp_path / "local_authorities.yml"


def test_url_status_is_optional(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("    url_status: best-known\n", ""))
    assert load_authorities(path)["E07000195"].url_status == "best-known"


FALLBACK_URL = "  report_street_problem_url: https://www.gov.uk/report-pothole\n"
BAD_FILES = {
    "http website": (
        "website: https://www.new",
        "website: http://www.new",
        "E07000195",
        "'website'",
    ),
    "no name": ("    name: Newcastle-under-Lyme Borough Council\n", "", "E07000195", "'name'"),
    "empty highways": (
        "authority: Staffordshire County Council",
        "authority: ''",
        "E07000195",
        "'highways_authority'",
    ),
    "bad status": ("url_status: best-known", "url_status: maybe", "E07000195", "'url_status'"),
    "unknown field": (
        "url_status: best-known",
        "url_status: best-known\n    phone: 1",
        "E07000195",
        "phone",
    ),
    "not a code": ("E07000195:", "Newcastle:", "Newcastle", "ONS code"),
    "bad date": ("checked: 2026-11-23", "checked: soon", "checked", "date"),
    "fallback url": (FALLBACK_URL, "", "fallback", "'report_street_problem_url'"),
}


@pytest.mark.parametrize(("old", "new", "where", "problem"), BAD_FILES.values(), ids=BAD_FILES)
def test_bad_entries_are_named(
    tmp_path: Path, old: str, new: str, where: str, problem: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(AuthorityDataError) as caught:
        load_authorities(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert where in message
    assert problem in message


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(AuthorityDataError, match="file not found"):
        load_authorities(tmp_path / "nope.yml")
    with pytest.raises(AuthorityDataError, match="not valid YAML"):
        load_authorities(_write(tmp_path, "authorities: [unclosed"))
    with pytest.raises(AuthorityDataError, match="mapping at the top level"):
        load_authorities(_write(tmp_path, "- a list\n"))
    with pytest.raises(AuthorityDataError, match="non-empty mapping"):
        load_authorities(_write(tmp_path, GOOD.split("authorities:")[0] + "authorities: {}\n"))


def test_error_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_authorities(_write(tmp_path, "checked: 2026-11-23\n"))
