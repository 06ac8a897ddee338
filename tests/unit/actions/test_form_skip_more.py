""" "I don't know" and "skip" in the report, council tax, digital skills and hand-off forms.

Each form's validator is run as Rasa calls it (``form_tracker`` from ``test_form_skip``):
the form active, the question asked, the answer extracted as its candidate.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.common import responses, slots
from actions.common.validators import UNKNOWN
from actions.council_tax_forms import (
    ValidateCouncilTaxAccountForm,
    ValidateCouncilTaxDiscountForm,
    ValidateCouncilTaxInstalmentsForm,
    ValidateCouncilTaxMovingForm,
)
from actions.digital_skills import ValidateDigitalSkillsForm
from actions.handoff import ValidateHandoffForm
from actions.report_problem import ValidateReportForm
from actions.report_status import ValidateStatusForm
from tests.unit.actions.test_form_skip import form_tracker, validate

pytestmark = pytest.mark.usefixtures("council")

# --- street report ---------------------------------------------------------------------

PLACED = {
    slots.PROBLEM_TYPE: "pothole", slots.PROBLEM_LABEL: "pothole",
    slots.LOCATION: "Leek Road, outside the Co-op",
}  # fmt: skip
CAR = {**PLACED, slots.PROBLEM_TYPE: "abandoned_vehicle", slots.PROBLEM_LABEL: "abandoned vehicle"}
ANIMAL = {**PLACED, slots.PROBLEM_TYPE: "dead_animal", slots.PROBLEM_LABEL: "dead animal"}


def report(asked: str, text: str, filled: dict[str, Any], domain: dict) -> tuple[dict, list]:
    return validate(
        ValidateReportForm(), form_tracker("report_form", asked, text, filled=filled), domain
    )


def test_no_description_sends_the_report_as_its_kind_of_problem(domain: dict) -> None:
    values, names = report(slots.DESCRIPTION, "I don't know", PLACED, domain)
    assert names == [responses.REPORT_DESCRIPTION_SKIPPED]
    assert values[slots.DESCRIPTION] == "pothole"
    assert values[slots.REQUESTED_SLOT] == slots.DANGEROUS  # the form moves on


def test_the_place_is_needed_says_why_and_offers_a_person(domain: dict) -> None:
    filled = {slots.PROBLEM_TYPE: "pothole", slots.PROBLEM_LABEL: "pothole"}
    values, names = report(slots.LOCATION, "no idea", filled, domain)
    assert names == [responses.REPORT_LOCATION_REQUIRED]
    assert values[slots.LOCATION] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


def test_an_optional_problem_question_can_be_skipped(domain: dict) -> None:
    values, names = report("vehicle_registration", "skip", CAR, domain)
    assert names == [responses.REPORT_QUESTION_SKIPPED]
    assert values["vehicle_registration"] == UNKNOWN
    assert values[slots.REQUESTED_SLOT] == "vehicle_description"


def test_a_needed_problem_question_says_why_and_offers_a_person(domain: dict) -> None:
    values, names = report("animal_kind", "not sure", ANIMAL, domain)
    assert names == [responses.REPORT_QUESTION_REQUIRED]
    assert values["animal_kind"] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


def test_skipping_contact_takes_none_and_goes_to_the_check_screen(domain: dict) -> None:
    filled = {**PLACED, slots.DESCRIPTION: "deep hole", slots.DANGEROUS: False}
    values, names = report(slots.CONTACT_CONSENT, "skip", filled, domain)
    assert names == [responses.REPORT_CONTACT_SKIPPED]
    assert values[slots.CONTACT_CONSENT] is False and values[slots.CONTACT] is None
    assert values[slots.REQUESTED_SLOT] == slots.CONFIRM_REPORT


def test_not_sure_if_it_is_dangerous_says_why(domain: dict) -> None:
    filled = {**PLACED, slots.DESCRIPTION: "deep hole"}
    values, names = report(slots.DANGEROUS, "not sure", filled, domain)
    assert names == [responses.REPORT_DANGEROUS_REQUIRED]
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


def test_every_report_question_is_skippable_or_explained(domain: dict) -> None:
    form = ValidateReportForm()
    listed = set(form.skippable) | set(form.required_because)
    assert set(domain["forms"]["report_form"]["required_slots"]) <= listed
    assert not set(form.skippable) & set(form.required_because)


# --- council tax -----------------------------------------------------------------------

CT_VALIDATORS = [
    ValidateCouncilTaxAccountForm,
    ValidateCouncilTaxInstalmentsForm,
    ValidateCouncilTaxDiscountForm,
    ValidateCouncilTaxMovingForm,
]


@pytest.mark.parametrize("validator", CT_VALIDATORS)
def test_no_account_reference_says_why_and_offers_a_person(validator: Any, domain: dict) -> None:
    form = validator().form_name()
    tracker = form_tracker(form, slots.CT_ACCOUNT_REFERENCE, "I don't know")
    values, names = validate(validator(), tracker, domain)
    assert names == [responses.CT_ACCOUNT_REFERENCE_REQUIRED]
    assert values[slots.CT_ACCOUNT_REFERENCE] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


@pytest.mark.parametrize("validator", CT_VALIDATORS)
def test_every_council_tax_question_says_why_it_is_needed(validator: Any, domain: dict) -> None:
    asked = domain["forms"][validator().form_name()]["required_slots"]
    assert set(asked) <= set(validator().required_because)


def test_no_new_address_says_why(domain: dict) -> None:
    tracker = form_tracker("council_tax_moving_form", slots.CT_NEW_ADDRESS, "not sure")
    values, names = validate(ValidateCouncilTaxMovingForm(), tracker, domain)
    assert names == [responses.CT_NEW_ADDRESS_REQUIRED]
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


# --- digital skills --------------------------------------------------------------------


def test_not_sure_about_a_skill_counts_it_as_one_to_learn(domain: dict) -> None:
    tracker = form_tracker("digital_skills_form", "ds_creating", "not sure")
    values, names = validate(ValidateDigitalSkillsForm(), tracker, domain)
    assert names == [responses.DS_SKILL_SKIPPED]
    assert values["ds_creating"] is False


def test_no_postcode_for_sessions_says_why_and_offers_a_person(domain: dict) -> None:
    tracker = form_tracker("digital_skills_form", slots.PLACE_POSTCODE, "I don't know")
    values, names = validate(ValidateDigitalSkillsForm(), tracker, domain)
    assert names == [responses.PLACE_POSTCODE_REQUIRED]
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


# --- hand-off --------------------------------------------------------------------------


def test_what_they_need_is_asked_again_after_saying_why(domain: dict) -> None:
    tracker = form_tracker("handoff_form", slots.HANDOFF_NEED, "I don't know")
    values, names = validate(ValidateHandoffForm(), tracker, domain)
    assert names == [responses.HANDOFF_NEED_REQUIRED]
    assert values[slots.HANDOFF_NEED] is None
    # The hand-off form is already the way to a person: the question, not an offer.
    assert values[slots.REQUESTED_SLOT] == slots.HANDOFF_NEED


@pytest.mark.parametrize(
    ("asked", "filled"),
    [
        (slots.HANDOFF_CONSENT, {}),
        (slots.HANDOFF_CONTACT, {slots.HANDOFF_CONSENT: True, slots.HANDOFF_NAME: "Jo"}),
        (slots.HANDOFF_ADDRESS, {slots.HANDOFF_CONSENT: True, slots.HANDOFF_NAME: "Jo",
                                 slots.HANDOFF_METHOD: "post"}),
    ],
)  # fmt: skip
def test_skipping_contact_takes_the_no_contact_path(
    asked: str, filled: dict[str, Any], domain: dict
) -> None:
    filled = {slots.HANDOFF_NEED: "my bill is wrong", **filled}
    tracker = form_tracker("handoff_form", asked, "skip", filled=filled)
    values, names = validate(ValidateHandoffForm(), tracker, domain)
    assert names == [responses.HANDOFF_CONTACT_SKIPPED]
    assert values[slots.HANDOFF_CONSENT] is False
    assert values[slots.HANDOFF_NAME] is None and values[slots.HANDOFF_METHOD] is None
    assert values[slots.REQUESTED_SLOT] is None  # nothing more to ask: the case is sent


def test_not_minding_how_means_a_call(domain: dict) -> None:
    filled = {slots.HANDOFF_NEED: "my bill", slots.HANDOFF_CONSENT: True,
              slots.HANDOFF_NAME: "Jo", slots.HANDOFF_CONTACT: "07700900123"}  # fmt: skip
    tracker = form_tracker("handoff_form", slots.HANDOFF_PREFERRED, "I don't know", filled=filled)
    values, names = validate(ValidateHandoffForm(), tracker, domain)
    assert names == [] and values[slots.HANDOFF_PREFERRED] == "phone"


def test_misses_in_the_hand_off_form_never_offer_a_person(domain: dict) -> None:
    filled = {slots.HANDOFF_NEED: "my bill", slots.HANDOFF_CONSENT: True,
              slots.FORM_MISSES: {"slot": slots.HANDOFF_NAME, "count": 1}}  # fmt: skip
    tracker = form_tracker("handoff_form", slots.HANDOFF_NAME, "!!!", filled=filled)
    values, names = validate(ValidateHandoffForm(), tracker, domain)
    assert names == [responses.HANDOFF_NAME_NOT_VALID]
    assert values[slots.REQUESTED_SLOT] == slots.HANDOFF_NAME


def test_a_place_not_found_keeps_its_own_count_and_offer(domain: dict) -> None:
    filled = {slots.PROBLEM_TYPE: "pothole", slots.PROBLEM_LABEL: "pothole",
              slots.FORM_MISSES: {"slot": slots.LOCATION, "count": 1}}  # fmt: skip
    values, names = report(slots.LOCATION, "zzqx", filled, domain)
    assert values[slots.LOCATION] is None and names
    # The place question explains and offers a person itself: no second offer from here.
    assert values.get(slots.REQUESTED_SLOT) != slots.FORM_OFFER_PERSON
    assert slots.FORM_MISSES not in values


def test_no_reference_says_where_to_find_it_and_offers_a_person(domain: dict) -> None:
    tracker = form_tracker("status_form", slots.STATUS_REFERENCE, "I don't know it")
    values, names = validate(ValidateStatusForm(), tracker, domain)
    assert names == [responses.STATUS_REFERENCE_REQUIRED]
    assert values[slots.STATUS_REFERENCE] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON
