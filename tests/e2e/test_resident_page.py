"""The resident chat page on a phone (issue #18), in headless Chromium at 320 and 360 px.

The assistant's replies are scripted through the page's own endpoint (``page.route``) so
that each test sees exactly the reply it checks: the page reflows, focus lands on the new
choices or the message box, the box is a textarea, every reference is kept and
highlighted, phone numbers are tel: links, "Exit this page" leaves and replaces history,
and replies in other languages carry ``lang`` (and ``dir``). One test sends a real crisis
message through the stack to see the assistant ask for "Exit this page".
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.browser import serious_violations

pytestmark = pytest.mark.e2e

WIDTHS = [320, 360]
BOT = "#messages .message--bot"
LONG = (
    "Thank you. To report a problem on a road or pavement we need to know where it is, "
    "what it looks like, and whether it is dangerous to people walking or driving past. "
)


def reply(text: str, buttons: tuple[str, ...] = (), **extra: object) -> dict:
    return {
        "text": text,
        "buttons": [{"title": title, "payload": f"/choice_{i}"} for i, title in enumerate(buttons)],
        **extra,
    }


def script(page, answers: dict[str, list[dict]]) -> None:
    """Answer each message (or button payload) with its scripted replies."""

    def handle(route) -> None:
        sent = json.loads(route.request.post_data or "{}").get("message", "")
        replies = answers.get(sent, [reply("Sorry, I did not understand that.")])
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"replies": replies})
        )

    page.route("**/chat/messages", handle)


def open_at(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 640})
    page.goto("/")


def _wait(page, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#messages .message--bot').length > n"
        " && document.getElementById('typing').hidden",
        arg=before,
    )


def say(page, text: str) -> None:
    before = page.locator(BOT).count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    _wait(page, before)


def choose(page, title: str) -> None:
    before = page.locator(BOT).count()
    page.locator(".choices").get_by_role("button", name=title, exact=True).click()
    _wait(page, before)


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def focused(page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.textContent})"
    )


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        selector,
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_reflows_and_passes_axe_on_a_phone(page, width: int) -> None:
    script(
        page,
        {
            "pothole": [
                reply(LONG * 2 + "Your reference is SR-7K3Q9X. Call 0808 2000 247."),
                reply("Is it dangerous?", ("Yes, it's dangerous", "No, it's not dangerous")),
            ]
        },
    )
    open_at(page, width)
    assert page.locator(".chat-council").inner_text() == "Stoke-on-Trent City Council"
    say(page, "pothole")
    assert no_sideways_scroll(page)
    assert serious_violations(page) == []
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('button, textarea, a')]"
        ".filter(e => e.offsetParent !== null && !e.closest('p'))"
        ".map(e => [e.textContent, e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height])"
    )
    assert sizes and all(w >= 24 and h >= 24 for _, w, h in sizes), sizes
    # Help is in the same place on every page: the council's phone, privacy, accessibility.
    footer = page.locator("footer")
    assert footer.get_by_role("link", name="Privacy notice").count() == 1
    assert footer.get_by_role("link", name="Accessibility statement").count() == 1
    privacy = page.locator("#privacy-line a")
    assert privacy.get_attribute("href") == "https://www.stoke.gov.uk/privacy"


@pytest.mark.parametrize("width", WIDTHS)
def test_focus_goes_to_the_new_choices_then_back_to_the_box(page, width: int) -> None:
    script(
        page,
        {
            "hello": [reply(LONG * 3), reply(LONG * 2, ("Report a problem", "Talk to a person"))],
            "/choice_0": [reply(LONG * 2), reply("What is the problem?", ("Pothole", "Fly-tip"))],
            "/choice_1": [reply("Thank you. Tell me where it is.")],
        },
    )
    open_at(page, width)
    say(page, "hello")
    assert focused(page)["text"] == "Report a problem"
    choose(page, "Report a problem")
    # The pressed button is gone: focus is on the first new one, never on the page body.
    assert focused(page) == {"tag": "BUTTON", "id": "", "text": "Pothole"}
    assert in_view(page, f"{BOT}:last-child .message-text")
    assert in_view(page, f"{BOT}:last-child .choices")
    choose(page, "Fly-tip")
    assert focused(page)["id"] == "message"
    assert in_view(page, f"{BOT}:last-child")
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_message_box_takes_several_lines(page, width: int) -> None:
    script(page, {"line one\nline two": [reply("Got both lines.")]})
    open_at(page, width)
    box = page.locator("#message")
    assert box.evaluate("e => e.tagName") == "TEXTAREA"
    box.click()
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    assert box.input_value() == "line one\nline two"
    assert page.locator("#messages .message").count() == 0  # Shift+Enter did not send
    before = page.locator(BOT).count()
    page.keyboard.press("Enter")
    _wait(page, before)
    assert page.locator("#messages .message--user").inner_text().splitlines()[-2:] == [
        "line one",
        "line two",
    ]
    assert page.locator(BOT).last.inner_text().endswith("Got both lines.")
    assert box.input_value() == ""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_reference_is_highlighted_and_kept_in_the_box(page, width: int) -> None:
    refs = ["SR-7K3Q9X", "PC-ABC234", "CT-DEF567", "BB-GHJ789", "FD-KLM234", "HR-NPQ567"]
    script(
        page,
        {
            "one": [reply(f"Your report is {refs[0]}. Your booking is {refs[1]}.")],
            "two": [reply(f"Your council tax case is {refs[2]}.")],
            "three": [reply(f"Application {refs[3]}. Passed to staff: {refs[4]}, {refs[5]}.")],
        },
    )
    open_at(page, width)
    for message in ("one", "two", "three"):
        say(page, message)
    assert page.locator(f"{BOT} strong.ref").all_inner_texts() == refs
    assert page.locator("#reference-list li").all_inner_texts() == refs
    page.reload()  # kept for the tab, with every reference
    assert page.locator("#reference-list li").all_inner_texts() == refs
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_phone_numbers_in_replies_can_be_tapped(page, width: int) -> None:
    script(
        page,
        {
            "help": [
                reply(
                    "If you are in danger, call 999 now. Samaritans: 116 123. "
                    "The National Domestic Abuse Helpline: 0808 2000 247. "
                    "The council: 01782 234234."
                )
            ]
        },
    )
    open_at(page, width)
    say(page, "help")
    links = page.locator(f"{BOT} a.tel")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "tel:999",
        "tel:116123",
        "tel:+448082000247",
        "tel:+441782234234",
    ]
    assert links.first.inner_text() == "999"


@pytest.mark.parametrize("width", WIDTHS)
def test_exit_this_page_leaves_and_replaces_history(page, width: int) -> None:
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>"),
    )
    script(
        page,
        {
            "hello": [reply("Hello. How can I help?")],
            "he hits me": [
                reply("If you are in danger, call 999 now.", exit_page=True),
                reply("I have passed this to the team: FD-ABC234."),
            ],
        },
    )
    open_at(page, width)
    say(page, "hello")
    assert page.locator("#exit-page").is_hidden()
    say(page, "he hits me")
    exit_link = page.get_by_role("link", name="Exit this page")
    assert exit_link.is_visible()
    assert no_sideways_scroll(page)
    page.reload()  # still offered after a reload of the conversation
    assert exit_link.is_visible()
    exit_link.click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    # Back does not return to the chat: the page was replaced in the history.
    page.go_back()
    assert "127.0.0.1" not in page.url


def test_a_real_domestic_abuse_message_offers_exit_this_page(page) -> None:
    open_at(page, 360)
    before = page.locator(BOT).count()
    page.fill("#message", "my husband hits me and i am scared to go home")
    page.press("#message", "Enter")
    _wait(page, before)
    assert "999" in page.locator(BOT).nth(before).inner_text()
    assert page.get_by_role("link", name="Exit this page").is_visible()
    assert page.locator(f"{BOT} a[href='tel:999']").count() >= 1


@pytest.mark.parametrize("width", WIDTHS)
def test_replies_in_other_languages_carry_lang_and_the_page_follows(page, width: int) -> None:
    script(
        page,
        {
            "dzień dobry": [reply("Dzień dobry. Jak mogę pomóc?", ("English",), lang="pl")],
            "مرحبا": [reply("مرحباً. كيف يمكنني مساعدتك؟", lang="ar")],
        },
    )
    open_at(page, width)
    say(page, "dzień dobry")
    polish = page.locator(BOT).nth(0)  # a locator: the first reply, whatever follows
    assert polish.get_attribute("lang") == "pl"
    assert page.locator("#send").inner_text() == "Wyślij"
    assert page.locator("#send").get_attribute("lang") == "pl"
    assert page.locator("label[for=message]").inner_text() == "Twoja wiadomość"
    say(page, "مرحبا")
    arabic = page.locator(BOT).last
    assert arabic.get_attribute("lang") == "ar" and arabic.get_attribute("dir") == "rtl"
    assert polish.get_attribute("lang") == "pl"  # earlier replies keep their language
    assert page.locator("#send").inner_text() == "إرسال"
    assert page.locator("#send").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "en-GB"  # the rest stays English
    assert no_sideways_scroll(page)
    assert serious_violations(page) == []
