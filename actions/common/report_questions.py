"""The questions the report form can ask about a problem (``kb/report_questions.yml``).

This module owns reading a resident's reply to one of those questions (a button's key, a
word of theirs, or their own words), the Open311 attributes a finished report carries,
and the short summary of the answers on the check screen. It is pure: no tracker, no
network. Which questions a problem needs, and which attribute carries each answer, is the
council's (:class:`bot.councils.profile.ProblemCategory`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.common.validators import clean_short_text, parse_registration
from bot.councils.profile import ProblemCategory
from bot.text import clean_text
from lib.yaml_files import load_yaml

CHOICE = "choice"
TEXT = "text"
#: Readers of the resident's own words, by the name a ``text`` question gives as ``parse``.
PARSERS: dict[str, Callable[[str], str | None]] = {
    "registration": parse_registration,
    "short_text": clean_short_text,
}
#: A reply longer than this many words is never read as a "don't know" to a text question,
#: so "not sure of the make but it's red" is kept as the resident's words.
SHORT_REPLY_WORDS = 5
_WORDS = re.compile(r"[a-z0-9']+")


class QuestionsError(ValueError):
    """The questions file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Answer:
    """One answer a question accepts."""

    key: str
    label: str | None
    words: tuple[str, ...]
    sets: Mapping[str, str] = field(default_factory=dict)
    send: bool = True

    def matches(self, normalised_reply: str) -> bool:
        """Whether one of the answer's words or phrases is in the (normalised) reply."""
        padded = f" {normalised_reply} "
        return any(f" {phrase} " in padded for phrase in self.words)


@dataclass(frozen=True)
class Question:
    """A question of the report form beyond place, description and danger."""

    name: str
    kind: str
    answers: tuple[Answer, ...]
    parse: str | None = None
    not_understood: str = "utter_answer_not_understood"

    def answer(self, key: str) -> Answer | None:
        """The answer with this key, if the question has one."""
        return next((answer for answer in self.answers if answer.key == key), None)

    def read(self, reply: Any) -> str | None:
        """The slot value for a reply: an answer's key, the resident's words, or None.

        Args:
            reply: what the resident said or the button's payload.

        Returns:
            An answer's key; for a ``text`` question, the parsed words when the reply is not
            one of the answers; None when the reply does not answer the question.
        """
        text = clean_text(str(reply or ""))
        exact = self.answer(text.strip().lower())
        if exact is not None:
            return exact.key
        normalised = normalise(text)
        if not normalised:
            return None
        if self.kind == CHOICE or len(normalised.split()) <= SHORT_REPLY_WORDS:
            found = next((answer for answer in self.answers if answer.matches(normalised)), None)
            if found is not None:
                return found.key
        if self.kind == TEXT and self.parse:
            return PARSERS[self.parse](text)
        return None

    def label(self, value: str) -> str | None:
        """How the check screen shows a slot value: the answer's label or the resident's words."""
        answer = self.answer(value)
        if answer is not None:
            return answer.label
        return value if self.kind == TEXT else None


@dataclass(frozen=True)
class Questions:
    """Every question the form can ask, with the check screen's summary pattern."""

    questions: Mapping[str, Question]
    summary: str
    separator: str

    def __contains__(self, name: object) -> bool:
        return name in self.questions

    def __iter__(self) -> Iterator[str]:
        return iter(self.questions)

    def __getitem__(self, name: str) -> Question:
        return self.questions[name]

    def attributes(self, category: ProblemCategory, answers: Mapping[str, Any]) -> dict[str, str]:
        """The Open311 attributes for a problem's answers (only those given and sendable).

        Args:
            category: the council's problem, with its question-to-attribute mapping.
            answers: slot values by question name.

        Returns:
            Attribute code to value, in the council's keys.
        """
        attributes: dict[str, str] = {}
        for mapping in category.questions:
            value = answers.get(mapping.question)
            if value in (None, ""):
                continue
            question = self.questions[mapping.question]
            answer = question.answer(str(value))
            if answer is not None and not answer.send:
                continue
            attributes[mapping.attribute] = (
                mapping.value_for(answer.key) if answer is not None else str(value)
            )
        return attributes

    def summary_of(self, category: ProblemCategory, answers: Mapping[str, Any]) -> str:
        """The problem as the check screen names it: its label and the answers' labels."""
        labels = []
        for name in category.question_names:
            value = answers.get(name)
            label = self.questions[name].label(str(value)) if value not in (None, "") else None
            if label:
                labels.append(label)
        if not labels:
            return category.label
        return self.summary.format(label=category.label, answers=self.separator.join(labels))


def normalise(text: str) -> str:
    """Lower case words separated by single spaces, with curly apostrophes made straight."""
    return " ".join(_WORDS.findall(text.lower().replace("’", "'")))


def _answer(key: str, data: Any, where: str) -> Answer:
    if not isinstance(data, dict):
        raise QuestionsError(f"{where}: answer '{key}' must be a mapping")
    words = data.get("words") or []
    sets = data.get("sets") or {}
    if not isinstance(words, list) or not isinstance(sets, dict):
        raise QuestionsError(f"{where}: answer '{key}': 'words' is a list, 'sets' a mapping")
    return Answer(
        key=str(key),
        label=str(data["label"]) if data.get("label") else None,
        words=tuple(normalise(str(word)) for word in words),
        sets={str(name): str(value) for name, value in sets.items()},
        send=bool(data.get("send", True)),
    )


def _question(name: str, data: Any, path: Path) -> Question:
    where = f"{path}: question '{name}'"
    if not isinstance(data, dict) or data.get("kind") not in (CHOICE, TEXT):
        raise QuestionsError(f"{where}: 'kind' must be {CHOICE} or {TEXT}")
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        raise QuestionsError(f"{where}: 'answers' must be a mapping")
    parse = data.get("parse")
    if data["kind"] == TEXT and parse not in PARSERS:
        raise QuestionsError(f"{where}: 'parse' must be one of {', '.join(PARSERS)}")
    if data["kind"] == CHOICE and not answers:
        raise QuestionsError(f"{where}: a choice needs answers")
    return Question(
        name=name,
        kind=str(data["kind"]),
        answers=tuple(_answer(str(key), value, where) for key, value in answers.items()),
        parse=str(parse) if parse else None,
        not_understood=str(data.get("not_understood") or "utter_answer_not_understood"),
    )


def load_questions(path: Path) -> Questions:
    """Read and check the questions file.

    Args:
        path: ``kb/report_questions.yml``.

    Returns:
        The questions, by name.

    Raises:
        QuestionsError: naming the file and question when something is malformed, or when
            an answer sets a question that does not exist.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QuestionsError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise QuestionsError(f"{path}: expected a 'questions' mapping")
    questions = {
        str(name): _question(str(name), entry, path) for name, entry in data["questions"].items()
    }
    for question in questions.values():
        for answer in question.answers:
            for other, value in answer.sets.items():
                if other not in questions or questions[other].answer(value) is None:
                    raise QuestionsError(
                        f"{path}: {question.name}.{answer.key} sets {other}={value}, "
                        "which is not an answer of a question"
                    )
    summary = str(data.get("summary") or "{label} ({answers})")
    separator = str(data.get("separator", ", "))
    return Questions(questions=questions, summary=summary, separator=separator)


@lru_cache(maxsize=4)
def cached_questions(path: Path) -> Questions:
    """Load the questions once per process."""
    return load_questions(path)
