"""Delivers held items to the council services, retrying with exponential back-off.

Each kind of item has a deliverer: an async function that sends the payload and returns
the id the council services gave it. A deliverer that cannot reach the service raises
one of :data:`UNAVAILABLE` (the item is retried later); any other integration error means
the service refused it (the item is kept as ``failed`` for a person to look at).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from integrations.open311 import NewServiceRequest, Open311Client
from integrations.open311.errors import Open311Error, Open311Unavailable
from integrations.outbox.store import HeldItem, Outbox
from integrations.triage import TriageClient
from integrations.triage.errors import TriageError, TriageUnavailable

logger = logging.getLogger(__name__)

OPEN311_REQUEST = "open311_request"
TRIAGE_RECORD = "triage_record"
TRIAGE_CONTACT = "triage_contact"
TRIAGE_ADDITION = "triage_addition"

UNAVAILABLE = (Open311Unavailable, TriageUnavailable)
REFUSED = (Open311Error, TriageError)

Deliverer = Callable[[dict[str, Any]], Awaitable[str]]


def backoff_delay(attempts: int, base_s: float, max_s: float) -> float:
    """Seconds to wait before attempt number ``attempts + 1`` (full jitter, capped).

    Args:
        attempts: how many attempts have failed so far (1 after the first failure).
        base_s: the delay after the first failure.
        max_s: the longest wait.
    """
    ceiling = min(max_s, base_s * (2 ** max(attempts - 1, 0)))
    return random.uniform(ceiling / 2, ceiling)


def deliverers(open311: Open311Client, triage: TriageClient | None = None) -> dict[str, Deliverer]:
    """The deliverer of each kind of outbox item."""

    async def report(payload: dict[str, Any]) -> str:
        return await open311.submit(NewServiceRequest.from_dict(payload))

    found: dict[str, Deliverer] = {OPEN311_REQUEST: report}
    if triage is not None:

        async def record(payload: dict[str, Any]) -> str:
            return await triage.create(payload)

        async def contact(payload: dict[str, Any]) -> str:
            await triage.add_contact(
                payload["reference"], payload["contact"], payload.get("conversation_id")
            )
            return payload["reference"]

        async def addition(payload: dict[str, Any]) -> str:
            body = {key: value for key, value in payload.items() if key != "reference"}
            return await triage.add(payload["reference"], body)

        found.update({TRIAGE_RECORD: record, TRIAGE_CONTACT: contact, TRIAGE_ADDITION: addition})
    return found


class OutboxWorker:
    """Sends due outbox items; one ``run_once`` is one pass over what is due."""

    def __init__(
        self,
        outbox: Outbox,
        open311: Open311Client,
        base_s: float = 2.0,
        max_s: float = 300.0,
        triage: TriageClient | None = None,
    ) -> None:
        self._outbox = outbox
        self._deliverers = deliverers(open311, triage)
        self._base_s = base_s
        self._max_s = max_s

    async def deliver(self, item: HeldItem) -> bool:
        """Try to deliver one item; returns True when it was delivered."""
        attempts = item.attempts + 1
        deliverer = self._deliverers.get(item.kind)
        if deliverer is None:
            self._outbox.mark_failed(item.reference, attempts, f"unknown kind {item.kind}")
            logger.error("outbox item of unknown kind", extra={"reference": item.reference})
            return False
        try:
            delivered_id = await deliverer(item.payload)
        except UNAVAILABLE as error:
            delay = backoff_delay(attempts, self._base_s, self._max_s)
            self._outbox.mark_retry(item.reference, attempts, delay, str(error))
            logger.warning(
                "council services unavailable; will retry",
                extra={"reference": item.reference, "attempts": attempts, "delay_s": delay},
            )
            return False
        except REFUSED as error:
            self._outbox.mark_failed(item.reference, attempts, str(error))
            logger.error(
                "council services refused a held item",
                extra={"reference": item.reference, "error": str(error)},
            )
            return False
        self._outbox.mark_delivered(item.reference, delivered_id)
        logger.info(
            "held item delivered",
            extra={"reference": item.reference, "kind": item.kind, "delivered_id": delivered_id},
        )
        return True

    async def run_once(self) -> int:
        """Deliver every due item; returns how many were delivered."""
        delivered = 0
        for item in self._outbox.due():
            if await self.deliver(item):
                delivered += 1
        return delivered

    async def run_forever(self, poll_s: float = 1.0) -> None:
        """Keep delivering until cancelled."""
        while True:
            await self.run_once()
            await asyncio.sleep(poll_s)
