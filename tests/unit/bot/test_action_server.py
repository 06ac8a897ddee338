"""The action server wrapper (``bot/action_server.py``), run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.settings import REPO_ROOT
from lib.domain_responses import FINGERPRINT_KEY, load_responses, without_responses
from tests.helpers import can_connect, free_port, non_loopback_address

SECRET = "test-action-secret-4f9a"
NI_NUMBER = "QQ123456C"


@dataclass
class RunningActionServer:
    url: str
    port: int
    probe: Path
    log: Path


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACTION_SERVER_", "ENVIRONMENT"))
    }
    return {
        **env,
        "ENVIRONMENT": "test",
        "ACTION_SERVER_TOKEN": SECRET,
        "PROBE_FILE": str(tmp_path / "probe.txt"),
        "PYTHONPATH": str(REPO_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningActionServer]:
    """The wrapper on a free port with the probe actions, host left to its default."""
    tmp_path = tmp_path_factory.mktemp("action-server")
    port = free_port()
    log = tmp_path / "action-server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.action_server",
             "--actions", "tests.unit.bot.probe_actions", "--port", str(port)],
            cwd=REPO_ROOT, env=_environment(tmp_path), stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not can_connect("127.0.0.1", port, 0.5):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield RunningActionServer(url, port, tmp_path / "probe.txt", log)
        process.terminate()
        process.wait(timeout=10)


def _call(sender: str, **slots: str) -> dict:
    return {
        "next_action": "action_probe",
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
        "version": "3.6.2",
    }


def test_health_answers_without_the_secret(server: RunningActionServer) -> None:
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers,params",
    [
        ({}, {}),
        ({"Authorization": "Bearer wrong-secret"}, {}),
        ({"Authorization": SECRET}, {}),  # not a bearer header
        ({}, {"token": "wrong-secret"}),
        ({"Content-Type": "text/plain"}, {}),  # what a web page can send without asking
    ],
)
def test_a_call_without_the_secret_is_refused_and_nothing_runs(
    server: RunningActionServer, headers: dict, params: dict
) -> None:
    server.probe.unlink(missing_ok=True)
    reply = httpx.post(
        f"{server.url}/webhook",
        content=json.dumps(_call("intruder")),
        headers=headers,
        params=params,
    )
    assert reply.status_code == 401
    assert "events" not in reply.json()
    assert not server.probe.exists()


def test_the_action_list_needs_the_secret_too(server: RunningActionServer) -> None:
    assert httpx.get(f"{server.url}/actions").status_code == 401
    listed = httpx.get(f"{server.url}/actions", headers={"Authorization": f"Bearer {SECRET}"})
    assert {"name": "action_probe"} in listed.json()


def test_rasas_call_with_the_bearer_secret_runs_the_action(server: RunningActionServer) -> None:
    server.probe.unlink(missing_ok=True)
    reply = httpx.post(
        f"{server.url}/webhook",
        json=_call("resident-1"),
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert reply.status_code == 200
    assert reply.json()["events"][0]["value"] == "ran"
    assert server.probe.read_text() == "resident-1"


def test_rasas_token_parameter_is_accepted_as_well(server: RunningActionServer) -> None:
    server.probe.unlink(missing_ok=True)
    reply = httpx.post(f"{server.url}/webhook", json=_call("resident-2"), params={"token": SECRET})
    assert reply.status_code == 200
    assert server.probe.read_text() == "resident-2"


def test_a_failing_request_does_not_echo_the_tracker_back_or_into_the_log(
    server: RunningActionServer,
) -> None:
    broken = {"next_action": "action_probe", "tracker": f"my NI is {NI_NUMBER}", "version": "3.6.2"}
    reply = httpx.post(
        f"{server.url}/webhook", json=broken, headers={"Authorization": f"Bearer {SECRET}"}
    )
    assert reply.status_code == 500
    assert NI_NUMBER not in reply.text
    assert NI_NUMBER not in server.log.read_text()


def test_it_listens_on_loopback_only_by_default(server: RunningActionServer) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    assert can_connect("127.0.0.1", server.port)
    assert not can_connect(address, server.port)


def test_it_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--actions", "tests.unit.bot.probe_actions",
         "--port", str(free_port())],
        cwd=REPO_ROOT, env=_environment(tmp_path, ACTION_SERVER_TOKEN=""),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert finished.returncode == 2
    assert "ACTION_SERVER_TOKEN" in finished.stderr


def test_it_refuses_the_development_secret_in_production(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--actions", "tests.unit.bot.probe_actions",
         "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=_environment(tmp_path, ENVIRONMENT="production",
                         ACTION_SERVER_TOKEN="dev-action-server-token"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert finished.returncode == 2
    assert "ACTION_SERVER_TOKEN" in finished.stderr


# --- The domain's responses come from domain/, not with every call (issue #19) ---


def _responses_call(domain: dict) -> dict:
    return {**_call("resident-3"), "next_action": "action_probe_responses", "domain": domain}


def _said(server: RunningActionServer, domain: dict) -> str:
    reply = httpx.post(
        f"{server.url}/webhook",
        json=_responses_call(domain),
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["responses"][0]["text"]


def test_a_domain_sent_without_responses_gets_those_of_domain_folder(
    server: RunningActionServer,
) -> None:
    local = load_responses(REPO_ROOT / "domain")
    sent = without_responses({"slots": {}, "responses": local})
    assert "responses" not in sent
    assert _said(server, sent) == f"{len(local)} True"


def test_a_domain_sent_with_its_responses_is_left_as_it_is(server: RunningActionServer) -> None:
    assert _said(server, {"responses": {"utter_probe": [{"text": "x"}]}}) == "1 False"


def test_another_fingerprint_is_logged_and_the_local_responses_used(
    server: RunningActionServer,
) -> None:
    local = load_responses(REPO_ROOT / "domain")
    sent = {"slots": {}, FINGERPRINT_KEY: "0000000000000000"}
    assert _said(server, sent) == f"{len(local)} True"
    assert "responses differ" in server.log.read_text()
