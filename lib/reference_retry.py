"""Creating a record under a fresh reference, and trying again if that reference is taken.

References are short and random (``lib.references.new_reference``), so two records can
draw the same one. The database's unique constraint catches it. The caller's create
step then raises ``ReferenceTaken``, and ``create_with_new_reference`` draws another
reference and calls the step again, a bounded number of times. Pure: the step does the
I/O, and this module imports nothing of the project.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Tries before giving up. With six characters from 32 there are about a billion
#: references, so ten collisions in a row mean something is wrong, not bad luck.
DEFAULT_ATTEMPTS = 10


class ReferenceTaken(Exception):
    """Raised by a create step: its candidate reference already belongs to a record."""


class ReferenceExhausted(RuntimeError):
    """Every candidate reference was already taken; nothing was created."""


def create_with_new_reference(
    create: Callable[[str], T],
    *,
    new_reference: Callable[[], str],
    attempts: int = DEFAULT_ATTEMPTS,
    what: str = "reference",
) -> T:
    """Call ``create`` with fresh candidate references until one is free.

    Args:
        create: stores the record under the reference it is given and returns the
            result. It raises ``ReferenceTaken`` (after undoing its own work) when the
            reference is already used; any other exception ends the retries.
        new_reference: makes a candidate reference, such as ``FD-7K3Q9X``.
        attempts: how many candidates to try, at least one.
        what: names the reference in the log and the error, e.g. "triage reference".

    Returns:
        Whatever ``create`` returned for the first free reference.

    Raises:
        ReferenceExhausted: every one of ``attempts`` candidates was taken.
        ValueError: ``attempts`` is below one.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    for attempt in range(1, attempts + 1):
        try:
            return create(new_reference())
        except ReferenceTaken:
            logger.warning(
                "%s collision on attempt %d of %d; trying another", what, attempt, attempts
            )
    raise ReferenceExhausted(f"no free {what} after {attempts} attempts")
