"""Hypothesis strategies for UK identifiers, written the ways residents type them.

Each strategy makes the real structure (HMRC prefixes, DVLA licence layout, IBAN check
digits), so the redaction tests meet what councils actually receive.
"""

from __future__ import annotations

import string
from datetime import date

from hypothesis import strategies as st

from lib.references import REFERENCE_ALPHABET, REFERENCE_PREFIXES

DIGITS = string.digits
UPPER = string.ascii_uppercase


def digits(count: int) -> st.SearchStrategy[str]:
    """``count`` decimal digits."""
    return st.text(DIGITS, min_size=count, max_size=count)


def _letters(alphabet: str, count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=count, max_size=count)


def _case(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, value.lower()])


# --- National Insurance numbers (HMRC rules for the prefix) -----------------------------------

_NI_FIRST = "".join(c for c in UPPER if c not in "DFIQUV")
_NI_SECOND = "".join(c for c in UPPER if c not in "DFIOQUV")
_NI_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


@st.composite
def ni_numbers(draw: st.DrawFn) -> str:
    """A National Insurance number, compact, spaced in pairs or with hyphens."""
    prefix = draw(
        st.tuples(st.sampled_from(_NI_FIRST), st.sampled_from(_NI_SECOND))
        .map("".join)
        .filter(lambda p: p not in _NI_BANNED)
    )
    body = draw(digits(6))
    suffix = draw(st.sampled_from("ABCD"))
    pairs = [body[0:2], body[2:4], body[4:6]]
    value = draw(
        st.sampled_from(
            [
                f"{prefix}{body}{suffix}",
                f"{prefix} {' '.join(pairs)} {suffix}",
                f"{prefix}-{'-'.join(pairs)}-{suffix}",
                f"{prefix} {body} {suffix}",
            ]
        )
    )
    return draw(_case(value))


# --- Bank details ---------------------------------------------------------------------------


@st.composite
def sort_codes(draw: st.DrawFn) -> str:
    """A sort code with hyphens or spaces (written alone) or without separators."""
    code = draw(digits(6))
    separator = draw(st.sampled_from(["-", " "]))
    return separator.join([code[0:2], code[2:4], code[4:6]])


@st.composite
def account_numbers(draw: st.DrawFn) -> str:
    """An 8-digit account number, compact or spaced in fours or pairs."""
    number = draw(digits(8))
    return draw(
        st.sampled_from(
            [
                number,
                f"{number[:4]} {number[4:]}",
                " ".join(number[i : i + 2] for i in range(0, 8, 2)),
            ]
        )
    )


def _iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """A UK IBAN with valid check digits, compact or in groups of four, any case."""
    bank = draw(_letters(UPPER, 4))
    bban = bank + draw(digits(6)) + draw(digits(8))
    compact = "GB" + _iban_check_digits("GB", bban) + bban
    grouped = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return draw(_case(draw(st.sampled_from([compact, grouped]))))


# --- Documents ------------------------------------------------------------------------------


@st.composite
def driving_licence_numbers(draw: st.DrawFn) -> str:
    """A DVLA licence number: surname (padded with 9), birth date code, initials, check."""
    surname = draw(st.text(UPPER, min_size=2, max_size=5))
    born = draw(st.dates(date(1930, 1, 1), date(2008, 12, 31)))
    month = born.month + draw(st.sampled_from([0, 50]))  # +50 on a woman's licence
    birth = f"{str(born.year)[2]}{month:02d}{born.day:02d}{str(born.year)[3]}"
    initials = draw(st.sampled_from([draw(_letters(UPPER, 2)), draw(_letters(UPPER, 1)) + "9"]))
    number = f"{surname.ljust(5, '9')}{birth}{initials}9{draw(_letters(UPPER, 2))}"
    spaced = f"{number[:5]} {number[5:11]} {number[11:]}"
    return draw(st.sampled_from([number, spaced]))


def passport_numbers() -> st.SearchStrategy[str]:
    """A UK passport number: nine digits."""
    return digits(9)


# --- Contact details ------------------------------------------------------------------------


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A UK mobile or Stoke landline, in the usual spellings."""
    mobile = "7" + draw(digits(9))
    landline = "1782" + draw(digits(6))
    return draw(
        st.sampled_from(
            [
                f"0{mobile}",
                f"0{mobile[:4]} {mobile[4:]}",
                f"+44 {mobile[:4]} {mobile[4:7]} {mobile[7:]}",
                f"+44{mobile}",
                f"0{landline[:4]} {landline[4:]}",
                f"(0{landline[:4]}) {landline[4:]}",
            ]
        )
    )


_NAME = st.text(string.ascii_lowercase, min_size=2, max_size=10)
_PROVIDERS = ["gmail", "hotmail", "outlook", "yahoo", "btinternet", "icloud"]


@st.composite
def spelt_emails(draw: st.DrawFn) -> tuple[str, list[str]]:
    """An e-mail address written out to dodge filters; also the words that must go."""
    first, last = draw(_NAME), draw(_NAME)
    dot = draw(st.sampled_from([" dot ", ".", " [dot] ", " (dot) "]))
    at = draw(st.sampled_from([" at ", "[at]", " (at) ", " [at] ", " @ ", "(at)"]))
    provider = draw(st.sampled_from(_PROVIDERS))
    tld = draw(st.sampled_from(["com", "co.uk", "net"])).replace(".", dot)
    return f"{first}{dot}{last}{at}{provider}{dot}{tld}", [f"{first}", f"{last}"]


# --- Dates of birth --------------------------------------------------------------------------

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def written_dates(day: date) -> list[str]:
    """The ways residents write a date."""
    month = _MONTHS[day.month - 1]
    return [
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day:%y}",
        f"{day:%d.%m.%Y}",
        f"{day:%Y-%m-%d}",
        f"{day:%d-%m-%Y}",
        f"{day.day} {month} {day.year}",
        f"{_ordinal(day.day)} {month} {day.year}",
        f"the {_ordinal(day.day)} of {month} {day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month[:3]} {day.year}",
    ]


@st.composite
def dates_of_birth(draw: st.DrawFn) -> str:
    """A date of birth with the words that say so ("DOB 12/03/1985")."""
    born = draw(st.dates(date(1920, 1, 1), date(2012, 12, 31)))
    context = draw(
        st.sampled_from(
            ["DOB", "DOB:", "dob", "D.O.B.", "date of birth", "date of birth:",
             "my date of birth is", "born", "born on", "I was born on"]
        )
    )  # fmt: skip
    return f"{context} {draw(st.sampled_from(written_dates(born)))}"


# --- What must be kept -----------------------------------------------------------------------


@st.composite
def references(draw: st.DrawFn) -> str:
    """A Front Door or Open311 reference (``FD-7K3Q9X``, ``SR-7K3Q9X``, ...)."""
    prefix = draw(st.sampled_from(sorted(REFERENCE_PREFIXES)))
    code = draw(_letters(REFERENCE_ALPHABET, 6))
    return draw(_case(draw(st.sampled_from([f"{prefix}-{code}", f"{prefix}{code}"]))))


_UNIT = "ABDEFGHJLNPQRSTUWXYZ"


@st.composite
def postcodes(draw: st.DrawFn) -> str:
    """A UK postcode shape (``ST4 2DX``, ``M1 1AE``, ``SW1A 1AA``)."""
    area = draw(_letters(UPPER, draw(st.integers(1, 2))))
    district = draw(st.sampled_from([draw(digits(1)), draw(digits(2)), draw(digits(1)) + "A"]))
    return f"{area}{district} {draw(digits(1))}{draw(_letters(_UNIT, 2))}"


@st.composite
def problem_dates(draw: st.DrawFn) -> str:
    """When a problem started or was seen ("since 3 March", "on 03/03/2026")."""
    day = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    when = draw(st.sampled_from(["since", "on", "from", "seen on", "reported on"]))
    month = _MONTHS[day.month - 1]
    written = draw(
        st.sampled_from(
            [
                f"{day.day} {month}",
                f"{_ordinal(day.day)} {month}",
                f"{month} {day.day}",
                f"{day:%d/%m/%Y}",
                f"{day.day}/{day.month}/{day:%y}",
                f"{day:%d-%m-%Y}",
                f"{day.day} {month} {day.year}",
            ]
        )
    )
    return f"{when} {written}"


@st.composite
def money_amounts(draw: st.DrawFn) -> str:
    """An amount of money (``£1,250.00``, ``£120``, ``45 pounds``)."""
    pounds = draw(st.integers(0, 99_999_999))
    pence = draw(st.integers(0, 99))
    return draw(
        st.sampled_from(
            [
                f"£{pounds:,}.{pence:02d}",
                f"£{pounds}",
                f"£{pounds:,}",
                f"{pounds} pounds",
                f"£{pounds}.{pence:02d}",
            ]
        )
    )


@st.composite
def street_addresses(draw: st.DrawFn) -> str:
    """A house number and street, sometimes a flat."""
    number = draw(st.integers(1, 999))
    street = draw(st.sampled_from(["High Street", "Church Road", "Victoria Road", "Leek Road"]))
    flat = draw(st.sampled_from(["", f"Flat {draw(st.integers(1, 40))}, "]))
    return f"{flat}{number}{draw(st.sampled_from(['', 'a', 'b']))} {street}"


def in_sentences(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value inside one of the sentences residents write, with no other digits."""
    sentences = st.sampled_from(
        [
            "{}",
            "my details are {} thanks",
            "here you go: {}.",
            "{}, can someone ring me back",
            "(it is {}) is that enough?",
            "pothole on the corner, {}\nplease fix",
        ]
    )
    return st.tuples(sentences, value).map(lambda pair: pair[0].format(pair[1]))
