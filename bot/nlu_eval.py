"""NLU evaluation: held-out set and k-fold cross-validation, with a summary to keep.

``python -m bot.nlu_eval [--cross-validation] [--folds 5]`` (``make eval``) writes Rasa's
reports to ``results/`` and a short ``results/nlu-summary.md``. Neither held-out set is
ever trained on: ``tests/nlu/heldout.yml`` (the team's own, by intent) and
``tests/nlu/real_style.yml`` (residents' own voices, by contract area, scored with
:mod:`bot.nlu_areas`, plus ``tests/nlu/crisis_languages.yml``); cross-validation trains on
folds of ``data/nlu`` only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bot.nlu_areas import Prediction, load_examples, markdown_table, mistakes, score
from bot.settings import REPO_ROOT, Settings
from bot.training import ensure_model
from bot.yaml_once import rasa_command, rasa_environment
from workers.outcomes import OutcomeRules, load_rules

AVERAGES = {"micro avg", "macro avg", "weighted avg", "accuracy"}


def _rasa(*args: str) -> None:
    subprocess.run(rasa_command(*args), cwd=REPO_ROOT, env=rasa_environment(REPO_ROOT), check=True)


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


def _rows(out_dir: Path, kind: str) -> list[dict]:
    """The rows of ``<kind>_successes.json`` then ``<kind>_errors.json`` (``rasa test nlu``)."""
    rows: list[dict] = []
    for name in (f"{kind}_successes.json", f"{kind}_errors.json"):
        path = out_dir / name
        rows += json.loads(path.read_text()) if path.exists() else []
    return rows


def predictions(out_dir: Path) -> list[tuple[str, str]]:
    """(labelled intent, predicted intent) of every example of a ``rasa test nlu --successes``.

    Retrieval intents are compared by their base name, as Rasa's own report does.
    """
    pairs = []
    for row in _rows(out_dir, "intent"):
        predicted = (row.get("intent_prediction") or {}).get("name") or "nlu_fallback"
        pairs.append((str(row["intent"]).split("/")[0], str(predicted).split("/")[0]))
    return pairs


def answer_scores(out_dir: Path) -> dict:
    """How well FAQ questions were answered, from a ``rasa test nlu --successes`` folder.

    A resident hears the selector's answer only when the question's intent was read as its
    retrieval intent (``council_tax`` for ``council_tax/students``): Rasa's
    ``utter_council_tax`` reads the choice then, and never otherwise. So this counts, of
    the labelled FAQ questions, those read as their retrieval intent (``reached``) and,
    of those, the ones given the right answer (``right``).

    Returns:
        ``questions``, ``reached``, ``right``, ``accuracy`` (right of reached),
        ``answered`` (right of questions) and the ``wrong`` answers, as
        ``(text, labelled, chosen)``.
    """
    intents = {
        row["text"]: str((row.get("intent_prediction") or {}).get("name") or "")
        for row in _rows(out_dir, "intent")
    }
    questions = reached = right = 0
    wrong = []
    for row in _rows(out_dir, "response_selection"):
        labelled = str(row.get("intent_response_key_target") or "")
        if "/" not in labelled:
            continue
        questions += 1
        if intents.get(row["text"]) != labelled.split("/")[0]:
            continue
        reached += 1
        chosen = str((row.get("intent_response_key_prediction") or {}).get("name") or "")
        if chosen == labelled:
            right += 1
        else:
            wrong.append((row["text"], labelled, chosen))
    return {
        "questions": questions,
        "reached": reached,
        "right": right,
        "accuracy": round(right / reached, 4) if reached else 0.0,
        "answered": round(right / questions, 4) if questions else 0.0,
        "wrong": wrong,
    }


def area_scores(pairs: list[tuple[str, str]], rules: OutcomeRules) -> dict:
    """Scores by the contract's intent areas: a wrong intent in the right area counts as right.

    Returns the weighted F1 over areas and each area's recall (how many of its messages
    were put in the area), so a safety area such as ``urgent_help`` can be gated on its own.
    """
    from sklearn.metrics import f1_score

    def area(intent: str) -> str:
        return rules.area_of(intent) or "out_of_scope"

    truth = [area(labelled) for labelled, _ in pairs]
    guess = [area(predicted) for _, predicted in pairs]
    recall = {
        name: round(
            sum(1 for t, g in zip(truth, guess, strict=True) if t == name == g) / truth.count(name),
            4,
        )
        for name in sorted(set(truth))
    }
    weighted = f1_score(truth, guess, average="weighted", zero_division=0)
    return {"weighted_f1": round(float(weighted), 4), "examples": len(pairs), "recall": recall}


#: Area-labelled held-out sets, scored through the trained model.
AREA_SETS = ("real_style", "crisis_languages")


def parse_with_model(model: Path, texts: list[str]) -> list[Prediction]:
    """The final intent and confidence the trained model gives each text (in this process)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[Prediction]:
        found = []
        for text in texts:
            intent = (await agent.parse_message(text)).get("intent") or {}
            found.append(
                Prediction(intent.get("name") or "nlu_fallback", intent.get("confidence") or 0.0)
            )
        return found

    return asyncio.run(parse_all())


def area_report(model: Path, rules: OutcomeRules, out: Path) -> str:
    """Score every area-labelled held-out set; write JSON and Markdown; return the Markdown."""
    sections = []
    for name in AREA_SETS:
        examples = load_examples(REPO_ROOT / "tests" / "nlu" / f"{name}.yml")
        found = parse_with_model(model, [example.text for example in examples])
        figures = score(examples, found, rules.area_of)
        wrong = mistakes(examples, found, rules.area_of)
        (out / f"{name}.json").write_text(json.dumps({**figures, "mistakes": wrong}, indent=2))
        sections.append(markdown_table(figures, f"{name}.yml"))
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluations and write the summary."""
    parser = argparse.ArgumentParser(prog="python -m bot.nlu_eval")
    parser.add_argument("--cross-validation", action="store_true", help="also run k-fold CV")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    out = REPO_ROOT / "results"
    model = ensure_model(Settings().models_dir)
    _rasa("test", "nlu", "--model", str(model), "--nlu", "tests/nlu/heldout.yml",
          "--successes", "--out", str(out / "heldout"))  # fmt: skip
    summary = {"heldout": summarise(out / "heldout" / "intent_report.json")}
    rules = load_rules(Settings().kb_dir / "insight" / "outcomes.yml")
    areas = area_scores(predictions(out / "heldout"), rules)
    answers = answer_scores(out / "heldout")
    if args.cross_validation:
        _rasa("test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
              "--folds", str(args.folds), "--out", str(out / "cross-validation"))  # fmt: skip
        summary["cross_validation"] = summarise(out / "cross-validation" / "intent_report.json")
    (out / "nlu-summary.json").write_text(
        json.dumps({**summary, "heldout_areas": areas, "heldout_answers": answers}, indent=2)
    )
    lines = [
        "| evaluation | examples | weighted F1 | macro F1 | weakest intents |",
        "|---|---|---|---|---|",
    ]
    for name, values in summary.items():
        weakest = ", ".join(f"{w['intent']} {w['f1']}" for w in values["weakest"])
        cells = [name, values["examples"], values["weighted_f1"], values["macro_f1"], weakest]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines.append("")
    lines.append(
        f"Held-out by contract area: weighted F1 {areas['weighted_f1']}; urgent help recall "
        f"{areas['recall'].get('urgent_help')}."
    )
    lines.append(
        f"FAQ answers: {answers['right']} of the {answers['reached']} questions read as their "
        f"retrieval intent got the right answer ({answers['accuracy']}); "
        f"{answers['right']} of all {answers['questions']} FAQ questions ({answers['answered']})."
    )
    lines += ["", area_report(model, rules, out)]
    (out / "nlu-summary.md").write_text("\n".join(lines) + "\n")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
