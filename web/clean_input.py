"""Cleaning of text where it enters the council services, for the request models.

Every API that takes text (Open311, triage, council tax and broadband, bookings, the web
chat relay, SMS and insight) runs its strings through :func:`lib.text.clean_text` before
any other check: a lone surrogate, which JSON allows, would otherwise reach a JSON
response or a database write and fail there with a 500; bidirectional controls,
byte-order marks and zero-width characters would be stored and shown to staff. Numbers
(postcodes, account numbers, phone numbers, times) also have their digits folded to ASCII.

No length is cut here: the models' own limits still refuse what is too long.
"""

from __future__ import annotations

from typing import Any

from pydantic import validator

from lib.text import clean_json, clean_number_text, clean_text


def clean_line(value: Any) -> Any:
    """A one-line string cleaned (whitespace folded); anything else unchanged."""
    return clean_text(value, None) if isinstance(value, str) else value


def clean_block(value: Any) -> Any:
    """A string that may hold line breaks, cleaned; anything else unchanged."""
    return clean_text(value, None, keep_lines=True) if isinstance(value, str) else value


def clean_number(value: Any) -> Any:
    """A postcode, reference, phone number or time: cleaned, digits folded to ASCII."""
    return clean_number_text(value) if isinstance(value, str) else value


def clean_strings(value: Any) -> Any:
    """Every string inside a JSON value (objects and lists too), cleaned as one line."""
    return clean_json(value, keep_lines=False)


def cleaned(*fields: str, how: Any = clean_line) -> Any:
    """A pydantic pre-validator that cleans ``fields`` with ``how`` before other checks."""
    return validator(*fields, pre=True, allow_reuse=True)(how)
