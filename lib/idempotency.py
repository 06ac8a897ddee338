"""The ``Idempotency-Key`` header: one name and one rule for clients and servers.

A client sends the same key with every attempt to create the same thing; a server that
has seen the key answers with what the first attempt created and creates nothing new
(issue #15 item 6). The header is optional: without it a create works as it always did.
"""

from __future__ import annotations

import re

IDEMPOTENCY_HEADER = "Idempotency-Key"

#: Printable ASCII without spaces, 1 to 100 characters: a UUID, a reference, a hash.
MAX_KEY_LENGTH = 100
_KEY = re.compile(r"[\x21-\x7e]{1," + str(MAX_KEY_LENGTH) + "}")


def is_valid_key(key: str) -> bool:
    """True when ``key`` is usable as an idempotency key."""
    return bool(_KEY.fullmatch(key))
