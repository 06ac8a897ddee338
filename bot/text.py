"""Cleaning of residents' text, shared by the channels and the actions."""

from __future__ import annotations

import re
import unicodedata

#: Control characters and invisible formatting (zero-width, bidirectional overrides).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064]")


def clean_text(text: str | None, max_chars: int = 1000) -> str:
    """Drop control and invisible characters, fold whitespace and cap the length."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())[:max_chars]
