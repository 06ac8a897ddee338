"""Removes personal data from text before it is stored or logged (shared by every process).

Covers UK phone numbers, email addresses, National Insurance numbers, payment card
numbers, bank account numbers and sort codes. Postcodes and report references are
kept: staff need them to act.
"""

from __future__ import annotations

import re

_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)(?:\d\)?[\s-]?){9,10}(?!\d)")
# Any two letters: over-redacting HMRC's own example prefixes (QQ) is the safe side.
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_SORT_CODE = re.compile(r"\b\d{2}[- ]\d{2}[- ]\d{2}\b")
_ACCOUNT = re.compile(r"\b\d{8}\b")

#: Order matters: longer number shapes first so a card is not read as a phone number.
_RULES = (
    (_EMAIL, "[email]"),
    (_NI, "[NI number]"),
    (_CARD, "[card number]"),
    (_PHONE, "[phone]"),
    (_SORT_CODE, "[sort code]"),
    (_ACCOUNT, "[account number]"),
)


def redact(text: str) -> str:
    """Replace personal data in ``text`` with labelled placeholders."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text
