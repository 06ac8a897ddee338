"""Shared pieces of the assisted session's "Nearby places" panel (issue #6).

This module owns the panel's wording (``data/assisted_places.yml``), the fields that tie its
forms to the assisted session (their markup: ``templates/staff/assisted/fields.html``), what
staff searched for, and the small formatting rules (days, lengths) of ``assisted_pages.py``
and ``assisted_booking_pages.py``; distances and clock times come from ``lib/units.py``, as
in the assistant's own place answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from lib.units import clock
from lib.yaml_files import load_yaml
from web.core.config import PACKAGE_DIR

WORDING_FILE = PACKAGE_DIR / "data" / "assisted_places.yml"


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """The panel's wording (``data/assisted_places.yml``)."""
    return load_yaml(WORDING_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SessionFields:
    """What ties a form to the assisted session: the staff CSRF token and the session's token."""

    csrf_token: str
    conversation_id: str
    assist_token: str


@dataclass(frozen=True)
class Search:
    """What staff asked for: the postcode as typed and the type filter ("" for any)."""

    postcode: str
    place_type: str = ""


def when_label(moment: datetime, now: datetime) -> str:
    """``today at 9am``, ``tomorrow at 5.30pm`` or ``Monday 7 December at 9am``.

    Midnight belongs to the day it ends: ``midnight tonight`` rather than ``tomorrow at 12am``.
    """
    days = (moment.date() - now.date()).days
    if days == 1 and moment.hour == moment.minute == 0:
        return "midnight tonight"
    day = {0: "today", 1: "tomorrow"}.get(days, f"{moment:%A} {moment.day} {moment:%B}")
    return f"{day} at {clock(moment)}"


def day_label(day: date) -> str:
    """``Monday 7 December 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def minutes_label(minutes: int) -> str:
    """``30 minutes``, ``1 hour``, ``1 hour 30 minutes``, ``2 hours``."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if rest:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts)


def capitalised(text: str) -> str:
    """The text with its first letter in capitals."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """The booking code's reasons are phrases ("that time has already passed"): make a sentence."""
    text = capitalised(text.strip())
    return text if not text or text.endswith(".") else text + "."
