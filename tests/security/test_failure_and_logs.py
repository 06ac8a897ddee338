"""A failing action: a kind reply, a kept record, and no personal data in any log.

The conversation carries an NI number and bank details; the action is made to fail
through Rasa's own HTTP API (a slot set to a value the action cannot use), so Rasa, the
action server, the workers and the council services all do what they do in real life.
Before issue #15 rasa-sdk answered 500 with the whole tracker, which Rasa wrote to
rasa.log (issue #15, items 3 and 4).
"""

from __future__ import annotations

import re

import httpx
import pytest

from bot.launcher.stack import Stack
from tests.security.calls import conversation, triage_of, wait_for

pytestmark = pytest.mark.e2e

NI, SORT_CODE, ACCOUNT = "QQ123456C", "12-34-56", "12345678"
FD_REFERENCE = re.compile(r"\bFD-[2-9A-HJ-NP-Z]{6}\b")


def _rasa(stack: Stack) -> httpx.Client:
    return httpx.Client(
        base_url=stack.settings.rasa_url,
        headers={"Authorization": f"Bearer {stack.settings.rasa_api_token.get_secret_value()}"},
        timeout=90,
    )


def test_a_failing_action_answers_kindly_keeps_the_report_and_logs_no_personal_data(
    stack: Stack,
) -> None:
    sender = conversation("web-failing")
    with _rasa(stack) as rasa:
        said = rasa.post(
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": f"my NI number is {NI} and my bank is sort "
                  f"code {SORT_CODE} account {ACCOUNT}", "metadata": {"channel": "web"}},
        )  # fmt: skip
        assert said.status_code == 200
        slots = [
            {"event": "slot", "name": "problem_type", "value": "not-a-problem-we-know"},
            {"event": "slot", "name": "confirm_report", "value": True},
        ]
        assert rasa.post(f"/conversations/{sender}/tracker/events", json=slots).is_success
        executed = rasa.post(
            f"/conversations/{sender}/execute", json={"name": "action_submit_report"}
        )
    assert executed.status_code == 200, executed.text
    reply = " ".join(message.get("text") or "" for message in executed.json()["messages"])
    assert "Sorry, something went wrong on my side" in reply, reply
    assert "01782 234234" in reply  # the council's number from the profile
    reference = FD_REFERENCE.search(reply).group(0)

    # Kept: the outbox worker delivers the record of the conversation to the queue.
    (record,) = wait_for(lambda: triage_of(stack, sender))
    assert record["reference"] == reference and record["category"] == "street"
    said_in_record = " ".join(line["text"] for line in record["transcript"])
    assert "[NI number]" in said_in_record and NI not in said_in_record

    logs = sorted((stack.settings.var_dir / "logs").glob("*.log"))
    assert {path.name for path in logs} >= {"rasa.log", "action-server.log"}
    action_log = (stack.settings.var_dir / "logs" / "action-server.log").read_text()
    assert "action_submit_report failed" in action_log  # logged, with the action's name
    for path in logs:
        written = path.read_text(errors="replace")
        for secret in (NI, SORT_CODE, ACCOUNT):
            assert secret not in written, (path.name, secret)


def test_no_log_file_holds_a_token(stack: Stack) -> None:
    """Tokens travel in headers; anything that still puts one in a URL is masked."""
    with _rasa(stack) as rasa:
        assert rasa.get("/status").status_code == 200  # the bearer header is accepted
    token = stack.settings.rasa_api_token.get_secret_value()
    legacy = httpx.get(f"{stack.settings.rasa_url}/status", params={"token": token})
    assert legacy.status_code == 200  # the query form still works for existing clients
    assert httpx.get(f"{stack.settings.rasa_url}/status").status_code == 401
    secrets = (
        stack.settings.rasa_api_token.get_secret_value(),
        stack.settings.action_server_token.get_secret_value(),
        stack.settings.staff_api_token.get_secret_value(),
    )
    wait_for(lambda: (stack.settings.var_dir / "logs" / "rasa.log").stat().st_size > 0)
    for path in (stack.settings.var_dir / "logs").glob("*.log"):
        written = path.read_text(errors="replace")
        for secret in secrets:
            assert secret not in written, (path.name, secret)
        # Redaction never breaks a formatter (uvicorn's access log reads the arguments).
        assert "--- Logging error ---" not in written, path.name
