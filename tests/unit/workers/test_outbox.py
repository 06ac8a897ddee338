import asyncio
from datetime import datetime, timezone

import pytest

from integrations.open311 import NewServiceRequest, Open311Rejected
from integrations.open311.errors import Open311Unavailable
from integrations.open311.fake import FakeOpen311Client
from integrations.outbox import Outbox
from integrations.outbox.kinds import OPEN311_REQUEST, TRIAGE_CONTACT, TRIAGE_RECORD
from integrations.outbox.store import DELIVERED, FAILED, PENDING, outbox_items
from workers.outbox import OutboxWorker, backoff_delay

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


# --- Ordered delivery, idempotency keys and failed items (issue #15 item 6) --------------------


class FakeTriageQueue:
    """A triage queue that refuses contact details for a record it does not have."""

    def __init__(self):
        self.available = True
        self.refuse = set()
        self.records = {}
        self.contacts = []
        self.listed = {}
        self.cleared = []

    async def create(self, record):
        from integrations.triage import TriageRejected, TriageUnavailable

        if not self.available:
            raise TriageUnavailable("down")
        if record["reference"] in self.refuse:
            raise TriageRejected(422, "summary: field required")
        self.records[record["reference"]] = record
        return record["reference"]

    async def add_contact(self, reference, contact, conversation_id):
        from integrations.triage import TriageRejected

        if reference not in self.records:
            raise TriageRejected(404, f"No triage record {reference}")
        self.contacts.append(reference)

    async def report_undelivered(self, notice):
        self.listed[notice["reference"]] = notice

    async def clear_undelivered(self, reference):
        self.cleared.append(reference)


def hold_urgent_case(outbox, reference="FD-ABC234"):
    outbox.hold(TRIAGE_RECORD, {"reference": reference, "summary": "x"}, reference=reference)
    contact = {"reference": reference, "contact": {"name": "Sam"}, "conversation_id": "c1"}
    return outbox.hold(TRIAGE_CONTACT, contact, group=reference)


def test_contact_details_wait_until_their_record_is_delivered(outbox):
    queue = FakeTriageQueue()
    worker = OutboxWorker(outbox, FakeOpen311Client(), base_s=60.0, max_s=60.0, triage=queue)
    contact = hold_urgent_case(outbox)
    queue.available = False
    asyncio.run(worker.run_once())  # the record fails to go and waits for its back-off
    queue.available = True
    assert [item.kind for item in outbox.due()] == []  # the contact is not due before it
    assert asyncio.run(worker.run_once()) == 0
    assert outbox.get(contact).status == PENDING and queue.contacts == []

    with outbox.engine.begin() as conn:  # the back-off is over
        conn.execute(
            outbox_items.update()
            .where(outbox_items.c.reference == "FD-ABC234")
            .values(next_attempt_at=datetime(2000, 1, 1, tzinfo=timezone.utc))
        )
    assert asyncio.run(worker.run_once()) == 1  # the record
    assert asyncio.run(worker.run_once()) == 1  # then its contact details
    assert outbox.get(contact).status == DELIVERED
    assert queue.contacts == ["FD-ABC234"]


def test_items_behind_a_refused_record_fail_with_a_reason_naming_it(outbox):
    queue = FakeTriageQueue()
    queue.refuse.add("FD-ABC234")
    worker = OutboxWorker(outbox, FakeOpen311Client(), triage=queue)
    contact = hold_urgent_case(outbox)
    asyncio.run(worker.run_once())
    record = outbox.get("FD-ABC234")
    assert record.status == FAILED and "422" in record.last_error and record.failed_at
    behind = outbox.get(contact)
    assert behind.status == FAILED and "FD-ABC234" in behind.last_error
    # Both are on the staff console's list, with reference and reason, and only once.
    assert set(queue.listed) == {"FD-ABC234", contact}
    assert queue.listed[contact]["record_reference"] == "FD-ABC234"
    assert "422" in queue.listed["FD-ABC234"]["reason"]
    queue.listed.clear()
    asyncio.run(worker.run_once())
    assert queue.listed == {}


def test_retry_sends_a_failed_record_and_what_waited_behind_it(outbox):
    queue = FakeTriageQueue()
    queue.refuse.add("FD-ABC234")
    worker = OutboxWorker(outbox, FakeOpen311Client(), triage=queue)
    contact = hold_urgent_case(outbox)
    asyncio.run(worker.run_once())
    assert outbox.retry("FD-ZZZZZZ") is None  # no such failed item
    queue.refuse.clear()  # the cause is fixed
    assert outbox.retry("FD-ABC234").status == PENDING
    assert outbox.get(contact).status == PENDING
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    assert outbox.get("FD-ABC234").status == DELIVERED
    assert outbox.get(contact).status == DELIVERED
    assert set(queue.cleared) == {"FD-ABC234", contact}  # off the staff console's list
    assert outbox.failed() == []


def test_every_attempt_at_a_report_carries_the_same_key(outbox):
    class TimesOutAfterCreating(FakeOpen311Client):
        """Creates the report, then the answer is lost (a read timeout)."""

        def __init__(self):
            super().__init__()
            self.keys = []
            self.lose_answer = True

        async def submit(self, request):
            self.keys.append(request.idempotency_key)
            request_id = await super().submit(request)
            if self.lose_answer:
                self.lose_answer = False
                raise Open311Unavailable("ReadTimeout")
            return request_id

    client = TimesOutAfterCreating()
    worker = OutboxWorker(outbox, client, base_s=0.0, max_s=0.0)
    reference = outbox.hold(OPEN311_REQUEST, REQUEST.to_dict())
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    assert outbox.get(reference).status == DELIVERED
    assert len(client.keys) == 2 and client.keys[0] == client.keys[1] is not None
    assert len(client.requests) == 1  # no duplicate report


def test_a_held_report_keeps_the_key_of_its_first_attempt(outbox):
    request = NewServiceRequest("POTHOLE", "Deep hole", idempotency_key="first-attempt-key")
    reference = outbox.hold(OPEN311_REQUEST, request.to_dict())
    assert outbox.get(reference).idempotency_key == "first-attempt-key"
    assert NewServiceRequest.from_dict(outbox.get(reference).payload).idempotency_key == (
        "first-attempt-key"
    )


def test_an_outbox_table_from_an_earlier_release_gains_the_new_columns(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url)
    with old.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE outbox_items (reference VARCHAR(16) PRIMARY KEY, kind VARCHAR(32) "
                "NOT NULL, payload TEXT NOT NULL, status VARCHAR(16) NOT NULL, attempts INTEGER "
                "NOT NULL, next_attempt_at DATETIME NOT NULL, last_error TEXT, delivered_id "
                "VARCHAR(64), created_at DATETIME NOT NULL, delivered_at DATETIME)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO outbox_items VALUES ('HR-ABC234', 'open311_request', '{}', "
                "'pending', 0, '2026-01-01 00:00:00', NULL, NULL, '2026-01-01 00:00:00', NULL)"
            )
        )
    old.dispose()
    outbox = Outbox(url)
    item = outbox.get("HR-ABC234")
    assert item.group_key == "HR-ABC234" and item.status == PENDING
    assert [due.reference for due in outbox.due()] == ["HR-ABC234"]
    outbox.engine.dispose()


def test_a_held_addition_is_delivered_to_its_record(outbox):
    from integrations.outbox.kinds import TRIAGE_ADDITION

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
