import pytest

from lib.redaction import redact


@pytest.mark.parametrize(
    "text,placeholder,secret",
    [
        ("ring me on 07700 900123 please", "[phone]", "900123"),
        ("my number is +44 7700 900 123", "[phone]", "7700"),
        ("landline (01782) 234234", "[phone]", "234234"),
        ("call 01782234234", "[phone]", "01782234234"),
        ("email jo.bloggs+council@example.co.uk", "[email]", "jo.bloggs"),
        ("my NI is QQ 12 34 56 C", "[NI number]", "12 34 56"),
        ("ni number ab123456c", "[NI number]", "ab123456c"),
        ("card 4111 1111 1111 1111 exp 01/29", "[card number]", "4111"),
        ("card 5500-0000-0000-0004", "[card number]", "5500"),
        ("sort code 20-00-00 account 12345678", "[sort code]", "20-00-00"),
        ("account no 12345678", "[account number]", "12345678"),
    ],
)
def test_personal_data_is_redacted(text, placeholder, secret):
    redacted = redact(text)
    assert placeholder in redacted
    assert secret not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "pothole outside ST4 2DX",
        "my reference is SR-7K3Q9X",
        "it has been there for 3 weeks",
        "the hole is 20cm deep at number 12",
        "I pay £120 a month",
    ],
)
def test_ordinary_text_is_kept(text):
    assert redact(text) == text
