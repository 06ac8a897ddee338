"""The next-steps files: every step has its timescale, a source and a checked date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from bot.content import next_steps
from bot.content.knowledge import check
from bot.settings import REPO_ROOT, Settings

KB_DIR = REPO_ROOT / "kb"
GOOD = {
    "text": "They check it {within}.",
    "voice": "They check it {within}.",
    "within": "within 5 days",
    "heard_by": "call",
    "source": "https://www.gov.uk/council-tax",
    "checked": "2026-12-01",
}


def _write(tmp_path: Path, **changes) -> Path:
    entry = {**GOOD, **changes}
    entry = {key: value for key, value in entry.items() if value is not None}
    path = tmp_path / "next_steps.yml"
    path.write_text(yaml.safe_dump({"steps": {"a_step": entry}}), encoding="utf-8")
    return path


def test_the_shipped_files_are_clean():
    assert next_steps.check(KB_DIR) == []
    council_dir = Settings(_env_file=None).council_dir
    assert check(KB_DIR, REPO_ROOT / "domain", REPO_ROOT, council_dir) == []


def test_a_good_step_loads_and_fills_its_timescale(tmp_path):
    step = next_steps.load_file(_write(tmp_path))["a_step"]
    assert step.said() == "They check it within 5 days."
    assert step.said(voice=True) == "They check it within 5 days."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": None}, "'source' is missing"),
        ({"checked": None}, "'checked' must be a date"),
        ({"checked": (date.today() + timedelta(days=2)).isoformat()}, "in the future"),
        ({"within": None}, "'within' is missing"),
        ({"text": "They check it soon."}, "says when"),
        ({"text": "They check it {when}."}, "only {within}"),
        ({"heard_by": "text"}, "'heard_by' must be"),
        ({"voice": "See https://x.example {within}"}, "must not contain a link"),
    ],
)
def test_a_faulty_step_names_the_file_and_the_fault(tmp_path, changes, message):
    with pytest.raises(next_steps.NextStepsError, match="a_step") as error:
        next_steps.load_file(_write(tmp_path, **changes))
    assert message in str(error.value)


def test_kb_check_reports_a_faulty_council_file(tmp_path):
    kb = tmp_path / "kb"
    (kb / "councils" / "somewhere").mkdir(parents=True)
    (kb / "next_steps.yml").write_text(
        yaml.safe_dump({"steps": {"a_step": GOOD}}), encoding="utf-8"
    )
    bad = {"steps": {"a_step": {**GOOD, "source": ""}}}
    (kb / "councils" / "somewhere" / "next_steps.yml").write_text(
        yaml.safe_dump(bad), encoding="utf-8"
    )
    problems = next_steps.check(kb)
    assert len(problems) == 1 and "somewhere" in problems[0] and "source" in problems[0]
