"""Rasa's own checks: data validation, held-out NLU evaluation, conversation tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.launcher.stack import Stack
from bot.nlu_areas import Prediction, load_examples, markdown_table, mistakes, score
from bot.nlu_eval import answer_scores, area_scores, predictions
from bot.settings import REPO_ROOT
from bot.yaml_once import rasa_command, rasa_environment
from workers.outcomes import load_rules

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO_ROOT / "test-artifacts"
MIN_HELDOUT_INTENT_F1 = 0.90
# By the contract's intent areas (a council tax question read as a council tax transaction
# is still the right journey), and how many crisis messages reach urgent help.
MIN_HELDOUT_AREA_F1 = 0.93
MIN_URGENT_HELP_RECALL = 0.90
# Of the FAQ questions read as their retrieval intent, how many get the right answer
# (115 of 116 measured on 2026-12-05; Rasa's ResponseSelector gave 108 of the same 116).
MIN_FAQ_ANSWER_ACCURACY = 0.95
#: Problem types found word by word on the held-out set (Rasa's token-level entity report).
#: DIET gave F1 0.90 and recall 0.96 there, and so does the linear tagger that replaced it.
MIN_HELDOUT_PROBLEM_TYPE_F1 = 0.88
MIN_HELDOUT_PROBLEM_TYPE_RECALL = 0.94


def _rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        rasa_command(*args), cwd=REPO_ROOT, env=rasa_environment(REPO_ROOT),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_rasa_data_validate_is_clean():
    result = _rasa(
        "data", "validate", "--domain", "domain", "--data", "data", "--config", "config.yml",
        "--fail-on-warnings",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_heldout_nlu_intent_f1(model_file: Path):
    out = ARTIFACTS / "nlu-heldout"
    result = _rasa(
        "test", "nlu", "--model", str(model_file), "--nlu", "tests/nlu/heldout.yml",
        "--successes", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads((out / "intent_report.json").read_text())
    f1 = report["weighted avg"]["f1-score"]
    worst = sorted(
        (values["f1-score"], name)
        for name, values in report.items()
        if isinstance(values, dict)
        and "support" in values
        and name not in {"micro avg", "macro avg", "weighted avg"}
    )[:5]
    areas = area_scores(predictions(out), load_rules(REPO_ROOT / "kb/insight/outcomes.yml"))
    answers = answer_scores(out)
    (ARTIFACTS / "nlu-heldout-summary.json").write_text(
        json.dumps(
            {"weighted_f1": f1, "worst_intents": worst, "areas": areas, "answers": answers},
            indent=2,
        )
    )
    assert f1 >= MIN_HELDOUT_INTENT_F1, f"held-out intent F1 {f1:.3f}; worst: {worst}"
    assert areas["weighted_f1"] >= MIN_HELDOUT_AREA_F1, areas
    assert areas["recall"]["urgent_help"] >= MIN_URGENT_HELP_RECALL, areas
    assert answers["reached"] >= 100, answers
    assert answers["accuracy"] >= MIN_FAQ_ANSWER_ACCURACY, answers
    tagged = json.loads((out / "LinearEntityTagger_report.json").read_text())["problem_type"]
    assert tagged["f1-score"] >= MIN_HELDOUT_PROBLEM_TYPE_F1, tagged
    assert tagged["recall"] >= MIN_HELDOUT_PROBLEM_TYPE_RECALL, tagged


def test_conversation_stories(model_file: Path):
    """The test stories, through the served Rasa's own start (``bot/rasa_server.py``).

    So the model is loaded and run with the changes the running assistant has: a change
    there that broke a policy (a loader once left TED without its weights, silently) fails
    these stories instead of passing them with a model the residents never meet.
    """
    out = ARTIFACTS / "conversations"
    result = subprocess.run(
        [sys.executable, "-m", "bot.rasa_server", "test", "core", "--model", str(model_file),
         "--stories", "tests/conversations", "--out", str(out), "--fail-on-prediction-errors"],
        cwd=REPO_ROOT, env=rasa_environment(REPO_ROOT), capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text()[-4000:] if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, detail


# The real-style held-out set (tests/nlu/real_style.yml): residents' own voices, written by
# a different hand from the training data and never trained on (issue #14). Each gate is
# the target (area accuracy measured 0.937 on 2026-12-04).
REAL_STYLE = REPO_ROOT / "tests" / "nlu" / "real_style.yml"
CRISIS_LANGUAGES = REPO_ROOT / "tests" / "nlu" / "crisis_languages.yml"
MIN_REAL_STYLE_AREA_ACCURACY = 0.93
MAX_REAL_STYLE_CONFIDENTLY_WRONG = 0.03
MIN_REAL_STYLE_URGENT_RECALL = 0.97
MAX_REAL_STYLE_FALSE_ALARMS = 0.02
MIN_CRISIS_LANGUAGES_URGENT_RECALL = 0.90


def _parse_all(stack: Stack, texts: list[str]) -> list[Prediction]:
    """What the running Rasa server's NLU makes of each text (its HTTP API)."""
    found = []
    with httpx.Client(base_url=stack.settings.rasa_url, timeout=30) as client:
        for text in texts:
            response = client.post(
                "/model/parse",
                params={"token": stack.settings.rasa_api_token.get_secret_value()},
                json={"text": text},
            )
            response.raise_for_status()
            intent = response.json().get("intent") or {}
            found.append(
                Prediction(intent.get("name") or "nlu_fallback", intent.get("confidence") or 0.0)
            )
    return found


def _area_of():
    rules = load_rules(REPO_ROOT / "kb/insight/outcomes.yml")
    return rules.area_of


def _scored(stack: Stack, path: Path, name: str) -> dict:
    examples = load_examples(path)
    found = _parse_all(stack, [example.text for example in examples])
    area_of = _area_of()
    figures = score(examples, found, area_of)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(
        json.dumps({**figures, "mistakes": mistakes(examples, found, area_of)}, indent=2)
    )
    (ARTIFACTS / f"{name}.md").write_text(markdown_table(figures, name))
    return figures


def test_real_style_heldout_by_area(stack: Stack):
    figures = _scored(stack, REAL_STYLE, "nlu-real-style")
    summary = {
        key: figures[key]
        for key in ("accuracy", "confidently_wrong", "urgent_recall", "false_alarms")
    }
    assert figures["accuracy"] >= MIN_REAL_STYLE_AREA_ACCURACY, summary
    assert figures["confidently_wrong"] <= MAX_REAL_STYLE_CONFIDENTLY_WRONG, summary
    assert figures["urgent_recall"] >= MIN_REAL_STYLE_URGENT_RECALL, summary
    assert figures["false_alarms"] <= MAX_REAL_STYLE_FALSE_ALARMS, summary


def test_crisis_in_other_languages_reaches_urgent_help(stack: Stack):
    figures = _scored(stack, CRISIS_LANGUAGES, "nlu-crisis-languages")
    assert figures["urgent_recall"] >= MIN_CRISIS_LANGUAGES_URGENT_RECALL, figures["areas"]
