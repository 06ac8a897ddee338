"""The shapes of a text message and of the gateway's receipt."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, validator

#: A UK mobile in E.164 form (+447...), the only numbers a text goes to.
UK_MOBILE = re.compile(r"^\+447\d{9}$")
MAX_SMS_CHARS = 612  # four concatenated parts


def uk_mobile_e164(number: str) -> str | None:
    """``07700 900123``, ``+44 7700 900123`` or ``447700900123`` as ``+447700900123``.

    Returns:
        The E.164 form, or None when it is not a UK mobile number.
    """
    digits = re.sub(r"[\s()-]", "", number or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "44" + digits[1:]
    candidate = "+" + digits
    return candidate if UK_MOBILE.match(candidate) else None


class SmsMessage(BaseModel):
    """One text message to send."""

    to: str = Field(..., description="UK mobile number, E.164 (+447...)")
    body: str = Field(..., min_length=1, max_length=MAX_SMS_CHARS)
    conversation_id: str = Field("", max_length=128)

    @validator("to")
    def _uk_mobile(cls, value: str) -> str:  # noqa: N805
        normalised = uk_mobile_e164(value)
        if normalised is None:
            raise ValueError("texts go only to UK mobile numbers")
        return normalised


class SmsReceipt(BaseModel):
    """What the gateway says about a message it accepted."""

    id: str
    status: str = "queued"
