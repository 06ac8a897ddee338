"""The resident web chat at ``/`` in real headless Chromium, against the running stack.

A pothole report and a hand-off are made through the page (typing and pressing its
buttons, partly by keyboard alone); "Finish and clear" and idle expiry leave nothing in the
browser's storage; axe-core finds no serious or critical problem on the chat or the staff
console; and a staff member signs in and finds the hand-off in the queue.
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import create_staff, serious_violations

pytestmark = pytest.mark.e2e

SERVICE_REF = re.compile(r"\bSR-[2-9A-HJ-NP-Z]{6}\b")
TRIAGE_REF = re.compile(r"\bFD-[2-9A-HJ-NP-Z]{6}\b")
BOT = "#messages .message--bot"
STAFF_PASSWORD = "browser test password"
STATE_KEY = "frontdoor.chat"


def _bot_count(page) -> int:
    return page.locator(BOT).count()


def _wait_for_replies(page, before: int) -> str:
    page.wait_for_function(
        "n => document.querySelectorAll('#messages .message--bot').length > n"
        " && document.getElementById('typing').hidden",
        arg=before,
    )
    return "\n".join(page.locator(f"{BOT} .message-text").all_inner_texts()[before:])


def say(page, text: str) -> str:
    """Type a message, press Enter, and return the text of the assistant's replies."""
    before = _bot_count(page)
    page.fill("#message", text)
    page.press("#message", "Enter")
    return _wait_for_replies(page, before)


def choose(page, title: str) -> str:
    """Press one of the assistant's buttons and return the text of its replies."""
    before = _bot_count(page)
    page.locator(".choices").get_by_role("button", name=title, exact=True).click()
    return _wait_for_replies(page, before)


def storage(page) -> dict:
    return page.evaluate(
        "() => ({session: sessionStorage.length, local: localStorage.length,"
        " state: sessionStorage.getItem('frontdoor.chat')})"
    )


def triage_record(stack, reference: str) -> dict:
    """The record, allowing for the outbox delivering it late on a busy machine."""
    url = f"{stack.settings.council_services_url}/api/v1/triage/{reference}"
    headers = {"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"}
    deadline = time.monotonic() + 60
    response = httpx.get(url, headers=headers)
    while response.status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.5)
        response = httpx.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_pothole_report_through_the_page(page, open311):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    description = f"Deep hole by the bus stop {uuid.uuid4().hex[:6]}"
    assert "Where is the" in say(page, "there's a massive pothole on my road")
    reply = say(page, "ST6 3JJ")
    if "already reported" in reply:  # an earlier test reported one here: say it's new
        reply = choose(page, "No, it's a different one")
    assert "describe the problem" in reply
    assert "dangerous" in say(page, description)

    # Keyboard only: focus is already on the first new choice (issue #18); Enter.
    before = _bot_count(page)
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent,"
        " outline: getComputedStyle(document.activeElement).outlineStyle,"
        " width: getComputedStyle(document.activeElement).outlineWidth})"
    )
    assert focused == {"text": "Yes, it's dangerous", "outline": "solid", "width": "3px"}
    page.keyboard.press("Enter")
    assert "contact you" in _wait_for_replies(page, before)

    assert "Please check your report" in choose(page, "No, thank you")
    reply = choose(page, "Yes, send it")
    reference = SERVICE_REF.search(reply).group(0)
    # Every mention is highlighted (the reply quotes it again in what happens next).
    assert page.locator(f"{BOT} .ref", has_text=reference).count() == reply.count(reference)
    # The box lists it (a nearby report quoted in a "same problem?" question may be there too).
    assert reference in page.locator("#reference-list li").all_inner_texts()
    # What the resident pressed is shown as their own words, never the payload.
    mine = page.locator("#messages .message--user").all_inner_texts()
    assert any("Yes, send it" in text for text in mine)
    assert not any(text.strip().endswith("/affirm") for text in mine)
    # Every message reads in its own direction (right-to-left scripts).
    assert page.locator("#messages .message:not([dir='auto'])").count() == 0

    request = open311.get(f"/requests/{reference}.json").json()[0]
    assert request["service_code"] == "POTHOLE" and description in request["description"]

    # Kept only for this tab: survives a reload, never in localStorage or a cookie. The
    # one cookie is the council services' HttpOnly token that binds the conversation to
    # this browser (issue #15): random, and nothing of the conversation is in it.
    kept = storage(page)
    assert kept["local"] == 0 and reference in kept["state"]
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "fd_chat" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/chat" and reference not in cookie["value"]
    page.reload()
    assert reference in page.locator("#messages").inner_text()


def test_a_handoff_through_the_page_shows_the_reference(page, stack):
    page.goto("/")
    assert "what do you need help with" in say(page, "put me through to an advisor")
    say(page, "question about my council tax band")
    reply = say(page, "no thanks")
    reference = TRIAGE_REF.search(reply).group(0)
    assert page.locator("#reference").is_visible()
    # The box lists it (a nearby report quoted in a "same problem?" question may be there too).
    assert reference in page.locator("#reference-list li").all_inner_texts()

    record = triage_record(stack, reference)
    assert record["channel"] == "web"
    assert record["conversation_id"].startswith("web-")


def test_finish_and_clear_leaves_nothing_behind(page):
    page.goto("/")
    say(page, "hello")
    first = storage(page)
    assert first["session"] == 1
    old_id = page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{STATE_KEY}')).id")

    assert [cookie["name"] for cookie in page.context.cookies()] == ["fd_chat"]

    page.get_by_role("button", name="Finish and clear").click()
    assert storage(page) == {"session": 0, "local": 0, "state": None}
    assert page.locator("#messages .message").count() == 0
    expect(page.locator("#notice")).to_contain_text("cleared")
    # The council services ended the conversation and removed the chat cookie.
    deadline = time.monotonic() + 30  # a deadline for slow, loaded machines; not a timing
    while page.context.cookies() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert page.context.cookies() == []
    reused = page.request.post(
        "/chat/messages", data={"conversation_id": old_id, "message": "what is my balance"}
    )
    assert reused.status in (403, 409) and reused.json()["restart"] is True
    page.reload()
    assert page.locator("#messages .message").count() == 0

    say(page, "hello")
    new_id = page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{STATE_KEY}')).id")
    assert new_id != old_id


def test_an_idle_conversation_warns_then_clears(page):
    page.goto("/")
    say(page, "hello")
    idle_ms = int(page.locator("#chat").get_attribute("data-idle-minutes")) * 60_000
    page.evaluate(
        "(ago) => { const s = JSON.parse(sessionStorage.getItem('frontdoor.chat'));"
        " s.lastActive = Date.now() - ago; sessionStorage.setItem('frontdoor.chat',"
        " JSON.stringify(s)); }",
        idle_ms - 60_000,
    )
    page.reload()
    assert page.locator("#idle-warning").is_visible()
    page.get_by_role("button", name="Keep my conversation").click()
    assert page.locator("#idle-warning").is_hidden()
    assert page.locator("#messages .message").count() >= 2

    page.evaluate(
        "(ago) => { const s = JSON.parse(sessionStorage.getItem('frontdoor.chat'));"
        " s.lastActive = Date.now() - ago; sessionStorage.setItem('frontdoor.chat',"
        " JSON.stringify(s)); }",
        idle_ms + 1000,
    )
    page.reload()
    assert page.locator("#messages .message").count() == 0
    assert storage(page) == {"session": 0, "local": 0, "state": None}
    expect(page.locator("#notice")).to_contain_text("nothing happened")


def test_a_kind_message_when_the_assistant_is_down(page):
    page.goto("/")
    page.route(
        "**/chat/messages",
        lambda route: route.fulfill(
            status=503, content_type="application/json", body='{"error": "unavailable"}'
        ),
    )
    page.fill("#message", "hello")
    page.press("#message", "Enter")
    page.wait_for_function("() => document.getElementById('notice').textContent.length > 0")
    assert "not available right now" in page.locator("#notice").inner_text()
    assert page.locator("#typing").is_hidden()


def test_links_are_safe_and_text_is_never_html(page):
    page.goto("/")
    page.route(
        "**/chat/messages",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=(
                '{"replies": [{"text": "<img src=x onerror=alert(1)> See '
                'https://www.example.gov.uk/pay. Or javascript:alert(1)", "buttons": []}]}'
            ),
        ),
    )
    say(page, "hello")
    message = page.locator(BOT).last
    assert message.locator("img").count() == 0
    assert "<img src=x onerror=alert(1)>" in message.inner_text()
    links = message.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "https://www.example.gov.uk/pay"
    assert links.first.get_attribute("rel") == "noopener noreferrer"


def test_the_chat_is_accessible(page):
    page.goto("/")
    say(page, "there's a pothole on my road")
    if "describe the problem" in say(page, "ST6 3JJ"):  # else: asked about a duplicate
        say(page, "Deep hole by the bus stop")  # now with buttons on the page
    assert serious_violations(page) == []
    # Targets at least 24 by 24 pixels.
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('button, input, a')]"
        ".filter(e => e.offsetParent !== null && !e.closest('p'))"
        ".map(e => [e.textContent, e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height])"
    )
    assert sizes and all(w >= 24 and h >= 24 for _, w, h in sizes), sizes
    # 200% zoom of a 640px-wide window: 320 CSS pixels, no sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.locator(".choices button").first.is_visible()


def test_staff_sign_in_and_find_the_handoff_in_the_queue(page, stack):
    page.goto("/")
    say(page, "can i talk to a real person")
    say(page, "I need help with a council tax letter")
    reference = TRIAGE_REF.search(say(page, "no")).group(0)

    username = f"browser-{uuid.uuid4().hex[:8]}"
    _create_staff(stack, username)
    page.goto("/staff")
    assert page.url.endswith("/staff/login")
    assert serious_violations(page) == []
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "not right" in page.locator(".error-summary").inner_text()
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Triage queue"
    assert serious_violations(page) == []

    page.get_by_role("link", name=reference).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Triage record {reference}"
    assert "Web chat" in page.locator(".summary-list").first.inner_text()
    page.get_by_role("button", name="Claim this record").click()
    assert "Claimed" in page.locator(".summary-list").first.inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/login")


def _create_staff(stack, username: str, role: str = "caseworker") -> None:
    create_staff(stack.council_services_database_url, username, STAFF_PASSWORD,
                 name="Browser Tester", role=role)  # fmt: skip
