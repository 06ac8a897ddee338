import json

import pytest

from lib.text import clean_text, fold_digits


def test_a_lone_surrogate_from_legal_json_is_dropped_and_the_rest_encodes():
    message = json.loads('{"message": "pothole \\ud800 outside \\udc00 number 4"}')["message"]
    with pytest.raises(UnicodeEncodeError):
        message.encode("utf-8")
    cleaned = clean_text(message)
    assert cleaned == "pothole outside number 4"
    cleaned.encode("utf-8")


def test_a_surrogate_pair_left_in_a_string_becomes_its_character():
    assert clean_text("smile \ud83d\ude00") == "smile \U0001f600"


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"],
)
def test_bidirectional_controls_and_isolates_are_removed(char):
    assert clean_text(f"pay to {char}evil{char} now") == "pay to evil now"


@pytest.mark.parametrize("char", ["\ufeff", "\u200b", "\u2060", "\u180e"])
def test_byte_order_marks_and_zero_width_characters_vanish_inside_words_and_numbers(char):
    assert clean_text(f"{char}QQ{char}123456C 0{char}7700 900123") == "QQ123456C 07700 900123"


def test_joiners_stay_between_letters_where_scripts_need_them_and_go_elsewhere():
    urdu = "می\u200cخواہم"
    assert clean_text(urdu) == urdu
    assert clean_text("\u200d12\u200c34\u200d") == "1234"


def test_control_characters_become_spaces_and_whitespace_folds():
    assert clean_text("pot\x00hole\x1b  on\t\n road\u2028now") == "pot hole on road now"


def test_text_is_normalised_to_nfc():
    assert clean_text("cafe\u0301") == "caf\u00e9"


def test_line_breaks_are_kept_when_asked_and_the_cap_is_optional():
    note = "first line\r\n\r\n\r\n   second \t line\x00"
    assert clean_text(note, None, keep_lines=True) == "first line\n\nsecond line"
    assert clean_text("a" * 5000, None) == "a" * 5000
    assert clean_text("a" * 5000) == "a" * 1000
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("\uff33\uff34\uff14 \uff12\uff24\uff38", "ST4 2DX"),  # full-width postcode
        ("\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13", "07700 900123"),
        ("\u0660\u0667\u0667\u0660\u0660", "07700"),  # Arabic-Indic
        ("\u09e7\u09e8\u09e9\u09ea\u09eb\u09ec\u09ed\u09ee", "12345678"),  # Bengali
        ("12-34-56", "12-34-56"),
    ],
)
def test_fold_digits_gives_ascii_numbers(typed, expected):
    assert fold_digits(typed) == expected


def test_number_text_is_cleaned_and_folded():
    from lib.text import clean_number_text

    assert clean_number_text("\ufeff\uff30\uff23\uff0d\uff17\uff2b\uff13 \ud800") == "PC-7K3"
    assert clean_number_text(None) == ""
