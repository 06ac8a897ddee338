"""Delivers held items to the council services, retrying with exponential back-off.

Each kind of item has a deliverer: an async function that sends the payload and returns
the id the council services gave it. A deliverer that cannot reach the service raises
one of :data:`UNAVAILABLE` (the item is retried later); any other integration error means
the service refused it (the item is kept as ``failed``, with the reason, for a person).

Items of one record go in order (``Outbox.due``): an item behind a refused one is failed
too, with a reason naming it. After each pass the worker tells the council services'
staff console about new failures (``/staff/undelivered``), so someone sees them; retrying
one (``python -m bot outbox retry <reference>``) sends it again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import cast

from integrations.open311 import NewServiceRequest, Open311Client
from integrations.open311.errors import Open311Error, Open311Unavailable
from integrations.outbox.kinds import (
    BEHIND_FAILED,
    OPEN311_REQUEST,
    TRIAGE_ADDITION,
    TRIAGE_CONTACT,
    TRIAGE_RECORD,
)
from integrations.outbox.store import HeldItem, Outbox
from integrations.triage import TriageClient
from integrations.triage.errors import TriageError, TriageUnavailable
from integrations.triage.models import TriageAddition, UndeliveredNotice

logger = logging.getLogger(__name__)

UNAVAILABLE = (Open311Unavailable, TriageUnavailable)
REFUSED = (Open311Error, TriageError)

Deliverer = Callable[[HeldItem], Awaitable[str]]


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

    async def report(item: HeldItem) -> str:
        request = NewServiceRequest.from_dict(item.payload)
        if not request.idempotency_key:  # held before reports carried their own key
            request = replace(request, idempotency_key=item.idempotency_key)
        return await open311.submit(request)

    found: dict[str, Deliverer] = {OPEN311_REQUEST: report}
    if triage is not None:

        async def record(item: HeldItem) -> str:
            return await triage.create(item.payload)

        async def contact(item: HeldItem) -> str:
            payload = item.payload
            await triage.add_contact(
                payload["reference"], payload["contact"], payload.get("conversation_id")
            )
            return payload["reference"]

        async def addition(item: HeldItem) -> str:
            payload = item.payload
            # Held as the addition's body plus the record's reference (actions/handoff.py).
            body = {key: value for key, value in payload.items() if key != "reference"}
            return await triage.add(payload["reference"], cast(TriageAddition, body))

        found.update({TRIAGE_RECORD: record, TRIAGE_CONTACT: contact, TRIAGE_ADDITION: addition})
    return found


def undelivered_notice(item: HeldItem) -> UndeliveredNotice:
    """What the staff console is told of a failed item: no personal data, only the facts."""
    return {
        "reference": item.reference,
        "kind": item.kind,
        "record_reference": item.group_key or item.reference,
        "reason": item.last_error or "refused without a reason",
        "attempts": item.attempts,
        "held_at": item.created_at.isoformat(),
        "failed_at": (item.failed_at or item.created_at).isoformat(),
    }


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
        self._triage = triage
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
            delivered_id = await deliverer(item)
        except UNAVAILABLE as error:
            delay = backoff_delay(attempts, self._base_s, self._max_s)
            self._outbox.mark_retry(item.reference, attempts, delay, str(error))
            logger.warning(
                "council services unavailable; will retry",
                extra={"reference": item.reference, "attempts": attempts, "delay_s": delay},
            )
            return False
        except REFUSED as error:
            self._outbox.mark_failed(item.reference, attempts, str(error) or type(error).__name__)
            logger.error(
                "council services refused a held item",
                extra={"reference": item.reference, "error": str(error)},
            )
            return False
        self._outbox.mark_delivered(item.reference, delivered_id)
        if item.reported_at is not None and self._triage is not None:
            await self._clear_reported(item.reference)
        logger.info(
            "held item delivered",
            extra={"reference": item.reference, "kind": item.kind, "delivered_id": delivered_id},
        )
        return True

    async def run_once(self) -> int:
        """Deliver every due item, then report new failures; returns how many were delivered."""
        delivered = 0
        for item in self._outbox.due():
            if await self.deliver(item):
                delivered += 1
        self.fail_behind_refused()
        await self.report_failures()
        return delivered

    async def _clear_reported(self, reference: str) -> None:
        """A retried item got through: take it off the staff console's list."""
        try:
            await self._triage.clear_undelivered(reference)  # type: ignore[union-attr]
        except REFUSED as error:
            logger.warning(
                "could not clear a delivered item from the staff console",
                extra={"reference": reference, "error": str(error)},
            )

    def fail_behind_refused(self) -> int:
        """Fail the items waiting behind a refused item of their record; how many."""
        stuck = self._outbox.behind_failed()
        for item, blocker in stuck:
            self._outbox.mark_failed(
                item.reference, item.attempts, BEHIND_FAILED.format(blocker=blocker)
            )
            logger.error(
                "held item waits behind a refused one",
                extra={"reference": item.reference, "blocker": blocker},
            )
        return len(stuck)

    async def report_failures(self) -> int:
        """Tell the staff console about failed items it has not seen; how many were told.

        A failure to tell is retried on the next pass; the item stays failed either way.
        """
        if self._triage is None:
            return 0
        told = 0
        for item in self._outbox.unreported_failures():
            try:
                await self._triage.report_undelivered(undelivered_notice(item))
            except REFUSED as error:
                logger.warning(
                    "staff console did not take a failed item; will try again",
                    extra={"reference": item.reference, "error": str(error)},
                )
                continue
            self._outbox.mark_reported(item.reference)
            told += 1
        return told

    async def run_forever(self, poll_s: float = 1.0) -> None:
        """Keep delivering until cancelled."""
        while True:
            await self.run_once()
            await asyncio.sleep(poll_s)
