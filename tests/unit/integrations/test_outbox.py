import asyncio
from datetime import datetime, timezone

import pytest

from integrations.open311 import NewServiceRequest, Open311Rejected
from integrations.open311.fake import FakeOpen311Client
from integrations.outbox import Outbox
from integrations.outbox.store import DELIVERED, FAILED, PENDING
from integrations.outbox.worker import OPEN311_REQUEST, OutboxWorker, backoff_delay

REQUEST = NewServiceRequest("POTHOLE", "Deep hole", lat=53.0, long=-2.1, address_string="ST4 2DX")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def outbox(request, tmp_path):
    if request.param == "sqlite":
        store = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}")
    else:
        store = Outbox(request.getfixturevalue("postgres_url"))
    yield store
    store.engine.dispose()


def test_hold_gives_a_holding_reference_and_keeps_the_payload(outbox):
    reference = outbox.hold(OPEN311_REQUEST, REQUEST.to_dict())
    assert reference.startswith("HR-") and len(reference) == 9
    item = outbox.get(reference)
    assert item.status == PENDING
    assert NewServiceRequest.from_dict(item.payload) == REQUEST
    assert item.created_at.tzinfo is not None


def test_items_survive_a_new_outbox_object(tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    reference = Outbox(url).hold(OPEN311_REQUEST, REQUEST.to_dict())
    assert Outbox(url).get(reference).status == PENDING


def test_worker_retries_while_unavailable_then_delivers(outbox):
    client = FakeOpen311Client()
    client.available = False
    worker = OutboxWorker(outbox, client, base_s=0.0, max_s=0.0)
    reference = outbox.hold(OPEN311_REQUEST, REQUEST.to_dict())

    assert asyncio.run(worker.run_once()) == 0
    item = outbox.get(reference)
    assert item.status == PENDING and item.attempts == 1 and "outage" in item.last_error

    client.available = True
    assert asyncio.run(worker.run_once()) == 1
    item = outbox.get(reference)
    assert item.status == DELIVERED
    assert item.delivered_id in client.requests
    assert client.submitted == [REQUEST]
    assert outbox.pending_count() == 0


def test_worker_waits_for_the_backoff(outbox):
    client = FakeOpen311Client()
    client.available = False
    worker = OutboxWorker(outbox, client, base_s=60.0, max_s=60.0)
    reference = outbox.hold(OPEN311_REQUEST, REQUEST.to_dict())
    asyncio.run(worker.run_once())
    client.available = True
    assert asyncio.run(worker.run_once()) == 0  # not due yet
    assert outbox.get(reference).next_attempt_at > datetime.now(timezone.utc)


def test_rejected_items_are_kept_as_failed(outbox):
    class Rejecting(FakeOpen311Client):
        async def submit(self, request):
            raise Open311Rejected(400, 400, "bad attribute")

    worker = OutboxWorker(outbox, Rejecting())
    reference = outbox.hold(OPEN311_REQUEST, REQUEST.to_dict())
    asyncio.run(worker.run_once())
    item = outbox.get(reference)
    assert item.status == FAILED and "bad attribute" in item.last_error
    assert item.payload == REQUEST.to_dict()


@pytest.mark.parametrize("attempts", [1, 2, 3, 10, 50])
def test_backoff_grows_and_is_capped(attempts):
    delay = backoff_delay(attempts, base_s=2.0, max_s=300.0)
    ceiling = min(300.0, 2.0 * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling


def test_a_held_addition_is_delivered_to_its_record(outbox):
    from integrations.outbox.worker import TRIAGE_ADDITION

    class Triage:
        added: list = []

        async def add(self, reference, addition):
            self.added.append((reference, addition))
            return reference

    triage = Triage()
    worker = OutboxWorker(outbox, FakeOpen311Client(), triage=triage, base_s=0.0, max_s=0.0)
    held = outbox.hold(TRIAGE_ADDITION, {"reference": "FD-ABC234", "conversation_id": "c-1"})
    assert asyncio.run(worker.run_once()) == 1
    assert triage.added == [("FD-ABC234", {"conversation_id": "c-1"})]
    assert outbox.get(held).delivered_id == "FD-ABC234"
