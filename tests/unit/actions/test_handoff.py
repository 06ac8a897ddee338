import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.common import deps
from actions.handoff import (
    ActionAnswerOutOfScope,
    ActionCreateTriage,
    ActionHandleFallback,
    ActionUrgentHelp,
    ValidateHandoffForm,
    consecutive_fallbacks,
    suggestions,
)
from integrations.outbox import Outbox
from integrations.triage import TriageRejected, TriageUnavailable


def _user(text, intent, ranking=None):
    return {
        "event": "user",
        "text": text,
        "timestamp": 1_700_000_000.0,
        "parse_data": {"intent": {"name": intent}, "intent_ranking": ranking or []},
    }


def _tracker(events, slots=None, latest=None):
    return Tracker(
        "resident-1",
        {"channel": "web", "language": "en", **(slots or {})},
        latest or (events[-1]["parse_data"] if events else {}),
        events,
        False,
        None,
        {},
        "action_listen",
    )


class FakeTriage:
    def __init__(self, available=True):
        self.available = available
        self.refuse = False
        self.created = []
        self.added = []
        self.closed = set()

    async def create(self, record):
        if not self.available:
            raise TriageUnavailable("down")
        if self.refuse:
            raise TriageRejected(422, "summary is too long")
        self.created.append(record)
        return record["reference"]

    async def add(self, reference, addition):
        if not self.available:
            raise TriageUnavailable("down")
        if reference in self.closed:
            raise TriageRejected(409, "resolved")
        self.added.append((reference, addition))
        return reference


@pytest.fixture
def triage(monkeypatch, tmp_path):
    fake = FakeTriage()
    outbox = Outbox(f"sqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setattr(deps, "triage", lambda: fake)
    monkeypatch.setattr(deps, "outbox", lambda: outbox)
    fake.outbox = outbox
    return fake


def _responses(dispatcher):
    return [message.get("response") for message in dispatcher.messages]


def test_consecutive_fallbacks_counts_only_the_latest_run():
    events = [_user("a", "nlu_fallback"), _user("pothole", "report_pothole")]
    assert consecutive_fallbacks(events) == 0
    events += [
        _user("x", "nlu_fallback"),
        {"event": "bot", "text": "?"},
        _user("y", "nlu_fallback"),
    ]
    assert consecutive_fallbacks(events) == 2


def test_something_the_council_does_not_deal_with_counts_as_a_miss():
    events = [_user("flibble wibble", "nlu_fallback"), _user("zxqv plonk", "out_of_scope")]
    assert consecutive_fallbacks(events) == 2


def test_suggestions_use_labels_and_skip_unlabelled_intents():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "report_pothole", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
        {"name": "council_tax", "confidence": 0.1},
        {"name": "report_graffiti", "confidence": 0.01},
    ]
    labels = {
        "report_pothole": "Report a pothole",
        "council_tax": "Council tax",
        "report_graffiti": "G",
    }
    assert suggestions(ranking, labels) == [
        {"title": "Report a pothole", "payload": "/report_pothole"},
        {"title": "Council tax", "payload": "/council_tax"},
    ]


def test_first_miss_suggests_second_offers_a_person():
    ranking = [{"name": "report_pothole", "confidence": 0.4}]
    first = _user("hole thing", "nlu_fallback", ranking)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleFallback().run(dispatcher, _tracker([first]), {}))
    assert _responses(dispatcher) == ["utter_fallback_suggestions"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/report_pothole"

    dispatcher = CollectingDispatcher()
    asyncio.run(
        ActionHandleFallback().run(dispatcher, _tracker([first, _user("?", "nlu_fallback")]), {})
    )
    assert _responses(dispatcher) == ["utter_fallback_offer_person"]


def test_out_of_scope_offers_a_person_only_after_a_miss():
    dispatcher = CollectingDispatcher()
    alone = _tracker([_user("who won the football", "out_of_scope")])
    asyncio.run(ActionAnswerOutOfScope().run(dispatcher, alone, {}))
    assert _responses(dispatcher) == ["utter_out_of_scope"]

    dispatcher = CollectingDispatcher()
    after_miss = _tracker([_user("flibble", "nlu_fallback"), _user("zxqv plonk", "out_of_scope")])
    asyncio.run(ActionAnswerOutOfScope().run(dispatcher, after_miss, {}))
    assert _responses(dispatcher) == ["utter_out_of_scope", "utter_out_of_scope_offer_person"]


def test_handoff_form_asks_only_what_applies():
    form = ValidateHandoffForm()
    required = asyncio.run(form.required_slots([], CollectingDispatcher(), _tracker([]), {}))
    assert required == ["handoff_need", "handoff_consent"]
    tracker = _tracker([], {"triage_urgent": True, "handoff_consent": True})
    required = asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, {}))
    assert required == ["handoff_consent", "handoff_name", "handoff_contact", "handoff_preferred"]


def test_an_email_means_contact_by_email():
    result = asyncio.run(
        ValidateHandoffForm().validate_handoff_contact(
            "jo@example.com", CollectingDispatcher(), _tracker([]), {}
        )
    )
    assert result["handoff_email"] == "jo@example.com" and result["handoff_preferred"] == "email"


def test_declining_consent_clears_contact_details():
    result = asyncio.run(
        ValidateHandoffForm().validate_handoff_consent(
            "no", CollectingDispatcher(), _tracker([]), {}
        )
    )
    assert result["handoff_consent"] is False and result["handoff_phone"] is None


def test_create_triage_sends_a_redacted_record_and_keeps_the_conversation_live(triage):
    events = [
        _user("I want to talk to someone", "human_handoff"),
        _user("my bill is wrong, ring me on 07700 900123", "council_tax"),
    ]
    tracker = _tracker(
        events,
        {"handoff_need": "my bill is wrong", "handoff_consent": True, "handoff_name": "Jo",
         "handoff_phone": "07700900123", "handoff_preferred": "text"},
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    record = triage.created[0]
    assert record["reference"].startswith("FD-")
    assert record["category"] == "council_tax" and record["priority"] == 3
    assert record["contact"] == {
        "name": "Jo",
        "phone": "07700900123",
        "email": None,
        "preferred": "text",
    }
    assert all("07700" not in line["text"] for line in record["transcript"])
    assert _responses(dispatcher) == ["utter_handoff_created"]
    assert all(event["event"] != "pause" for event in result)
    slots_set = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert slots_set["triage_reference"] == record["reference"]  # the open case
    assert slots_set["handoff_need"] is None
    assert "handoff_phone" not in slots_set  # the case's contact details stay with it


def test_create_triage_holds_the_record_when_the_queue_is_down(triage):
    triage.available = False
    tracker = _tracker([_user("person please", "human_handoff")], {"handoff_consent": False})
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    reference = dispatcher.messages[0]["triage_reference"]
    assert _responses(dispatcher) == ["utter_handoff_created_held"]
    held = triage.outbox.get(reference)
    assert held.status == "pending" and held.kind == handoff.TRIAGE_RECORD
    assert held.payload["contact"] is None


def test_urgent_help_opens_a_priority_one_case_at_once(triage):
    tracker = _tracker(
        [_user("i've been kicked out and have nowhere to sleep tonight", "urgent_help")]
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionUrgentHelp().run(dispatcher, tracker, {}))
    assert _responses(dispatcher) == ["utter_urgent_help", "utter_urgent_case_opened"]
    assert dispatcher.messages[0]["samaritans_phone"] == "116 123"
    record = triage.created[0]
    assert record["priority"] == 1 and record["category"] == "housing"
    assert "homeless tonight" in record["vulnerability"]
    assert {"event": "slot", "name": "triage_urgent", "value": True} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_contact_given_after_urgent_help_is_added_to_the_same_case(triage):
    tracker = _tracker(
        [_user("help", "urgent_help")],
        {"triage_urgent": True, "triage_reference": "FD-ABC234", "handoff_consent": True,
         "handoff_name": "Sam", "handoff_phone": "07700900123", "handoff_preferred": "phone"},
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert triage.created == []
    [(reference, addition)] = triage.added
    assert reference == "FD-ABC234"
    # The council services check it is the record's own conversation.
    assert addition["conversation_id"] == "resident-1"
    assert addition["contact"] == {
        "name": "Sam",
        "phone": "07700900123",
        "email": None,
        "preferred": "phone",
    }
    # The summary is rebuilt with the contact details: no "no contact details" left.
    assert "Contact by phone" in addition["summary"]
    assert "No contact details" not in addition["summary"]
    assert addition["priority"] == 1
    assert _responses(dispatcher) == ["utter_handoff_contact_added"]


def test_a_refused_hand_off_is_kept_as_failed_and_the_resident_is_told_the_truth(triage):
    triage.refuse = True
    tracker = _tracker([_user("person please", "human_handoff")], {"handoff_consent": False})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert all(e.get("event") != "pause" for e in events)  # the assistant keeps answering
    # Not "utter_handoff_created_held" ("I'll send it as soon as the system is back").
    assert _responses(dispatcher) == ["utter_action_failed_kept"]
    reference = dispatcher.messages[0]["triage_reference"]
    assert dispatcher.messages[0]["council_phone"]
    kept = triage.outbox.get(reference)
    assert kept.status == "failed"
    assert "422" in kept.last_error and "summary is too long" in kept.last_error
    assert [item.reference for item in triage.outbox.failed()] == [reference]


def test_a_refused_urgent_case_says_so_after_the_crisis_numbers(triage):
    triage.refuse = True
    tracker = _tracker([_user("nowhere to sleep tonight", "urgent_help")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUrgentHelp().run(dispatcher, tracker, {}))
    assert _responses(dispatcher) == ["utter_urgent_help", "utter_action_failed_urgent"]
    assert triage.outbox.failed()[0].kind == handoff.TRIAGE_RECORD


def test_contact_details_wait_behind_their_held_urgent_record(triage):
    triage.available = False
    urgent = _tracker([_user("nowhere to sleep tonight", "urgent_help")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUrgentHelp().run(dispatcher, urgent, {}))
    reference = dispatcher.messages[-1]["triage_reference"]
    triage.available = True  # the queue is back before the outbox has sent the record
    tracker = _tracker(
        [_user("help", "urgent_help")],
        {"triage_urgent": True, "triage_reference": reference, "handoff_consent": True,
         "handoff_name": "Sam", "handoff_phone": "07700900123", "handoff_preferred": "phone"},
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert triage.added == []  # not sent ahead of the record the queue does not have
    assert _responses(dispatcher) == ["utter_handoff_contact_added"]
    kinds = [item.kind for item in triage.outbox.due()]
    assert kinds == [handoff.TRIAGE_RECORD]  # the contact waits for its record


def test_contact_details_for_a_refused_record_are_not_promised(triage):
    triage.refuse = True
    urgent = _tracker([_user("nowhere to sleep tonight", "urgent_help")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUrgentHelp().run(dispatcher, urgent, {}))
    reference = dispatcher.messages[-1]["triage_reference"]
    tracker = _tracker(
        [_user("help", "urgent_help")],
        {"triage_urgent": True, "triage_reference": reference, "handoff_consent": True,
         "handoff_name": "Sam", "handoff_phone": "07700900123", "handoff_preferred": "phone"},
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert _responses(dispatcher) == ["utter_action_failed_kept"]
    failed = {item.kind: item for item in triage.outbox.failed()}
    assert reference in failed[handoff.TRIAGE_ADDITION].last_error


def test_a_second_urgent_message_raises_the_open_case_instead_of_opening_another(triage):
    events = [
        _user("my council tax bill is wrong", "council_tax"),
        _user("I've got nowhere to sleep tonight", "urgent_help"),
    ]
    tracker = _tracker(events, {"triage_reference": "FD-ABC234"})
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionUrgentHelp().run(dispatcher, tracker, {}))
    assert triage.created == []
    [(reference, addition)] = triage.added
    assert reference == "FD-ABC234" and addition["priority"] == 1
    assert "contact" not in addition  # none given: the stored details are kept
    assert [m.get("triage_reference") for m in dispatcher.messages][-1] == "FD-ABC234"
    assert {"event": "slot", "name": "triage_reference", "value": "FD-ABC234"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in result
    ]


def test_a_handoff_while_a_case_is_open_adds_to_it_and_says_staff_have_it(triage):
    tracker = _tracker(
        [_user("can I speak to someone", "human_handoff")], {"triage_reference": "FD-ABC234"}
    )
    form = ValidateHandoffForm()
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, {})) == []
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert triage.created == []
    assert [reference for reference, _ in triage.added] == ["FD-ABC234"]
    assert _responses(dispatcher) == ["utter_handoff_case_open"]
    assert dispatcher.messages[0]["triage_reference"] == "FD-ABC234"


def test_a_case_staff_resolved_meanwhile_makes_way_for_a_new_one(triage):
    triage.closed.add("FD-ABC234")
    tracker = _tracker(
        [_user("person please", "human_handoff")],
        {"triage_reference": "FD-ABC234", "handoff_need": "my bin", "handoff_consent": False},
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    [record] = triage.created
    assert record["reference"] != "FD-ABC234"
    assert _responses(dispatcher) == ["utter_handoff_created"]
    slots_set = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert slots_set["triage_reference"] == record["reference"]


def test_an_addition_is_held_when_the_queue_is_down(triage):
    triage.available = False
    tracker = _tracker([_user("person please", "human_handoff")], {"triage_reference": "FD-ABC234"})
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    [held] = triage.outbox.due()
    assert held.kind == handoff.TRIAGE_ADDITION
    assert held.payload["reference"] == "FD-ABC234"
    assert held.payload["conversation_id"] == "resident-1"


def test_the_summary_is_built_from_every_need_of_the_conversation(triage):
    events = [
        {"event": "slot", "name": "handoff_need", "value": "my bill is wrong"},
        {"event": "slot", "name": "handoff_need", "value": None},
        {"event": "slot", "name": "handoff_need", "value": "and I am moving house"},
        _user("person", "human_handoff"),
    ]
    record = handoff.build_record(_tracker(events), "FD-ABC234", urgent=False)
    assert "my bill is wrong; and I am moving house" in record["summary"]


def test_an_earlier_urgent_message_keeps_the_rebuilt_case_urgent(triage):
    events = [_user("help me now", "urgent_help"), _user("person", "human_handoff")]
    record = handoff.build_record(_tracker(events), "FD-ABC234", urgent=False)
    assert record["priority"] == 1 and record["summary"].startswith("URGENT")


def test_a_hardship_journey_joins_the_open_case_and_says_how_contact_was_given(triage):
    from actions.common.journey_triage import journey_record

    tracker = _tracker(
        [_user("I can't pay my council tax", "council_tax_cant_pay")],
        {"triage_reference": "FD-ABC234", "handoff_consent": True, "handoff_name": "Jo",
         "handoff_phone": "07700900123", "handoff_preferred": "text"},
    )  # fmt: skip
    base = handoff.build_record(tracker, "FD-NEW234", urgent=False)
    record = journey_record(base, "council_tax_cant_pay")
    assert "Contact by text" in record["summary"]
    assert "No contact details" not in record["summary"]
    reference, outcome = asyncio.run(handoff.file_case(tracker, record))
    assert (reference, outcome) == ("FD-ABC234", handoff.ADDED)
    assert triage.created == []


# --- no phone or e-mail (issue #16 item 5) -------------------------------------------------

NO_PHONE_BY_POST = "She has no phone, please write to her by post"
ASSISTED = {"channel": "library", "session_started_metadata": {"assisted": True}}


def _validate(slot, value, tracker):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateHandoffForm(), f"validate_{slot}")
    result = asyncio.run(method(value, dispatcher, tracker, {}))
    return result, _responses(dispatcher)


def _required(slots):
    form = ValidateHandoffForm()
    tracker = _tracker([], {"triage_urgent": True, **slots})
    return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, {}))


def test_no_phone_write_by_post_chooses_post_instead_of_asking_again():
    result, said = _validate("handoff_contact", NO_PHONE_BY_POST, _tracker([]))
    assert said == []  # not "that doesn't look like a phone number", asked for ever
    assert result["handoff_method"] == "post" and result["handoff_preferred"] == "post"
    required = _required({"handoff_consent": True, **result})
    assert required[-2:] == ["handoff_method", "handoff_address"]
    assert "handoff_contact" not in required


def test_no_phone_by_post_at_the_consent_question_is_a_yes_by_post():
    """The NLU may read it as "deny": the words say how, so consent is not lost."""
    latest = {"text": NO_PHONE_BY_POST, "intent": {"name": "deny"}}
    tracker = _tracker([_user(NO_PHONE_BY_POST, "deny")], latest=latest)
    result, said = _validate("handoff_consent", False, tracker)
    assert said == []
    assert result["handoff_consent"] is True and result["handoff_method"] == "post"


@pytest.mark.parametrize("typed", ["she has no phone", "I haven't got a phone or email"])
def test_no_phone_alone_asks_how_else_staff_can_reach_them(typed):
    result, said = _validate("handoff_contact", typed, _tracker([]))
    assert said == []
    assert result == {"handoff_contact": None, "handoff_no_phone": True}
    required = _required({"handoff_consent": True, "handoff_name": "Ann", **result})
    assert required == ["handoff_consent", "handoff_name", "handoff_method"]


def test_the_library_is_offered_only_in_an_assisted_session():
    dispatcher = CollectingDispatcher()
    asyncio.run(handoff.ActionAskHandoffMethod().run(dispatcher, _tracker([]), {}))
    assert _responses(dispatcher) == ["utter_ask_handoff_method"]
    dispatcher = CollectingDispatcher()
    asyncio.run(handoff.ActionAskHandoffMethod().run(dispatcher, _tracker([], ASSISTED), {}))
    assert _responses(dispatcher) == ["utter_ask_handoff_method_assisted"]


@pytest.mark.parametrize(
    "typed,assisted,method",
    [
        ("by post", False, "post"),
        ("I'll call in", False, "in_person"),
        ("I'd rather come in in person", False, "in_person"),
        ("through this library", True, "library"),
    ],
)
def test_a_way_without_a_phone_is_taken(typed, assisted, method):
    tracker = _tracker([], ASSISTED if assisted else {})
    result, said = _validate("handoff_method", typed, tracker)
    assert said == [] and result["handoff_method"] == method


def test_the_library_is_not_a_way_outside_an_assisted_session():
    result, said = _validate("handoff_method", "through this library", _tracker([]))
    assert result == {"handoff_method": None}
    assert said == ["utter_handoff_method_not_understood"]


def test_a_number_after_all_goes_back_to_phone_contact():
    result, _ = _validate("handoff_method", "actually use 07700 900123", _tracker([]))
    assert result["handoff_phone"] == "07700900123"
    assert result["handoff_no_phone"] is None and result["handoff_method"] is None
    required = _required({"handoff_consent": True, "handoff_name": "Ann", **result})
    assert required[-2:] == ["handoff_contact", "handoff_preferred"]


def test_no_contact_at_all_keeps_nothing():
    result, said = _validate("handoff_method", "no contact", _tracker([]))
    assert said == []
    assert result["handoff_consent"] is False
    assert all(value is None for key, value in result.items() if key != "handoff_consent")


@pytest.mark.parametrize("typed", ["12 Leek Road, Stoke-on-Trent, ST4 2DX", "Flat 3, 5 High St"])
def test_a_postal_address_is_kept(typed):
    result, said = _validate("handoff_address", typed, _tracker([]))
    assert said == [] and result == {"handoff_address": typed}


@pytest.mark.parametrize("typed", ["12", "/affirm", ""])
def test_a_postal_address_that_is_too_short_is_asked_again(typed):
    result, said = _validate("handoff_address", typed, _tracker([]))
    assert result == {"handoff_address": None}
    assert said == ["utter_handoff_address_not_valid"]


def test_a_letter_to_a_phone_owner_is_taken_at_the_preference_question():
    result, _ = _validate("handoff_preferred", "write to me by post", _tracker([]))
    assert result["handoff_method"] == "post" and result["handoff_preferred"] == "post"


POST_SLOTS = {
    "handoff_need": "help with my bill", "handoff_consent": True, "handoff_name": "Ann Smith",
    "handoff_method": "post", "handoff_no_phone": True, "handoff_preferred": "post",
    "handoff_address": "12 Leek Road, Stoke-on-Trent, ST4 2DX",
}  # fmt: skip


def _create(triage, slots):
    dispatcher = CollectingDispatcher()
    tracker = _tracker([_user("I need a person", "human_handoff")], slots)
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    return triage.created[0], dispatcher


def test_a_letter_stores_the_address_with_preferred_post(triage):
    record, dispatcher = _create(triage, POST_SLOTS)
    assert record["contact"] == {
        "name": "Ann Smith",
        "phone": None,
        "email": None,
        "preferred": "post",
        "address": "12 Leek Road, Stoke-on-Trent, ST4 2DX",
    }
    assert "Contact by post" in record["summary"]
    assert _responses(dispatcher) == ["utter_handoff_created_post"]


def test_calling_in_promises_no_contact(triage):
    slots = {**POST_SLOTS, "handoff_method": "in_person", "handoff_preferred": None}
    slots.pop("handoff_address")
    record, dispatcher = _create(triage, slots)
    assert record["contact"] == {
        "name": "Ann Smith",
        "phone": None,
        "email": None,
        "preferred": None,
    }
    assert "No contact details given" in record["summary"]
    assert _responses(dispatcher) == ["utter_handoff_created_call_in"]
    assert dispatcher.messages[0]["triage_reference_spoken"].startswith("F D")


def test_through_the_library_is_recorded_for_staff(triage):
    slots = {**POST_SLOTS, **ASSISTED, "handoff_method": "library", "handoff_preferred": None}
    slots.pop("handoff_address")
    record, dispatcher = _create(triage, slots)
    assert record["contact"]["preferred"] is None and record["assisted"] is True
    assert "library" in record["summary"]
    assert _responses(dispatcher) == ["utter_handoff_created_library"]


def test_a_letter_after_urgent_help_is_not_called_contact_on_the_phone(triage):
    slots = {**POST_SLOTS, "triage_urgent": True, "triage_reference": "FD-ABC234"}
    dispatcher = CollectingDispatcher()
    tracker = _tracker([_user("help", "urgent_help")], slots)
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    [(reference, addition)] = triage.added
    assert addition["contact"]["address"].startswith("12 Leek Road")
    assert _responses(dispatcher) == ["utter_handoff_created_post"]


def test_the_whole_form_goes_from_no_phone_to_the_address_question(domain):
    """As Rasa runs it: the reply no longer loops on "that doesn't look like a number"."""
    user = {**_user(NO_PHONE_BY_POST, "deny"), "event": "user"}
    slots = {
        "handoff_need": "help with my bill", "handoff_consent": True, "handoff_name": "Ann",
        "requested_slot": "handoff_contact", "handoff_contact": NO_PHONE_BY_POST,
    }  # fmt: skip
    events = [
        {"event": "active_loop", "name": "handoff_form"},
        user,
        {"event": "slot", "name": "handoff_contact", "value": NO_PHONE_BY_POST},
    ]
    tracker = Tracker(
        "resident-1",
        {"channel": "web", "language": "en", **slots},
        {"text": NO_PHONE_BY_POST, "intent": {"name": "deny"}},
        events,
        False,
        None,
        {"name": "handoff_form"},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateHandoffForm().run(dispatcher, tracker, domain))
    assert _responses(dispatcher) == []
    values = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert values["handoff_method"] == "post"
    assert values["requested_slot"] == "handoff_address"


PENDING = {"intent": "council_tax_account", "label": "your council tax bill", "start": ""}
OFFER = FollowupAction("action_offer_pending_request")


def test_a_request_made_alongside_the_hand_off_is_offered_after_it(triage):
    slots = {"handoff_consent": False, "pending_request": PENDING}
    tracker = _tracker([_user("person please and also my council tax", "human_handoff")], slots)
    events = asyncio.run(ActionCreateTriage().run(CollectingDispatcher(), tracker, {}))
    assert OFFER in events
    # With nothing waiting, or once it has been offered, the conversation just listens.
    for pending in (None, {**PENDING, "offered": True}):
        tracker = _tracker([_user("person please", "human_handoff")],
                           {**slots, "pending_request": pending})  # fmt: skip
        events = asyncio.run(ActionCreateTriage().run(CollectingDispatcher(), tracker, {}))
        assert OFFER not in events


def test_no_contact_after_urgent_help_is_answered_and_files_nothing_more(triage):
    """The "no" to "Would you like someone to contact you?" gets an answer, not silence."""
    tracker = _tracker(
        [_user("no", "deny")],
        {"triage_urgent": True, "triage_reference": "FD-ABC234", "handoff_consent": False},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    assert _responses(dispatcher) == ["utter_handoff_contact_skipped"]
    assert triage.created == [] and triage.added == []
    assert OFFER not in events


def test_the_contact_after_urgent_help_also_offers_the_waiting_request(triage):
    tracker = _tracker(
        [_user("help", "urgent_help")],
        {"triage_urgent": True, "triage_reference": "FD-ABC234", "handoff_consent": False,
         "pending_request": PENDING},
    )  # fmt: skip
    events = asyncio.run(ActionCreateTriage().run(CollectingDispatcher(), tracker, {}))
    assert OFFER in events


@pytest.mark.parametrize(
    "text, marked",
    [
        ("my husband hits me and i'm scared to go home", True),
        ("he won't let me leave the house", True),
        ("i've been kicked out and have nowhere to sleep tonight", False),
    ],
)
def test_the_crisis_reply_is_marked_for_exit_this_page_only_for_risk_from_others(
    triage, text, marked
):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUrgentHelp().run(dispatcher, _tracker([_user(text, "urgent_help")]), {}))
    crisis = dispatcher.messages[0]
    assert crisis["response"] == "utter_urgent_help"
    assert crisis["custom"] == ({"exit_this_page": True} if marked else {})
