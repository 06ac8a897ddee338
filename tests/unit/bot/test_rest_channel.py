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


@pytest.mark.parametrize(
    "payload",
    ['/greet{"language":"en"}', '/greet{"language":"pl"}', '/greet{"language": "ur"}'],
)
def test_language_buttons_pass(payload):
    assert clean_message(payload) == payload


@pytest.mark.parametrize(
    "raw,expected",
    [
        ('/greet{"language":"xx"}', 'greet{"language":"xx"}'),  # not a language we know
        ('/affirm{"language":"pl"}', 'affirm{"language":"pl"}'),  # only greet
        ('/greet{"postcode":"pl"}', 'greet{"postcode":"pl"}'),  # only the language entity
        ('/greet{"language":"pl","problem_type":"x"}', 'greet{"language":"pl","problem_type":"x"}'),
        ('/greet{"language":"pl"} and more', 'greet{"language":"pl"} and more'),
        ('/greet{"language":"PL"}', 'greet{"language":"PL"}'),
    ],
)
def test_other_entity_payloads_are_still_refused(raw, expected):
    assert clean_message(raw) == expected
