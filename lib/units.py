"""Distances and times of day as UK residents read them: miles, and ``9am``/``5.30pm``.

The one formatter of distances and clock times for everything that shows places: the
assistant's place answers (``actions/common/place_words.py``), and the library assisted
session's place list, booking messages and printed summary
(``web/assisted_*.py``). No kilometres and no 24-hour clock.

Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

METRES_PER_MILE = 1609.344
MINUTES_PER_DAY = 24 * 60


def miles_number(metres: float) -> str:
    """A distance in miles to one decimal place (``"0.4"``), never less than ``"0.1"``."""
    return f"{max(0.1, metres / METRES_PER_MILE):.1f}"


def distance_label(metres: float | None) -> str:
    """``"0.4 miles"``, ``"1.0 miles"``; an empty string when the distance is unknown."""
    if metres is None:
        return ""
    return f"{miles_number(metres)} miles"


def clock(
    moment: time | datetime | str | int, *, noon: str = "12 noon", midnight: str = "midnight"
) -> str:
    """A time of day as people in the UK write it: ``9am``, ``5.30pm``, ``12 noon``.

    Args:
        moment: a time, a datetime, ``"HH:MM"`` text, or minutes from midnight (a value of
            a day or more wraps round: 1500 is ``1am``).
        noon: the words for 12:00.
        midnight: the words for 00:00 (and 24:00).

    Returns:
        The time as words.
    """
    if isinstance(moment, str):
        hour, minute = (int(part) for part in moment.split(":"))
    elif isinstance(moment, int):
        hour, minute = divmod(moment % MINUTES_PER_DAY, 60)
    else:
        hour, minute = moment.hour, moment.minute
    hour %= 24
    if (hour, minute) == (12, 0):
        return noon
    if (hour, minute) == (0, 0):
        return midnight
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}.{minute:02d}{suffix}"


def hours_text(
    spans: Iterable[tuple[int, int]], *, to_word: str = "to", and_word: str = "and"
) -> str:
    """Opening periods in minutes from midnight as ``9am to 12.30pm and 1.30pm to 5pm``.

    Args:
        spans: ``(start, end)`` pairs; an end past midnight (1500) reads as ``1am``.
        to_word: the word between a start and its end.
        and_word: the word between periods.

    Returns:
        The periods as words; an empty string when there are none.
    """
    parts = [f"{clock(start)} {to_word} {clock(end)}" for start, end in spans]
    return f" {and_word} ".join(parts)
