"""Scores of the NLU by the contract's areas, on sets labelled by area rather than intent.

``tests/nlu/real_style.yml`` is written in residents' own voices by a different hand from the
training data and labels each message with its contract area (shared/contracts.md section
4). This module reads such a set and scores predictions against it:

* **accuracy** and **macro-F1** over areas;
* **urgent-help recall**: crisis messages that reached urgent help;
* **benign false alarms**: other messages sent to urgent help (over all of them, and over
  the look-alikes written to tempt the safety net);
* **confidently wrong**: messages put in the wrong area with a real intent, i.e. at or above
  the fallback threshold (a message that falls back is honest, not confidently wrong).

Pure functions over plain values, so the figures can be checked by hand in unit tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lib.yaml_files import load_yaml

URGENT = "urgent_help"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK_INTENT = "nlu_fallback"
#: The areas a labelled example may name.
AREAS = frozenset(
    {
        "report", "check_report_status", "council_tax", "universal_credit", "find", "book",
        "broadband", "digital_skills", "human_handoff", URGENT, "signpost", OUT_OF_SCOPE,
        "small_talk",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    area: str
    voice: str = "plain"
    lookalike: bool = False
    obvious: bool | None = None
    language: str = "en"


@dataclass(frozen=True)
class Prediction:
    """What the NLU made of a message: its final intent and that intent's confidence."""

    intent: str
    confidence: float


def load_examples(path: Path) -> list[Example]:
    """Read an area-labelled set (``examples:`` of ``{text, area, ...}``).

    Raises:
        ValueError: naming the file and entry when an example is malformed.
    """
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    examples = []
    for number, entry in enumerate(data.get("examples") or [], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ValueError(f"{path}: example {number} needs a text")
        if entry.get("area") not in AREAS:
            raise ValueError(f"{path}: example {number} has unknown area {entry.get('area')!r}")
        examples.append(
            Example(
                text=entry["text"],
                area=entry["area"],
                voice=str(entry.get("voice", "plain")),
                lookalike=bool(entry.get("lookalike", False)),
                obvious=entry.get("obvious"),
                language=str(entry.get("language", "en")),
            )
        )
    return examples


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score(
    examples: list[Example],
    predictions: list[Prediction],
    area_of: Callable[[str], str | None],
) -> dict:
    """Scores by area (see the module docstring).

    Args:
        examples: The labelled messages.
        predictions: The NLU's answer for each, in the same order.
        area_of: The area of an intent (None for an intent outside every area).

    Returns:
        A dict of the figures, with per-area precision, recall and F1 and accuracy by voice.
    """
    if len(examples) != len(predictions):
        raise ValueError("one prediction per example is needed")
    truth = [example.area for example in examples]
    guess = [area_of(prediction.intent) or OUT_OF_SCOPE for prediction in predictions]
    right = [t == g for t, g in zip(truth, guess, strict=True)]
    per_area = {}
    for area in sorted(set(truth) | set(guess)):
        hits = sum(1 for t, g in zip(truth, guess, strict=True) if t == g == area)
        labelled, predicted = truth.count(area), guess.count(area)
        precision = hits / predicted if predicted else 0.0
        recall = hits / labelled if labelled else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_area[area] = {
            "examples": labelled,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    labelled_areas = sorted(set(truth))
    macro_f1 = sum(per_area[area]["f1"] for area in labelled_areas) / len(labelled_areas)
    urgent = [g == URGENT for t, g in zip(truth, guess, strict=True) if t == URGENT]
    benign = [
        (g == URGENT, example.lookalike)
        for example, g in zip(examples, guess, strict=True)
        if example.area != URGENT
    ]
    confident_wrong = sum(
        1
        for ok, prediction in zip(right, predictions, strict=True)
        if not ok and prediction.intent != FALLBACK_INTENT
    )
    by_voice: dict[str, list[bool]] = {}
    for example, ok in zip(examples, right, strict=True):
        by_voice.setdefault(example.voice, []).append(ok)
    subtle = [
        g == URGENT
        for example, g in zip(examples, guess, strict=True)
        if example.area == URGENT and example.obvious is False
    ]
    return {
        "examples": len(examples),
        "accuracy": _ratio(sum(right), len(right)),
        "macro_f1": round(macro_f1, 4),
        "urgent_recall": _ratio(sum(urgent), len(urgent)),
        "urgent_recall_not_obvious": _ratio(sum(subtle), len(subtle)),
        "false_alarms": _ratio(sum(alarm for alarm, _ in benign), len(benign)),
        "lookalike_false_alarms": _ratio(
            sum(alarm for alarm, lookalike in benign if lookalike),
            sum(1 for _, lookalike in benign if lookalike),
        ),
        "confidently_wrong": _ratio(confident_wrong, len(examples)),
        "fell_back": _ratio(
            sum(1 for prediction in predictions if prediction.intent == FALLBACK_INTENT),
            len(predictions),
        ),
        "areas": per_area,
        "voices": {
            voice: {"examples": len(oks), "accuracy": _ratio(sum(oks), len(oks))}
            for voice, oks in sorted(by_voice.items())
        },
    }


def mistakes(
    examples: Iterable[Example],
    predictions: Iterable[Prediction],
    area_of: Callable[[str], str | None],
) -> list[dict]:
    """The misread messages, worst first (confident ones before fallbacks)."""
    rows = []
    for example, prediction in zip(examples, predictions, strict=True):
        area = area_of(prediction.intent) or OUT_OF_SCOPE
        if area != example.area:
            rows.append(
                {
                    "text": example.text,
                    "area": example.area,
                    "predicted": prediction.intent,
                    "confidence": round(prediction.confidence, 3),
                }
            )
    return sorted(rows, key=lambda row: -row["confidence"])


def markdown_table(figures: dict, title: str) -> str:
    """The figures as a short Markdown table for the README and ``results/``."""
    lines = [
        f"**{title}** ({figures['examples']} messages)",
        "",
        "| measure | value |",
        "| --- | --- |",
    ]
    for key, label in (
        ("accuracy", "area accuracy"),
        ("macro_f1", "macro-F1 over areas"),
        ("confidently_wrong", "confidently wrong"),
        ("urgent_recall", "urgent-help recall"),
        ("urgent_recall_not_obvious", "urgent-help recall, no obvious words"),
        ("false_alarms", "benign false alarms (all other messages)"),
        ("lookalike_false_alarms", "benign false alarms (look-alikes)"),
        ("fell_back", "fell back"),
    ):
        lines.append(f"| {label} | {figures[key]} |")
    lines += [
        "",
        "| area | examples | precision | recall | F1 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for area, values in figures["areas"].items():
        if values["examples"]:
            cells = [area, values["examples"], values["precision"], values["recall"], values["f1"]]
            lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    counts = Counter({voice: v["examples"] for voice, v in figures["voices"].items()})
    lines += ["", "| voice | examples | accuracy |", "| --- | --- | --- |"]
    for voice, _ in counts.most_common():
        lines.append(f"| {voice} | {counts[voice]} | {figures['voices'][voice]['accuracy']} |")
    return "\n".join(lines) + "\n"
