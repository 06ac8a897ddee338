"""Residents who write in another language, over the REST channel (issue #7)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

TRIAGE_REF = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")
ENGLISH_BUTTON = '/greet{"language":"en"}'
URDU_URGENT = "میرا شوہر مجھے مارتا ہے اور مجھے گھر جانے سے ڈر لگتا ہے"
POLISH_GREETING = "Dzień dobry, czy ktoś tutaj mówi po polsku?"
POLISH_QUESTION = "Chciałbym zapytać, jak zapłacić podatek za mieszkanie w tym roku"
POLISH_BUTTON = '/greet{"language":"pl"}'
URDU_QUESTION = "میں اپنا کونسل ٹیکس کیسے ادا کروں؟ مجھے بل سمجھ نہیں آیا"
SHAHMUKHI_QUESTION = "میں کونسل ٹیکس دینا چاہندا آں پر مینوں طریقہ نئیں پتا"
GURMUKHI = re.compile("[\u0a00-\u0a7f]")


@pytest.fixture
def staff(stack) -> httpx.Client:
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ) as client:
        yield client


def _slot(stack, resident: Resident, name: str):
    response = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{resident.sender}/tracker",
        params={"token": stack.settings.rasa_api_token.get_secret_value()},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["slots"][name]


def _language(stack, resident: Resident) -> str:
    return _slot(stack, resident, "language")


def _payloads(replies: list[dict]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons", [])]


def test_polish_greeting_is_answered_in_polish(stack, resident: Resident):
    replies = resident.say(POLISH_GREETING)
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "Dzień dobry. Jestem automatycznym asystentem Stoke-on-Trent City Council" in text
    assert "tłumacza" in text and "Hello" not in text
    assert ENGLISH_BUTTON in _payloads(replies)
    assert _language(stack, resident) == "pl"


def test_urgent_message_in_urdu_gets_the_numbers_in_urdu_and_a_priority_one_record(
    stack, resident: Resident, staff
):
    reply = resident.say_text(URDU_URGENT)
    for number in ("999", "116 123", "0808 2000 247", "01782 234234"):
        assert number in reply, reply
    assert "فوری خطرے" in reply and "immediate danger" not in reply
    assert "\u200e" not in reply and "\u202a" not in reply
    reference = TRIAGE_REF.search(reply).group(1)
    assert "حوالہ نمبر" in reply
    # The offer of contact comes in Urdu too, with an interpreter.
    assert "ترجمان" in reply and "contact you" not in reply

    record = staff.get(f"/triage/{reference}").json()
    assert record["priority"] == 1
    assert record["language"] == "ur"
    assert record["interpreter"] is True
    assert record["conversation_id"] == resident.sender
    assert any(URDU_URGENT in line["text"] for line in record["transcript"])
    resident.say("/deny")


def test_resident_who_switches_back_to_english_gets_english(stack, resident: Resident):
    resident.say(POLISH_GREETING)
    assert _language(stack, resident) == "pl"
    resident.say("ok")  # too short to switch either way
    assert _language(stack, resident) == "pl"
    reply = resident.say_text("there's a massive pothole on my road outside the school")
    assert _language(stack, resident) == "en"
    assert "Where is the" in reply


def test_english_button_switches_back(stack, resident: Resident):
    resident.say(POLISH_QUESTION)
    replies = resident.say(ENGLISH_BUTTON)
    assert _language(stack, resident) == "en"
    assert replies[0]["text"].startswith("Hello. I'm the Stoke-on-Trent City Council assistant")


def test_polish_question_not_understood_leads_to_an_interpreter_handoff(
    stack, resident: Resident, staff
):
    replies = resident.say(POLISH_QUESTION)
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "Pracownik urzędu może Ci pomóc z tłumaczem" in text, text
    assert "council tax" not in text.lower() and "Sorry" not in text
    assert _payloads(replies) == ["/human_handoff", ENGLISH_BUTTON]

    assert "Napisz w jednym lub dwóch zdaniach" in resident.say_text("/human_handoff")
    assert "Nie musisz" in resident.say_text("Nie rozumiem listu o podatku, który dostałem")
    reply = resident.say_text("/deny")
    assert "Urząd zorganizuje tłumacza" in reply, reply
    reference = TRIAGE_REF.search(reply).group(1)

    record = staff.get(f"/triage/{reference}").json()
    assert record["language"] == "pl"
    assert record["interpreter"] is True
    assert record["contact"] is None
    assert "Nie rozumiem listu" in record["summary"]


def test_english_greeting_offers_a_button_back_to_polish(stack, resident: Resident):
    resident.say(POLISH_QUESTION)
    replies = resident.say(ENGLISH_BUTTON)
    assert replies[0]["text"].startswith("Hello. I'm the Stoke-on-Trent City Council assistant")
    buttons = [b for reply in replies for b in reply.get("buttons", [])]
    assert {"title": "Polski", "payload": POLISH_BUTTON} in buttons
    assert _language(stack, resident) == "en"
    assert _slot(stack, resident, "detected_language") == "pl"

    replies = resident.say(POLISH_BUTTON)
    assert "Dzień dobry. Jestem automatycznym asystentem" in replies[0]["text"]
    assert ENGLISH_BUTTON in _payloads(replies)
    assert _language(stack, resident) == "pl"


def test_english_only_greeting_has_no_language_button(stack, resident: Resident):
    replies = resident.say("hello")
    assert not any("language" in payload for payload in _payloads(replies))


def test_typed_yes_and_no_in_polish_go_through_the_interpreter_handoff(
    stack, resident: Resident, staff
):
    resident.say(POLISH_QUESTION)
    assert "Napisz w jednym lub dwóch zdaniach" in resident.say_text("tak")
    assert _language(stack, resident) == "pl"  # "tak" is too short to switch anything
    assert "Nie musisz" in resident.say_text("Nie rozumiem listu o podatku, który dostałem")
    reply = resident.say_text("nie")
    assert "Urząd zorganizuje tłumacza" in reply, reply
    record = staff.get(f"/triage/{TRIAGE_REF.search(reply).group(1)}").json()
    assert record["language"] == "pl" and record["contact"] is None


def test_typed_no_to_the_interpreter_offer_says_how_to_change_ones_mind(stack, resident: Resident):
    resident.say(POLISH_QUESTION)
    replies = resident.say("Nie, dziękuję")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "Jeśli zmienisz zdanie" in text and "01782" in text, text
    assert _payloads(replies) == ["/human_handoff", ENGLISH_BUTTON]
    assert _language(stack, resident) == "pl"


def test_typed_yes_in_urdu_script_accepts_the_interpreter(stack, resident: Resident):
    assert "ترجمان" in resident.say_text(URDU_QUESTION)
    reply = resident.say_text("جی ہاں")
    assert "ایک دو جملوں میں لکھیں" in reply, reply
    assert _language(stack, resident) == "ur"


def test_punjabi_in_shahmukhi_is_recorded_as_punjabi_and_answered_in_arabic_script(
    stack, resident: Resident, staff
):
    replies = resident.say(SHAHMUKHI_QUESTION)
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "Punjabi" in text and "پنجابی" in text, text
    assert "Urdu" not in text and not GURMUKHI.search(text)
    assert _language(stack, resident) == "pa"
    assert _slot(stack, resident, "detected_language") == "pa-Arab"

    english = resident.say(ENGLISH_BUTTON)
    back = [b for reply in english for b in reply.get("buttons", [])][-1]
    assert back == {"title": "پنجابی", "payload": '/greet{"language":"pa"}'}
    assert not GURMUKHI.search(resident.say_text(back["payload"]))

    resident.say("/human_handoff")
    resident.say("مینوں کونسل ٹیکس دے بل دی سمجھ نئیں آئی")
    reply = resident.say_text("نئیں")
    record = staff.get(f"/triage/{TRIAGE_REF.search(reply).group(1)}").json()
    assert record["language"] == "pa"
    assert record["interpreter"] is True
