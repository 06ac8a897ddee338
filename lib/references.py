"""Recognising the references Front Door gives residents: pure functions, no I/O.

A reference is a two-letter prefix, a hyphen and six characters from an alphabet without
the look-alikes 0, 1, I and O::

    SR-7K3Q9X   a street report the council's system accepted
    FD-7K3Q9X   a triage record handed to staff
    HR-7K3Q9X   a report held in the assistant's outbox until the council is reachable
    PC-7K3Q9X   a public PC booking in the location directory
    CT-7K3Q9X   a council tax case
    BB-7K3Q9X   a broadband support application

Residents type them in any case, with or without the hyphen, or with a space instead
(``sr7k3q9x``, ``SR 7K3Q9X``). Actions reuse these functions to read a reference from a
slot; the NLU component uses them to extract the ``reference`` entity.

This module is the one reference scheme of every process: the prefixes and alphabet, a
fresh reference (``new_reference``), the exact canonical form of each kind
(``canonical_pattern``; ``CANONICAL_IN_TEXT`` finds them in the assistant's own replies)
and the spoken form for the phone line (``spell_out``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

#: The characters after the prefix (also used by the outbox to make ``HR-`` references).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Prefix -> the kind of record it names.
REFERENCE_PREFIXES = {
    "SR": "street_report",
    "FD": "triage",
    "HR": "held_report",
    "PC": "pc_booking",
    "CT": "council_tax_case",
    "BB": "broadband_application",
}
REFERENCE_LENGTH = 6

_CHAR = "[" + REFERENCE_ALPHABET + "]"
_PREFIX = "|".join(REFERENCE_PREFIXES)
# Hyphen-like characters people (and phone keyboards) produce.
_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_BODY = (
    f"(?ai:(?P<prefix>{_PREFIX})"
    f"(?P<sep>[ \\t]*{_DASH}[ \\t]*|[ \\t]+)?"
    f"(?P<code>{_CHAR}{{{REFERENCE_LENGTH}}}))"
)
_IN_TEXT = re.compile(rf"(?<!\w){_BODY}(?!\w)")
#: Every kind of reference in its canonical form, as the assistant writes it in a reply.
CANONICAL_IN_TEXT = re.compile(rf"\b(?:{_PREFIX})-{_CHAR}{{{REFERENCE_LENGTH}}}\b")
_WHOLE = re.compile(_BODY)
_MAX_WHOLE_LENGTH = 40


@dataclass(frozen=True)
class ReferenceMatch:
    """A reference found inside free text.

    Attributes:
        start: offset of the first character of the match in the original text.
        end: offset just past the last character.
        original: the substring as typed.
        reference: the canonical ``XX-XXXXXX`` form, upper case.
        kind: a value of ``REFERENCE_PREFIXES`` (``street_report``, ``triage``...).
    """

    start: int
    end: int
    original: str
    reference: str
    kind: str


def _canonical(prefix: str, code: str) -> str:
    return f"{prefix.upper()}-{code.upper()}"


def _strip_surroundings(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def normalise_reference(text: str | None) -> str | None:
    """Return a whole input as a canonical reference, or None.

    Args:
        text: what the resident typed, e.g. the reply to "What is your reference?";
            punctuation or spaces around it are ignored (``"(sr 7k3q9x)."``).

    Returns:
        The reference as ``XX-XXXXXX`` in upper case, or None if the input is not one.
    """
    if not isinstance(text, str) or len(text) > _MAX_WHOLE_LENGTH * 4:
        return None
    core = _strip_surroundings(text)
    if len(core) > _MAX_WHOLE_LENGTH:
        return None
    match = _WHOLE.fullmatch(core)
    if match is None:
        return None
    return _canonical(match["prefix"], match["code"])


def find_references(text: str | None) -> list[ReferenceMatch]:
    """Find every reference inside free text.

    A prefix and code separated only by a space must look deliberate, so that "can HR
    please call" is not read as ``HR-PLEASE``: with a space, the code needs a digit or
    the whole reference must be in capitals. With a hyphen or no separator any case
    counts.

    Args:
        text: any message text; None and empty text give no matches.

    Returns:
        Matches in order of appearance, with offsets into ``text``.
    """
    if not isinstance(text, str) or not text:
        return []
    matches: list[ReferenceMatch] = []
    for match in _IN_TEXT.finditer(text):
        separator = match["sep"] or ""
        spaced = bool(separator) and not separator.strip()
        prefix, code = match["prefix"], match["code"]
        if spaced and not any(ch.isdigit() for ch in code) and not (prefix + code).isupper():
            continue
        matches.append(
            ReferenceMatch(
                start=match.start(),
                end=match.end(),
                original=match.group(0),
                reference=_canonical(prefix, code),
                kind=REFERENCE_PREFIXES[prefix.upper()],
            )
        )
    return matches


def reference_kind(reference: str) -> str | None:
    """What a reference names, from its prefix.

    Args:
        reference: a reference in any accepted form.

    Returns:
        A value of ``REFERENCE_PREFIXES``; None if it is not a reference.
    """
    canonical = normalise_reference(reference)
    return REFERENCE_PREFIXES[canonical[:2]] if canonical else None


def prefix_of(kind: str) -> str:
    """The prefix of a kind of record: ``triage`` -> ``FD``.

    Raises:
        KeyError: when no prefix names that kind.
    """
    return next(prefix for prefix, named in REFERENCE_PREFIXES.items() if named == kind)


def new_reference(prefix: str) -> str:
    """A fresh random reference with that prefix: ``new_reference("FD")`` -> ``FD-7K3Q9X``.

    Raises:
        ValueError: when the prefix is not one of ``REFERENCE_PREFIXES``.
    """
    if prefix not in REFERENCE_PREFIXES:
        raise ValueError(f"unknown reference prefix {prefix!r}")
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{code}"


def canonical_pattern(prefix: str) -> re.Pattern[str]:
    """The exact canonical form of one kind of reference (``^FD-[alphabet]{6}$``)."""
    if prefix not in REFERENCE_PREFIXES:
        raise ValueError(f"unknown reference prefix {prefix!r}")
    return re.compile(rf"^{prefix}-[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


def spell_out(reference: str) -> str:
    """A reference for the phone line, one character at a time: ``C T, 7 K 3 Q 9 X``."""
    parts = [" ".join(part) for part in re.split(r"[-\s]+", reference.upper()) if part]
    return ", ".join(parts)
