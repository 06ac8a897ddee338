"""Derives one outcome event per conversation session from Rasa's tracker events (issue #10).

This module owns the derivation only (pure functions, no I/O except loading the rules):
splitting a conversation's events into sessions, deciding when a session has ended, and
turning a session into an event with no personal data: an HMAC of the conversation id,
channel, language, journey area, outcome, fallbacks, duration, assisted or not, and the
redacted messages the assistant did not understand. Which actions and responses mean which
outcome is data, in ``kb/insight/outcomes.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from integrations.insight.models import OutcomeEvent, UnansweredQuestion
from lib.conversation_hash import conversation_hash as conversation_hash  # re-exported
from lib.redaction import redact
from lib.yaml_files import load_yaml

OUTCOMES = ("urgent", "handed_off", "report_made", "transaction_done", "self_served")
ABANDONED = "abandoned"
MAX_UNANSWERED_CHARS = 500
CHANNELS = frozenset({"web", "ivr", "library", "api"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TASK_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class OutcomeRulesError(ValueError):
    """``kb/insight/outcomes.yml`` is missing or malformed."""


@dataclass(frozen=True)
class OutcomeRules:
    """The journey areas and outcome rules read from ``kb/insight/outcomes.yml``."""

    journeys: dict[str, tuple[str, ...]]
    incidental: tuple[str, ...]
    outcome_actions: dict[str, tuple[str, ...]]
    outcome_responses: dict[str, tuple[str, ...]]
    fallback_intents: tuple[str, ...]
    fallback_actions: tuple[str, ...]
    #: Completed tasks: each kind and the confirmation responses that count one of it.
    task_responses: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def task_of(self, response: str) -> str | None:
        """The kind of task a confirmation response completes, or None."""
        for kind, patterns in self.task_responses.items():
            if _matches(response, patterns):
                return kind
        return None

    def area_of(self, intent: str) -> str | None:
        """The contract area an intent belongs to, or None."""
        for area, patterns in self.journeys.items():
            if any(fnmatchcase(intent, pattern) for pattern in patterns):
                return area
        return None


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise OutcomeRulesError(f"{where} must be a list of names")
    return tuple(value)


def load_rules(path: Path) -> OutcomeRules:
    """Read and check the outcome rules.

    Args:
        path: ``kb/insight/outcomes.yml``.

    Returns:
        The rules.

    Raises:
        OutcomeRulesError: naming the file and what is wrong.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        journeys = {
            str(area): _names(p, f"journeys.{area}") for area, p in data["journeys"].items()
        }
        incidental = _names(data["incidental"], "incidental")
        outcomes = data["outcomes"]
        unknown = set(outcomes) - set(OUTCOMES)
        if unknown:
            raise OutcomeRulesError(f"unknown outcomes: {', '.join(sorted(unknown))}")
        actions = {
            name: _names((outcomes.get(name) or {}).get("actions"), name) for name in OUTCOMES
        }
        replies = {
            name: _names((outcomes.get(name) or {}).get("responses"), name) for name in OUTCOMES
        }
        fallback = data["not_understood"]
        tasks = {
            str(kind): _names(names, f"tasks.{kind}")
            for kind, names in (data.get("tasks") or {}).items()
        }
        bad = [kind for kind in tasks if not _TASK_KIND.match(kind)]
        if bad:
            raise OutcomeRulesError(f"task kinds must be snake_case: {', '.join(bad)}")
        rules = OutcomeRules(
            journeys=journeys,
            incidental=incidental,
            outcome_actions=actions,
            outcome_responses=replies,
            fallback_intents=_names(fallback.get("intents"), "not_understood.intents"),
            fallback_actions=_names(fallback.get("actions"), "not_understood.actions"),
            task_responses=tasks,
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise OutcomeRulesError(f"{path}: {error}") from error
    except OutcomeRulesError as error:
        raise OutcomeRulesError(f"{path}: {error}") from error
    if set(incidental) - set(journeys):
        raise OutcomeRulesError(f"{path}: incidental areas must be journeys")
    return rules


@dataclass
class Session:
    """The events of one conversation session, in order."""

    sender_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    #: True when a later session of the same conversation has started.
    followed: bool = False

    @property
    def started_at(self) -> float:
        """Timestamp (epoch seconds) of the session's first event."""
        return float(self.events[0]["timestamp"])

    @property
    def last_at(self) -> float:
        """Timestamp of the session's last event."""
        return float(self.events[-1]["timestamp"])

    def has_ended(self, now: float, idle_s: float) -> bool:
        """Ended: a new session started, or nothing happened for ``idle_s`` seconds."""
        return self.followed or now - self.last_at >= idle_s


#: Slots a session split at a quiet gap carries over (Rasa's own session goes on).
_CARRIED_SLOTS = ("channel", "language", "requested_slot")


def _carried(events: list[dict[str, Any]], at: float) -> list[dict[str, Any]]:
    """The context a session split at a quiet gap starts with, stamped at its first event."""
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.get("event") == "slot" and event.get("name") in _CARRIED_SLOTS:
            latest[str(event["name"])] = event
        elif event.get("event") == "active_loop":
            latest["@active_loop"] = event
    return [{**event, "timestamp": at} for event in latest.values()]


def split_sessions(
    sender_id: str, events: list[dict[str, Any]], idle_s: float | None = None
) -> list[Session]:
    """Split a conversation's events (oldest first) into sessions.

    A session starts at ``session_started`` and, when ``idle_s`` is given, at a message
    the resident sends after a quiet gap of ``idle_s`` seconds or more (the worker has
    already counted the part before the gap, so what follows counts as a session of its
    own, with the channel, language and form state it had). Only the resident's return
    splits: a slow reply or a staff message after the gap stays in its session.

    Events before the first ``session_started`` (Rasa's ``action_session_start``) join the
    first session. Sessions in which the resident said nothing are dropped.

    Args:
        sender_id: the conversation.
        events: Rasa events as dictionaries, in order.
        idle_s: the quiet gap that ends a session; None: only ``session_started`` does.

    Returns:
        The sessions, oldest first.
    """
    sessions: list[Session] = []
    current = Session(sender_id)
    for event in events:
        said = any(item.get("event") == "user" for item in current.events)
        if (
            idle_s is not None
            and said
            and event.get("event") == "user"
            and float(event.get("timestamp") or 0) - current.last_at >= idle_s
        ):
            current.followed = True
            sessions.append(current)
            current = Session(
                sender_id, _carried(current.events, float(event.get("timestamp") or 0))
            )
        elif event.get("event") == "session_started" and said:
            # Rasa writes the new session's metadata slot and action_session_start just
            # before session_started: they belong to the new session.
            opening: list[dict[str, Any]] = []
            while current.events and _opens_session(current.events[-1]):
                opening.insert(0, current.events.pop())
            current.followed = True
            sessions.append(current)
            current = Session(sender_id, opening)
        current.events.append(event)
    sessions.append(current)
    return [
        session for session in sessions if any(e.get("event") == "user" for e in session.events)
    ]


def _opens_session(event: dict[str, Any]) -> bool:
    kind, name = event.get("event"), event.get("name")
    return (kind == "action" and name == "action_session_start") or (
        kind == "slot" and name == "session_started_metadata"
    )


def _intent(event: dict[str, Any]) -> str:
    return str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")


def _best_guess(event: dict[str, Any], rules: OutcomeRules) -> tuple[str | None, float | None]:
    """The likeliest intent other than the fallback ones, from the parse data."""
    ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
    for entry in ranking:
        name = entry.get("name")
        if name and name not in rules.fallback_intents:
            confidence = entry.get("confidence")
            return str(name), round(float(confidence), 4) if confidence is not None else None
    return None, None


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat()


def derive_event(session: Session, rules: OutcomeRules, secret: str) -> OutcomeEvent:
    """Turn one ended session into its outcome event (the stand-in's wire shape).

    Args:
        session: the session's events.
        rules: from ``kb/insight/outcomes.yml``.
        secret: the key of the conversation id's HMAC.

    Returns:
        The event, with no personal data: unanswered messages are redacted.
    """
    channel, language = "api", "en"
    intents: list[str] = []
    actions: list[str] = []
    replies: list[str] = []
    fallbacks = 0
    unanswered: list[UnansweredQuestion] = []
    last_user: dict[str, Any] | None = None
    last_user_counted = False
    tasks: dict[str, int] = {}
    requested_slot: Any = None
    active_loop: Any = None
    for event in session.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested_slot = event.get("value")
        elif kind == "active_loop":
            active_loop = event.get("name")
        elif (
            kind == "slot"
            and event.get("name") == "channel"
            and isinstance(event.get("value"), str)
        ):
            channel = event["value"]
        elif (
            kind == "slot"
            and event.get("name") == "language"
            and isinstance(event.get("value"), str)
        ):
            language = event["value"]
        elif kind == "user":
            intent = _intent(event)
            intents.append(intent)
            # An answer to a form's question (a name, an address, an account number) is
            # never an unanswered question, whatever the classifier made of it.
            answering_form = bool(requested_slot or active_loop)
            last_user, last_user_counted = event, answering_form
            if intent in rules.fallback_intents:
                fallbacks += 1
                if not answering_form:
                    last_user_counted = True
                    unanswered.append(_unanswered(event, rules))
        elif kind == "action":
            name = str(event.get("name") or "")
            actions.append(name)
            if name in rules.fallback_actions:
                fallbacks += 1
                if last_user is not None and not last_user_counted:
                    last_user_counted = True
                    unanswered.append(_unanswered(last_user, rules))
        elif kind == "bot":
            utter = (event.get("metadata") or {}).get("utter_action")
            if isinstance(utter, str):
                replies.append(utter)
                task = rules.task_of(utter)
                if task is not None:
                    tasks[task] = tasks.get(task, 0) + 1
    outcome = _outcome(actions, replies, rules)
    channel = channel if channel in CHANNELS else "api"
    language = language.lower() if _LANGUAGE.match(language.lower()) else "und"
    if outcome == "handed_off":
        for item in unanswered:
            item["reason"] = "handoff"
    return {
        "conversation_hash": conversation_hash(secret, session.sender_id),
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.last_at),
        "channel": channel,
        "language": language,
        "journey": _journey(intents, rules),
        "outcome": outcome,
        "fallbacks": fallbacks,
        "duration_s": max(0, round(session.last_at - session.started_at)),
        "assisted": channel == "library",
        "unanswered": [item for item in unanswered if item["text"]],
        "tasks": tasks,
    }


def _unanswered(event: dict[str, Any], rules: OutcomeRules) -> UnansweredQuestion:
    text = str(event.get("text") or "").strip()
    if text.startswith("/"):  # a button payload, not the resident's words
        text = ""
    guess, confidence = _best_guess(event, rules)
    return {
        "text": redact(text)[:MAX_UNANSWERED_CHARS],
        "asked_at": _iso(float(event["timestamp"])),
        "best_guess": guess,
        "confidence": confidence,
        "reason": "fallback",
    }


def _outcome(actions: list[str], replies: list[str], rules: OutcomeRules) -> str:
    for outcome in OUTCOMES:
        if any(_matches(name, rules.outcome_actions[outcome]) for name in actions):
            return outcome
        if any(_matches(name, rules.outcome_responses[outcome]) for name in replies):
            return outcome
    return ABANDONED


def _journey(intents: list[str], rules: OutcomeRules) -> str:
    areas = [area for area in (rules.area_of(intent) for intent in intents) if area]
    for area in areas:
        if area not in rules.incidental:
            return area
    for area in rules.incidental:
        if area in areas:
            return area
    return "out_of_scope"
