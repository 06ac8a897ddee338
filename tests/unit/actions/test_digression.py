"""Digressions inside every form: answered elsewhere, then the form offered again (issue #16)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.book_pc import ValidateBookPcForm
from actions.common import digression
from actions.common.digression import DigressionWords, Task, load_digression_words
from actions.handoff import ValidateHandoffForm
from actions.report_problem import ValidateReportForm
from actions.report_status import ValidateStatusForm
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml
from tests.unit.actions.test_form_repair import VALIDATORS
from tests.unit.actions.trackers import load_domain, response_names, slot_values

#: Every form but the two where a status check or a question is the answer itself.
DIGRESSING = [v for v in VALIDATORS if v not in (ValidateHandoffForm, ValidateStatusForm)]

STATUS_TEXT = "any news on my pothole SR-PT6XJP"
REFERENCE = {"entity": "reference", "value": "SR-PT6XJP", "start": 0, "end": 33}
WEAK_TEXT = "Lying by the kerb, been there since yesterday"
REPORT_BEFORE = {
    "problem_type": "dead_animal",
    "problem_label": "dead animal",
    "location": "Leek Road, by the Co-op",
    "animal_kind": "fox",
    "animal_size": "medium",
}


def _first_slots(form: str) -> list[str]:
    return load_domain()["forms"][form]["required_slots"]


def _tracker(
    form: str,
    text: str,
    before: dict[str, Any],
    requested: str,
    now: dict[str, Any] | None = None,
    *,
    intent: str = "nlu_fallback",
    confidence: float = 1.0,
    entities: list[dict[str, Any]] | None = None,
    crisis: dict[str, Any] | None = None,
    after: list[str] = (),
) -> Tracker:
    """``before`` set before the latest message, ``now`` extracted from it.

    ``after`` names actions run since the message (coming back to the form after a rule).
    """
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": name, "value": value} for name, value in before.items()
    ]
    message: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    if crisis is not None:
        message["crisis"] = crisis
    events.append({"event": "user", "text": text, "parse_data": message, "input_channel": "rest"})
    events += [{"event": "slot", "name": n, "value": v} for n, v in (now or {}).items()]
    events += [{"event": "action", "name": name} for name in after]
    slots = {"requested_slot": requested, **before, **(now or {})}
    return Tracker("resident", slots, message, events, False, None, {"name": form}, "action_listen")


def _run(validator: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[str | None]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator().run(dispatcher, tracker, load_domain()))
    return events, response_names(dispatcher)


def _rejected(events: list[dict[str, Any]], form: str) -> bool:
    return any(e["event"] == "action_execution_rejected" and e["name"] == form for e in events)


def _ended(events: list[dict[str, Any]]) -> bool:
    return any(e["event"] == "active_loop" and e.get("name") is None for e in events)


# --- another request: kept out of the slots, answered by a rule, then the offer -----------


@pytest.mark.parametrize("validator", DIGRESSING)
def test_a_status_check_with_a_reference_is_answered_elsewhere(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    tracker = _tracker(
        form, STATUS_TEXT, {}, first, {first: STATUS_TEXT},
        intent="check_report_status", entities=[REFERENCE],
    )  # fmt: skip
    events, said = _run(validator, tracker)
    assert _rejected(events, form)
    assert not _ended(events)
    values = slot_values(events)
    assert values[first] is None  # the message is saved in no slot
    assert values["requested_slot"] == "form_resume_confirm"
    assert values["form_pending_slot"] == first
    assert values["form_task"] == digression.digression_words().task(form, tracker)
    assert said == []


@pytest.mark.parametrize("validator", DIGRESSING)
def test_an_faq_question_is_answered_elsewhere(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    text = "how do I pay my council tax?"
    tracker = _tracker(form, text, {}, first, {first: text}, intent="council_tax", confidence=0.9)
    events, _ = _run(validator, tracker)
    assert _rejected(events, form)
    assert slot_values(events)[first] is None
    assert slot_values(events)["requested_slot"] == "form_resume_confirm"


def test_a_signpost_question_in_the_report_form_names_the_report() -> None:
    text = "when are the bins collected"
    before = {"problem_type": "pothole", "problem_label": "pothole"}
    tracker = _tracker(
        "report_form", text, before, "location", {"location": text},
        intent="signpost_bins", confidence=0.8,
    )  # fmt: skip
    events, _ = _run(ValidateReportForm, tracker)
    assert _rejected(events, "report_form")
    values = slot_values(events)
    assert values["location"] is None
    assert values["form_task"] == "pothole report"


def test_a_description_that_sounds_like_a_signpost_is_still_the_answer() -> None:
    """'the bin ... is overflowing' answers the report's question; it asks nothing else."""
    text = "the litter bin by the bus stop is overflowing"
    before = {"problem_type": "litter", "problem_label": "litter", "location": "Leek Road"}
    tracker = _tracker(
        "report_form", text, before, "description", {"description": text},
        intent="signpost_bins", confidence=0.9,
    )  # fmt: skip
    events, _ = _run(ValidateReportForm, tracker)
    assert not _rejected(events, "report_form")
    assert slot_values(events)["description"] == text


def test_an_unsure_question_is_not_taken_for_another_request() -> None:
    text = "how do i pay"
    tracker = _tracker(
        "book_pc_form", text, {}, "book_place", {"book_place": text},
        intent="council_tax", confidence=digression.QUESTION_CONFIDENCE - 0.1,
    )  # fmt: skip
    events, _ = _run(ValidateBookPcForm, tracker)
    assert not _rejected(events, "book_pc_form")
    assert slot_values(events).get("requested_slot") != "form_resume_confirm"


def test_in_the_hand_off_form_a_question_is_what_the_resident_needs() -> None:
    text = "how do I pay my council tax?"
    tracker = _tracker(
        "handoff_form", text, {}, "handoff_need", {"handoff_need": text},
        intent="council_tax", confidence=0.95,
    )  # fmt: skip
    events, _ = _run(ValidateHandoffForm, tracker)
    assert not _rejected(events, "handoff_form")
    assert slot_values(events)["handoff_need"] == text


def test_in_the_status_form_a_reference_is_the_answer() -> None:
    tracker = _tracker(
        "status_form", STATUS_TEXT, {}, "status_reference", {"status_reference": "SR-PT6XJP"},
        intent="check_report_status", entities=[REFERENCE],
    )  # fmt: skip
    events, _ = _run(ValidateStatusForm, tracker)
    assert not _rejected(events, "status_form")
    assert slot_values(events)["status_reference"] == "SR-PT6XJP"


def test_a_status_check_in_the_hand_off_form_is_answered_elsewhere() -> None:
    tracker = _tracker(
        "handoff_form", STATUS_TEXT, {}, "handoff_need", {"handoff_need": STATUS_TEXT},
        intent="check_report_status", entities=[REFERENCE],
    )  # fmt: skip
    events, _ = _run(ValidateHandoffForm, tracker)
    assert _rejected(events, "handoff_form")
    assert slot_values(events)["handoff_need"] is None


@pytest.mark.parametrize("validator", VALIDATORS)
def test_coming_back_after_the_answer_the_form_offers_to_carry_on(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    tracker = _tracker(
        form, STATUS_TEXT, {}, "form_resume_confirm",
        intent="check_report_status", entities=[REFERENCE],
        after=["action_answer_digression", form],
    )  # fmt: skip
    events, said = _run(validator, tracker)
    assert events == [{"event": "slot", "name": "requested_slot", "value": "form_resume_confirm",
                       "timestamp": None}]  # fmt: skip
    assert said == []
    assert first  # the pending question is asked after "yes"


# --- the answer to "Shall we carry on?" -------------------------------------------------


@pytest.mark.parametrize("validator", DIGRESSING)
def test_yes_carries_on_with_the_pending_question(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    before = {"form_pending_slot": first, "form_task": "task"}
    events, said = _run(
        validator, _tracker(form, "yes", before, "form_resume_confirm", intent="affirm")
    )
    assert said == []
    assert not _ended(events) and not _rejected(events, form)
    values = slot_values(events)
    assert values["form_resume_confirm"] is None
    assert values.get("requested_slot", first) == first


def test_yes_in_the_report_form_asks_the_question_it_was_asking() -> None:
    """Not the first empty slot of the domain's list (follow_existing is not asked here)."""
    before = {**REPORT_BEFORE, "form_pending_slot": "description"}
    events, _ = _run(
        ValidateReportForm, _tracker("report_form", "yes", before, "form_resume_confirm")
    )
    values = slot_values(events)
    assert values["requested_slot"] == "description"
    assert values.get("location", "Leek Road, by the Co-op") == "Leek Road, by the Co-op"


@pytest.mark.parametrize("validator", DIGRESSING)
def test_no_stops_the_form_cleanly(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    before = {first: "an earlier answer", "form_pending_slot": first}
    events, said = _run(validator, _tracker(form, "no", before, "form_resume_confirm"))
    assert said == ["utter_form_stopped"]
    assert _ended(events)
    values = slot_values(events)
    assert values[first] is None
    assert values["requested_slot"] is None
    assert values["form_pending_slot"] is None
    assert {"event": "followup", "name": "action_listen", "timestamp": None} in events


def test_an_unclear_answer_asks_again() -> None:
    tracker = _tracker("book_pc_form", "banana", {}, "form_resume_confirm")
    events, said = _run(ValidateBookPcForm, tracker)
    assert said == ["utter_yes_no_not_understood"]
    assert slot_values(events)["requested_slot"] == "form_resume_confirm"
    assert not _rejected(events, "book_pc_form")


def test_another_request_at_the_offer_is_answered_and_offered_again() -> None:
    before = {"form_pending_slot": "book_place", "form_task": "computer booking"}
    tracker = _tracker(
        "book_pc_form", STATUS_TEXT, before, "form_resume_confirm",
        intent="check_report_status", entities=[REFERENCE],
    )  # fmt: skip
    events, _ = _run(ValidateBookPcForm, tracker)
    assert _rejected(events, "book_pc_form")
    values = slot_values(events)
    assert values["form_pending_slot"] == "book_place"
    assert values["requested_slot"] == "form_resume_confirm"


# --- talk to a person ----------------------------------------------------------------------


@pytest.mark.parametrize("validator", DIGRESSING)
def test_asking_for_a_person_says_the_answers_were_not_sent(validator: Any) -> None:
    form = validator().form_name()
    first, *rest = _first_slots(form)
    current = rest[0] if rest else first
    before = {first: "an earlier answer"}
    tracker = _tracker(form, "can I talk to a person", before, current, intent="human_handoff")
    events, said = _run(validator, tracker)
    assert said == ["utter_form_left_for_person"]
    assert _rejected(events, form)  # each form's hand-off rule takes over
    assert slot_values(events).get(first, "an earlier answer") == "an earlier answer"


def test_the_report_named_in_the_hand_off_message() -> None:
    tracker = _tracker(
        "report_form", "talk to a person", {"problem_type": "pothole", "problem_label": "pothole"},
        "location", intent="human_handoff",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateReportForm().run(dispatcher, tracker, load_domain()))
    assert dispatcher.messages[0]["form_task"] == "pothole report"


def test_asking_for_a_person_before_any_answer_says_nothing_extra() -> None:
    first = _first_slots("book_pc_form")[0]
    tracker = _tracker("book_pc_form", "a person please", {}, first, intent="human_handoff")
    events, said = _run(ValidateBookPcForm, tracker)
    assert said == []
    assert _rejected(events, "book_pc_form")


# --- a weak urgent signal --------------------------------------------------------------------


def _weak(form: str, before: dict[str, Any], requested: str) -> Tracker:
    return _tracker(
        form, WEAK_TEXT, before, requested,
        intent="urgent_help", confidence=0.41,
        crisis={"signal": "classifier", "confidence": 0.41, "weak": True},
    )  # fmt: skip


@pytest.mark.parametrize("validator", [v for v in VALIDATORS if v is not ValidateHandoffForm])
def test_a_weak_urgent_signal_asks_whether_anyone_is_in_danger(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    events, said = _run(validator, _weak(form, {}, first))
    assert not _rejected(events, form)
    assert not _ended(events)
    values = slot_values(events)
    assert values["requested_slot"] == "form_danger_check"
    assert values["form_urgent_text"] == WEAK_TEXT
    assert values["form_pending_slot"] == first
    assert first not in values or values[first] is None
    assert said == []


@pytest.mark.parametrize("validator", VALIDATORS)
def test_a_strong_urgent_signal_breaks_in_at_once(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    tracker = _tracker(
        form, "my partner hits me", {}, first, intent="urgent_help",
        crisis={"signal": "pattern", "flag": "risk_of_harm", "confidence": 1.0},
    )  # fmt: skip
    events, said = _run(validator, tracker)
    assert _rejected(events, form)
    assert "form_danger_check" not in slot_values(events).values()


def test_a_strong_urgent_signal_while_asking_about_danger_breaks_in_too() -> None:
    before = {"form_pending_slot": "book_place", "form_urgent_text": WEAK_TEXT}
    tracker = _tracker(
        "book_pc_form", "he is hitting me now", before, "form_danger_check",
        intent="urgent_help", crisis={"signal": "pattern", "confidence": 1.0},
    )  # fmt: skip
    events, said = _run(ValidateBookPcForm, tracker)
    assert _rejected(events, "book_pc_form")
    assert said == []


@pytest.mark.parametrize("validator", DIGRESSING)
def test_yes_someone_is_in_danger_takes_the_urgent_help_path(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    before = {"form_pending_slot": first, "form_urgent_text": WEAK_TEXT}
    events, _ = _run(validator, _tracker(form, "yes", before, "form_danger_check"))
    assert _rejected(events, form)
    urgent = events[-1]
    assert urgent["event"] == "user"
    assert urgent["parse_data"]["intent"] == {"name": "urgent_help", "confidence": 1.0}
    assert urgent["text"].startswith("/")  # left out of the transcript: said once only
    assert urgent["input_channel"] == "rest"
    assert slot_values(events)["form_urgent_text"] is None


def test_no_one_in_danger_uses_the_message_as_the_pending_answer() -> None:
    before = {**REPORT_BEFORE, "form_pending_slot": "description", "form_urgent_text": WEAK_TEXT}
    events, said = _run(
        ValidateReportForm, _tracker("report_form", "no", before, "form_danger_check")
    )
    assert not _rejected(events, "report_form") and not _ended(events)
    values = slot_values(events)
    assert values["description"] == WEAK_TEXT
    assert values["requested_slot"] == "dangerous"
    assert values["form_urgent_text"] is None
    assert "no" not in values.values()


def test_no_one_in_danger_with_a_question_that_takes_no_words_asks_it_again() -> None:
    """A yes/no question only: the earlier message is no answer to it."""
    before = {**REPORT_BEFORE, "description": "a dead fox", "form_pending_slot": "dangerous",
              "form_urgent_text": WEAK_TEXT}  # fmt: skip
    domain = load_domain()
    assert digression.takes_text(domain, "description", "report_form")
    assert not digression.takes_text(domain, "form_danger_check", "report_form")
    events, _ = _run(ValidateReportForm, _tracker("report_form", "no", before, "form_danger_check"))
    assert slot_values(events)["requested_slot"] == "dangerous"


def test_an_unclear_answer_about_danger_asks_again() -> None:
    before = {"form_pending_slot": "book_place", "form_urgent_text": WEAK_TEXT}
    events, said = _run(ValidateBookPcForm, _tracker("book_pc_form", "hmm", before,
                                                     "form_danger_check"))  # fmt: skip
    assert said == ["utter_yes_no_not_understood"]
    assert slot_values(events)["requested_slot"] == "form_danger_check"


# --- the words ---------------------------------------------------------------------------------


def test_every_form_has_a_task_name() -> None:
    words = digression.digression_words()
    for form in load_domain()["forms"]:
        assert words.tasks[form].plain


def test_a_task_is_named_from_its_slots_only_when_they_are_filled() -> None:
    words = DigressionWords({"f": Task("report", "{problem_label} report")}, ("how",))
    assert words.task("f", _tracker("f", "x", {"problem_label": "pothole"}, "a")) == (
        "pothole report"
    )
    assert words.task("f", _tracker("f", "x", {}, "a")) == "report"
    with pytest.raises(KeyError):
        words.task("other_form", _tracker("f", "x", {}, "a"))


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("How do I pay my council tax", True),
        ("bins collected on tuesday?", True),
        ("Can I get a blue badge", True),
        ("the bin is overflowing", False),
        ("however it is broken", False),
    ],
)
def test_what_reads_as_a_question(text: str, question: bool) -> None:
    assert digression.digression_words().reads_as_question(text) is question


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digressions.yml"
    path.write_text(yaml.safe_dump({"tasks": {"f": {}}, "question_openers": {"en": ["how"]}}))
    with pytest.raises(ValueError, match="plain"):
        load_digression_words(path)
    path.write_text(yaml.safe_dump({"tasks": {"f": {"plain": "x"}}}))
    with pytest.raises(ValueError, match="question_openers"):
        load_digression_words(path)


def test_the_resume_and_danger_questions_are_in_the_domain() -> None:
    responses = load_domain()["responses"]
    for name in ("utter_ask_form_resume_confirm", "utter_ask_form_danger_check"):
        channels = {variant.get("channel") for variant in responses[name]}
        assert channels == {None, "twilio_voice"}
    # English names the task; translations (domain/languages.yml) leave out the English
    # task name so their question is all in one language.
    english = [v for v in responses["utter_ask_form_resume_confirm"] if not v.get("condition")]
    assert "{form_task}" in english[0]["text"]


def test_every_form_has_a_digression_rule_for_every_other_request() -> None:
    """data/rules/repair.yml: one rule per form, listing exactly the requests it answers."""
    domain = load_domain()
    signposts = {i for i in domain["intents"] if str(i).startswith("signpost_")}
    rules = load_yaml((REPO_ROOT / "data" / "rules" / "repair.yml").read_text())["rules"]
    by_form = {}
    for rule in rules:
        [condition] = rule["condition"]
        steps = rule["steps"]
        first = steps[0]
        intents = {o["intent"] for o in first["or"]} if "or" in first else {first["intent"]}
        assert steps[1:] == [
            {"action": "action_answer_digression"},
            {"action": condition["active_loop"]},
            {"active_loop": condition["active_loop"]},
        ]
        by_form[condition["active_loop"]] = intents
    assert set(by_form) == set(domain["forms"])
    everything = {"check_report_status", *digression.FAQ_INTENTS, *signposts}
    for form, intents in by_form.items():
        expected = set(everything)
        if form == "status_form":
            expected.discard("check_report_status")
        if form == "handoff_form":
            expected = {"check_report_status"}
        assert intents == expected, form


# --- the status check: a reference is its answer, but other requests still digress ----------


def test_an_faq_question_in_the_status_check_is_answered_elsewhere() -> None:
    text = "how do I pay my council tax?"
    tracker = _tracker(
        "status_form", text, {}, "status_reference", {"status_reference": text},
        intent="council_tax", confidence=0.9,
    )  # fmt: skip
    events, _ = _run(ValidateStatusForm, tracker)
    assert _rejected(events, "status_form")
    assert slot_values(events)["status_reference"] is None
    assert slot_values(events)["requested_slot"] == "form_resume_confirm"


def test_asking_for_a_person_in_the_status_check_leaves_it_to_the_hand_off_rule() -> None:
    text = "can I talk to a person"
    tracker = _tracker(
        "status_form", text, {}, "status_reference", {"status_reference": text},
        intent="human_handoff",
    )  # fmt: skip
    events, said = _run(ValidateStatusForm, tracker)
    assert _rejected(events, "status_form")
    assert slot_values(events)["status_reference"] is None
    assert said == []  # nothing was answered yet, so nothing was lost


def test_in_the_hand_off_form_even_a_weak_urgent_signal_goes_to_urgent_help() -> None:
    # The resident is already asking for a person: a possible crisis is not questioned.
    events, said = _run(ValidateHandoffForm, _weak("handoff_form", {}, "handoff_need"))
    assert _rejected(events, "handoff_form")
    assert "form_danger_check" not in slot_values(events).values()
    assert said == []
