"""``python -m bot outbox list`` and ``outbox retry``: failed items with reference and reason."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from bot.settings import REPO_ROOT
from integrations.outbox import Outbox
from integrations.outbox.kinds import OPEN311_REQUEST, TRIAGE_RECORD
from integrations.outbox.store import PENDING
from workers import outbox_cli


def failed_outbox(tmp_path) -> tuple[Outbox, str, str]:
    outbox = Outbox(f"sqlite:///{tmp_path / 'frontdoor.db'}")
    report = outbox.hold(OPEN311_REQUEST, {"service_code": "POTHOLE"})
    outbox.mark_failed(report, 1, "HTTP 400: attribute[depth] is required")
    record = outbox.hold(TRIAGE_RECORD, {"reference": "FD-ABC234"}, reference="FD-ABC234")
    outbox.mark_failed(record, 2, "HTTP 422: summary too long")
    outbox.hold(OPEN311_REQUEST, {"service_code": "GRAFFITI"})  # pending: not listed
    return outbox, report, record


def test_list_shows_every_failed_item_with_reference_and_reason(tmp_path):
    outbox, report, record = failed_outbox(tmp_path)
    out = io.StringIO()
    assert outbox_cli.list_failed(outbox, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t") == [
        "reference", "kind", "record", "failed_at", "attempts", "reason"
    ]  # fmt: skip
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:-1]}
    assert set(rows) == {report, record}
    assert rows[report][5] == "HTTP 400: attribute[depth] is required"
    assert rows[record][1:3] == [TRIAGE_RECORD, "FD-ABC234"]
    assert "2 failed item(s)" in lines[-1]


def test_list_says_when_nothing_failed(tmp_path):
    outbox = Outbox(f"sqlite:///{tmp_path / 'frontdoor.db'}")
    out = io.StringIO()
    assert outbox_cli.list_failed(outbox, out) == 0
    assert "No failed items" in out.getvalue()


def test_retry_queues_a_failed_item_again(tmp_path):
    outbox, report, _ = failed_outbox(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert outbox_cli.retry(outbox, report.lower(), out, err) == 0
    assert outbox.get(report).status == PENDING
    assert outbox.get(report).last_error  # the reason is kept until it is sent
    assert outbox_cli.retry(outbox, report, out, err) == 1  # no longer failed
    assert outbox_cli.retry(outbox, "HR-ZZZZZZ", out, err) == 1
    assert "No failed item HR-ZZZZZZ" in err.getvalue()


def test_the_real_command_line(tmp_path):
    outbox, report, _ = failed_outbox(tmp_path)
    outbox.engine.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdoor.db'}",
        "ENVIRONMENT": "test",
        "VAR_DIR": str(tmp_path / "var"),
    }

    def bot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "outbox", *args],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    listed = bot("list")
    assert listed.returncode == 0, listed.stderr
    assert report in listed.stdout and "attribute[depth] is required" in listed.stdout
    retried = bot("retry", report)
    assert retried.returncode == 0, retried.stderr
    assert Outbox(env["DATABASE_URL"]).get(report).status == PENDING
    assert bot("retry", report).returncode == 1
