"""Pure readers and writers of values residents type and hear: dates, money, references.

No tracker, no network: the council tax and broadband forms call these, and the unit tests
cover them directly.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.text import clean_number_text, clean_text

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_NUMERIC = re.compile(r"\b(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{2}|\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)(?:,?\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_MONTH_YEAR = re.compile(r"\b([a-z]+)\s+(\d{4})\b")


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None, today: date | None = None) -> date | None:
    """Read a date as residents write or say it.

    Accepts ``today``, ``yesterday``, ``tomorrow``, ``14/03/2026``, ``14-3-26``,
    ``2026-03-14``, ``14 March 2026``, ``14th of March``, ``March 14 2026`` and
    ``March 2026`` (the 1st). A day and month without a year take this year.

    Returns:
        The date, or None when nothing in the text is a real date.
    """
    today = today or date.today()
    lowered = clean_text(text or "", 200).lower()
    if not lowered:
        return None
    for word, offset in (("today", 0), ("yesterday", -1), ("tomorrow", 1)):
        if re.search(rf"\b{word}\b", lowered):
            return today + timedelta(days=offset)
    match = _ISO.search(lowered)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]))
    match = _NUMERIC.search(lowered)
    if match:
        year = int(match[3])
        if year < 100:
            year += 2000 if year <= today.year % 100 + 1 else 1900
        return _make(year, int(match[2]), int(match[1]))
    match = _DAY_MONTH.search(lowered)
    if match and match[2] in MONTHS:
        return _make(int(match[3] or today.year), MONTHS[match[2]], int(match[1]))
    match = _MONTH_DAY.search(lowered)
    if match and match[1] in MONTHS:
        return _make(int(match[3] or today.year), MONTHS[match[1]], int(match[2]))
    match = _MONTH_YEAR.search(lowered)
    if match and match[1] in MONTHS:
        return _make(int(match[2]), MONTHS[match[1]], 1)
    return None


def format_date(value: date) -> str:
    """A date as residents read it: ``1 January 2027``."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def format_pounds(pence: int) -> str:
    """An amount of money: ``£842.50``, ``£3,000``."""
    pounds, rest = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}" + (f".{rest:02d}" if rest else "")


def parse_account_reference(text: str | None) -> str | None:
    """A council tax account reference (8 digits, spaces allowed), or None."""
    cleaned = clean_number_text(text, 100)
    digits = re.sub(r"[\s-]", "", cleaned)
    match = re.fullmatch(r"(?:ref(?:erence)?:?|account:?|no\.?)?(\d{8})", digits.lower())
    if match:
        return match[1]
    found = re.findall(r"(?<!\d)\d{8}(?!\d)", re.sub(r"(\d)[\s-](?=\d)", r"\1", cleaned))
    return found[0] if len(found) == 1 else None


def parse_surname(text: str | None) -> str | None:
    """A surname: letters, spaces, hyphens and apostrophes, 2 to 60 characters."""
    cleaned = clean_text(text or "", 100).strip(" .")
    if cleaned.startswith("/"):
        return None
    words = cleaned.split()
    if words and words[0].lower() in {"it's", "its", "my", "surname", "name"}:
        cleaned = re.sub(r"^(it'?s|my surname is|my name is|surname is|surname|name is)\s+", "",
                         cleaned, flags=re.IGNORECASE)  # fmt: skip
    if not re.fullmatch(r"[A-Za-zÀ-ÿ' \-]{2,60}", cleaned) or not any(c.isalpha() for c in cleaned):
        return None
    return cleaned
