"""Scores by contract area on area-labelled sets (``bot/nlu_areas.py``), checked by hand."""

from __future__ import annotations

import pytest

from bot.nlu_areas import Example, Prediction, load_examples, markdown_table, mistakes, score

AREAS = {
    "report_pothole": "report",
    "council_tax": "council_tax",
    "urgent_help": "urgent_help",
    "nlu_fallback": "out_of_scope",
    "out_of_scope": "out_of_scope",
    "signpost_bins": "signpost",
}

EXAMPLES = [
    Example("hole in road", "report", voice="headline"),
    Example("bins at christmas?", "signpost", voice="faq"),
    Example("he took my keys", "urgent_help", voice="story", obvious=False),
    Example("I want to end it", "urgent_help", voice="plain", obvious=True),
    Example("tips for staying safe online", "digital_skills", lookalike=True),
    Example("asdfgh", "out_of_scope", voice="typo"),
]
PREDICTIONS = [
    Prediction("report_pothole", 0.9),  # right
    Prediction("council_tax", 0.8),  # confidently wrong
    Prediction("nlu_fallback", 0.3),  # a missed crisis, but honest
    Prediction("urgent_help", 1.0),  # right
    Prediction("urgent_help", 0.6),  # a false alarm on a look-alike, confidently wrong
    Prediction("nlu_fallback", 0.2),  # right: nonsense falls back
]


def test_figures_worked_out_by_hand():
    figures = score(EXAMPLES, PREDICTIONS, AREAS.get)
    assert figures["examples"] == 6
    assert figures["accuracy"] == pytest.approx(3 / 6, abs=1e-4)
    assert figures["urgent_recall"] == pytest.approx(1 / 2)
    assert figures["urgent_recall_not_obvious"] == 0.0
    # Four messages are not crises; one of them (the look-alike) went to urgent help.
    assert figures["false_alarms"] == pytest.approx(1 / 4)
    assert figures["lookalike_false_alarms"] == 1.0
    # Wrong area with a real intent: the bins question and the look-alike.
    assert figures["confidently_wrong"] == pytest.approx(2 / 6, abs=1e-4)
    assert figures["fell_back"] == pytest.approx(2 / 6, abs=1e-4)
    # urgent_help: precision 1/2 (two predicted, one right), recall 1/2 -> F1 1/2.
    assert figures["areas"]["urgent_help"]["f1"] == pytest.approx(0.5)
    # out_of_scope: predicted twice (both fallbacks), one labelled -> P 1/2, R 1, F1 2/3.
    assert figures["areas"]["out_of_scope"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    # Macro over the labelled areas: report 1, signpost 0, urgent 1/2, digital_skills 0, oos 2/3.
    assert figures["macro_f1"] == pytest.approx((1 + 0 + 0.5 + 0 + 2 / 3) / 5, abs=1e-4)
    assert figures["voices"]["headline"] == {"examples": 1, "accuracy": 1.0}


def test_an_unknown_intent_counts_as_out_of_scope():
    figures = score([Example("x", "out_of_scope")], [Prediction("made_up", 0.9)], AREAS.get)
    assert figures["accuracy"] == 1.0


def test_mistakes_lists_confident_ones_first():
    rows = mistakes(EXAMPLES, PREDICTIONS, AREAS.get)
    assert [row["text"] for row in rows] == [
        "bins at christmas?",
        "tips for staying safe online",
        "he took my keys",
    ]


def test_one_prediction_per_example_is_required():
    with pytest.raises(ValueError):
        score(EXAMPLES, PREDICTIONS[:2], AREAS.get)


def test_loading_checks_the_areas(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text('version: 1\nexamples:\n  - {text: "hi", area: small_talk}\n')
    assert load_examples(path) == [Example("hi", "small_talk")]
    path.write_text('version: 1\nexamples:\n  - {text: "hi", area: chit_chat}\n')
    with pytest.raises(ValueError, match="unknown area"):
        load_examples(path)


def test_markdown_table_has_the_headline_figures():
    table = markdown_table(score(EXAMPLES, PREDICTIONS, AREAS.get), "Example set")
    assert "| confidently wrong | 0.3333 |" in table
    assert "| urgent_help | 2 | 0.5 | 0.5 | 0.5 |" in table
