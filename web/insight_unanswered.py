"""Questions the assistant could not answer, grouped by similarity (issue #10).

The assistant redacts each message before it leaves (``lib/redaction.py``); here they are
stored (``UnansweredQuestion``), grouped and exported. Grouping: TF-IDF over character
n-grams (2 to 4, within word boundaries, so typos and plurals still match), cosine
distance, average-linkage agglomerative clustering with a distance threshold. The most
recent ``MAX_GROUPED`` messages of the period are grouped. A group is named by its
lowest message id, so its export links stay valid while the period does not change.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from web.insight import InsightFilters
from web.models import UnansweredQuestion

MAX_GROUPED = 2000
DISTANCE_THRESHOLD = 0.65
EXAMPLES_SHOWN = 5
_SPACE = re.compile(r"\s+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered questions."""

    id: int
    questions: list[UnansweredQuestion]

    @property
    def count(self) -> int:
        """How many messages are in the group."""
        return len(self.questions)

    @property
    def best_guess(self) -> str | None:
        """The assistant's most frequent best guess for the group's messages."""
        guesses = Counter(q.best_guess for q in self.questions if q.best_guess)
        return guesses.most_common(1)[0][0] if guesses else None

    @property
    def average_confidence(self) -> float | None:
        """The mean confidence of the best guesses."""
        values = [q.confidence for q in self.questions if q.confidence is not None]
        return round(sum(values) / len(values), 3) if values else None

    @property
    def examples(self) -> list[str]:
        """Distinct texts, most recent first."""
        seen: list[str] = []
        for question in sorted(self.questions, key=lambda q: q.asked_at, reverse=True):
            text = _one_line(question.text)
            if text not in seen:
                seen.append(text)
        return seen

    def public(self) -> dict[str, Any]:
        """The group as the JSON API returns it."""
        return {
            "id": self.id,
            "count": self.count,
            "best_guess": self.best_guess,
            "average_confidence": self.average_confidence,
            "examples": self.examples[:EXAMPLES_SHOWN],
            "channels": sorted({q.channel for q in self.questions}),
            "handed_off": sum(1 for q in self.questions if q.reason == "handoff"),
            "first_asked": min(q.asked_at for q in self.questions).isoformat(),
            "last_asked": max(q.asked_at for q in self.questions).isoformat(),
        }


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def questions_in(session: Session, filters: InsightFilters) -> list[UnansweredQuestion]:
    """The most recent unanswered questions of the period (at most ``MAX_GROUPED``)."""
    query = sa.select(UnansweredQuestion).where(
        UnansweredQuestion.asked_at >= filters.start, UnansweredQuestion.asked_at < filters.end
    )
    if filters.channel:
        query = query.where(UnansweredQuestion.channel == filters.channel)
    query = query.order_by(UnansweredQuestion.asked_at.desc()).limit(MAX_GROUPED)
    return list(session.execute(query).scalars())


def group_questions(questions: list[UnansweredQuestion]) -> list[QuestionGroup]:
    """Group similar questions; the biggest groups first.

    Args:
        questions: the messages.

    Returns:
        The groups, by size (then most recent first).
    """
    if not questions:
        return []
    if len(questions) == 1:
        labels = [0]
    else:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_distances

        texts = [_one_line(q.text).lower() for q in questions]
        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(texts)
        distances = cosine_distances(vectors)
        labels = AgglomerativeClustering(
            n_clusters=None,
            affinity="precomputed",
            linkage="average",
            distance_threshold=DISTANCE_THRESHOLD,
        ).fit_predict(distances)
    members: dict[int, list[UnansweredQuestion]] = {}
    for label, question in zip(labels, questions, strict=True):
        members.setdefault(int(label), []).append(question)
    groups = [QuestionGroup(min(q.id for q in group), group) for group in members.values()]
    return sorted(
        groups, key=lambda g: (-g.count, -max(q.asked_at for q in g.questions).timestamp())
    )


def find_group(groups: list[QuestionGroup], group_id: int) -> QuestionGroup | None:
    """The group with this id, or None."""
    return next((group for group in groups if group.id == group_id), None)


def suggested_intent(group: QuestionGroup) -> str:
    """A name for the reviewer to start from: the best guess, or a placeholder to rename."""
    return group.best_guess or f"new_intent_{group.id}"


def export_nlu_yaml(group: QuestionGroup) -> str:
    """The group as Rasa NLU training data, for review before it joins ``data/nlu``.

    Args:
        group: the group.

    Returns:
        A Rasa 3 YAML document.
    """
    header = (
        "# Unanswered questions exported from the Front Door staff console, for review.\n"
        f"# {group.count} messages; the assistant's best guess: {group.best_guess or 'none'}.\n"
        "# Check the intent name and each example (personal data was redacted) before adding\n"
        "# them to data/nlu/ and fresh phrasings to tests/nlu/heldout.yml.\n"
    )
    examples = "".join(f"- {text}\n" for text in group.examples)
    document = {
        "version": "3.1",
        "nlu": [{"intent": suggested_intent(group), "examples": examples}],
    }
    return header + yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True)


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks, as Rasa's own files do."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must never run a resident's words as a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(group: QuestionGroup) -> str:
    """The group's messages as CSV, most recent first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["asked_at", "channel", "language", "text", "best_guess", "confidence", "reason"]
    )
    for question in sorted(group.questions, key=lambda q: q.asked_at, reverse=True):
        writer.writerow(
            [
                question.asked_at.isoformat(),
                question.channel,
                question.language,
                _cell(_one_line(question.text)),
                _cell(question.best_guess),
                "" if question.confidence is None else question.confidence,
                question.reason,
            ]
        )
    return buffer.getvalue()
