"""Library assisted mode in Chromium (issue #18 item 5): layout, refusals and the print-out.

The chat and the staff panel sit side by side at 1280 px, each scrolling on its own, so the
place list no longer pushes the chat down; at 360 px they stack, chat first; at 320 px nothing
scrolls sideways. A booking refused outside the opening hours says the hours and keeps the
form as typed. The printable summary for a resident with no phone has the booking and its
reference, and its print button is not printed. axe-core finds no serious or critical problem.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.contract.web.test_assisted import open_weekday
from tests.e2e.browser import serious_violations
from tests.e2e.test_assisted_session import start_assisted_session

pytestmark = pytest.mark.e2e

PC_REF = re.compile(r"PC-[2-9A-HJ-NP-Z]{6}")


def _box(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    assert box, selector
    return box


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def _list_places(page) -> None:
    page.get_by_label("Resident's postcode").fill("ST4 2DX")
    page.get_by_role("button", name="Show nearby places").click()
    # The first search may wait for the postcode data the stand-in loads at start.
    expect(page.locator("#places-title")).to_contain_text("places near", timeout=120_000)


def test_two_columns_at_1280_each_scrolling_on_its_own(page, stack):
    page.set_viewport_size({"width": 1280, "height": 800})
    start_assisted_session(page, stack)
    _list_places(page)
    chat, panel = _box(page, "#chat"), _box(page, "#staff-panel")
    assert chat["x"] + chat["width"] <= panel["x"] + 1  # chat on the left, panel on the right
    assert abs(chat["y"] - panel["y"]) < 2  # side by side, not stacked
    assert panel["y"] + panel["height"] <= 801  # the long list scrolls inside the panel
    assert page.locator("#message").is_visible()
    assert _box(page, "#message")["y"] < 800  # the chat's message box stays on screen
    overflow = page.evaluate(
        "s => getComputedStyle(document.querySelector(s)).overflowY", "#staff-panel"
    )
    assert overflow == "auto"
    assert "km" not in page.locator("#assisted-output").inner_text()
    assert " miles" in page.locator("#assisted-output").inner_text()
    page.locator(".place-list-box > summary").click()  # the list folds away
    expect(page.locator(".place-list")).to_be_hidden()
    assert serious_violations(page) == []


def test_stacked_chat_first_at_360_and_no_sideways_scroll_at_320(page, stack):
    page.set_viewport_size({"width": 360, "height": 740})
    start_assisted_session(page, stack)
    chat, panel = _box(page, "#chat"), _box(page, "#staff-panel")
    assert panel["y"] >= chat["y"] + chat["height"] - 1  # one column, the chat first
    assert _box(page, "#message")["y"] < 740
    _list_places(page)
    assert not _scrolls_sideways(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.locator("#place-city-central-library summary").click()
    assert not _scrolls_sideways(page)


def test_a_refusal_says_the_hours_and_keeps_the_input_then_the_summary_prints(page, stack):
    page.set_viewport_size({"width": 1280, "height": 800})
    start_assisted_session(page, stack)
    _list_places(page)
    library = page.locator("#place-city-central-library")
    library.locator("summary").click()
    monday = open_weekday(0, weeks_ahead=2)
    library.get_by_label("Date").fill(monday.isoformat())
    library.get_by_label("Start time").fill("17:30")
    library.get_by_label("How long").select_option("60")
    library.get_by_role("button", name="Book the computer").click()
    refused = page.locator(".booking-result--refused")
    expect(refused).to_contain_text("open 9am to 5pm on Mondays", timeout=30_000)
    library = page.locator("#place-city-central-library")
    assert library.get_by_label("Start time").input_value() == "17:30"
    assert library.get_by_label("Date").input_value() == monday.isoformat()
    assert library.get_by_label("How long").input_value() == "60"

    library.get_by_label("Start time").fill("15:00")
    library.get_by_role("button", name="Book the computer").click()
    booked = page.locator(".booking-result--done .ref")
    expect(booked).to_have_text(PC_REF, timeout=30_000)
    reference = booked.inner_text()
    assert "3pm to 4pm" in page.locator(".booking-result--done").inner_text()

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Print a summary for the resident").click()
    summary = opened.value
    summary.wait_for_load_state()
    text = summary.locator("main").inner_text()
    assert reference in text and "City Central Library" in text
    assert "3pm to 4pm" in text and "9am to 5pm" in text and "What happens next" in text
    assert "ST4 2DX" not in text
    assert summary.get_by_role("button", name="Print this page").is_visible()
    assert serious_violations(summary) == []
    summary.set_viewport_size({"width": 320, "height": 640})
    assert not _scrolls_sideways(summary)
    summary.emulate_media(media="print")
    assert not summary.get_by_role("button", name="Print this page").is_visible()
    assert summary.locator(".summary-ref").first.is_visible()
