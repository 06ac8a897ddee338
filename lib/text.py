r"""Cleaning of text that arrives from outside: the one function every edge uses.

Residents, browsers and API clients can send anything JSON allows. Some of it is legal JSON
but poison inside: a lone UTF-16 surrogate (``"\ud800"``) cannot be encoded as UTF-8, so
the first JSON response, HTTP call or database write that meets it fails. Bidirectional
controls and isolates can make text read differently from what it holds, and zero-width
characters and byte-order marks hide inside words and numbers, where they defeat matching
and redaction. :func:`clean_text` removes all of these; the channels,
the web chat relay and every council-services API that takes text call it.

Numbers are a second concern: ``\d`` in Python matches any script's digits, so a
postcode, account or phone number typed with full-width or Arabic-Indic digits looks valid
but never matches a record. :func:`fold_digits` turns them into ASCII where numbers are
parsed, and only there (elsewhere a resident's own digits are kept).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E-F,
#: U+202A-E, U+2066-9): they change how text reads without changing what it says.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Invisible characters with no meaning in residents' text: zero-width space, word
#: joiner and invisible operators, Mongolian vowel separator, byte-order mark.
_INVISIBLE = "\u200b\u2060-\u2064\u180e\ufeff"
_DROP = re.compile(f"[{_BIDI}{_INVISIBLE}]")
#: The zero-width (non-)joiner shapes letters in Arabic, Urdu, Persian and Indic scripts:
#: kept between two letters or marks, dropped anywhere else (where it only hides things).
_JOINER = re.compile(r"[\u200c\u200d]")
#: C0 and C1 control characters (and the line and paragraph separators) become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(text: str) -> str:
    """Join surrogate pairs into their character and drop surrogates that stand alone."""
    if not _SURROGATE.search(text):
        return text
    kept: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        following = text[index + 1] if index + 1 < len(text) else ""
        if "\ud800" <= char <= "\udbff" and "\udc00" <= following <= "\udfff":
            kept.append(chr(0x10000 + ((ord(char) - 0xD800) << 10) + ord(following) - 0xDC00))
            index += 2
            continue
        if not "\ud800" <= char <= "\udfff":
            kept.append(char)
        index += 1
    return "".join(kept)


def _keep_joiner(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    return match.group(0) if _is_letter(before) and _is_letter(after) else ""


def _is_letter(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in {"L", "M"}


def clean_text(text: str | None, max_chars: int | None = 1000, *, keep_lines: bool = False) -> str:
    """Make untrusted text safe to store, send and match, without changing what it says.

    Removes lone surrogates, bidirectional controls and isolates, byte-order marks and
    zero-width characters (joiners stay between letters, where scripts need them), turns
    control characters into spaces, normalises to NFC and folds whitespace.

    Args:
        text: the text as received (None is treated as empty).
        max_chars: the longest result; None for no cap (an API's own length limit then
            refuses what is too long instead of cutting it).
        keep_lines: keep line breaks (a staff note, a transcript line); otherwise every
            run of whitespace becomes one space.

    Returns:
        The cleaned text, stripped at both ends.
    """
    if not text:
        return ""
    text = _without_lone_surrogates(str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _DROP.sub("", text)
    text = _JOINER.sub(_keep_joiner, text)
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    if keep_lines:
        lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
        text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    return text if max_chars is None else text[:max_chars]


def fold_digits(text: str) -> str:
    """Turn every decimal digit into ASCII and full-width letters into plain ones.

    For text about to be parsed as a number, postcode or reference: a postcode typed in
    full-width letters and digits reads as the plain postcode, and Arabic-Indic or Bengali
    digits read as ASCII ones. NFKC folds the full-width and other compatibility forms;
    digits of other scripts are mapped by their decimal value.
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(char)) if not char.isascii() and char.isdecimal() else char
        for char in folded
    )


def clean_number_text(text: str | None, max_chars: int | None = None) -> str:
    """Text about to be parsed for a number, postcode or reference: cleaned, digits ASCII."""
    return clean_text(fold_digits(text or ""), max_chars)


def clean_json(value: Any, *, keep_lines: bool = True) -> Any:
    """Every string inside a JSON value (keys, lists and objects too) cleaned, no cap."""
    if isinstance(value, str):
        return clean_text(value, None, keep_lines=keep_lines)
    if isinstance(value, dict):
        return {
            clean_json(key, keep_lines=False): clean_json(item, keep_lines=keep_lines)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [clean_json(item, keep_lines=keep_lines) for item in value]
    return value
