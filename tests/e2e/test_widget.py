"""The chat widget on a council's own page (issue #18), in headless Chromium.

Only the web service runs (``python -m web``, no assistant and no model): the sample
council page ``/widget-demo`` carries the one tag, and the chat's replies are scripted
through its own endpoint (``page.route``). Checked: the tag adds a launcher at the bottom
right, at least 24 by 24 px; opening it moves focus to the chat's message box; axe finds
nothing serious on the page or in the panel at 320 px and on a desktop (WCAG 2.2 AA rules,
target size included); Escape closes the panel and gives focus back to the launcher; the
conversation and the open panel survive going to another page in the tab; an unknown
``data-council`` still gets the council's widget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml
from tests.contract.web.conftest import RunningServer, run_server
from tests.e2e.browser import serious_violations, wait_for_chat
from web.widget import council_widget, load_words

pytestmark = pytest.mark.e2e

KB = REPO_ROOT / "kb"
HOST = "[data-frontdoor-widget]"
#: axe on the page and on the frame separately; every WCAG 2.2 AA rule, target size too.
AXE_OPTIONS = {"iframes": False, "rules": {"target-size": {"enabled": True}}}
SIZES = [{"width": 320, "height": 640}, {"width": 1280, "height": 800}]


SLUG = str(load_yaml((KB / "councils" / "default.yml").read_text())["council"])
WORDS = council_widget(KB / "councils" / SLUG, load_words(KB))


@pytest.fixture(scope="module")
def web_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The web service alone, on a fresh SQLite file (ENVIRONMENT=test)."""
    folder: Path = tmp_path_factory.mktemp("widget")
    with run_server(f"sqlite:///{folder / 'web.db'}", folder / "server.log", "sqlite") as server:
        yield server


@pytest.fixture
def page(browser, web_service: RunningServer) -> Iterator[object]:
    """A fresh browser context (its own storage) on the web service."""
    context = browser.new_context(base_url=web_service.base_url, viewport=SIZES[0], locale="en-GB")
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def script_replies(page, exit_page: bool = False) -> None:
    """Answer every chat message with one scripted reply (no assistant runs here).

    ``exit_page``: the reply asks the page to offer "Exit this page", as a crisis reply does.
    """

    def handle(route) -> None:
        sent = json.loads(route.request.post_data or "{}").get("message", "")
        said = {"text": f"You said: {sent}", "buttons": [], "exit_page": exit_page}
        body = {"replies": [said]}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/chat/messages", handle)


def launcher(page):
    return page.get_by_role("button", name=WORDS["launcher"], exact=True)


def chat_frame(page):
    """The chat inside the panel, once its page has loaded."""
    handle = page.locator(f"{HOST} iframe").element_handle()
    frame = handle.content_frame()
    wait_for_chat(frame)
    return frame


def focus_in_chat(page) -> str:
    """Where focus is: the panel's frame and, inside it, the focused element's id."""
    frame = chat_frame(page)
    frame.wait_for_function("() => document.activeElement && document.activeElement.id")
    in_host = page.evaluate(
        f"() => document.querySelector('{HOST}').shadowRoot.activeElement?.className || ''"
    )
    assert in_host == "frame"
    return frame.evaluate("() => document.activeElement.id")


def late_focus_message_leaves_focus(page) -> bool:
    """Send the chat the widget's "focus" now; True once the chat has handled it.

    A second message from the same window arrives after it, so the chat has acted on
    "focus" when the second one is seen.
    """
    frame = chat_frame(page)
    frame.evaluate(
        """() => { window.__probed = new Promise(resolve => window.addEventListener(
            "message", e => { if (e.data && e.data.probe) { resolve(true); } })); }"""
    )
    page.evaluate(
        f"""() => {{
            const chat = document.querySelector('{HOST}').shadowRoot.querySelector('iframe');
            chat.contentWindow.postMessage({{ frontdoor: "focus" }}, "*");
            chat.contentWindow.postMessage({{ probe: true }}, "*");
        }}"""
    )
    return bool(frame.evaluate("() => window.__probed"))


def test_one_tag_adds_a_launcher_at_the_bottom_right(page) -> None:
    page.goto("/widget-demo")
    button = launcher(page)
    button.wait_for()
    assert button.get_attribute("aria-expanded") == "false"
    panel_id = button.get_attribute("aria-controls")
    assert page.locator(f"{HOST} #{panel_id}").count() == 1
    assert page.locator(f"{HOST} #{panel_id}").is_hidden()
    for size in SIZES:
        page.set_viewport_size(size)
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2, 2.5.8
        assert size["width"] - (box["x"] + box["width"]) == pytest.approx(16, abs=1)
        assert size["height"] - (box["y"] + box["height"]) == pytest.approx(16, abs=1)
    # The same place on the council's other pages (3.2.6 consistent help).
    page.get_by_role("link", name="Roads and pavements").click()
    page.wait_for_url("**page=2**")
    box = launcher(page).bounding_box()
    assert SIZES[-1]["width"] - (box["x"] + box["width"]) == pytest.approx(16, abs=1)


def test_the_launcher_shows_a_visible_focus(page) -> None:
    page.goto("/widget-demo")
    launcher(page).wait_for()
    before = launcher(page).evaluate("e => getComputedStyle(e).outlineStyle")
    launcher(page).focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    after = launcher(page).evaluate(
        "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    )
    assert before == "none"
    assert after == ["solid", "3px"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}px")
def test_opening_moves_focus_into_the_chat_with_no_serious_axe_findings(page, size) -> None:
    page.set_viewport_size(size)
    page.goto("/widget-demo")
    launcher(page).click()
    assert launcher(page).get_attribute("aria-expanded") == "true"
    assert focus_in_chat(page) == "message"
    panel = page.get_by_role("dialog", name=WORDS["title"])
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]  # 1.4.10 reflow
    assert box["y"] >= 0
    frame = chat_frame(page)
    assert frame.evaluate("() => document.body.hasAttribute('data-embed')")
    close = page.get_by_role("button", name=WORDS["close"], exact=True).bounding_box()
    assert close["width"] >= 24 and close["height"] >= 24
    assert serious_violations(page, AXE_OPTIONS) == []
    assert serious_violations(frame, AXE_OPTIONS) == []


def test_escape_closes_the_panel_and_returns_focus_to_the_launcher(page) -> None:
    page.goto("/widget-demo")
    launcher(page).click()
    assert focus_in_chat(page) == "message"
    page.keyboard.press("Escape")  # pressed inside the chat's frame
    page.get_by_role("dialog").wait_for(state="hidden")
    assert launcher(page).get_attribute("aria-expanded") == "false"
    assert launcher(page).evaluate("e => e.getRootNode().activeElement === e")
    # The panel's own close button does the same.
    launcher(page).click()
    page.get_by_role("button", name=WORDS["close"], exact=True).click()
    page.get_by_role("dialog").wait_for(state="hidden")
    assert launcher(page).evaluate("e => e.getRootNode().activeElement === e")
    # A link of the council's page focused under the open panel: Escape reveals it and
    # leaves focus there (WCAG 2.2, 2.4.11).
    launcher(page).click()
    link = page.get_by_role("link", name="Roads and pavements")
    link.focus()
    # The widget's "focus" reaching the chat after the resident moved on (a slow frame)
    # leaves focus where the resident put it.
    assert late_focus_message_leaves_focus(page)
    assert link.evaluate("e => document.activeElement === e")
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    assert link.evaluate("e => document.activeElement === e")


def test_the_conversation_and_the_open_panel_survive_the_next_page(page) -> None:
    script_replies(page)
    page.goto("/widget-demo")
    launcher(page).click()
    frame = chat_frame(page)
    frame.fill("#message", "Hello from the bins page")
    frame.press("#message", "Enter")
    frame.wait_for_selector("#messages .message--bot")
    page.goto("/widget-demo?page=2")  # the next page in the tab (the panel covers the link)
    # Open again without being asked, but the page keeps its focus (no surprise move).
    page.get_by_role("dialog", name=WORDS["title"]).wait_for()
    assert launcher(page).get_attribute("aria-expanded") == "true"
    assert page.evaluate(f"() => document.querySelector('{HOST}').shadowRoot.activeElement") is None
    frame = chat_frame(page)
    frame.wait_for_selector("#messages .message--bot")
    said = frame.locator("#messages").inner_text()
    assert "Hello from the bins page" in said and "You said: Hello from the bins page" in said
    # Closed on one page: closed on the next.
    page.get_by_role("button", name=WORDS["close"], exact=True).click()
    page.get_by_role("link", name="Bins and recycling").click()
    page.wait_for_url("**page=1**")
    launcher(page).wait_for()
    assert launcher(page).get_attribute("aria-expanded") == "false"
    assert page.locator(f"{HOST} iframe").count() == 0


def test_an_unknown_council_still_gets_the_widget(page) -> None:
    page.goto("/widget-demo?council=no-such-council")
    launcher(page).click()
    frame = chat_frame(page)
    # The configured council's chat, never an error page.
    assert frame.url.endswith(f"/?embed=1&council={SLUG}")
    assert frame.locator("#composer").is_visible()


def test_exit_this_page_in_the_panel_leaves_the_councils_page(page) -> None:
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>"),
    )
    script_replies(page, exit_page=True)
    page.goto("/widget-demo")
    launcher(page).click()
    frame = chat_frame(page)
    frame.fill("#message", "he hits me")
    frame.press("#message", "Enter")
    exit_link = frame.get_by_role("link", name="Exit this page")
    exit_link.wait_for()
    exit_link.click()
    # The whole page leaves, not only the frame, and Back does not return to it.
    page.wait_for_url("https://www.bbc.co.uk/weather")
    page.go_back()
    assert "widget-demo" not in page.url
