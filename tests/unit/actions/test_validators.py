import pytest

from actions.common.validators import (
    CANCELLED,
    clean_description,
    clean_short_text,
    clean_text,
    looks_like_address,
    number_words_to_digits,
    parse_change_field,
    parse_contact,
    parse_number,
    parse_registration,
    parse_yes_no,
    without_hedges,
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


@pytest.mark.parametrize(
    "text",
    [
        "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",  # full-width
        "\u09e6\u09ed\u09ed\u09e6\u09e6 \u09ef\u09e6\u09e6\u09e7\u09e8\u09e9",  # Bengali digits
        "07700\u200b900123\ufeff",
    ],
)
def test_a_phone_number_in_other_digits_is_read_as_ascii(text):
    assert parse_contact(text) == ("phone", "07700900123")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("AB12 CDE", "AB12 CDE"), ("ab12cde", "AB12 CDE"), (" Ab12  cde. ", "AB12 CDE"),
        ("the reg is AB12 CDE i think", "AB12 CDE"), ("A123 BCD", "A123 BCD"),
        ("K1 NGS", "K1 NGS"), ("abc 123d", "ABC 123D"), ("A B 1 2 C D E", "AB12 CDE"),
        ("k 1 n g s", "K1NGS"),
        ("red", None), ("12", None), ("ABC", None), ("", None), (None, None),
        ("it's parked by number 12 on the corner", None), ("ABCDEFGHJ1", None),
    ],
)  # fmt: skip
def test_parse_registration(text, expected):
    assert parse_registration(text) == expected


def test_clean_short_text_keeps_a_few_words_only():
    assert clean_short_text("  silver Ford Focus ") == "silver Ford Focus"
    assert clean_short_text("🙂") is None
    assert len(clean_short_text("word " * 100) or "") <= 100


@pytest.mark.parametrize(
    ("text", "number"),
    [("10", 10.0), ("about 10", 10.0), ("10 mbps", 10.0), ("10Mbps", 10.0), ("ten", 10.0),
     ("Ten", 10.0), ("twenty-five", 25.0), ("around 2.5", 2.5), ("roughly 8ish", 8.0),
     ("~30", 30.0), ("1,200", 1200.0), ("no idea", None), ("", None)],
)  # fmt: skip
def test_parse_number_takes_rough_figures_and_words(text: str, number: float | None) -> None:
    assert parse_number(text) == number


def test_number_words_and_hedges() -> None:
    assert number_words_to_digits("half past ten") == "half past 10"
    assert number_words_to_digits("forty two") == "42"
    assert without_hedges("about 10am") == "10am"
    assert without_hedges("10ish") == "10"
