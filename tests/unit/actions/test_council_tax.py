"""Council tax actions: verification, the look-up, the three changes and "I can't pay"."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, responses, slots
from actions.council_tax import (
    ActionCouncilTaxAccountSummary,
    ActionCouncilTaxApplyDiscount,
    ActionCouncilTaxCantPay,
    ActionCouncilTaxChangeInstalments,
    ActionCouncilTaxReportMove,
    verification_has_run_out,
    verification_is_current,
)
from actions.council_tax_dates import check_alone_since, check_moving_date
from actions.council_tax_forms import (
    ValidateCouncilTaxAccountForm,
    ValidateCouncilTaxDiscountForm,
    ValidateCouncilTaxInstalmentsForm,
    ValidateCouncilTaxMovingForm,
)
from bot.content.knowledge import load_service
from bot.settings import REPO_ROOT, settings
from integrations.crm import FakeCrm
from integrations.outbox import Outbox
from integrations.triage import TriageUnavailable
from tests.unit.actions.trackers import response_names

KB = load_service(REPO_ROOT / "kb" / "facts" / "council_tax.yml")
VERIFIED = {
    slots.CT_ACCOUNT_REFERENCE: "40012345",
    slots.CT_POSTCODE: "ST4 2DX",
    slots.CT_SURNAME: "Bloggs",
    slots.CT_VERIFIED: True,
}


def _tracker(slot_values=None, text="hello", intent="council_tax_account", events=None):
    slot_values = dict(slot_values or {})
    if slot_values.get(slots.CT_VERIFIED):
        # Verified just now, unless the test says when.
        slot_values.setdefault(slots.CT_VERIFIED_AT, time.time())
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    user = {"event": "user", "text": text, "timestamp": 1_700_000_000.0, "parse_data": message}
    return Tracker(
        "resident-ct",
        {"channel": "web", "language": "en", slots.CT_FAILURES: 0, **slot_values},
        message,
        events if events is not None else [user],
        False,
        None,
        {},
        "action_listen",
    )


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def crm(monkeypatch) -> FakeCrm:
    fake = FakeCrm()
    monkeypatch.setattr(deps, "crm", lambda: fake)
    return fake


# --- dates --------------------------------------------------------------------------------


def test_living_alone_since_a_past_date_is_kept_for_display():
    assert check_alone_since("14/03/2026", KB, date(2026, 12, 2)).display == "14 March 2026"


def test_living_alone_since_a_future_date_is_refused():
    check = check_alone_since("1 January 2027", KB, date(2026, 12, 2))
    assert check.problem == responses.CT_DATE_IN_FUTURE and check.display is None


def test_living_alone_since_before_council_tax_began_is_refused():
    check = check_alone_since("1/1/1990", KB, date(2026, 12, 2))
    assert check.problem == responses.CT_DATE_TOO_EARLY
    assert check.template_vars == {"earliest_date": "1 April 1993"}


def test_an_unreadable_date_is_not_guessed():
    assert check_alone_since("ages ago", KB).problem == responses.CT_DATE_NOT_UNDERSTOOD
    assert check_alone_since("31/02/2026", KB).problem == responses.CT_DATE_NOT_UNDERSTOOD


def test_a_moving_date_must_be_within_the_window_in_the_knowledge_base():
    today = date(2026, 12, 2)
    assert check_moving_date("next 14/01/2027", KB, today).display == "14 January 2027"
    assert check_moving_date("1/6/2027", KB, today).problem == responses.CT_MOVING_DATE_OUT_OF_RANGE
    assert check_moving_date("1/6/2024", KB, today).problem == responses.CT_MOVING_DATE_OUT_OF_RANGE


# --- verification ---------------------------------------------------------------------------

IDENTITY_SO_FAR = {slots.CT_ACCOUNT_REFERENCE: "40012345", slots.CT_POSTCODE: "ST4 2DX"}


def test_the_right_details_verify_and_fill_the_summary(crm):
    dispatcher = CollectingDispatcher()
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_surname(
            "bloggs", dispatcher, _tracker(IDENTITY_SO_FAR), {}
        )
    )
    assert result[slots.CT_VERIFIED] is True
    assert result[slots.CT_BALANCE] == "£842.50" and result[slots.CT_BAND] == "B"
    assert result[slots.CT_NEXT_DATE] == "1 January 2027"
    assert result[slots.CT_NEXT_AMOUNT] == "£168.50"
    assert response_names(dispatcher) == [responses.CT_VERIFIED]


def test_wrong_details_reveal_nothing_and_ask_again(crm):
    dispatcher = CollectingDispatcher()
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_surname(
            "Smith", dispatcher, _tracker(IDENTITY_SO_FAR), {}
        )
    )
    assert result[slots.CT_ACCOUNT_REFERENCE] is None
    assert result[slots.CT_POSTCODE] is None and result[slots.CT_SURNAME] is None
    assert result[slots.CT_FAILURES] == 1
    assert slots.CT_VERIFIED not in result and slots.CT_BALANCE not in result
    assert response_names(dispatcher) == [responses.CT_NOT_VERIFIED]


def test_the_third_failure_stops_and_offers_a_person(crm):
    dispatcher = CollectingDispatcher()
    tracker = _tracker({**IDENTITY_SO_FAR, slots.CT_FAILURES: 2})
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_surname("Smith", dispatcher, tracker, {})
    )
    assert result[slots.CT_STOPPED] is True and result[slots.CT_FAILURES] == 3
    assert response_names(dispatcher) == [responses.CT_VERIFICATION_STOPPED]
    # After that the forms ask nothing, even for the right details.
    stopped = _tracker({slots.CT_FAILURES: 3})
    form_slots = ["ct_account_reference", "ct_postcode", "ct_surname"]
    validator = ValidateCouncilTaxAccountForm()
    assert run(validator.required_slots(form_slots, dispatcher, stopped, {})) == []


def test_a_crm_outage_stops_the_form_with_an_honest_answer(crm):
    crm.down = True
    dispatcher = CollectingDispatcher()
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_surname(
            "Bloggs", dispatcher, _tracker(IDENTITY_SO_FAR), {}
        )
    )
    assert result[slots.CT_STOPPED] is True and slots.CT_VERIFIED not in result
    assert response_names(dispatcher) == [responses.CT_UNAVAILABLE]


def test_a_verified_resident_is_not_asked_again():
    validator = ValidateCouncilTaxDiscountForm()
    domain_slots = [
        "ct_account_reference",
        "ct_postcode",
        "ct_surname",
        "ct_alone_since",
        "ct_confirm",
    ]
    required = run(
        validator.required_slots(domain_slots, CollectingDispatcher(), _tracker(VERIFIED), {})
    )
    assert required == ["ct_alone_since", "ct_confirm"]


@pytest.mark.parametrize("value", ["1234", "my account", "/affirm", ""])
def test_a_malformed_reference_is_explained(value):
    dispatcher = CollectingDispatcher()
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_account_reference(
            value, dispatcher, _tracker(), {}
        )
    )
    assert result == {slots.CT_ACCOUNT_REFERENCE: None}
    assert response_names(dispatcher) == [responses.CT_REFERENCE_NOT_VALID]


def test_postcodes_are_normalised_and_bad_ones_explained():
    validator = ValidateCouncilTaxAccountForm()
    ok = run(validator.validate_ct_postcode("st42dx", CollectingDispatcher(), _tracker(), {}))
    assert ok == {slots.CT_POSTCODE: "ST4 2DX"}
    dispatcher = CollectingDispatcher()
    bad = run(validator.validate_ct_postcode("ST4", dispatcher, _tracker(), {}))
    assert bad == {slots.CT_POSTCODE: None}
    assert response_names(dispatcher) == [responses.CT_POSTCODE_NOT_VALID]


def test_the_new_address_needs_a_street():
    validator = ValidateCouncilTaxMovingForm()
    dispatcher = CollectingDispatcher()
    assert run(validator.validate_ct_new_address("x", dispatcher, _tracker(), {})) == {
        slots.CT_NEW_ADDRESS: None
    }
    assert response_names(dispatcher) == [responses.CT_ADDRESS_NOT_VALID]


# --- the look-up and the changes -------------------------------------------------------------


def test_the_summary_is_read_back_only_when_verified():
    dispatcher = CollectingDispatcher()
    summary = {**VERIFIED, slots.CT_NEXT_DATE: "1 January 2027"}
    run(ActionCouncilTaxAccountSummary().run(dispatcher, _tracker(summary), {}))
    assert response_names(dispatcher) == [responses.CT_BALANCE]

    dispatcher = CollectingDispatcher()
    run(ActionCouncilTaxAccountSummary().run(dispatcher, _tracker({slots.CT_FAILURES: 3}), {}))
    assert response_names(dispatcher) == [responses.CT_VERIFICATION_STOPPED]


def test_a_single_person_discount_case_is_created_with_the_date(crm):
    dispatcher = CollectingDispatcher()
    tracker = _tracker({**VERIFIED, slots.CT_ALONE_SINCE: "14 March 2026", slots.CT_CONFIRM: True})
    events = run(ActionCouncilTaxApplyDiscount().run(dispatcher, tracker, {}))
    identity, case = crm.cases[0]
    assert identity.account_reference == "40012345"
    assert case.kind == "single_person_discount"
    assert case.details == {"living_alone_since": "2026-03-14"}
    assert response_names(dispatcher) == [
        responses.CT_DISCOUNT_CASE_CREATED,
        responses.CASE_NEXT_STEP,
        responses.CASE_FOLLOW_UP_POST,
    ]
    assert dispatcher.messages[0]["ct_case_reference"] == case.reference
    assert dispatcher.messages[0]["report_change_days"] == "21 days"
    assert {
        "event": "slot",
        "name": slots.CT_ALONE_SINCE,
        "value": None,
        "timestamp": None,
    } in events


def test_a_move_and_twelve_instalments(crm):
    moving = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    tracker = _tracker(
        {
            **VERIFIED,
            slots.CT_MOVING_DATE: moving,
            slots.CT_NEW_ADDRESS: "9 New Road, Leek",
            slots.CT_CONFIRM: True,
        }
    )
    run(ActionCouncilTaxReportMove().run(CollectingDispatcher(), tracker, {}))
    run(
        ActionCouncilTaxChangeInstalments().run(
            CollectingDispatcher(), _tracker({**VERIFIED, slots.CT_CONFIRM: True}), {}
        )
    )
    kinds = [case.kind for _, case in crm.cases]
    assert kinds == ["moving_home", "twelve_instalments"]
    assert crm.cases[0][1].details["new_address"] == "9 New Road, Leek"


def test_no_means_nothing_is_sent(crm):
    dispatcher = CollectingDispatcher()
    run(
        ActionCouncilTaxChangeInstalments().run(
            dispatcher, _tracker({**VERIFIED, slots.CT_CONFIRM: False}), {}
        )
    )
    assert crm.cases == []
    assert response_names(dispatcher) == [responses.CT_NOTHING_CHANGED]


def test_a_forged_verified_slot_does_not_pass_the_crm(crm):
    dispatcher = CollectingDispatcher()
    forged = {**VERIFIED, slots.CT_SURNAME: "Someone", slots.CT_CONFIRM: True}
    run(ActionCouncilTaxChangeInstalments().run(dispatcher, _tracker(forged), {}))
    assert crm.cases == []
    assert response_names(dispatcher) == [responses.CT_VERIFICATION_STOPPED]


def test_a_crm_outage_changes_nothing_and_says_so(crm):
    crm.down = True
    dispatcher = CollectingDispatcher()
    run(
        ActionCouncilTaxChangeInstalments().run(
            dispatcher, _tracker({**VERIFIED, slots.CT_CONFIRM: True}), {}
        )
    )
    assert response_names(dispatcher) == [responses.CT_UNAVAILABLE]


# --- verification runs out (issue #15) ---------------------------------------------------------

MINUTE = 60.0


def _verified_minutes_ago(minutes: float, **more) -> Tracker:
    values = {
        **VERIFIED,
        slots.CT_VERIFIED_AT: time.time() - minutes * MINUTE,
        slots.CT_BALANCE: "£842.50",
        slots.CT_BAND: "B",
        **more,
    }
    return _tracker(values)


def _slot_events(events) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def _said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(message.get("text") or "" for message in dispatcher.messages)


def test_a_verification_lasts_the_configured_minutes(monkeypatch):
    assert settings.council_tax_verified_minutes == 10  # the default
    assert verification_is_current(_verified_minutes_ago(9))
    assert not verification_is_current(_verified_minutes_ago(11))
    assert verification_has_run_out(_verified_minutes_ago(11))
    monkeypatch.setattr(settings, "council_tax_verified_minutes", 2)
    assert not verification_is_current(_verified_minutes_ago(3))
    assert verification_is_current(_verified_minutes_ago(1))


def test_a_verification_without_a_time_or_with_a_forged_one_counts_as_run_out():
    untimed = _tracker({**VERIFIED, slots.CT_VERIFIED_AT: None})
    assert not verification_is_current(untimed) and verification_has_run_out(untimed)
    assert not verification_is_current(_tracker({**VERIFIED, slots.CT_VERIFIED_AT: "soon"}))
    assert not verification_is_current(_verified_minutes_ago(-120))  # hours in the future
    assert not verification_has_run_out(_tracker())  # never verified: nothing ran out


def test_verifying_records_when(crm):
    before = time.time()
    result = run(
        ValidateCouncilTaxAccountForm().validate_ct_surname(
            "bloggs", CollectingDispatcher(), _tracker(IDENTITY_SO_FAR), {}
        )
    )
    assert before <= result[slots.CT_VERIFIED_AT] <= time.time()


def test_a_run_out_verification_is_forgotten_and_asked_for_again_plainly(crm):
    dispatcher = CollectingDispatcher()
    events = run(ValidateCouncilTaxAccountForm().run(dispatcher, _verified_minutes_ago(11), {}))
    changed = _slot_events(events)
    assert changed[slots.CT_VERIFIED] is False and changed[slots.CT_VERIFIED_AT] is None
    for slot in (slots.CT_BALANCE, slots.CT_BAND, slots.CT_ACCOUNT_REFERENCE, slots.CT_SURNAME):
        assert changed[slot] is None
    assert changed["requested_slot"] == slots.CT_ACCOUNT_REFERENCE
    # Told plainly, not an error; the stored details were not used to verify again.
    assert "check your details again" in _said(dispatcher) and "10 minutes" in _said(dispatcher)
    assert response_names(dispatcher) == [None]
    assert crm.verifications == 0


def test_a_current_verification_is_not_asked_for_again(crm):
    dispatcher = CollectingDispatcher()
    events = run(ValidateCouncilTaxAccountForm().run(dispatcher, _verified_minutes_ago(1), {}))
    assert slots.CT_VERIFIED not in _slot_events(events)
    assert "check your details again" not in _said(dispatcher)


def test_a_run_out_verification_shows_no_balance():
    dispatcher = CollectingDispatcher()
    tracker = _verified_minutes_ago(11, **{slots.CT_NEXT_DATE: "1 January 2027"})
    events = run(ActionCouncilTaxAccountSummary().run(dispatcher, tracker, {}))
    assert responses.CT_BALANCE not in response_names(dispatcher)
    assert "£842.50" not in _said(dispatcher) and "check your details again" in _said(dispatcher)
    assert _slot_events(events)[slots.CT_BALANCE] is None


def test_a_run_out_verification_changes_nothing(crm):
    dispatcher = CollectingDispatcher()
    tracker = _verified_minutes_ago(11, **{slots.CT_CONFIRM: True})
    events = run(ActionCouncilTaxChangeInstalments().run(dispatcher, tracker, {}))
    assert crm.cases == [] and crm.verifications == 0
    assert _slot_events(events)[slots.CT_VERIFIED] is False
    assert "check your details again" in _said(dispatcher)


def test_a_run_out_verification_asks_for_the_identity_slots_again():
    domain_slots = ["ct_account_reference", "ct_postcode", "ct_surname", "ct_confirm"]
    required = run(
        ValidateCouncilTaxInstalmentsForm().required_slots(
            domain_slots, CollectingDispatcher(), _verified_minutes_ago(11), {}
        )
    )
    assert required == domain_slots


# --- I can't pay -------------------------------------------------------------------------------


class FakeTriage:
    def __init__(self, available=True):
        self.available = available
        self.created = []

    async def create(self, record):
        if not self.available:
            raise TriageUnavailable("down")
        self.created.append(record)
        return record["reference"]


@pytest.fixture
def outbox(monkeypatch, tmp_path):
    box = Outbox(f"sqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setattr(deps, "outbox", lambda: box)
    yield box
    box.engine.dispose()


def test_cant_pay_opens_a_priority_2_council_tax_record_and_signposts(monkeypatch, outbox):
    triage = FakeTriage()
    monkeypatch.setattr(deps, "triage", lambda: triage)
    dispatcher = CollectingDispatcher()
    # No hardship words at all: the journey itself carries the flag.
    tracker = _tracker(text="council tax payment plan please", intent="council_tax_cant_pay")
    run(ActionCouncilTaxCantPay().run(dispatcher, tracker, {}))
    record = triage.created[0]
    assert record["priority"] == 2 and record["category"] == "council_tax"
    assert "financial hardship" in record["vulnerability"]
    assert "cannot pay their council tax" in record["summary"]
    assert response_names(dispatcher) == [
        responses.CT_CANT_PAY_RECORDED,
        responses.CT_CANT_PAY_HELP,
    ]
    assert dispatcher.messages[0]["triage_reference"] == record["reference"]


def test_cant_pay_is_held_when_the_queue_is_down(monkeypatch, outbox):
    monkeypatch.setattr(deps, "triage", lambda: FakeTriage(available=False))
    dispatcher = CollectingDispatcher()
    run(
        ActionCouncilTaxCantPay().run(
            dispatcher, _tracker(text="i can't pay", intent="council_tax_cant_pay"), {}
        )
    )
    assert response_names(dispatcher) == [responses.CT_CANT_PAY_HELD, responses.CT_CANT_PAY_HELP]
    held = outbox.get(dispatcher.messages[0]["triage_reference"])
    assert held is not None and held.payload["priority"] == 2
