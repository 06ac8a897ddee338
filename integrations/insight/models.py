"""The bodies the assistant posts to the service insight API (``/api/v1/insight``).

The council services validate the same fields with their own models (``web/insight.py``:
``OutcomeEventIn`` and ``UnansweredIn``; ``web/insight_feedback.py``:
``AnswerFeedbackIn``); a test keeps the two in step.
"""

from __future__ import annotations

from typing import TypedDict


class _UnansweredRequired(TypedDict):
    text: str  # redacted before it leaves the assistant
    asked_at: str  # ISO 8601 with a time zone


class UnansweredQuestion(_UnansweredRequired, total=False):
    """One message the assistant could not answer."""

    best_guess: str | None  # the intent NLU thought most likely
    confidence: float | None
    reason: str  # fallback or handoff


class _OutcomeRequired(TypedDict):
    conversation_hash: str  # one-way id (lib/conversation_hash.py), never the id
    started_at: str  # ISO 8601 with a time zone
    ended_at: str
    channel: str
    language: str
    journey: str
    outcome: str  # self_served, report_made, handed_off, ...
    fallbacks: int
    duration_s: int
    assisted: bool


class OutcomeEvent(_OutcomeRequired, total=False):
    """The body of ``POST /api/v1/insight/events``: how one conversation session ended."""

    unanswered: list[UnansweredQuestion]
    tasks: dict[str, int]  # tasks completed, by kind (kb/insight/outcomes.yml)


class AnswerFeedback(TypedDict):
    """The body of ``POST /api/v1/insight/feedback``: "Did that answer your question?"."""

    conversation_hash: str
    answered: bool
    channel: str  # where it was asked (ivr on the phone)
