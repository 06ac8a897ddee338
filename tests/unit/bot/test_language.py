from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from bot.language import SUPPORTED, detect_language, is_right_to_left, language_tag
from bot.settings import REPO_ROOT
from lib.yaml_files import load_yaml

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "languages.yml"
EXAMPLES = load_yaml(FIXTURE.read_text(encoding="utf-8"))
SHORT_ENGLISH = [e["text"] for e in EXAMPLES if e["short"] and e["language"] == "en"]


def test_fixture_is_broad_enough():
    counts = Counter(e["language"] for e in EXAMPLES)
    assert len(EXAMPLES) >= 120
    assert len(counts) >= 9
    for code in ("en", "pl", "ro", "ur", "pa", "ar", "bn", "sk"):
        assert counts[code] >= 8, code
    assert counts["lt"] + counts["pt"] >= 8
    assert len(SHORT_ENGLISH) >= 30
    assert set(counts) <= SUPPORTED


def test_accuracy_on_labelled_messages():
    misses = [
        (e["text"], e["language"], got)
        for e in EXAMPLES
        if (got := detect_language(e["text"], current="en")) != e["language"]
    ]
    accuracy = 1 - len(misses) / len(EXAMPLES)
    assert accuracy >= 0.95, f"accuracy {accuracy:.1%}; misses: {misses}"


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english_stays_english(text):
    assert detect_language(text, current="en") == "en"


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_message_keeps_current_language(text):
    assert detect_language(text, current="pl") == "pl"


def test_ok_keeps_polish():
    assert detect_language("ok", current="pl") == "pl"


def test_slang_stays_english():
    text = "ay up duck, theres a massive pothole on me road innit"
    assert detect_language(text, current="en") == "en"


def test_clear_english_switches_back_from_polish():
    assert detect_language("I need help with my council tax bill please", current="pl") == "en"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("مجھے مدد چاہیے، میرے پاس گھر نہیں ہے", "ur"),
        ("أحتاج إلى مساعدة في السكن", "ar"),
        ("ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ", "pa"),
        ("আমার সাহায্য দরকার", "bn"),
    ],
)
def test_script_decides_non_latin(text, expected):
    assert detect_language(text, current="en") == expected


def test_unsupported_language_keeps_current():
    assert detect_language("Jag behöver hjälp med min lägenhet och hyran", current="pl") == "pl"


def test_deterministic():
    texts = [e["text"] for e in EXAMPLES[::7]]
    for text in texts:
        results = {detect_language(text, current="en") for _ in range(5)}
        assert len(results) == 1, text


def test_thread_safe_first_use():
    text = "Potrzebuję pomocy z wnioskiem o Universal Credit."
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(detect_language(text))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["pl"] * 8


@pytest.mark.parametrize("code", ["ur", "ar", "fa", "ku", "he", "UR", "pa-Arab"])
def test_right_to_left(code):
    assert is_right_to_left(code)


@pytest.mark.parametrize("code", ["en", "pl", "pa", "bn", "zh", "", None])
def test_left_to_right(code):
    assert not is_right_to_left(code)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        None,
        123,
        "👍👍👍",
        "🙂" * 500,
        "\x00\x01\x02\x7f",
        "hello\x00 world\u200b\u202e",
        "a" * 10_000,
        "Potrzebuję pomocy " * 600,
        "...!!!???",
        "\ud800",
    ],
)
def test_odd_input_does_not_crash(text):
    result = detect_language(text, current="cy")
    assert result in SUPPORTED


def test_odd_input_keeps_current():
    for text in ["", "   ", None, "👍", "\x00\x01", "12345 67890"]:
        assert detect_language(text, current="ro") == "ro"


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(document.cookie)>",
    "%s%s%s%n",
    "' OR 1=1 --",
    "{{7*7}} ${7*7}",
    "../../../../etc/passwd",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "&lt;b&gt;bold&lt;/b&gt;",
    "\u202eevil\u202c text here",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("current", ["en", "pl"])
def test_hostile_strings_never_switch_language(text, current):
    """Markup and injection strings carry no language (``<script>`` once read as Romanian)."""
    assert detect_language(text, current=current) == current


def test_both_detectors_must_agree(monkeypatch):
    """langdetect's choice alone is not enough: lingua must rank the same language first."""
    from bot import language

    sentence = "potrzebuję pomocy z podatkiem lokalnym proszę"
    assert detect_language(sentence, current="en") == "pl"
    monkeypatch.setattr(language, "_lingua_agrees", lambda text, code: False)
    assert detect_language(sentence, current="en") == "en"


SHAHMUKHI = [
    e["text"] for e in EXAMPLES if e["language"] == "pa" and "\u0600" <= e["text"][0] <= "\u06ff"
]
URDU = [e["text"] for e in EXAMPLES if e["language"] == "ur"]


def test_fixture_has_shahmukhi_punjabi():
    assert len(SHAHMUKHI) >= 10


@pytest.mark.parametrize("text", SHAHMUKHI)
def test_shahmukhi_punjabi_is_punjabi_not_urdu(text):
    assert detect_language(text, current="en") == "pa"
    assert detect_language(text, current="ur") == "pa"
    assert language_tag(text, "pa") == "pa-Arab"


@pytest.mark.parametrize("text", URDU)
def test_urdu_stays_urdu_even_in_a_punjabi_conversation(text):
    assert detect_language(text, current="en") == "ur"
    assert detect_language(text, current="pa") == "ur"


def _urdu_replies() -> list[str]:
    """The Urdu translations: long, ordinary Urdu prose the heuristic must not misread."""
    data = load_yaml((REPO_ROOT / "kb/translations/ur.yml").read_text(encoding="utf-8"))
    return [
        text for entry in data["responses"].values() for text in (entry["text"], entry["voice"])
    ]


def test_no_urdu_reply_text_reads_as_punjabi():
    misread = [t for t in _urdu_replies() if detect_language(t, current="en") == "pa"]
    assert misread == []


def test_urdu_script_without_grammar_words_keeps_a_punjabi_conversation():
    # "Council tax bill" in Urdu letters: nothing says Urdu or Punjabi.
    assert detect_language("کونسل ٹیکس بل", current="pa") == "pa"
    assert detect_language("کونسل ٹیکس بل", current="en") == "ur"


@pytest.mark.parametrize(
    "text,code,tag",
    [
        ("ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ", "pa", "pa"),
        ("مینوں مدد چاہیدی اے", "pa", "pa-Arab"),
        ("مجھے مدد چاہیے", "ur", "ur"),
        ("Potrzebuję pomocy", "pl", "pl"),
    ],
)
def test_language_tag_names_the_script_only_where_it_matters(text, code, tag):
    assert language_tag(text, code) == tag


def test_the_detectors_load_before_the_first_message(monkeypatch):
    """Issue #19: the Rasa server loads them at start, so no resident waits for them."""
    from bot import language

    monkeypatch.setattr(language, "_detect_langs", None)
    monkeypatch.setattr(language, "_lingua_detector", None)
    language.load_detectors()
    assert language._detect_langs is not None and language._lingua_detector is not None
