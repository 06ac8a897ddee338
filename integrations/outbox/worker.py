"""Delivers held items to the council services, retrying with exponential back-off."""

from __future__ import annotations

import asyncio
import logging
import random

from integrations.open311 import NewServiceRequest, Open311Client
from integrations.open311.errors import Open311NotFound, Open311Rejected, Open311Unavailable
from integrations.outbox.store import HeldItem, Outbox

logger = logging.getLogger(__name__)

OPEN311_REQUEST = "open311_request"


def backoff_delay(attempts: int, base_s: float, max_s: float) -> float:
    """Seconds to wait before attempt number ``attempts + 1`` (full jitter, capped).

    Args:
        attempts: how many attempts have failed so far (1 after the first failure).
        base_s: the delay after the first failure.
        max_s: the longest wait.
    """
    ceiling = min(max_s, base_s * (2 ** max(attempts - 1, 0)))
    return random.uniform(ceiling / 2, ceiling)


class OutboxWorker:
    """Sends due outbox items; one ``run_once`` is one pass over what is due."""

    def __init__(
        self, outbox: Outbox, open311: Open311Client, base_s: float = 2.0, max_s: float = 300.0
    ) -> None:
        self._outbox = outbox
        self._open311 = open311
        self._base_s = base_s
        self._max_s = max_s

    async def deliver(self, item: HeldItem) -> bool:
        """Try to deliver one item; returns True when it was delivered."""
        attempts = item.attempts + 1
        if item.kind != OPEN311_REQUEST:
            self._outbox.mark_failed(item.reference, attempts, f"unknown kind {item.kind}")
            logger.error("outbox item of unknown kind", extra={"reference": item.reference})
            return False
        try:
            request_id = await self._open311.submit(NewServiceRequest.from_dict(item.payload))
        except Open311Unavailable as error:
            delay = backoff_delay(attempts, self._base_s, self._max_s)
            self._outbox.mark_retry(item.reference, attempts, delay, str(error))
            logger.warning(
                "council services unavailable; will retry",
                extra={"reference": item.reference, "attempts": attempts, "delay_s": delay},
            )
            return False
        except (Open311Rejected, Open311NotFound) as error:
            self._outbox.mark_failed(item.reference, attempts, str(error))
            logger.error(
                "council services rejected a held report",
                extra={"reference": item.reference, "error": str(error)},
            )
            return False
        self._outbox.mark_delivered(item.reference, request_id)
        logger.info(
            "held report delivered",
            extra={"reference": item.reference, "service_request_id": request_id},
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
