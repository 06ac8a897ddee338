"""Recognising UK postcodes in what residents type: pure functions, no data, no I/O.

The shape is the standard UK postcode pattern (the one GOV.UK's data standards use,
including the special ``GIR 0AA``), with the inward part held strictly to a digit and two
letters from ``ABDEFGHJLNPQRSTUWXYZ``. On top of the shape, the postcode area (the leading
letters) must be one of the 124 areas in the ONS Postcode Directory: this is what stops
"A1", "X9 9XX" or "Q1 1AA" from looking like postcodes.

Terminated legacy forms that the directory still lists are deliberately not recognised:
Newport's ``NPT 0AD`` style and the pre-2000 ``W1M``/``W1N``/``W1R``/``W1V``/``W1X``/
``W1Y`` districts. Nobody living there today uses them.
"""

from __future__ import annotations

import re

from lib.postcodes.models import PostcodeMatch

#: Postcode areas in the ONS Postcode Directory (checked against the 2026.1.1 data).
POSTCODE_AREAS = frozenset(
    """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW
    KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH
    RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF
    WN WR WS WV YO ZE
    """.split()
)

# The standard pattern, one character class per position (upper case; matched without
# regard to case inside an ASCII-only group so that "ſ" or "K" never fold into a match).
_FIRST = "[A-PR-UWYZ]"  # no Q, V, X
_SECOND = "[A-HK-Y]"  # no I, J, Z
_THIRD_A9A = "[A-HJKPSTUW]"
_FOURTH_AA9A = "[ABEHMNPRVWXY]"
_OUTWARD = (
    f"(?:{_FIRST}[0-9][0-9]?"
    f"|{_FIRST}{_SECOND}[0-9][0-9]?"
    f"|{_FIRST}[0-9]{_THIRD_A9A}"
    f"|{_FIRST}{_SECOND}[0-9]{_FOURTH_AA9A})"
)
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"
# Between the two halves: any run of horizontal space, including no-break and thin spaces.
_GAP = r"[ \t\u00a0\u2000-\u200a\u202f\u3000]*"
# A whole reply may also break the line between the halves.
_WHOLE_GAP = r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u3000]*"


def _body(gap: str) -> str:
    return f"(?ai:(?P<outward>{_OUTWARD}|GIR){gap}(?P<inward>{_INWARD}))"


# In free text a postcode must stand on its own: no letter or digit (in any script)
# directly before or after it.
_IN_TEXT = re.compile(rf"(?<!\w){_body(_GAP)}(?!\w)")
_WHOLE = re.compile(_body(_WHOLE_GAP))
_OUTWARD_ONLY = re.compile(f"(?ai:{_OUTWARD})")

# Anything longer than this is not "a postcode with some punctuation around it".
_MAX_WHOLE_LENGTH = 40


def _strip_surroundings(text: str) -> str:
    """Remove whitespace, punctuation, symbols and emoji from both ends."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def _area(outward: str) -> str:
    """The leading letters of an outward code (``ST4`` -> ``ST``, ``B4`` -> ``B``)."""
    return outward[:2] if outward[1].isalpha() else outward[:1]


def _canonical(outward: str, inward: str) -> str | None:
    """The ``AA9A 9AA`` form of a shape-checked match, or None for an unknown area."""
    outward, inward = outward.upper(), inward.upper()
    if outward == "GIR":
        return "GIR 0AA" if inward == "0AA" else None
    if _area(outward) not in POSTCODE_AREAS:
        return None
    return f"{outward} {inward}"


def normalise_postcode(text: str | None) -> str | None:
    """Return a whole input as a canonical UK postcode, or None.

    Accepts lower case, no space, several spaces or tabs between the halves, and
    punctuation, symbols or whitespace around it (``"(st42dx)."`` -> ``"ST4 2DX"``). It does
    not search inside a sentence; use :func:`find_postcodes` for that.

    Args:
        text: what the resident typed, e.g. the reply to "What is the postcode?".

    Returns:
        The postcode as ``AA9A 9AA`` (outward code, one space, inward code, upper case),
        or None if the input is not shaped like a UK postcode in a known postcode area.
    """
    if not isinstance(text, str) or len(text) > _MAX_WHOLE_LENGTH * 4:
        return None
    core = _strip_surroundings(text)
    if not core or len(core) > _MAX_WHOLE_LENGTH:
        return None
    match = _WHOLE.fullmatch(core)
    if match is None:
        return None
    return _canonical(match["outward"], match["inward"])


def find_postcodes(text: str | None) -> list[PostcodeMatch]:
    """Find every UK postcode inside free text.

    ``"pothole outside st42dx near the shop"`` gives one match for ``ST4 2DX`` with the
    offsets of ``st42dx``. Ordinary words and numbers ("at 10am", "A1", "B4 I go") do not
    match, nor does a postcode glued to other letters or digits ("xST4 2DX", "ST4 2DX9").

    Args:
        text: any message text; None and empty text give no matches.

    Returns:
        Matches in order of appearance, each with ``start``/``end`` offsets into ``text``,
        the original substring and the canonical postcode.
    """
    if not isinstance(text, str) or not text:
        return []
    matches: list[PostcodeMatch] = []
    for match in _IN_TEXT.finditer(text):
        postcode = _canonical(match["outward"], match["inward"])
        if postcode is not None:
            matches.append(
                PostcodeMatch(
                    start=match.start(),
                    end=match.end(),
                    original=match.group(0),
                    postcode=postcode,
                )
            )
    return matches


def outward_code_only(text: str | None) -> str | None:
    """Recognise a reply that is only the first half of a postcode.

    Used to tell the resident that the full postcode is needed ("ST4" -> ``"ST4"``).

    Args:
        text: the whole reply, with or without punctuation around it.

    Returns:
        The outward code in upper case, or None if the reply is not just an outward code
        in a known postcode area (a full postcode also gives None).
    """
    if not isinstance(text, str) or len(text) > _MAX_WHOLE_LENGTH * 4:
        return None
    core = _strip_surroundings(text)
    if not core or len(core) > 4 or _OUTWARD_ONLY.fullmatch(core) is None:
        return None
    outward = core.upper()
    return outward if _area(outward) in POSTCODE_AREAS else None


def postcode_area(postcode: str) -> str:
    """The postcode area of a canonical postcode or outward code (``ST4 2DX`` -> ``ST``).

    Args:
        postcode: a postcode or outward code that starts with its area letters.

    Returns:
        The one or two leading letters, upper case.

    Raises:
        ValueError: if the text does not start with a letter.
    """
    letters = re.match(r"[A-Za-z]{1,2}", postcode.strip())
    if letters is None:
        raise ValueError("a postcode starts with its area letters")
    return letters.group(0).upper()
