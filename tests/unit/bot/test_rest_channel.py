import pytest

from bot.channels.rest import EMPTY_MESSAGE, clean_message


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("pothole on Leek Road", "pothole on Leek Road"),
        ("", EMPTY_MESSAGE),
        ("   \n\t ", EMPTY_MESSAGE),
        (None, EMPTY_MESSAGE),
        (12, "12"),
        ("\x00\x01\x02", EMPTY_MESSAGE),
        ("a\x00b", "a b"),
        ("/affirm", "/affirm"),
        ('/inform{"postcode": "ST4 2DX"}', 'inform{"postcode": "ST4 2DX"}'),
        ("//restart now", "restart now"),
        ("🙂🙂", "🙂🙂"),
    ],
)
def test_clean_message(raw, expected):
    assert clean_message(raw) == expected


def test_clean_message_caps_length():
    assert len(clean_message("x" * 20_000, 1000)) == 1000
