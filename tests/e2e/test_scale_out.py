"""Scale-out: two Rasa processes behind nginx on shared stores; one dies mid-form."""

from __future__ import annotations

import re
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.launcher.scaled_stack import InternalPorts, ScaledStack
from bot.settings import Settings
from tests.conftest import ADMIN_URL
from tests.helpers import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

REFERENCE = re.compile(r"\b(SR-[2-9A-HJ-NP-Z]{6})\b")
PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, str]]:
    """Three fresh PostgreSQL databases (tracker, outbox, council services), dropped after."""
    kinds = ("tracker", "outbox", "council")
    names = {kind: f"fd_scaled_{kind}_{uuid.uuid4().hex[:8]}" for kind in kinds}
    yield {kind: f"{PG}/{name}" for kind, name in names.items()}
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def scaled(
    trained_model: Path, databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScaledStack]:
    settings = Settings(
        _env_file=None,
        environment="test",
        var_dir=tmp_path_factory.mktemp("scaled"),
        rasa_port=free_port(),
        action_server_port=free_port(),
        council_services_url=f"http://127.0.0.1:{free_port()}",
        tracker_store_url=databases["tracker"],
        database_url=databases["outbox"],
        redis_url="redis://127.0.0.1:6379/0",
    )
    ports = InternalPorts(free_port(), free_port(), free_port(), free_port())
    stack = ScaledStack(settings, trained_model, databases["council"], ports)
    stack.start(timeout_s=600)
    yield stack
    stack.stop()


def _say(stack: ScaledStack, sender: str, message: str) -> tuple[str, int]:
    """Send one message through nginx; return the replies' text and the serving port."""
    response = httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message, "metadata": {"channel": "web"}},
        timeout=60,
    )
    response.raise_for_status()
    served_by = response.headers["X-Front-Door-Upstream"].split(",")[-1].strip()
    return "\n".join(r.get("text", "") for r in response.json()), int(served_by.rsplit(":")[-1])


def test_one_conversation_stays_on_one_process_and_conversations_spread(scaled: ScaledStack):
    ports_by_sender = {}
    for _ in range(12):
        sender = f"spread-{uuid.uuid4().hex[:10]}"
        ports = {_say(scaled, sender, message)[1] for message in ("hello", "thanks", "bye")}
        assert len(ports) == 1, f"{sender} moved between processes: {ports}"
        ports_by_sender[sender] = ports.pop()
    assert set(ports_by_sender.values()) == {scaled.ports.rasa_a, scaled.ports.rasa_b}


def test_a_form_survives_its_rasa_process_being_killed(scaled: ScaledStack):
    sender = f"failover-{uuid.uuid4().hex[:10]}"
    reply, first_port = _say(scaled, sender, "there's a massive pothole on my road")
    assert "Where is the" in reply, reply
    reply, port = _say(scaled, sender, "ST4 2DX")
    assert "describe the problem" in reply and port == first_port, reply

    victim = scaled.rasa_on_port(first_port)
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait(timeout=10)

    description = f"Deep hole by the kerb {uuid.uuid4().hex[:6]}"
    reply, port = _say(scaled, sender, description)
    assert port != first_port
    assert "dangerous" in reply, reply
    assert "contact you" in _say(scaled, sender, "no")[0]
    reply = _say(scaled, sender, "no thanks")[0]
    assert "Please check your report" in reply and description in reply, reply
    reference = REFERENCE.search(_say(scaled, sender, "yes")[0]).group(1)

    found = httpx.get(
        f"{scaled.settings.council_services_url}/open311/v2/requests.json",
        params={"service_request_id": reference},
    ).json()
    assert len(found) == 1 and description in found[0]["description"]

    # No lost events: every message the resident sent is in the shared tracker, in order.
    tracker = httpx.get(
        f"{scaled.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": scaled.settings.rasa_api_token.get_secret_value()},
        timeout=30,
    ).json()
    said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert said == [
        "there's a massive pothole on my road",
        "ST4 2DX",
        description,
        "no",
        "no thanks",
        "yes",
    ]
