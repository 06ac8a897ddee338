"""Removes personal data from text before it is stored, published or logged.

Shared by every process. It covers the UK shapes residents type:

* e-mail addresses, also written out ("jo dot bloggs at gmail dot com", "jo[at]x.com");
* phone numbers, National Insurance numbers, payment card numbers;
* bank details: sort codes (with or without separators), account numbers (also spaced)
  and IBANs;
* dates of birth, but only after words that say so ("DOB", "born", "date of birth");
* passport and driving licence numbers, and any other long run of digits.

It keeps what staff and residents need: Front Door references (``FD-7K3Q9X``, Open311's
``SR-7K3Q9X``, ...), money amounts (``£1,250.00``), postcodes, street numbers and the
dates of a problem ("since 3 March", "on 03/03/2026"). References and money amounts are
set aside before any rule runs, so no rule can eat them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lib.references import find_references

_I = re.IGNORECASE

# --- What is kept -----------------------------------------------------------------------------

_MONEY = re.compile(
    r"£\s?\d[\d,]*(?:\.\d{1,2})?(?:\s?(?:k|m|bn)\b)?"
    r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:pounds?|quid|pence|p|gbp)\b",
    _I,
)
#: Private-use characters stand in for the kept spans while the rules run.
_KEEP_BASE = 0xE000
_KEEP_LIMIT = 0x1000
_KEEP_CHARS = re.compile(f"[{chr(_KEEP_BASE)}-{chr(_KEEP_BASE + _KEEP_LIMIT - 1)}]")

# --- What is redacted -------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"  # 1985-03-12
    r"|\d{1,2}[/. -]\d{1,2}[/. -]\d{2}(?:\d{2})?"  # 12/03/1985, 12.3.85, 12 03 1985
    rf"|(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?(?:\s+\d{{4}}|\s+\d{{2}}\b)?"  # 3rd March 85
    rf"|{_MONTH}\.?\s+{_DAY},?(?:\s+\d{{4}})?"  # March 3rd, 1985
    r"|(?:19|20)\d{2}\b)"  # born in 1985
)
#: The words that make a date a date of birth, and what may stand between them and it.
_DOB_CONTEXT = (
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s?day\b|\bborn\b)"
    r"(?:\s*[:=-]\s*|\s+(?:is|was|on|in|:)\b)*\s*"
)
_DATE_OF_BIRTH = re.compile(rf"({_DOB_CONTEXT})({_DATE})", _I)

_TLD = r"(?:com|net|org|uk|co|gov|ac|nhs|sch|io|me|info|biz|email|ie|eu|online)"
_DOT = r"(?:\.|\s+dot\s+|\s*[\[({<]\s*dot\s*[\])}>]\s*)"
_AT = r"(?:\s*@\s*|\s+at\s+|\s*[\[({<]\s*at\s*[\])}>]\s*)"
# Matches start only where a run of address characters starts, and repeats are bounded,
# so that a long hostile text costs linear time.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
#: Written out: an "at" and a domain ending in a known top-level domain.
_SPELT_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_%+'.-])(?P<local>[A-Za-z0-9_%+'-]{{1,64}}(?:{_DOT}[A-Za-z0-9_%+'-]{{1,64}}){{0,4}})"
    rf"(?P<at>{_AT})"
    rf"(?P<domain>[A-Za-z0-9-]{{1,63}}(?:{_DOT}[A-Za-z0-9-]{{1,63}}){{0,3}}?{_DOT}{_TLD}"
    rf"(?:{_DOT}{_TLD})?)\b",
    _I,
)
#: Mail providers people name: "jo at gmail.com" is an address, "site at stoke.gov.uk" is not.
_MAIL_PROVIDER = re.compile(
    r"(?:(?:g|google|hot|proton|fast)?mail|yahoo|zoho|outlook|live|icloud|me|aol|msn|gmx"
    r"|btinternet|btopenworld|sky|virginmedia|talktalk|ntlworld|blueyonder)\b",
    _I,
)


def _spelt_email(match: re.Match[str]) -> str:
    """Redact a written-out address; a plain "at" needs more than a web address's shape."""
    spelt = re.search(r"\bdot\b", match.group(0), _I) is not None
    plain_at = match.group("at").strip().lower() == "at"
    if not plain_at or spelt or "." in match.group("local"):
        return "[email]"
    return "[email]" if _MAIL_PROVIDER.match(match.group("domain")) else match.group(0)


#: Country, check digits, up to two groups that may hold letters (the bank), then digits.
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){0,2}?(?:[ -]?\d{4}){2,7}(?:[ -]?\d{1,3})?\b", _I
)
#: DVLA licence: 5 of surname (padded with 9), 6 digits, 2 initials (or 9), a digit, 2 letters.
_DRIVING_LICENCE = re.compile(
    r"\b[A-Z][A-Z9]{4}[ -]?\d{6}[ -]?[A-Z9]{2}\d[ -]?[A-Z]{2}(?:[ -]?\d{2})?\b", _I
)
# Any two letters: over-redacting HMRC's own example prefixes (QQ) is the safe side.
_NI = re.compile(r"\b[A-Z]{2}(?:[ .-]?\d{2}){3}[ .-]?[A-D]\b", _I)
#: After "NI number" or "national insurance", the suffix letter may be missing.
_NI_IN_CONTEXT = re.compile(
    r"(\b(?:national\s+insurance|ni|nino)(?:\s+(?:no|num|number))?\.?(?:\s+is)?[\s:#-]*)"
    r"([A-Z]{2}(?:[ .-]?\d{2}){3}(?:[ .-]?[A-D]\b)?)",
    _I,
)
_PASSPORT_IN_CONTEXT = re.compile(
    r"(\bpassport(?:\s+(?:no|num|number))?\.?(?:\s+is)?[\s:#-]*)"
    r"((?:[A-Z]{1,2}\s?)?\d(?:\s?\d){6,8})\b",
    _I,
)
_SORT_CODE_IN_CONTEXT = re.compile(
    r"(\bsort\s*-?\s*code(?:\s+is)?[\s:#-]*)(\d{2}[ .-]?\d{2}[ .-]?\d{2})\b", _I
)
_ACCOUNT_IN_CONTEXT = re.compile(
    r"(\b(?:account|acct|acc|a/c)(?:\s+(?:no|num|number))?\.?(?:\s+is)?[\s:#-]*)"
    r"(\d(?:[ -]?\d){5,9})\b",
    _I,
)
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)(?:\)?[\s-]?\d){9,10}(?!\d)")
_SORT_CODE = re.compile(r"\b\d{2}[- ]\d{2}[- ]\d{2}\b")
_ACCOUNT = re.compile(r"\b(?:\d{8}|\d{4}[ -]\d{4}|\d{2}(?: \d{2}){3})\b")
#: The backstop: a long unbroken number in a resident's words is almost always an identifier
#: (passport, NHS, licence or account numbers).
_LONG_NUMBER = re.compile(r"\b\d{9,12}\b")


def _in_context(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Keep the words that gave the context (group 1), replace the value (group 2)."""
    return lambda match: match.group(1) + placeholder


Replacement = str | Callable[[re.Match[str]], str]

#: Order matters: shapes that hold other shapes come first (an IBAN holds an account
#: number, a card number looks like a phone number, a date of birth like a sort code, an
#: account number in pairs like a sort code).
_RULES: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (_EMAIL, "[email]"),
    (_SPELT_EMAIL, _spelt_email),
    (_DATE_OF_BIRTH, _in_context("[date of birth]")),
    (_IBAN, "[IBAN]"),
    (_DRIVING_LICENCE, "[driving licence number]"),
    (_NI_IN_CONTEXT, _in_context("[NI number]")),
    (_NI, "[NI number]"),
    (_PASSPORT_IN_CONTEXT, _in_context("[passport number]")),
    (_SORT_CODE_IN_CONTEXT, _in_context("[sort code]")),
    (_ACCOUNT_IN_CONTEXT, _in_context("[account number]")),
    (_CARD, "[card number]"),
    (_PHONE, "[phone]"),
    (_ACCOUNT, "[account number]"),
    (_SORT_CODE, "[sort code]"),
    (_LONG_NUMBER, "[number]"),
)


def _set_aside(text: str) -> tuple[str, list[str]]:
    """Replace references and money amounts by stand-in characters; return them in order."""
    kept: list[str] = []

    def stand_in(original: str) -> str:
        if len(kept) >= _KEEP_LIMIT:
            return original  # a hostile text with thousands of them: the rules still run
        kept.append(original)
        return chr(_KEEP_BASE + len(kept) - 1)

    text = _KEEP_CHARS.sub("\ufffd", text)  # no one can forge a stand-in
    pieces, last = [], 0
    # "NI number BB222222": after the words, six digits are an NI number, not a reference.
    ni_after_words = {found.start(2) for found in _NI_IN_CONTEXT.finditer(text)}
    for match in find_references(text):
        if _NI.match(text, match.start) or match.start in ni_after_words:
            # "PC 222222 A" is an NI number (a valid prefix, six digits and the final
            # letter), not a booking reference followed by a word: redact it.
            continue
        pieces += [text[last : match.start], stand_in(match.original)]
        last = match.end
    text = "".join(pieces) + text[last:]
    return _MONEY.sub(lambda match: stand_in(match.group(0)), text), kept


def _put_back(text: str, kept: list[str]) -> str:
    if not kept:
        return text
    return _KEEP_CHARS.sub(lambda match: kept[ord(match.group(0)) - _KEEP_BASE], text)


def redact(text: str) -> str:
    """Replace personal data in ``text`` with labelled placeholders such as ``[phone]``."""
    if not text:
        return text
    text, kept = _set_aside(text)
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return _put_back(text, kept)
