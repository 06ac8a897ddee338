"""Pure readers and writers of dates, money and references."""

from __future__ import annotations

from datetime import date

import pytest

from actions.common.values import (
    format_date,
    format_pounds,
    parse_account_reference,
    parse_date,
    parse_surname,
)

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("today", TODAY),
        ("yesterday", date(2026, 12, 1)),
        ("14/03/2026", date(2026, 3, 14)),
        ("14-3-26", date(2026, 3, 14)),
        ("2026-03-14", date(2026, 3, 14)),
        ("14 March 2026", date(2026, 3, 14)),
        ("since the 3rd of june 2024", date(2024, 6, 3)),
        ("March 14 2026", date(2026, 3, 14)),
        ("march 2026", date(2026, 3, 1)),
        ("14th of march", date(2026, 3, 14)),
    ],
)
def test_dates_as_residents_write_them(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "ages ago", "", None, "13/13/2026"])
def test_impossible_or_missing_dates_are_none(text):
    assert parse_date(text, TODAY) is None


def test_formatting():
    assert format_date(date(2027, 1, 1)) == "1 January 2027"
    assert format_pounds(84250) == "£842.50"
    assert format_pounds(300000) == "£3,000"
    assert format_pounds(0) == "£0"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("40012345", "40012345"),
        ("4001 2345", "40012345"),
        ("my ref is 4001 2345", "40012345"),
        ("1234", None),
        ("40012345 or 40012346", None),
        ("", None),
    ],
)
def test_account_references(text, expected):
    assert parse_account_reference(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Bloggs", "Bloggs"),
        ("O'Neill", "O'Neill"),
        ("my surname is Smith-Jones", "Smith-Jones"),
        ("/affirm", None),
        ("12345", None),
        ("x" * 80, None),
    ],
)
def test_surnames(text, expected):
    assert parse_surname(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic
        "1234\u200b5678",  # a zero-width space inside
        "my ref is \u20661234 5678\u2069",  # bidi isolates around it
    ],
)
def test_an_account_reference_in_other_digits_is_read_as_ascii(text):
    assert parse_account_reference(text) == "12345678"
