""" "Did that answer your question?" in the web chat (issue #18), in headless Chromium.

Only the web service runs (``python -m web``, no model): a small fake of the assistant's
REST channel stands in for Rasa, marking its reply as Front Door's channel does (the
language, and ``information_answer`` after an information answer), so the real
``/chat/messages`` and ``/chat/feedback`` routes (chat cookie, ownership) answer the page.
A question about council tax gets an information answer (``utter_council_tax/...``, a
``self_served`` response of ``kb/insight/outcomes.yml``); "hello" gets a greeting.

Checked: the question and its Yes / No buttons show under an information answer and not
under a greeting; focus stays in the message box; the buttons are real, at least 24 by 24
px, with a visible focus; axe finds nothing serious with the control showing, on the page
and in the widget's panel at 320 px; a press is kept (204) and replaced by the thank-you;
the question never comes back for the same reply; failed calls say nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT
from lib.information_answers import answered_last, information_responses
from lib.yaml_files import load_yaml
from tests.contract.web.conftest import RunningServer, run_server
from tests.e2e.browser import serious_violations, wait_for_chat
from web.resident_page import load_chrome
from web.widget import council_widget, load_words

pytestmark = pytest.mark.e2e

KB = REPO_ROOT / "kb"
WORDS = load_chrome(KB)["languages"]
EN = WORDS["en"]
AXE_OPTIONS = {"iframes": False, "rules": {"target-size": {"enabled": True}}}
NARROW = {"width": 320, "height": 640}
SLUG = str(load_yaml((KB / "councils" / "default.yml").read_text())["council"])
WIDGET = council_widget(KB / "councils" / SLUG, load_words(KB))

#: (words in the message, reply, the response it is, the language slot)
SCRIPT = [
    ("polski", "Pasmo podatku jest na rachunku.", "utter_council_tax/band", "pl"),
    ("council tax", "Your council tax band is on your bill.", "utter_council_tax/band", None),
]
GREETING = ("Hello. What can I help you with?", "utter_greet", None)


class FakeAssistant(BaseHTTPRequestHandler):
    """Rasa's REST channel as Front Door marks it, as far as the web chat uses it."""

    def _json(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path != "/webhooks/rest/webhook":
            self._json({})  # tracker events (finish, restart)
            return
        text = str(body.get("message", "")).lower()
        text, utter, language = next((s[1:] for s in SCRIPT if s[0] in text), GREETING)
        # As Front Door's REST channel answers: each message names the reply's language
        # and, after an information answer, says so (bot/channels/rest.py).
        message: dict[str, object] = {"recipient_id": body["sender"], "text": text}
        if language:
            message["language"] = language
        events = [{"event": "user"}, {"event": "bot", "metadata": {"utter_action": utter}}]
        if answered_last(events, information_responses(KB)):
            message["information_answer"] = True
        self._json([message])

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def assistant() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAssistant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def web_service(
    tmp_path_factory: pytest.TempPathFactory, assistant: str
) -> Iterator[RunningServer]:
    """The web service alone, on a fresh SQLite file, talking to the fake assistant."""
    folder: Path = tmp_path_factory.mktemp("feedback")
    extra = {"ASSISTANT_RASA_URL": assistant, "RASA_API_TOKEN": "fake-assistant-token"}
    with run_server(
        f"sqlite:///{folder / 'web.db'}", folder / "server.log", "sqlite", extra_env=extra
    ) as server:
        yield server


@pytest.fixture
def page(browser, web_service: RunningServer) -> Iterator[object]:
    """A fresh browser context (its own storage and chat cookie), 320 px wide."""
    context = browser.new_context(base_url=web_service.base_url, viewport=NARROW, locale="en-GB")
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def _replied(response) -> bool:
    return "/chat/messages" in response.url and response.request.method == "POST"


def _answered(response) -> bool:
    return "/chat/feedback" in response.url and response.request.method == "POST"


def send(page, where, text: str) -> None:
    """Type and send a message in ``where`` (the page or the panel's frame), and wait for
    the reply; no other request follows it (the reply says whether to ask)."""
    before = where.locator("#messages .message--bot").count()
    with page.expect_response(_replied) as replied:
        where.fill("#message", text)
        where.press("#message", "Enter")
    assert replied.value.status == 200
    where.locator("#messages .message--bot").nth(before).wait_for()


def control(where):
    return where.get_by_role("group", name=EN["feedback_question"])


def test_the_question_shows_under_an_answer_and_keeps_the_answer(page) -> None:
    page.goto("/")
    send(page, page, "hello")
    assert control(page).count() == 0  # a greeting is not an answer
    send(page, page, "What is my council tax band?")
    group = control(page)
    group.wait_for()
    # Under the latest reply, and focus left in the message box.
    latest = page.locator("#messages .message--bot").last
    assert latest.locator(".feedback").count() == 1
    assert page.evaluate("() => document.activeElement.id") == "message"
    yes = group.get_by_role("button", name=EN["feedback_yes"], exact=True)
    no = group.get_by_role("button", name=EN["feedback_no"], exact=True)
    for button in (yes, no):
        assert button.evaluate("e => e.tagName") == "BUTTON"
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2, 2.5.8
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]  # 1.4.10
    # In the polite live region, so a screen reader hears it without a move of focus.
    assert group.evaluate("e => e.closest('[aria-live=polite]').id") == "messages"
    assert group.get_attribute("lang") == "en-GB"  # spoken in English whatever the reply
    assert serious_violations(page, AXE_OPTIONS) == []
    # A keyboard reaches it from the message box, with a visible focus.
    page.keyboard.press("Shift+Tab")
    assert no.evaluate("e => document.activeElement === e")
    assert no.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    with page.expect_response(_answered) as answered:
        yes.click()
    assert answered.value.status == 204
    assert json.loads(answered.value.request.post_data)["answered"] is True
    assert latest.locator(".feedback").inner_text() == EN["feedback_thanks"]
    assert control(page).count() == 0
    assert page.evaluate("() => document.activeElement.id") == "message"
    assert page.locator("#notice").inner_text() == ""
    # Never again for the same reply, even after a reload of the tab.
    page.reload()
    page.locator("#messages .message--bot").last.wait_for()
    page.wait_for_timeout(500)
    assert page.locator("#messages .feedback").count() == 0


def test_no_gets_the_other_words_and_the_words_follow_the_language(page) -> None:
    page.goto("/")
    send(page, page, "council tax")
    no = control(page).get_by_role("button", name=EN["feedback_no"], exact=True)
    with page.expect_response(_answered) as answered:
        no.click()
    assert answered.value.status == 204
    assert json.loads(answered.value.request.post_data)["answered"] is False
    latest = page.locator("#messages .message--bot").last
    assert latest.locator(".feedback").inner_text() == EN["feedback_sorry"]
    # The next message takes the thank-you away; a reply in Polish asks in Polish.
    send(page, page, "po polsku: polski")
    polish = page.get_by_role("group", name=WORDS["pl"]["feedback_question"])
    polish.wait_for()
    assert polish.locator("[lang=pl]").count() == 3  # the question and both buttons
    assert page.locator("#messages .feedback").count() == 1


def test_the_question_in_the_widgets_panel_at_320px(page) -> None:
    page.goto("/widget-demo")
    page.get_by_role("button", name=WIDGET["launcher"], exact=True).click()
    handle = page.locator("[data-frontdoor-widget] iframe").element_handle()
    frame = handle.content_frame()
    wait_for_chat(frame)
    send(page, frame, "council tax")
    group = control(frame)
    group.wait_for()
    assert frame.evaluate("() => document.activeElement.id") == "message"
    box = group.get_by_role("button", name=EN["feedback_yes"], exact=True).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert serious_violations(frame, AXE_OPTIONS) == []
    with page.expect_response(_answered) as answered:
        group.get_by_role("button", name=EN["feedback_yes"], exact=True).click()
    assert answered.value.status == 204
    assert frame.locator("#messages .feedback").inner_text() == EN["feedback_thanks"]


def test_failed_feedback_calls_say_nothing_and_the_chat_carries_on(page) -> None:
    page.goto("/")
    feedback_calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            feedback_calls.append(request.method) if "/chat/feedback" in request.url else None
        ),
    )
    send(page, page, "council tax again")
    control(page).wait_for()
    assert feedback_calls == []  # the question came with the reply
    page.route("**/chat/feedback**", lambda route: route.abort())
    control(page).get_by_role("button", name=EN["feedback_yes"], exact=True).click()
    # The thank-you all the same, no error, and the next message is answered.
    assert page.locator("#messages .feedback").inner_text() == EN["feedback_thanks"]
    page.wait_for_timeout(300)
    assert page.locator("#notice").inner_text() == ""
    page.fill("#message", "hello")
    page.press("#message", "Enter")
    page.locator("#messages .message--bot").nth(1).wait_for()
    assert page.locator("#notice").inner_text() == ""
