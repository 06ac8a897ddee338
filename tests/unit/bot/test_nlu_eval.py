"""Held-out scoring by the contract's intent areas (``bot/nlu_eval.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.nlu_eval import answer_scores, area_scores, predictions
from bot.settings import REPO_ROOT
from workers.outcomes import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules(REPO_ROOT / "kb" / "insight" / "outcomes.yml")


def test_predictions_read_successes_and_errors_with_retrieval_intents_by_base_name(
    tmp_path: Path,
) -> None:
    (tmp_path / "intent_successes.json").write_text(json.dumps([
        {"text": "a", "intent": "council_tax/instalments",
         "intent_prediction": {"name": "council_tax", "confidence": 0.9}},
    ]))  # fmt: skip
    (tmp_path / "intent_errors.json").write_text(json.dumps([
        {"text": "b", "intent": "urgent_help",
         "intent_prediction": {"name": "digital_skills/online_safety", "confidence": 0.8}},
        {"text": "c", "intent": "greet", "intent_prediction": None},
    ]))  # fmt: skip
    assert predictions(tmp_path) == [
        ("council_tax", "council_tax"),
        ("urgent_help", "digital_skills"),
        ("greet", "nlu_fallback"),
    ]


def test_a_wrong_intent_in_the_right_area_counts_as_right(rules) -> None:
    pairs = [
        ("council_tax", "council_tax_change_instalments"),  # same area
        ("council_tax_apply_discount", "council_tax"),  # same area
        ("urgent_help", "urgent_help"),
        ("urgent_help", "digital_skills"),  # a crisis missed
        ("out_of_scope", "nlu_fallback"),  # both "not a council matter"
        ("find_pc", "book_pc"),  # different areas
    ]
    scores = area_scores(pairs, rules)
    assert scores["recall"]["council_tax"] == 1.0
    assert scores["recall"]["urgent_help"] == 0.5
    assert scores["recall"]["out_of_scope"] == 1.0
    assert scores["recall"]["find"] == 0.0
    assert scores["examples"] == 6
    # By hand: per-area F1 council_tax 1 (2), urgent_help 2/3 (2), out_of_scope 1 (1), find 0 (1)
    assert scores["weighted_f1"] == pytest.approx((2 * 1 + 2 * (2 / 3) + 1 * 1 + 0) / 6, abs=1e-4)


def test_an_faq_answer_counts_only_for_a_question_read_as_its_retrieval_intent(
    tmp_path: Path,
) -> None:
    (tmp_path / "intent_successes.json").write_text(json.dumps([
        {"text": "students?", "intent": "council_tax",
         "intent_prediction": {"name": "council_tax", "confidence": 0.9}},
        {"text": "pay?", "intent": "council_tax",
         "intent_prediction": {"name": "council_tax", "confidence": 0.9}},
    ]))  # fmt: skip
    (tmp_path / "intent_errors.json").write_text(json.dumps([
        {"text": "12 months?", "intent": "council_tax",
         "intent_prediction": {"name": "council_tax_change_instalments", "confidence": 0.6}},
    ]))  # fmt: skip
    (tmp_path / "response_selection_successes.json").write_text(json.dumps([
        {"text": "students?", "intent_response_key_target": "council_tax/students",
         "intent_response_key_prediction": {"name": "council_tax/students"}},
        {"text": "hello", "intent_response_key_target": "",
         "intent_response_key_prediction": {"name": ""}},
    ]))  # fmt: skip
    (tmp_path / "response_selection_errors.json").write_text(json.dumps([
        {"text": "pay?", "intent_response_key_target": "council_tax/ways_to_pay",
         "intent_response_key_prediction": {"name": "council_tax/reduction"}},
        {"text": "12 months?", "intent_response_key_target": "council_tax/instalments",
         "intent_response_key_prediction": {"name": ""}},
    ]))  # fmt: skip
    scores = answer_scores(tmp_path)
    assert (scores["questions"], scores["reached"], scores["right"]) == (3, 2, 1)
    assert scores["accuracy"] == 0.5 and scores["answered"] == pytest.approx(0.3333)
    assert scores["wrong"] == [("pay?", "council_tax/ways_to_pay", "council_tax/reduction")]
