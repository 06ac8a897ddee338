"""The real-style held-out sets are well formed: areas, voices, spread and no repeats.

`tests/nlu/real_style.yml` and `tests/nlu/crisis_languages.yml` measure the NLU; these
tests keep them honest as people add to them (a misspelt area, a copied line, a crisis
message that creeps back to the obvious words, a reference no resident could be given).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lib.references import REFERENCE_PREFIXES, find_references
from lib.yaml_files import load_yaml

NLU_TESTS = Path(__file__).resolve().parents[2] / "nlu"
REAL_STYLE = NLU_TESTS / "real_style.yml"
CRISIS_LANGUAGES = NLU_TESTS / "crisis_languages.yml"

AREAS = {
    "report",
    "check_report_status",
    "council_tax",
    "universal_credit",
    "find",
    "book",
    "broadband",
    "digital_skills",
    "human_handoff",
    "urgent_help",
    "signpost",
    "out_of_scope",
    "small_talk",
}
VOICES = {"headline", "story", "faq", "forum", "slang", "typo", "voice", "plain"}
MIN_PER_AREA = {
    "report": 130,
    "check_report_status": 30,
    "council_tax": 60,
    "universal_credit": 50,
    "find": 50,
    "book": 25,
    "broadband": 25,
    "digital_skills": 30,
    "human_handoff": 25,
    "urgent_help": 100,
    "signpost": 80,
    "out_of_scope": 90,
    "small_talk": 30,
}
PROBLEMS = {
    "pothole",
    "streetlight",
    "fly_tipping",
    "graffiti",
    "drain",
    "pavement",
    "litter",
    "dog_fouling",
    "abandoned_vehicle",
    "tree",
    "debris",
    "sign",
    "bollard_railing",
    "dead_animal",
}
TOPICS = {
    "bins",
    "bin_request",
    "parking",
    "noise",
    "housing_repair",
    "planning",
    "registration",
    "schools",
    "contact",
    "capabilities",
    "help",
}
KINDS = {"homeless", "domestic_abuse", "self_harm", "child_at_risk", "adult_at_risk", "no_food"}
# Words (and stems) a crisis message marked `obvious: false` must never use.
OBVIOUS_CRISIS_WORDS = re.compile(
    r"suicid|abus|homeless|\bkill|\bhit me\b|self[- ]?harm|hurt myself|food ?bank|end my life"
    r"|violen",
    re.IGNORECASE,
)
# Anything shaped like a reference, whether or not its characters are valid.
REFERENCE_LIKE = re.compile(
    r"(?<!\w)(?:" + "|".join(REFERENCE_PREFIXES) + r")(?:\s*[-\u2013]\s*|\s+)?[A-Z0-9]{6}(?!\w)",
    re.IGNORECASE,
)
LANGUAGES = {"pl", "ro", "sk", "ur", "pa", "bn", "ar"}
# The script each language is usually written in (Unicode character-name prefix).
USUAL_SCRIPT = {
    "pl": "LATIN",
    "ro": "LATIN",
    "sk": "LATIN",
    "ur": "ARABIC",
    "pa": "GURMUKHI",
    "bn": "BENGALI",
    "ar": "ARABIC",
}
SCRIPT_NAMES = {"Arab": "ARABIC", "Guru": "GURMUKHI", "Beng": "BENGALI", "Latn": "LATIN"}

COMMON_FIELDS = {"text", "area", "voice"}
OPTIONAL_FIELDS = {
    "obvious": "urgent_help",
    "kind": "urgent_help",
    "problem": "report",
    "topic": "signpost",
    "nonsense": "out_of_scope",
    "lookalike": None,
}


def _load(path: Path) -> list[dict[str, Any]]:
    document = load_yaml(path.read_text(encoding="utf-8"))
    assert document["version"] == 1
    return document["examples"]


@pytest.fixture(scope="module")
def real_style() -> list[dict[str, Any]]:
    return _load(REAL_STYLE)


@pytest.fixture(scope="module")
def crisis_languages() -> list[dict[str, Any]]:
    return _load(CRISIS_LANGUAGES)


def _check_fields(example: dict[str, Any], extra: set[str]) -> None:
    fields = set(example)
    assert COMMON_FIELDS <= fields, example
    assert fields <= COMMON_FIELDS | set(OPTIONAL_FIELDS) | extra, example
    assert isinstance(example["text"], str) and example["text"].strip(), example
    assert example["area"] in AREAS, example
    assert example["voice"] in VOICES, example
    for field, only_in in OPTIONAL_FIELDS.items():
        if field in example and only_in is not None:
            assert example["area"] == only_in, f"{field} belongs to {only_in}: {example}"
    if example["area"] == "urgent_help":
        assert isinstance(example.get("obvious"), bool), example
        assert example.get("kind") in KINDS, example
        assert "lookalike" not in example, example
    if example["area"] == "report":
        assert example.get("problem") in PROBLEMS, example
    if example["area"] == "signpost":
        assert example.get("topic") in TOPICS, example
    for flag in ("lookalike", "nonsense"):
        if flag in example:
            assert example[flag] is True, example


def test_every_example_has_valid_fields(real_style: list[dict[str, Any]]) -> None:
    for example in real_style:
        _check_fields(example, extra=set())


def test_every_language_example_has_valid_fields(
    crisis_languages: list[dict[str, Any]],
) -> None:
    for example in crisis_languages:
        _check_fields(example, extra={"language", "script"})
        assert example["language"] in LANGUAGES, example


def test_minimum_examples_per_area(real_style: list[dict[str, Any]]) -> None:
    counts = Counter(example["area"] for example in real_style)
    short = {area: counts[area] for area, least in MIN_PER_AREA.items() if counts[area] < least}
    assert not short, f"fewer examples than required: {short}"


def test_every_area_mixes_voices(real_style: list[dict[str, Any]]) -> None:
    voices_by_area: dict[str, set[str]] = {}
    for example in real_style:
        voices_by_area.setdefault(example["area"], set()).add(example["voice"])
    thin = {area: sorted(voices) for area, voices in voices_by_area.items() if len(voices) < 4}
    assert not thin, f"areas written in fewer than four voices: {thin}"


def test_reports_cover_every_street_problem(real_style: list[dict[str, Any]]) -> None:
    reports = [e for e in real_style if e["area"] == "report"]
    counts = Counter(e["problem"] for e in reports)
    assert {p: counts[p] for p in PROBLEMS if counts[p] < 6} == {}
    assert sum(e["voice"] == "headline" for e in reports) >= 30


def test_signposts_cover_every_topic(real_style: list[dict[str, Any]]) -> None:
    counts = Counter(e["topic"] for e in real_style if e["area"] == "signpost")
    assert {t: counts[t] for t in TOPICS if counts[t] < 6} == {}
    texts = {e["text"].lower() for e in real_style if e["area"] == "signpost"}
    assert "will my bins still be collected over christmas" in texts
    assert "my neighbours dog barks all night" in texts


def test_crisis_messages_cover_every_kind_mostly_without_obvious_words(
    real_style: list[dict[str, Any]],
) -> None:
    crisis = [e for e in real_style if e["area"] == "urgent_help"]
    not_obvious = [e for e in crisis if not e["obvious"]]
    assert len(not_obvious) * 2 >= len(crisis)
    kinds = Counter(e["kind"] for e in crisis)
    hidden_kinds = Counter(e["kind"] for e in not_obvious)
    assert {k: kinds[k] for k in KINDS if kinds[k] < 10} == {}
    assert {k: hidden_kinds[k] for k in KINDS if hidden_kinds[k] < 5} == {}
    slips = [e["text"] for e in not_obvious if OBVIOUS_CRISIS_WORDS.search(e["text"])]
    assert not slips, f"marked obvious: false but uses an obvious word: {slips}"


def test_benign_lookalikes_and_nonsense(real_style: list[dict[str, Any]]) -> None:
    lookalikes = [e for e in real_style if e.get("lookalike")]
    assert len(lookalikes) >= 50
    assert len({e["area"] for e in lookalikes}) >= 6
    assert sum(bool(e.get("nonsense")) for e in real_style) >= 15


def test_each_language_has_crisis_and_benign_messages_in_its_script(
    crisis_languages: list[dict[str, Any]],
) -> None:
    for language in LANGUAGES:
        examples = [e for e in crisis_languages if e["language"] == language]
        usual = [e for e in examples if "script" not in e]
        assert sum(e["area"] == "urgent_help" for e in usual) >= 4, language
        assert sum(e["area"] != "urgent_help" for e in usual) >= 3, language
    for example in crisis_languages:
        expected = (
            SCRIPT_NAMES[example["script"]]
            if "script" in example
            else USUAL_SCRIPT[example["language"]]
        )
        letters = [ch for ch in example["text"] if ch.isalpha()]
        assert letters, example
        assert all(unicodedata.name(ch).startswith(expected) for ch in letters), example


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def test_no_duplicate_texts(
    real_style: list[dict[str, Any]], crisis_languages: list[dict[str, Any]]
) -> None:
    counts = Counter(_normalised(e["text"]) for e in real_style + crisis_languages)
    assert [text for text, n in counts.items() if n > 1] == []


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _word_edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, word_a in enumerate(a, start=1):
        current = [i]
        for j, word_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word_a != word_b))
            )
        previous = current
    return previous[-1]


def _edits_allowed(length: int) -> int:
    """How many words two messages must differ by, at most, to count as one message."""
    if length < 4:
        return 0
    return 1 if length < 7 else 2


def test_no_two_examples_differ_by_only_a_word_or_two(
    real_style: list[dict[str, Any]],
) -> None:
    words = [_words(e["text"]) for e in real_style]
    vocabularies = [set(w) for w in words]
    # Messages without words (emoji, symbols) are left to the exact-duplicate test.
    order = sorted((i for i in range(len(words)) if words[i]), key=lambda i: len(words[i]))
    too_close = []
    for position, i in enumerate(order):
        for j in order[position + 1 :]:
            allowed = _edits_allowed(len(words[j]))
            if len(words[j]) - len(words[i]) > allowed:
                break
            # One edit changes the set of words by at most two; skip clearly different pairs.
            if len(vocabularies[i] ^ vocabularies[j]) > 2 * allowed:
                continue
            if _word_edit_distance(words[i], words[j]) <= allowed:
                too_close.append((real_style[i]["text"], real_style[j]["text"]))
    assert too_close == []


def test_references_are_ones_a_resident_could_be_given(
    real_style: list[dict[str, Any]],
) -> None:
    quoted = 0
    for example in real_style:
        shaped = REFERENCE_LIKE.findall(example["text"])
        assert len(find_references(example["text"])) == len(shaped), example
        quoted += len(shaped)
    assert quoted >= 15
