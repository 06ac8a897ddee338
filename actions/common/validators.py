"""Pure checks behind the form validators: no tracker, no network, easy to test."""

from __future__ import annotations

import re

from bot.text import clean_number_text, clean_text

YES_WORDS = {
    "yes", "y", "yeah", "yep", "yup", "aye", "ok", "okay", "sure", "correct", "right",
    "true", "please", "definitely", "absolutely", "it is", "go on", "send it", "yes please",
    "dangerous", "very", "course",
}  # fmt: skip
NO_WORDS = {
    "no", "n", "nope", "nah", "not", "false", "don't", "dont", "never", "wrong", "no thanks",
    "no thank you", "not really", "isn't", "isnt",
}  # fmt: skip

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_UK_PHONE = re.compile(r"^0\d{9,10}$")
_WORD = re.compile(r"[A-Za-z']+")


def has_words(text: str) -> bool:
    """Whether the text contains at least one letter (emoji-only and symbols do not)."""
    return any(ch.isalpha() for ch in text)


def parse_yes_no(text: str | bool | None) -> bool | None:
    """Read a yes/no answer from free text, a button payload or a keypad digit.

    Returns:
        True for yes, False for no, None when the answer is neither.
    """
    if isinstance(text, bool):
        return text
    if not text:
        return None
    lowered = clean_text(str(text)).lower().strip(" .!?")
    if lowered in {"/affirm", "1"}:
        return True
    if lowered in {"/deny", "2"}:
        return False
    words = re.findall(r"[a-z0-9']+", lowered.replace("’", "'"))
    phrase = " ".join(words)
    if phrase in NO_WORDS or (words and words[0] in NO_WORDS):
        return False
    if phrase in YES_WORDS or (words and words[0] in YES_WORDS):
        return True
    # "it's not dangerous" / "I think it is dangerous": a negation anywhere wins.
    if any(word in NO_WORDS for word in words):
        return False
    if any(word in YES_WORDS for word in words):
        return True
    return None


_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_IN_TEXT = re.compile(r"(?:\+44|0044|\(?0)[\d\s().-]{8,16}\d")


def parse_contact(text: str | None) -> tuple[str, str] | None:
    """Find an email address or a UK phone number, alone or in a sentence.

    Returns:
        ``("email", address)`` or ``("phone", number in 0XXXX form)``, or None.
    """
    cleaned = clean_number_text(text, 1000)
    if not cleaned:
        return None
    email = _EMAIL_IN_TEXT.search(cleaned)
    if email and _EMAIL.match(email.group(0)):
        return "email", email.group(0).lower()
    for candidate in _PHONE_IN_TEXT.findall(cleaned):
        digits = re.sub(r"[\s()\-.]", "", candidate)
        if digits.startswith("+44"):
            digits = "0" + digits[3:].lstrip("0")
        elif digits.startswith("0044"):
            digits = "0" + digits[4:].lstrip("0")
        if _UK_PHONE.match(digits):
            return "phone", digits
    return None


def clean_description(text: str | None, max_chars: int = 1000) -> str | None:
    """A usable description of the problem, or None when there are no words in it."""
    cleaned = clean_text(text, max_chars)
    if not has_words(cleaned) or cleaned.startswith("/"):
        return None
    return cleaned


def clean_short_text(text: str | None, max_chars: int = 100) -> str | None:
    """A few words (a vehicle's make and colour), or None when there are no words in it."""
    return clean_description(text, max_chars)


#: Current UK number plates (since 2001): two letters, two digits, three letters.
_CURRENT_PLATE = re.compile(r"\b([A-Z]{2}[0-9]{2}) ?([A-Z]{3})\b")
#: Any other plate as a resident types it: letters and digits, at least one of each.
_OTHER_PLATE = re.compile(r"^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{2,8}$")


def parse_registration(text: str | None) -> str | None:
    """A vehicle's registration number, alone or in a sentence, in capitals.

    A current plate (``AB12 CDE``) is found anywhere in the reply and written with its
    space; an older or personalised one (``A123 BCD``, ``K1 NGS``) only when it is the
    whole reply. The phone line hears a plate spelt out (``A B 1 2 C D E``).

    Returns:
        The registration, or None when the reply does not look like one.
    """
    upper = clean_text(text).upper().strip(" .!?")
    current = _CURRENT_PLATE.search(upper)
    if current:
        return f"{current.group(1)} {current.group(2)}"
    words = upper.split()
    compact = "".join(words)
    if not _OTHER_PLATE.match(compact):
        return None
    spelt = _CURRENT_PLATE.fullmatch(compact)
    if spelt:
        return f"{spelt.group(1)} {spelt.group(2)}"
    if all(len(word) == 1 for word in words):
        return compact
    return " ".join(words) if len(words) <= 3 else None


def looks_like_address(text: str) -> bool:
    """Whether free text is detailed enough to find a place: two words and some letters."""
    words = _WORD.findall(text)
    letters = sum(len(word) for word in words)
    return len(words) >= 2 and letters >= 6


CHANGE_FIELDS = {
    "problem_type": ("problem", "type", "kind", "category", "what"),
    "location": ("place", "location", "where", "postcode", "address", "street", "road"),
    "description": ("detail", "details", "description", "describe"),
    "dangerous": ("danger", "dangerous", "safe", "safety"),
    "contact_consent": ("contact", "email", "phone", "number"),
}


CANCEL_WORDS = ("cancel", "stop", "don't send", "dont send", "do not send", "forget it")
CANCELLED = "cancelled"


def parse_change_field(text: str | None) -> str | None:
    """Which part of a report the resident wants to change, as a slot name.

    Returns:
        A slot name, :data:`CANCELLED` when the resident wants to drop the report, or None.
    """
    lowered = clean_text(text).lower().replace("’", "'")
    if any(word in lowered for word in CANCEL_WORDS):
        return CANCELLED
    for slot, words in CHANGE_FIELDS.items():
        if any(word in lowered for word in words):
            return slot
    return None


#: What a question that can honestly go unanswered records when the resident doesn't know.
UNKNOWN = "unknown"

_UNITS = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[\s-]+(?P<unit>" + "|".join(_UNITS) + r"))?"
    r"|(?P<alone>" + "|".join(_UNITS) + r"))\b",
    re.I,
)
#: Words that make an answer rough ("about 10", "10ish"): the number still counts.
_HEDGES = re.compile(
    r"\b(?:about|around|roughly|approximately|approx|maybe|perhaps|probably|say|nearly|"
    r"almost|under|below|less than|just under|more or less|or so|something like)\b"
    r"|~|(?<=\d)\s*-?ish\b",
    re.I,
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def number_words_to_digits(text: str) -> str:
    """Number words up to ninety-nine written as digits ("ten thirty" -> "10 30")."""

    def digits(match: re.Match[str]) -> str:
        if match.group("alone"):
            return str(_UNITS[match.group("alone").lower()])
        unit = match.group("unit")
        return str(_TENS[match.group("tens").lower()] + (_UNITS[unit.lower()] if unit else 0))

    return _NUMBER_WORD.sub(digits, text)


def without_hedges(text: str) -> str:
    """The answer without the words that only make it rough ("about 10am" -> "10am")."""
    return re.sub(r"\s+", " ", _HEDGES.sub(" ", text)).strip()


def parse_number(text: str | None) -> float | None:
    """The first number in an answer: "10", "about 10", "10 mbps", "1,200", "ten", "twenty five".

    Returns:
        The number, or None when the answer has none.
    """
    cleaned = clean_number_text(text, 100).replace(",", "")
    match = _DIGITS.search(number_words_to_digits(without_hedges(cleaned)))
    return float(match.group(0)) if match else None
