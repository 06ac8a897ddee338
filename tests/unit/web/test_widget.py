"""The chat widget (issue #18): ``/widget.js`` and ``/widget.css`` as a council's page loads
them (type, caching, ETag), the words they carry from the knowledge base, the council a
``data-council`` picks, the embedded chat page and who may frame it (never the staff
console), and the sample page served only in development."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml
from web.core.config import Settings
from web.main import create_app
from web.widget import CONFIG_MARKER, council_dir_for, known_councils, load_words

KB = REPO_ROOT / "kb"
PRODUCTION = {
    "environment": "production",
    "open311_api_key": "a-real-key",
    "staff_api_token": "a-real-token",
    "staff_session_secret": "s" * 40,
    "library_assist_secret": "a-real-assist-secret",
    "insight_hash_secret": "a-real-insight-secret",
}
SITE = "https://www.example.gov.uk"


def _client(**overrides: object) -> TestClient:
    return TestClient(create_app(Settings(database_url="sqlite://", **overrides)))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with _client(environment="development") as test_client:
        yield test_client


def _config(script: str) -> dict:
    match = re.search(r"var CONFIG = (\{.*?\});\n", script)
    assert match, "the script carries no council data"
    return json.loads(match.group(1))


def _frame_ancestors(response) -> str:
    policy = response.headers["content-security-policy"]
    return next(p for p in policy.split("; ") if p.startswith("frame-ancestors")).split(" ", 1)[1]


def _default_slug() -> str:
    return str(load_yaml((KB / "councils" / "default.yml").read_text())["council"])


def test_the_script_is_javascript_cached_with_an_etag(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"
    # Council sites on other origins load it.
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', etag)
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get("/widget.js", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_style_sheet_is_css_cached_with_an_etag(client: TestClient) -> None:
    response = client.get("/widget.css")
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert ".launcher" in response.text
    # Targets of at least 24px (WCAG 2.2, 2.5.8); the widget's own are 44px.
    assert "min-height: 44px" in response.text and "min-width: 44px" in response.text
    etag = response.headers["etag"]
    assert client.get("/widget.css", headers={"If-None-Match": etag}).status_code == 304


def test_the_script_needs_no_eval_and_no_inline_style(client: TestClient) -> None:
    script = client.get("/widget.js").text
    assert CONFIG_MARKER not in script
    for unsafe in ("eval(", "new Function", "innerHTML", 'setAttribute("style"', "cssText"):
        assert unsafe not in script


def test_the_script_carries_every_councils_words_from_the_kb(client: TestClient) -> None:
    config = _config(client.get("/widget.js").text)
    slug = _default_slug()
    assert config["default"] == slug
    assert set(config["councils"]) == set(known_councils(KB))
    profile = load_yaml((KB / "councils" / slug / "profile.yml").read_text())
    words = load_words(KB)
    council = config["councils"][slug]
    assert council["launcher"] == words["launcher"].replace("{council}", profile["name"])
    assert council["title"] == words["title"].replace("{council}", profile["name"])
    assert council["close"] == words["close"]
    assert council["background"] == profile["branding"]["colours"]["header_background"]
    assert council["text"] == profile["branding"]["colours"]["header_text"]


def test_a_profile_may_change_the_widgets_words(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(KB / "web_chat", kb / "web_chat")
    slug = _default_slug()
    shutil.copytree(KB / "councils" / slug, kb / "councils" / slug)
    shutil.copy(KB / "councils" / "default.yml", kb / "councils" / "default.yml")
    profile_path = kb / "councils" / slug / "profile.yml"
    profile = load_yaml(profile_path.read_text())
    profile["widget"] = {"launcher": "Questions? Ask {short_name}"}
    profile_path.write_text(yaml.safe_dump(profile))
    with _client(environment="development", kb_dir=kb) as client:
        council = _config(client.get("/widget.js").text)["councils"][slug]
    assert council["launcher"] == f"Questions? Ask {profile['short_name']}"
    assert council["close"] == load_words(KB)["close"]


def test_the_words_file_must_hold_every_word(tmp_path: Path) -> None:
    (tmp_path / "web_chat").mkdir()
    (tmp_path / "web_chat" / "widget.yml").write_text("words:\n  launcher: Ask us\n")
    with pytest.raises(ValueError, match="close"):
        load_words(tmp_path)


def test_an_unknown_council_gets_the_configured_one() -> None:
    settings = Settings(database_url="sqlite://", environment="development")
    known = known_councils(KB)
    assert _default_slug() in known
    for slug in known:
        assert council_dir_for(settings, slug) == KB / "councils" / slug
    for wrong in ("no-such-council", "../councils", "", "A" * 100):
        assert council_dir_for(settings, wrong) == settings.council_dir


def test_the_embedded_page_is_the_chat_without_its_title_bar(client: TestClient) -> None:
    full = client.get("/").text
    page = client.get("/?embed=1&council=no-such-council")
    assert page.status_code == 200
    text = page.text
    assert '<body data-embed="true">' in text
    assert "<body>" in full and "data-embed" not in full.split("</head>")[1].split(">")[0]
    # The same chat: its script, the message box, "Finish and clear" and the legal links.
    for kept in ('src="/chat/chat.js"', 'id="message"', 'id="finish"', 'id="exit-page"'):
        assert kept in text
    assert full.split("<footer")[1].split("</ul>")[0] == text.split("<footer")[1].split("</ul>")[0]
    assert "developer-links" in full and "developer-links" not in text
    assert page.headers["cache-control"] == "no-store"


def test_only_the_embedded_page_may_be_framed_by_the_councils_sites() -> None:
    with _client(environment="development", widget_allowed_origins=SITE) as client:
        embedded = _frame_ancestors(client.get("/?embed=1"))
        assert embedded.split() == ["'self'", SITE]
        assert _frame_ancestors(client.get("/")) == "'self'"
        assert _frame_ancestors(client.get("/?embed=yes")) == "'self'"
        for staff in ("/staff", "/staff/login"):
            response = client.get(staff)  # /staff signs in first: the login page
            assert response.headers["x-frame-options"] == "DENY"
            assert _frame_ancestors(response) == "'none'"


def test_development_lets_any_local_page_frame_the_widget(client: TestClient) -> None:
    assert _frame_ancestors(client.get("/?embed=1")).split() == [
        "'self'",
        "http://localhost:*",
        "http://127.0.0.1:*",
    ]


def test_production_frames_the_widget_only_for_the_configured_sites() -> None:
    with _client(**PRODUCTION) as client:
        assert _frame_ancestors(client.get("/?embed=1")) == "'self'"
    with _client(**PRODUCTION, widget_allowed_origins=f"{SITE}, https://*.example.gov.uk") as c:
        ancestors = _frame_ancestors(c.get("/?embed=1")).split()
    assert ancestors == ["'self'", SITE, "https://*.example.gov.uk"]


@pytest.mark.parametrize(
    "origins",
    [
        "http://www.example.gov.uk",  # plain http beyond this machine
        "https://www.example.gov.uk/page",
        "https://www.example.gov.uk; script-src *",
        "'unsafe-inline'",
        "*",
        "https://",
    ],
)
def test_the_allowed_sites_must_be_origins(origins: str) -> None:
    with pytest.raises(ValidationError, match="WIDGET_ALLOWED_ORIGINS"):
        Settings(database_url="sqlite://", widget_allowed_origins=origins)


def test_the_sample_page_has_the_one_tag_in_development_only(client: TestClient) -> None:
    page = client.get("/widget-demo")
    assert page.status_code == 200
    assert f'<script src="/widget.js" data-council="{_default_slug()}" defer></script>' in page.text
    # A strict policy: what the widget needs is this origin's scripts, styles and frames.
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert client.get("/widget-demo?page=2").status_code == 200
    assert client.get("/widget-demo?page=9").status_code == 404
    odd = client.get('/widget-demo?council="><b>').text
    assert 'data-council="&#34;&gt;&lt;b&gt;"' in odd
    with _client(**PRODUCTION) as production:
        assert production.get("/widget-demo").status_code == 404
