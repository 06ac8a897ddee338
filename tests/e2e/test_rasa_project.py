"""Rasa's own checks: data validation, held-out NLU evaluation, conversation tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlu_eval import area_scores, predictions
from bot.outcomes import load_rules
from bot.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO_ROOT / "test-artifacts"
MIN_HELDOUT_INTENT_F1 = 0.90
# By the contract's intent areas (a council tax question read as a council tax transaction
# is still the right journey), and how many crisis messages reach urgent help.
MIN_HELDOUT_AREA_F1 = 0.93
MIN_URGENT_HELP_RECALL = 0.90


def _rasa(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_rasa_data_validate_is_clean():
    result = _rasa(
        "data", "validate", "--domain", "domain", "--data", "data", "--config", "config.yml",
        "--fail-on-warnings",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_heldout_nlu_intent_f1(trained_model: Path):
    out = ARTIFACTS / "nlu-heldout"
    result = _rasa(
        "test", "nlu", "--model", str(trained_model), "--nlu", "tests/nlu/heldout.yml",
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
    (ARTIFACTS / "nlu-heldout-summary.json").write_text(
        json.dumps({"weighted_f1": f1, "worst_intents": worst, "areas": areas}, indent=2)
    )
    assert f1 >= MIN_HELDOUT_INTENT_F1, f"held-out intent F1 {f1:.3f}; worst: {worst}"
    assert areas["weighted_f1"] >= MIN_HELDOUT_AREA_F1, areas
    assert areas["recall"]["urgent_help"] >= MIN_URGENT_HELP_RECALL, areas


def test_conversation_stories(trained_model: Path):
    out = ARTIFACTS / "conversations"
    result = _rasa(
        "test", "core", "--model", str(trained_model), "--stories", "tests/conversations",
        "--out", str(out), "--fail-on-prediction-errors",
    )  # fmt: skip
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text()[-4000:] if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, detail
