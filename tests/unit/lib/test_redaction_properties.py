"""Property tests of the redactor with generated UK identifiers (hypothesis)."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.redaction import redact
from tests.unit.lib import uk_identifiers as uk

# Derandomised: the same 300 examples on every run, so CI is repeatable. To hunt for new
# counter-examples, run with HYPOTHESIS_RANDOM=1 (a random seed each run).
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
)


def _no_digits_left(text: str) -> bool:
    return not re.search(r"\d", redact(text))


@PROPERTY
@given(uk.in_sentences(uk.ni_numbers()))
def test_ni_numbers_are_redacted_whole(text: str) -> None:
    redacted = redact(text)
    assert "[NI number]" in redacted
    assert not re.search(r"\d", redacted)


@PROPERTY
@given(uk.in_sentences(uk.ni_numbers().map(lambda ni: f"NI number {ni.rstrip('ABCDabcd ')}")))
def test_ni_numbers_without_the_letter_are_redacted_after_the_words(text: str) -> None:
    assert "[NI number]" in redact(text)
    assert _no_digits_left(text)


@PROPERTY
@given(uk.in_sentences(uk.sort_codes()))
def test_sort_codes_with_separators_are_redacted(text: str) -> None:
    assert _no_digits_left(text)


@PROPERTY
@given(
    uk.in_sentences(
        st.tuples(st.sampled_from(["sort code", "sort code:", "Sort code is"]), uk.digits(6)).map(
            " ".join
        )
    )
)
def test_sort_codes_without_separators_are_redacted_after_the_words(text: str) -> None:
    assert "[sort code]" in redact(text)
    assert _no_digits_left(text)


@PROPERTY
@given(uk.in_sentences(uk.account_numbers()))
def test_account_numbers_are_redacted_even_spaced(text: str) -> None:
    assert "[account number]" in redact(text)
    assert _no_digits_left(text)


@PROPERTY
@given(
    uk.in_sentences(
        st.tuples(uk.sort_codes(), uk.account_numbers()).map(
            lambda pair: f"sort code {pair[0].replace(' ', '')} account no {pair[1]}"
        )
    )
)
def test_bank_details_together_are_redacted(text: str) -> None:
    assert _no_digits_left(text)


@PROPERTY
@given(uk.in_sentences(uk.ibans()))
def test_ibans_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "[IBAN]" in redacted
    assert not re.search(r"\d", redacted)


@PROPERTY
@given(uk.in_sentences(uk.dates_of_birth()))
def test_dates_of_birth_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "[date of birth]" in redacted
    assert not re.search(r"\d", redacted)


@PROPERTY
@given(
    uk.in_sentences(
        st.tuples(
            st.sampled_from(["passport", "passport number", "passport no.", "Passport No:"]),
            uk.passport_numbers(),
        ).map(" ".join)
    )
)
def test_passport_numbers_are_redacted(text: str) -> None:
    assert "[passport number]" in redact(text)
    assert _no_digits_left(text)


@PROPERTY
@given(uk.in_sentences(uk.passport_numbers()))
def test_a_bare_nine_digit_number_is_redacted(text: str) -> None:
    assert _no_digits_left(text)


@PROPERTY
@given(uk.in_sentences(uk.driving_licence_numbers()))
def test_driving_licence_numbers_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "[driving licence number]" in redacted
    assert not re.search(r"\d", redacted)


@PROPERTY
@given(uk.in_sentences(uk.phone_numbers()))
def test_phone_numbers_are_redacted(text: str) -> None:
    assert "[phone]" in redact(text)
    assert _no_digits_left(text)


@PROPERTY
@given(uk.spelt_emails(), st.sampled_from(["email me at {}", "{}", "it's {} thanks"]))
def test_spelt_out_emails_are_redacted(email: tuple[str, list[str]], sentence: str) -> None:
    address, words = email
    redacted = redact(sentence.format(address))
    assert "[email]" in redacted
    for word in words:
        assert not re.search(rf"\b{word}\b", redacted.replace("email me at", ""))


# --- What residents need is kept -------------------------------------------------------------

_KEPT = st.one_of(
    uk.references(),
    uk.postcodes(),
    uk.problem_dates(),
    uk.money_amounts(),
    uk.street_addresses(),
)


@PROPERTY
@given(st.lists(_KEPT, min_size=1, max_size=4).map(", ".join))
def test_references_postcodes_dates_money_and_addresses_are_kept(text: str) -> None:
    assert redact(text) == text


@PROPERTY
@given(
    uk.references(),
    uk.money_amounts(),
    uk.postcodes(),
    st.one_of(uk.ni_numbers(), uk.ibans(), uk.phone_numbers(), uk.driving_licence_numbers()),
)
def test_kept_values_survive_beside_personal_data(
    reference: str, money: str, postcode: str, secret: str
) -> None:
    text = f"ref {reference} I owe {money} at {postcode}; my details {secret}"
    redacted = redact(text)
    assert reference in redacted
    assert money in redacted
    assert postcode in redacted
    assert secret not in redacted


@PROPERTY
@given(
    st.lists(
        st.one_of(
            _KEPT,
            uk.ni_numbers(),
            uk.ibans(),
            uk.dates_of_birth(),
            uk.phone_numbers(),
            uk.account_numbers(),
            st.text(max_size=30),
        ),
        max_size=6,
    ).map(" ".join)
)
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
