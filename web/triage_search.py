"""What a staff search matches in a triage record: a reference, a resident's name or phone.

A caller gives what they have: "fd-1234" read from a text, "Jo Smith", "+44 7700 900123".
References match in any case, names word by word in any case, and phone numbers whatever
their spaces and punctuation, with +44 or 0044 read as the leading 0.
Staff see these records only in roles that may use the queue (``roles.py``).
"""

from __future__ import annotations

import re
from typing import Any

MIN_PHONE_DIGITS = 6
UK_INTERNATIONAL_DIGITS = 12  # 44 and the ten digits after the leading 0
_PHONE_CHARACTERS = re.compile(r"^[\d\s()+.-]+$")


def normalise_phone(text: str) -> str:
    """Return a UK phone number as bare digits with a leading 0 (+44 and 0044 become 0).

    The "(0)" of "+44 (0)7700 900123" is dropped, as a caller would when dialling.
    """
    text = re.sub(r"\(\s*0\s*\)", "", text)
    digits = re.sub(r"\D", "", text)
    international = text.strip().startswith("+") or len(digits) == UK_INTERNATIONAL_DIGITS
    if international and digits.startswith("44"):
        return "0" + digits[2:]
    if digits.startswith("0044"):
        return "0" + digits[4:]
    return digits


def phone_query(query: str) -> str | None:
    """Return the query as a normalised phone number, or None when it is not one."""
    if not _PHONE_CHARACTERS.match(query):
        return None
    digits = normalise_phone(query)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def contact_matches(query: str, contact: dict[str, Any] | None) -> bool:
    """Tell whether a record's contact details match the query by name or phone number.

    Args:
        query: what staff typed.
        contact: the record's consented contact details (``name``, ``phone``, ...), if any.
    """
    if not contact:
        return False
    phone = phone_query(query)
    if phone is not None:
        stored = contact.get("phone")
        return bool(stored) and phone in normalise_phone(str(stored))
    name = str(contact.get("name") or "").casefold()
    words = query.casefold().split()
    return bool(name and words) and all(word in name for word in words)


def escape_like(text: str) -> str:
    """Escape ``%``, ``_`` and backslash for a LIKE pattern that escapes with a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
