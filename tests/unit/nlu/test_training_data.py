"""Hygiene of the NLU training data in data/nlu (issue #14).

Loaded with Rasa's own loader, as training loads it. Retrieval intents count by their full
name (``council_tax/ways_to_pay``), since each key is a class of its own.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

NLU_DATA = Path(__file__).resolve().parents[3] / "data" / "nlu"
MAX_CHARACTERS = 1000
MIN_EXAMPLES = 20
URGENT_HELP = "urgent_help"


def texts_under_several_intents(data: TrainingData) -> dict[str, set[str]]:
    """Return each example text labelled with more than one intent, with those intents."""
    intents: dict[str, set[str]] = defaultdict(set)
    for message in data.intent_examples:
        intents[message.get("text")].add(message.get_full_intent())
    return {text: labels for text, labels in intents.items() if len(labels) > 1}


def too_long(data: TrainingData, limit: int = MAX_CHARACTERS) -> list[str]:
    """Return the example texts longer than ``limit`` characters."""
    return [m.get("text") for m in data.intent_examples if len(m.get("text")) > limit]


def thin_intents(data: TrainingData, minimum: int = MIN_EXAMPLES) -> dict[str, int]:
    """Return the intents with fewer than ``minimum`` examples, with their counts."""
    counts = Counter(m.get_full_intent() for m in data.intent_examples)
    return {intent: count for intent, count in counts.items() if count < minimum}


def loose_form(text: str) -> str:
    """Return ``text`` without case, punctuation or spacing differences."""
    return " ".join(re.findall(r"\w+", text.casefold().replace("'", "").replace("’", "")))


def urgent_help_elsewhere(data: TrainingData) -> dict[str, set[str]]:
    """Return urgent_help examples that, loosely compared, also sit under another intent."""
    others: dict[str, set[str]] = defaultdict(set)
    urgent: dict[str, str] = {}
    for message in data.intent_examples:
        key = loose_form(message.get("text"))
        if message.get_full_intent() == URGENT_HELP:
            urgent[key] = message.get("text")
        else:
            others[key].add(message.get_full_intent())
    return {text: others[key] for key, text in urgent.items() if key in others}


def _data(*examples: tuple[str, str]) -> TrainingData:
    return TrainingData([Message(data={"text": t, "intent": i}) for t, i in examples])


@pytest.fixture(scope="module")
def training_data() -> TrainingData:
    return load_data(str(NLU_DATA))


def test_the_training_data_is_loaded(training_data: TrainingData) -> None:
    assert len(training_data.intent_examples) > 1000
    assert URGENT_HELP in training_data.intents


def test_no_example_text_is_under_two_intents(training_data: TrainingData) -> None:
    assert texts_under_several_intents(training_data) == {}


def test_no_example_is_longer_than_the_limit(training_data: TrainingData) -> None:
    assert too_long(training_data) == []


def test_every_intent_has_enough_examples(training_data: TrainingData) -> None:
    assert thin_intents(training_data) == {}


def test_urgent_help_examples_are_under_no_other_intent(training_data: TrainingData) -> None:
    assert urgent_help_elsewhere(training_data) == {}


def test_the_checks_find_what_they_look_for() -> None:
    data = _data(
        ("pay my council tax", "council_tax"),
        ("pay my council tax", "out_of_scope"),
        ("I've nowhere to sleep tonight!", URGENT_HELP),
        ("ive nowhere to sleep tonight", "out_of_scope"),
        ("x" * (MAX_CHARACTERS + 1), "out_of_scope"),
    )
    assert texts_under_several_intents(data) == {
        "pay my council tax": {"council_tax", "out_of_scope"}
    }
    assert too_long(data) == ["x" * (MAX_CHARACTERS + 1)]
    assert thin_intents(data) == {"council_tax": 1, "out_of_scope": 3, URGENT_HELP: 1}
    assert urgent_help_elsewhere(data) == {"I've nowhere to sleep tonight!": {"out_of_scope"}}


def test_the_checks_pass_clean_data() -> None:
    data = _data(*[(f"example {n}", "greet") for n in range(MIN_EXAMPLES)])
    assert texts_under_several_intents(data) == {}
    assert too_long(data) == []
    assert thin_intents(data) == {}
    assert urgent_help_elsewhere(data) == {}
