"""The one-way id of a conversation in service insight (issue #10, #18).

The assistant's insight worker and the council services both name a conversation by this
HMAC, never by its id, so feedback given in the web chat meets the conversation's outcome
event without either side storing the id.
"""

from __future__ import annotations

import hashlib
import hmac


def conversation_hash(secret: str, sender_id: str) -> str:
    """The HMAC-SHA256 of a conversation id: stable, not reversible without the secret.

    Args:
        secret: ``INSIGHT_HASH_SECRET``.
        sender_id: Rasa's sender id.

    Returns:
        32 hexadecimal characters.
    """
    digest = hmac.new(secret.encode("utf-8"), sender_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]
