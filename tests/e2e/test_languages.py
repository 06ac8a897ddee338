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


@pytest.fixture
def staff(stack) -> httpx.Client:
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token}"},
    ) as client:
        yield client


def _language(stack, resident: Resident) -> str:
    response = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{resident.sender}/tracker",
        params={"token": stack.settings.rasa_api_token},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["slots"]["language"]


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
