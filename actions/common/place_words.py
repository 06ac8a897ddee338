"""Reading place questions and writing place facts: pure functions over ``kb/directory``.

What a resident asks for (facilities, "open now", "the second one", "on Sunday", "at 2pm
for an hour") is read here from the words in ``kb/directory/words.yml``; numbers and
times are formatted here for the responses in ``domain/find_place.yml``. No I/O beyond
reading that file once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from integrations.directory.models import Place
from lib import units
from lib.yaml_files import load_yaml

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
METRES_PER_MILE = units.METRES_PER_MILE
WALKING_METRES_PER_MINUTE = 80
# Words that name kinds of place rather than a particular one: they help choose between
# places but never pick one on their own.
_GENERIC = {
    "library", "community", "hub", "jobcentre", "plus", "work", "club", "payzone", "at",
    "the", "wi-fi", "wifi", "centre", "town", "station", "market", "indoor", "bus", "city",
}  # fmt: skip


@dataclass(frozen=True)
class Words:
    """The contents of ``kb/directory/words.yml``."""

    labels: dict[str, str]
    listen_for: dict[str, tuple[str, ...]]
    open_now: tuple[str, ...]
    ordinals: dict[int, tuple[str, ...]]
    day_names: tuple[str, ...]
    today: str
    tomorrow: str
    day_words: dict[str, tuple[str, ...]]
    and_word: str
    to_word: str
    noon: str
    midnight: str


@lru_cache(maxsize=4)
def load_words(path: Path) -> Words:
    """Load the directory words file.

    Raises:
        ValueError: naming the file when a section is missing.
    """
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8")) or {}
    try:
        days = data["days"]
        return Words(
            labels={str(k): str(v) for k, v in data["labels"].items()},
            listen_for={str(k): tuple(map(str, v)) for k, v in data["listen_for"].items()},
            open_now=tuple(map(str, data["open_now"])),
            ordinals={int(k): tuple(map(str, v)) for k, v in data["ordinals"].items()},
            day_names=tuple(map(str, days["names"])),
            today=str(days["today"]),
            tomorrow=str(days["tomorrow"]),
            day_words={str(k): tuple(map(str, v)) for k, v in days["listen_for"].items()},
            and_word=str(data["and_word"]),
            to_word=str(data["to_word"]),
            noon=str(data["noon"]),
            midnight=str(data["midnight"]),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: missing or malformed section {error}") from error


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])", text) is not None


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


def features_asked(text: str, words: Words) -> list[str]:
    """Facilities and services the text asks for, in the file's order."""
    cleaned = _clean(text)
    return [key for key, phrases in words.listen_for.items() if any(
        _has_phrase(cleaned, phrase) for phrase in phrases)]  # fmt: skip


def asks_open_now(text: str, words: Words) -> bool:
    """Whether the text asks for places open right now."""
    cleaned = _clean(text)
    return any(_has_phrase(cleaned, phrase) for phrase in words.open_now)


def ordinal_asked(text: str, words: Words) -> int | None:
    """1, 2 or 3 for "the first/second/third one", if the text says so."""
    cleaned = _clean(text)
    for number, phrases in words.ordinals.items():
        for phrase in phrases:
            if phrase in ("one", "two", "three") and not _has_phrase(cleaned, f"{phrase} one"):
                # "one" alone is too common ("book one"); only "the one ..." forms count.
                if not re.search(rf"\b(?:the|number)\s+{phrase}\b", cleaned):
                    continue
            if _has_phrase(cleaned, phrase):
                return number
    return None


def place_named(text: str, places: Sequence[Place]) -> Place | None:
    """The place the text names best ("Tunstall library", "the Meir one"), if any.

    A place must share at least one distinctive word (not "library", "hub", ...) with the
    text; ties go to the place sharing more words, then to the earlier place.
    """
    cleaned = set(_clean(text).split())
    best: tuple[int, int, Place] | None = None
    for index, place in enumerate(places):
        name_words = set(_clean(place.name).split())
        shared = cleaned & name_words
        if not shared - _GENERIC:
            continue
        score = (len(shared), -index)
        if best is None or score > best[:2]:
            best = (score[0], score[1], place)
    if best:
        return best[2]
    # No distinctive word: "the library" still names the only library in the list.
    kinds = [p for p in places if (cleaned & set(_clean(p.name).split())) - {"the", "at"}]
    return kinds[0] if len(kinds) == 1 else None


def day_asked(text: str, words: Words, today: date) -> date | None:
    """The date a question is about ("on Sunday", "tomorrow"), the next such day."""
    cleaned = _clean(text)
    for key, phrases in words.day_words.items():
        if any(_has_phrase(cleaned, phrase) for phrase in phrases):
            if key == "today":
                return today
            if key == "tomorrow":
                return today + timedelta(days=1)
            ahead = (WEEKDAYS.index(key) - today.weekday()) % 7
            return today + timedelta(days=ahead)
    match = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", text.lower())
    if match:
        day_number, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else today.year
        year = year + 2000 if year < 100 else year
        try:
            found = date(year, month, day_number)
        except ValueError:
            return None
        if found < today and not match.group(3):
            found = date(year + 1, month, day_number)
        return found
    return None


_TIME = re.compile(
    r"\b(?P<at>at\s+)?(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?"
    r"(?![\d/])"
)


def time_asked(text: str) -> str | None:
    """A start time ("10am", "2.30pm", "14:00", "at 3", "noon") as ``HH:MM``.

    A bare hour from 1 to 7 is taken as afternoon, since places open in the day.
    """
    cleaned = text.lower()
    if re.search(r"\b(noon|midday|12 noon)\b", cleaned):
        return "12:00"
    half = re.search(r"\bhalf (?:past )?(\d{1,2})\b", cleaned)
    if half:
        hour = int(half.group(1))
        hour = hour + 12 if 1 <= hour <= 7 else hour
        return f"{hour:02d}:30" if hour < 24 else None
    for match in _TIME.finditer(cleaned):
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        ampm = (match.group("ampm") or "").replace(".", "")
        after = cleaned[match.end() : match.end() + 8]
        if not ampm and not match.group("minute") and not match.group("at"):
            # "for 2 hours", "1 hour", "30 minutes": a length, not a time.
            continue
        if re.match(r"\s*(hours?|hrs?|mins?|minutes?)", after):
            continue
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        elif not ampm and 1 <= hour <= 7:
            hour += 12
        if hour > 23 or minute > 59:
            return None
        return f"{hour:02d}:{minute:02d}"
    return None


def minutes_asked(text: str) -> int | None:
    """A length ("an hour", "90 minutes", "half an hour", "2 hours", "1.5 hrs") in minutes."""
    cleaned = text.lower()
    if re.search(r"\bhalf an? hour\b|\bhalf hour\b", cleaned):
        return 30
    if re.search(r"\bhour and a half\b", cleaned):
        return 90
    match = re.search(r"\b(\d+(?:\.\d+)?)\s*(hours?|hrs?|h)\b", cleaned)
    if match:
        return round(float(match.group(1)) * 60)
    match = re.search(r"\b(\d+)\s*(minutes?|mins?)\b", cleaned)
    if match:
        return int(match.group(1))
    if re.search(r"\b(an|one|1) hour\b", cleaned):
        return 60
    if re.search(r"\btwo hours\b", cleaned):
        return 120
    return None


def clock(moment: datetime | str, words: Words) -> str:
    """A time as people say it in the UK: ``9am``, ``5.30pm``, ``12 noon``, ``midnight``."""
    return units.clock(moment, noon=words.noon, midnight=words.midnight)


def day_word(day: date, today: date, words: Words) -> str:
    """``today``, ``tomorrow`` or the weekday's name."""
    if day == today:
        return words.today
    if day == today + timedelta(days=1):
        return words.tomorrow
    return words.day_names[day.weekday()]


def hours_text(ranges: Sequence[str], words: Words) -> str:
    """``["09:00-12:30", "13:30-17:00"]`` as ``9am to 12.30pm and 1.30pm to 5pm``."""
    parts = []
    for item in ranges:
        start, end = item.split("-")
        end = "00:00" if end == "24:00" else end
        parts.append(f"{clock(start, words)} {words.to_word} {clock(end, words)}")
    return f" {words.and_word} ".join(parts)


def miles(distance_m: int | None) -> str:
    """Distance in miles to one decimal place (``0.4``), at least ``0.1``."""
    if distance_m is None:
        return "?"
    return units.miles_number(distance_m)


def walk_minutes(distance_m: int | None) -> int:
    """Minutes on foot at an ordinary pace, at least 1."""
    return max(1, round((distance_m or 0) / WALKING_METRES_PER_MINUTE))


def help_list(place: Place, words: Words) -> str:
    """What a place offers, as a comma-separated list of labels from the words file."""
    items = []
    pcs = int(place.facilities.get("public_pcs") or 0)
    if pcs:
        items.append(f"{pcs} {words.labels['public_pcs']}")
    for key in ("wifi", "printing", "screen_reader", "large_key_keyboard", "hearing_loop",
                "step_free", "staff_help"):  # fmt: skip
        if place.has(key):
            items.append(words.labels[key])
    for service in ("universal_credit_support", "digital_skills_class", "work_club",
                    "bill_payments"):  # fmt: skip
        if service in place.services:
            items.append(words.labels[service])
    return ", ".join(items)


# --- A place mentioned in passing ("a pothole on Leek Road near the co-op"), issue #16 ---


@dataclass(frozen=True)
class PlacePhrases:
    """The ``place`` section of ``kb/conversation/remember.yml``."""

    street: tuple[str, ...]
    landmark: tuple[str, ...]
    street_names: frozenset[str]
    not_a_name: frozenset[str]
    ends: tuple[str, ...]
    small_words: frozenset[str]


@lru_cache(maxsize=4)
def load_place_phrases(path: Path) -> PlacePhrases:
    """Load the place words of the remember file.

    Raises:
        ValueError: naming the file when a list is missing.
    """
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8")) or {}
    try:
        place = data["place"]
        return PlacePhrases(
            street=tuple(str(w).lower() for w in place["street"]),
            landmark=tuple(str(w).lower() for w in place["landmark"]),
            street_names=frozenset(str(w).lower() for w in place["street_names"]),
            not_a_name=frozenset(str(w).lower() for w in place["not_a_name"]),
            ends=tuple(str(w).lower() for w in place["ends"]),
            small_words=frozenset(str(w).lower() for w in place["small_words"]),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: missing or malformed place section {error}") from error


_POSTCODE_SHAPE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$")


def _tokens(text: str) -> list[str]:
    # Keep hyphens and apostrophes inside words ("co-op", "st. john's"); commas end a part.
    spaced = re.sub(r"[,;:!?()\"]", " , ", text.replace("\u2019", "'"))
    spaced = re.sub(r"\.(\s|$)", r" , \1", spaced)
    return spaced.split()


def _starts_phrase(words: list[str], at: int, phrases: Sequence[str]) -> int:
    """The number of words of the longest phrase starting at ``at``, or 0."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if [w.lower() for w in words[at : at + len(parts)]] == parts:
            best = max(best, len(parts))
    return best


def _shown(words: list[str], phrases: PlacePhrases) -> str:
    """Words as offered back: names capitalised, small words and typed capitals kept."""
    shown = []
    for word in words:
        if word.lower() != word or word in phrases.small_words or any(c.isdigit() for c in word):
            shown.append(word.upper() if _POSTCODE_SHAPE.match(word) else word)
        else:
            shown.append(word[:1].upper() + word[1:])
    return " ".join(shown)


def place_mentioned(text: str, phrases: PlacePhrases) -> str | None:
    """The place a message names in passing, street first, ready to offer back.

    "pothole on Leek Road near the co-op" gives ``Leek Road, near the Co-op``; "outside
    the co-op, leek road, ST2 7AA" keeps all three parts. Only a named street ("Leek
    Road", not "my road") or a postcode counts as a place: a landmark alone is too little
    for the council to find.

    Args:
        text: one message, as the resident wrote it.
        phrases: the place words (``kb/conversation/remember.yml``).

    Returns:
        The place, or None when the message names none.
    """
    words = _tokens(text)
    lowered = [w.lower() for w in words]
    # Cut the message at the first word that ends a place ("and also ...").
    for index in range(len(words)):
        if _starts_phrase(lowered, index, phrases.ends):
            words, lowered = words[:index], lowered[:index]
            break
    introducers = (*phrases.street, *phrases.landmark)
    parts: list[tuple[str, list[str]]] = []  # (introducer, words after it)
    index = 0
    while index < len(words):
        size = _starts_phrase(lowered, index, introducers)
        if size:
            parts.append((" ".join(lowered[index : index + size]), []))
            index += size
            continue
        if words[index] == ",":
            # A comma after a place starts a new part with no introducer ("..., Leek Road").
            if parts and parts[-1][1]:
                parts.append(("", []))
        elif parts:
            parts[-1][1].append(words[index])
        elif _POSTCODE_SHAPE.match(words[index]) or (
            index + 1 < len(words) and _POSTCODE_SHAPE.match(f"{words[index]} {words[index + 1]}")
        ):
            parts.append(("", [words[index]]))
        index += 1
    street: str | None = None
    landmarks: list[str] = []
    postcodes: list[str] = []
    for introducer, part in parts:
        if not part:
            continue
        joined = " ".join(part)
        compact = re.search(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b", joined)
        if compact:
            postcodes.append(compact.group(0).upper())
            part = joined.replace(compact.group(0), " ").split()
            if not part:
                continue
        last = part[-1].lower().rstrip(".")
        named = (
            last in phrases.street_names
            and len(part) >= 2
            and part[-2].lower() not in phrases.not_a_name
        )
        if named and street is None and introducer not in phrases.landmark:
            street = _shown(part, phrases)
        elif introducer in phrases.landmark:
            landmarks.append(f"{introducer} {_shown(part, phrases)}")
        elif named and street is None:
            landmarks.append(f"{introducer} {_shown(part, phrases)}")
    if street is None and not postcodes:
        return None
    return ", ".join([*([street] if street else []), *landmarks, *postcodes])
