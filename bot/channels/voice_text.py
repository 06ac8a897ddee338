"""Pure helpers of the phone line: caller ids, spoken text, keypad digits, numbers to dial.

Kept apart from the channel so they can be tested without Sanic or Twilio.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lib.references import CANONICAL_IN_TEXT, spell_out

#: Conversation ids of phone calls start with this; the rest is a keyed hash.
CALLER_PREFIX = "ivr-"

# UK numbers: 0 and 9 or 10 more digits (spaces or dashes between groups), or +44 forms,
# and the short crisis and service lines.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)\d(?:[ -]?\d){8,9}(?!\d)")
_SHORT_LINES = re.compile(r"(?<![\w])(999|111|101|105|116 ?123|116 ?000|116 ?111)(?![\w])")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\ufe0f\u200d]+"
)
_MARKUP = re.compile(r"[*_`#>|]+")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")

#: Keypad answers to a yes/no question with no buttons of its own.
YES_NO_DIGITS = {"1": "/affirm", "2": "/deny"}


def caller_conversation_id(caller: str, secret: str) -> str:
    """A stable conversation id for a caller that never contains their number.

    Args:
        caller: the caller's number as Twilio sends it (``From``).
        secret: ``CALLER_ID_SECRET``.

    Returns:
        ``ivr-`` and the first 32 hex digits of HMAC-SHA256(secret, number).
    """
    digits = re.sub(r"[^\d+]", "", caller)
    digest = hmac.new(secret.encode(), digits.encode(), hashlib.sha256).hexdigest()
    return CALLER_PREFIX + digest[:32]


def _spell(text: str) -> str:
    return " ".join(char for char in text if not char.isspace())


def _spell_number(match: re.Match[str]) -> str:
    number = match.group(0).replace("+44", "0").replace("(0)", "").replace("(", "")
    groups = [group for group in re.split(r"[ )-]+", number) if group]
    return ", ".join(_spell(group) for group in groups)


def spoken(text: str) -> str:
    """Text for a voice to read: no links, emoji or markup; numbers digit by digit.

    References (``FD-7K3Q9X``) are read letter by letter and phone numbers digit by digit,
    in their groups (``0 8 0 8, 2 0 0 0, 2 4 7``).
    """
    text = _URL.sub("", text)
    text = _EMOJI.sub("", text)
    text = _MARKUP.sub(" ", text)
    text = CANONICAL_IN_TEXT.sub(lambda match: spell_out(match.group(0)), text)
    text = _PHONE.sub(_spell_number, text)
    text = _SHORT_LINES.sub(
        lambda match: ", ".join(_spell(group) for group in match.group(1).split()), text
    )
    text = _SPACE.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return text.replace(":.", ".").rstrip(":").strip()


def keypad_payload(digits: str, buttons: Sequence[Mapping[str, Any]] | None) -> str | None:
    """What a key press means after a message.

    Args:
        digits: the keys pressed (Twilio's ``Digits``).
        buttons: the buttons of the assistant's last message, if any.

    Returns:
        The payload of button ``n`` for key ``n``; after a message without buttons, 1 is
        yes and 2 is no; None when the keys choose nothing (they are then read as text).
    """
    digits = digits.strip().rstrip("#")
    if buttons:
        if digits.isdigit() and 1 <= int(digits) <= len(buttons):
            payload = buttons[int(digits) - 1].get("payload")
            return str(payload) if payload else None
        return None
    return YES_NO_DIGITS.get(digits)


def dial_number(phone: str) -> str:
    """A UK number in E.164 form for ``<Dial>``: ``01782 234234`` -> ``+441782234234``."""
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return digits


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders of a domain response; unknown names stay as they are."""
    return re.sub(
        r"\{(\w+)\}",
        lambda match: str(values.get(match.group(1), match.group(0))),
        template,
    )


def spelled_slowly(reference: str) -> str:
    """A reference read one character at a time: ``FD-7K3Q9X`` -> ``F, D, 7, K, 3, Q, 9, X``."""
    return ", ".join(char for char in reference if char.isalnum())
