"""``purge`` keeps insight data for its retention periods; ``insight-report`` writes files."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from web.__main__ import main
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.insight import OutcomeEventIn, UnansweredIn, record_event
from web.models import OutcomeEvent, UnansweredQuestion


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for name in ("DATABASE_URL", "TRANSCRIPT_RETENTION_DAYS", "INSIGHT_EVENT_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COUNCIL_SERVICES_DATABASE_URL", url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    return url


def session_for(url: str) -> Session:
    engine = create_db_engine(Settings(database_url=url, environment="test"))
    upgrade_database(engine)
    return create_session_factory(engine)()


def seed(url: str, started: list[datetime], outcome: str = "self_served") -> None:
    with session_for(url) as session:
        for number, at in enumerate(started):
            record_event(
                session,
                OutcomeEventIn(
                    conversation_hash=f"{number:032x}",
                    started_at=at,
                    ended_at=at,
                    channel="web",
                    language="en",
                    journey="council_tax",
                    outcome=outcome,
                    fallbacks=1,
                    duration_s=60,
                    assisted=False,
                    unanswered=[UnansweredIn(text="bins?", asked_at=at, best_guess="out_of_scope")],
                ),
            )


def test_purge_follows_each_retention(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(timezone.utc)
    seed(database, [now - timedelta(days=days) for days in (1, 40, 800)])
    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    # Unanswered questions follow the transcripts (30 days); events are kept two years.
    assert "Removed 2 unanswered questions older than 30 days." in out
    assert "Removed 1 outcome events older than 730 days." in out
    with session_for(database) as session:
        assert session.query(UnansweredQuestion).count() == 1
        assert session.query(OutcomeEvent).count() == 2


def test_the_report_command_writes_html_and_csv(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        database,
        [
            datetime(2026, 11, 2, 10, tzinfo=timezone.utc),
            datetime(2026, 11, 3, 10, tzinfo=timezone.utc),
        ],
    )
    out = tmp_path / "report"
    code = main(["insight-report", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)])
    assert code == 0
    assert "insight-report.html" in capsys.readouterr().out
    html = (out / "insight-report.html").read_text()
    assert "<script" not in html and "<style>" in html and "<svg" in html
    assert "1 November 2026 to 30 November 2026" in html
    assert "£5.64" in html  # 2 contained web conversations x (£3.21 - £0.39)
    assert "bins?" not in html  # counts only: no resident's words in a committee paper
    with (out / "insight-summary.csv").open() as handle:
        summary = dict(csv.reader(handle))
    assert summary["conversations"] == "2" and summary["containment_rate"] == "1.0"
    assert summary["cost_avoided_gbp"] == "5.64"
    with (out / "insight-weekly.csv").open() as handle:
        weekly = list(csv.DictReader(handle))
    assert weekly[1] == {
        "week_start": "2026-11-02",
        "conversations": "2",
        "contained": "2",
        "containment_rate": "1.0",
    }


def test_the_report_command_refuses_a_bad_period(database: str, tmp_path: Path) -> None:
    args = ["insight-report", "--from", "2026-11-30", "--to", "2026-11-01", "--out", str(tmp_path)]
    assert main(args) == 2
    assert not (tmp_path / "insight-report.html").exists()
