"""NLU evaluation: held-out set and k-fold cross-validation, with a summary to keep.

``python -m bot.nlu_eval [--cross-validation] [--folds 5]`` (``make eval``) writes Rasa's
reports to ``results/`` and a short ``results/nlu-summary.md``. The held-out set
(``tests/nlu/heldout.yml``) is never trained on; cross-validation trains on folds of
``data/nlu`` only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import REPO_ROOT, Settings
from bot.training import ensure_model

AVERAGES = {"micro avg", "macro avg", "weighted avg", "accuracy"}


def _rasa(*args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "rasa", *args], cwd=REPO_ROOT, env=env, check=True)


def summarise(report_path: Path) -> dict:
    """Weighted F1 and the five weakest intents of a Rasa ``intent_report.json``."""
    report = json.loads(report_path.read_text())
    per_intent = {
        name: values
        for name, values in report.items()
        if isinstance(values, dict) and name not in AVERAGES
    }
    weakest = sorted((v["f1-score"], k) for k, v in per_intent.items())[:5]
    return {
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "accuracy": round(
            report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0)), 4
        ),
        "examples": report["weighted avg"]["support"],
        "weakest": [{"intent": k, "f1": round(f, 3)} for f, k in weakest],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the evaluations and write the summary."""
    parser = argparse.ArgumentParser(prog="python -m bot.nlu_eval")
    parser.add_argument("--cross-validation", action="store_true", help="also run k-fold CV")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    out = REPO_ROOT / "results"
    model = ensure_model(Settings().models_dir)
    _rasa("test", "nlu", "--model", str(model), "--nlu", "tests/nlu/heldout.yml",
          "--out", str(out / "heldout"))  # fmt: skip
    summary = {"heldout": summarise(out / "heldout" / "intent_report.json")}
    if args.cross_validation:
        _rasa("test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
              "--folds", str(args.folds), "--out", str(out / "cross-validation"))  # fmt: skip
        summary["cross_validation"] = summarise(out / "cross-validation" / "intent_report.json")
    (out / "nlu-summary.json").write_text(json.dumps(summary, indent=2))
    lines = [
        "| evaluation | examples | weighted F1 | macro F1 | weakest intents |",
        "|---|---|---|---|---|",
    ]
    for name, values in summary.items():
        weakest = ", ".join(f"{w['intent']} {w['f1']}" for w in values["weakest"])
        cells = [name, values["examples"], values["weighted_f1"], values["macro_f1"], weakest]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    (out / "nlu-summary.md").write_text("\n".join(lines) + "\n")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
