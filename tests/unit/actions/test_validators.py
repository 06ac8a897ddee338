import pytest

from actions.common.validators import (
    CANCELLED,
    clean_description,
    clean_text,
    looks_like_address,
    parse_change_field,
    parse_contact,
    parse_yes_no,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", True), ("Yeah!", True), ("yep", True), ("aye", True), ("/affirm", True),
        ("1", True), ("it's really dangerous", True), ("yes please", True),
        ("no", False), ("nah", False), ("/deny", False), ("2", False),
        ("it's not dangerous", False), ("No thanks.", False), ("not really", False),
        ("potato", None), ("", None), (None, None), ("🙂", None),
        (True, True), (False, False),
    ],
)  # fmt: skip
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("jo.bloggs@example.co.uk", ("email", "jo.bloggs@example.co.uk")),
        ("Jo@Example.com", ("email", "jo@example.com")),
        ("07700 900123", ("phone", "07700900123")),
        ("+44 7700 900123", ("phone", "07700900123")),
        ("(01782) 234234", ("phone", "01782234234")),
        ("0044 1782 234234", ("phone", "01782234234")),
        ("my number is 07700 900123", ("phone", "07700900123")),
        ("email me at Jo@Example.com please", ("email", "jo@example.com")),
        ("12345", None), ("not an email@", None), ("", None), ("077009001234567", None),
    ],
)  # fmt: skip
def test_parse_contact(text, expected):
    assert parse_contact(text) == expected


def test_clean_text_drops_control_characters_and_caps_length():
    assert clean_text("pot\x00hole\x1b  on\u200b  road") == "pot hole on road"
    assert len(clean_text("a" * 5000, 1000)) == 1000
    assert clean_text(None) == ""


def test_clean_description_needs_words():
    assert clean_description("   ") is None
    assert clean_description("🙂🙂🙂") is None
    assert clean_description("/affirm") is None
    assert clean_description("  deep hole by the bus stop ") == "deep hole by the bus stop"


@pytest.mark.parametrize(
    "text,expected",
    [("Leek Road outside the Co-op", True), ("Hanley", False), ("ab", False), ("12 34", False)],
)
def test_looks_like_address(text, expected):
    assert looks_like_address(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("place", "location"), ("the postcode is wrong", "location"), ("details", "description"),
        ("danger", "dangerous"), ("problem", "problem_type"), ("contact", "contact_consent"),
        ("cancel", CANCELLED), ("don't send it", CANCELLED), ("banana", None),
    ],
)  # fmt: skip
def test_parse_change_field(text, expected):
    assert parse_change_field(text) == expected
