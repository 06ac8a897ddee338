"""What happens next after a council tax change or a broadband application (issue #16).

Checked: the step and its timescale come from the knowledge base (the council's own file
over the default), the follow-up quotes the case's reference, and no line promises a call
or an e-mail, even when the resident gave a number with consent elsewhere in the
conversation (the CRM case carries no contact details).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import broadband
from actions.broadband import ActionBroadbandOutcome
from actions.common import deps, next_steps, responses, slots
from actions.council_tax import (
    ActionCouncilTaxApplyDiscount,
    ActionCouncilTaxChangeInstalments,
    ActionCouncilTaxReportMove,
)
from bot.content import next_steps as kb_next_steps
from bot.settings import REPO_ROOT
from integrations.crm import FakeCrm
from lib.references import spell_out
from lib.yaml_files import load_yaml
from tests.unit.actions.trackers import response_names

KB_DIR = REPO_ROOT / "kb"
COUNCIL_DIR = KB_DIR / "councils" / "stoke-on-trent"
STEPS = kb_next_steps.load(KB_DIR, COUNCIL_DIR)
#: Consented contact given earlier in the conversation (a street report): never promised.
CONSENTED_CONTACT = {
    slots.CONTACT_CONSENT: True,
    slots.CONTACT_PHONE: "07700 900123",
    slots.HANDOFF_CONSENT: True,
    slots.HANDOFF_PHONE: "07700 900123",
}
VERIFIED = {
    slots.CT_ACCOUNT_REFERENCE: "40012345",
    slots.CT_POSTCODE: "ST4 2DX",
    slots.CT_SURNAME: "Bloggs",
    slots.CT_VERIFIED: True,
    slots.CT_CONFIRM: True,
}


def run(coro):
    return asyncio.run(coro)


def _tracker(slot_values: dict) -> Tracker:
    message = {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    values = {"channel": "web", "language": "en", slots.CT_FAILURES: 0, **slot_values}
    if values.get(slots.CT_VERIFIED):
        values.setdefault(slots.CT_VERIFIED_AT, time.time())
    return Tracker("resident-next", values, message, [], False, None, {}, "action_listen")


@pytest.fixture
def crm(monkeypatch: pytest.MonkeyPatch) -> FakeCrm:
    fake = FakeCrm()
    monkeypatch.setattr(deps, "crm", lambda: fake)
    monkeypatch.setattr(deps, "next_steps", lambda: STEPS)
    return fake


def _said(dispatcher: CollectingDispatcher, response: str) -> dict:
    return next(m for m in dispatcher.messages if m.get("response") == response)


MOVING = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
CASES = [
    (ActionCouncilTaxChangeInstalments, {}, "council_tax_instalments"),
    (
        ActionCouncilTaxApplyDiscount,
        {slots.CT_ALONE_SINCE: "14 March 2026"},
        "council_tax_single_person_discount",
    ),
    (
        ActionCouncilTaxReportMove,
        {slots.CT_MOVING_DATE: MOVING, slots.CT_NEW_ADDRESS: "9 New Road, Leek"},
        "council_tax_moving_home",
    ),
]


@pytest.mark.parametrize(("action", "answers", "step"), CASES)
def test_a_council_tax_change_says_the_step_from_the_kb_and_the_reference(
    crm, action, answers, step
):
    dispatcher = CollectingDispatcher()
    run(action().run(dispatcher, _tracker({**VERIFIED, **answers, **CONSENTED_CONTACT}), {}))
    reference = crm.cases[0][1].reference
    said = _said(dispatcher, responses.CASE_NEXT_STEP)
    assert said["next_step"] == STEPS[step].said() and STEPS[step].within in said["next_step"]
    assert said["next_step_spoken"] == STEPS[step].said(voice=True)
    # The council writes to the account's (or the new) address; no call or e-mail promised.
    follow_up = _said(dispatcher, responses.CASE_FOLLOW_UP_POST)
    assert follow_up["case_reference"] == reference
    assert follow_up["case_reference_spoken"] == spell_out(reference)
    assert responses.CASE_FOLLOW_UP_CALL not in response_names(dispatcher)


def test_a_broadband_application_says_the_councils_step_and_to_ring_with_the_reference(crm):
    dispatcher = CollectingDispatcher()
    tracker = _tracker(
        {
            slots.BB_OUTCOME: broadband.ELIGIBLE,
            slots.BB_CONFIRM: True,
            slots.BB_BUSINESS_NAME: "Potteries Pots Ltd",
            slots.BB_POSTCODE: "ST4 2DX",
            slots.BB_STAFF: 12,
            slots.BB_SPEED: 8.0,
            **CONSENTED_CONTACT,
        }
    )
    run(ActionBroadbandOutcome().run(dispatcher, tracker, {}))
    reference = dispatcher.messages[0]["bb_reference"]
    step = STEPS[broadband.NEXT_STEP]
    # Stoke-on-Trent's own step replaces the default one.
    default = kb_next_steps.load_file(KB_DIR / "next_steps.yml")[broadband.NEXT_STEP]
    assert step != default
    assert _said(dispatcher, responses.CASE_NEXT_STEP)["next_step"] == step.said()
    # The application carries no contact details: ring and quote the reference.
    assert _said(dispatcher, responses.CASE_FOLLOW_UP_CALL)["case_reference"] == reference
    assert "contact" not in crm.applications[0]


def test_a_step_is_read_from_the_data_whatever_it_says(monkeypatch: pytest.MonkeyPatch):
    step = kb_next_steps.NextStep(
        name="broadband_application",
        text="Someone checks it {within}.",
        voice="Someone checks it {within}.",
        within="by Friday",
        within_voice="by Friday",
        heard_by=kb_next_steps.POST,
        source="test",
        checked=date(2026, 1, 1),
    )
    monkeypatch.setattr(deps, "next_steps", lambda: {"broadband_application": step})
    dispatcher = CollectingDispatcher()
    next_steps.say_next_steps(dispatcher, "broadband_application", "BB-7K3Q9X")
    assert dispatcher.messages[0]["next_step"] == "Someone checks it by Friday."
    assert response_names(dispatcher) == [responses.CASE_NEXT_STEP, responses.CASE_FOLLOW_UP_POST]
    assert dispatcher.messages[1]["case_reference"] == "BB-7K3Q9X"


def test_every_step_the_actions_name_is_in_the_default_file():
    named = {step for _, _, step in CASES} | {broadband.NEXT_STEP}
    assert named <= set(kb_next_steps.load_file(KB_DIR / "next_steps.yml"))


def test_the_follow_up_lines_promise_no_call_or_email(domain):
    for name in (responses.CASE_FOLLOW_UP_POST, responses.CASE_FOLLOW_UP_CALL):
        for variant in domain["responses"][name]:
            text = variant["text"]
            assert "{case_reference" in text and "{council_phone" in text
            assert "will call" not in text and "will e-mail" not in text
            assert "contact you" not in text


def test_a_council_file_may_only_replace_default_steps(tmp_path: Path):
    (tmp_path / "kb" / "c").mkdir(parents=True)
    (tmp_path / "kb" / "next_steps.yml").write_text(
        (KB_DIR / "next_steps.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    own = {
        "steps": {
            "unknown_step": load_yaml((KB_DIR / "next_steps.yml").read_text(encoding="utf-8"))[
                "steps"
            ]["broadband_application"]
        }
    }
    (tmp_path / "kb" / "c" / "next_steps.yml").write_text(yaml.safe_dump(own), encoding="utf-8")
    with pytest.raises(kb_next_steps.NextStepsError, match="unknown_step"):
        kb_next_steps.load(tmp_path / "kb", tmp_path / "kb" / "c")
