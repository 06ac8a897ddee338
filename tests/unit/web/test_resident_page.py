"""The resident chat page a council can publish (issue #18): its name, logo, colours and
legal links from the profile, no developer links outside development, and the data the
script reads (the reference scheme, the page's words per language)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from bot.settings import REPO_ROOT
from lib.branding import MIN_CONTRAST, contrast_ratio
from lib.references import REFERENCE_ALPHABET, REFERENCE_PREFIXES
from lib.yaml_files import load_yaml
from tests.web_app import make_app
from web.api.routes.web_chat import chat_document, chat_headers
from web.chat_relay import clean_replies
from web.core.config import Settings
from web.resident_page import load_chrome, script_json

KB = REPO_ROOT / "kb"
PRODUCTION = {
    "environment": "production",
    "open311_api_key": "a-real-key",
    "staff_api_token": "a-real-token",
    "staff_session_secret": "s" * 40,
    "library_assist_secret": "a-real-assist-secret",
    "insight_hash_secret": "a-real-insight-secret",
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(database_url="sqlite://", environment="development")
    with TestClient(make_app(settings)) as test_client:
        yield test_client


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="chat-data">(.*?)</script>', page)
    assert match
    return json.loads(match.group(1))


def test_the_page_shows_the_council_and_its_legal_links(client: TestClient) -> None:
    page = client.get("/").text
    assert "<title>Ask Stoke-on-Trent City Council</title>" in page
    assert '<span class="chat-council">Stoke-on-Trent City Council</span>' in page
    # The development council's stand-in logo, marked as one; the name beside it is the text.
    assert '<img class="chat-logo" src="/chat/logo-placeholder.svg" alt="" data-placeholder' in page
    footer = page.split("<footer")[1]
    assert '<a href="https://www.stoke.gov.uk/privacy" data-chrome="privacy_notice">' in footer
    assert 'href="https://www.stoke.gov.uk/accessibility"' in footer
    assert '<a href="tel:+441782234234">01782 234234</a>' in footer
    # "How we use what you type", beside the box, linking to the privacy notice (Art. 13).
    composer = page.split('<form id="composer"')[1].split("</form>")[0]
    assert "We use what you type" in composer
    assert 'href="https://www.stoke.gov.uk/privacy"' in composer
    assert '<textarea id="message"' in composer and "<input" not in composer
    # Development and test only: the stand-in's developer links.
    assert 'href="/docs"' in footer
    logo = client.get("/chat/logo-placeholder.svg")
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg+xml")
    assert "PLACEHOLDER" in logo.text


def test_no_developer_links_outside_development() -> None:
    page = str(chat_document(Settings(**PRODUCTION)))
    assert "/docs" not in page and "/open311" not in page and "For developers" not in page
    assert "https://www.stoke.gov.uk/accessibility" in page


def test_no_open311_developer_link_without_the_stand_in() -> None:
    page = str(chat_document(Settings(database_url="sqlite://", stand_in=False)))
    assert 'href="/docs"' in page and "/open311" not in page


def test_the_colours_come_from_the_profile(client: TestClient) -> None:
    css = client.get("/chat/brand.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    profile = load_yaml((KB / "councils" / "stoke-on-trent" / "profile.yml").read_text())
    colours = profile["branding"]["colours"]
    assert f"--brand-header-bg: {colours['header_background']};" in css.text
    assert f"--brand-accent: {colours['accent']};" in css.text
    assert contrast_ratio(colours["header_text"], colours["header_background"]) >= MIN_CONTRAST
    assert "var(--brand-header-bg" in client.get("/chat/chat.css").text


def _council(tmp_path: Path, branding: dict) -> Settings:
    kb = tmp_path / "kb"
    shutil.copytree(KB / "web_chat", kb / "web_chat")
    folder = kb / "councils" / "elsewhere"
    folder.mkdir(parents=True)
    profile = {"name": "Elsewhere Borough Council", "contact": {"phone": "0300 123 4567"}}
    (folder / "profile.yml").write_text(yaml.safe_dump({**profile, "branding": branding}))
    return Settings(kb_dir=kb, council="elsewhere", environment="development")


def test_a_logo_hosted_by_the_council_is_allowed_by_the_policy(tmp_path: Path) -> None:
    settings = _council(tmp_path, {"logo": {"src": "https://cdn.elsewhere.gov.uk/logo.svg"}})
    page = str(chat_document(settings))
    assert '<img class="chat-logo" src="https://cdn.elsewhere.gov.uk/logo.svg" alt="">' in page
    assert (
        "img-src 'self' https://cdn.elsewhere.gov.uk;"
        in (chat_headers(settings)["Content-Security-Policy"])
    )
    # No privacy notice in the profile: no empty link is drawn.
    assert 'href=""' not in page and "Elsewhere Borough Council" in page


def test_a_profile_with_unreadable_colours_stops_the_page(tmp_path: Path) -> None:
    settings = _council(tmp_path, {"colours": {"header_background": "#ffdd00"}})
    with pytest.raises(ValueError, match="below 4.5:1"):
        chat_document(settings)


def test_the_script_gets_the_reference_scheme_and_the_words(client: TestClient) -> None:
    data = _data(client.get("/").text)
    assert data["references"] == {
        "prefixes": list(REFERENCE_PREFIXES),
        "alphabet": REFERENCE_ALPHABET,
        "length": 6,
    }
    assert data["exit_url"] == "https://www.bbc.co.uk/weather"
    assert {"ar", "ur", "pa-Arab"} <= set(data["chrome"]["rtl"])
    assert data["chrome"]["languages"]["pl"]["send"] == "Wyślij"


def test_every_language_has_every_word_of_the_page() -> None:
    chrome = load_chrome(KB)
    english = chrome["languages"]["en"]
    raw = load_yaml((KB / "web_chat" / "chrome.yml").read_text())["languages"]
    for code, words in raw.items():
        assert set(words) == set(english), code
    # Every key the page marks for translation has English words.
    page = (REPO_ROOT / "web/templates/chat/page.html").read_text()
    assert set(re.findall(r'data-chrome="([a-z_]+)"', page)) <= set(english)


def test_the_feedback_question_gets_its_words_from_the_page_data(client: TestClient) -> None:
    languages = _data(client.get("/").text)["chrome"]["languages"]
    english = languages["en"]
    assert english["feedback_question"] == "Did that answer your question?"
    # Quoted in the file: unquoted, YAML would read them as true and false.
    assert (english["feedback_yes"], english["feedback_no"]) == ("Yes", "No")
    assert english["feedback_thanks"] == "Thanks for telling us."
    assert english["feedback_sorry"] == (
        "Sorry. You can ask in other words, or ask to talk to a person."
    )
    keys = {key for key in english if key.startswith("feedback_")}
    for code, words in languages.items():
        if code != "en":  # a draft translation, not English filled in
            assert all(words[key] != english[key] for key in keys), code
    # The script uses exactly these words, asks only in the resident's own chat and only
    # under a reply the relay marked as an information answer.
    script = client.get("/chat/chat.js").text
    assert set(re.findall(r'"(feedback_[a-z]+)"', script)) == keys
    assert 'var FEEDBACK = "/chat/feedback";' in script
    assert "if (!marked || fixedId || !item ||" in script
    assert "marked = reply.ask_feedback === true;" in script
    assert "landOn(latest);\n        askFeedback(latest, marked);" in script
    assert 'request.open("GET", FEEDBACK' not in script  # no second request per reply


def test_page_data_cannot_close_its_script_element() -> None:
    text = script_json({"x": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"x": "</script><script>alert(1)</script> & more"}


def test_the_exit_marker_goes_on_the_crisis_reply_before_it() -> None:
    raw = [
        {"text": "If you are in danger, call 999 now."},
        {"custom": {"exit_this_page": True}},
        {"text": "I have passed this to the team: FD-ABC234."},
    ]
    assert clean_replies(raw) == [
        {"text": "If you are in danger, call 999 now.", "buttons": [], "exit_page": True},
        {"text": "I have passed this to the team: FD-ABC234.", "buttons": []},
    ]
    # Anything else custom, or a marker with nothing before it, is dropped.
    assert clean_replies([{"custom": {"exit_this_page": True}}, {"text": "hi"}]) == [
        {"text": "hi", "buttons": []}
    ]
    assert clean_replies([{"text": "hi"}, {"custom": {"exit_this_page": "yes"}}]) == [
        {"text": "hi", "buttons": []}
    ]
