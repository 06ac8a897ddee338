"""Bearer tokens: read from the header, compared whole and never empty."""

from types import SimpleNamespace

import pytest

from bot.bearer import bearer_token, same_secret


def _request(authorization: str | None) -> SimpleNamespace:
    return SimpleNamespace(
        headers={} if authorization is None else {"Authorization": authorization}
    )


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer s3cret", "s3cret"),
        ("bearer  s3cret ", "s3cret"),
        ("Basic s3cret", ""),
        ("s3cret", ""),
        (None, ""),
    ],
)
def test_the_token_is_read_from_a_bearer_header_only(header, token):
    assert bearer_token(_request(header)) == token


def test_only_the_same_non_empty_secret_matches():
    assert same_secret("s3cret", "s3cret")
    assert not same_secret("s3cre", "s3cret")
    assert not same_secret("", "")
    assert not same_secret("s3cret", "")
    assert not same_secret("", "s3cret")
