"""Derives one outcome event per conversation session from Rasa's tracker events (issue #10).

This module owns the derivation only (pure functions, no I/O except loading the rules):
splitting a conversation's events into sessions, deciding when a session has ended, and
turning a session into an event with no personal data: an HMAC of the conversation id,
channel, language, journey area, outcome, fallbacks, duration, assisted or not, and the
redacted messages the assistant did not understand. Which actions and responses mean which
outcome is data, in ``kb/insight/outcomes.yml``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from lib.redaction import redact

OUTCOMES = ("urgent", "handed_off", "report_made", "transaction_done", "self_served")
ABANDONED = "abandoned"
MAX_UNANSWERED_CHARS = 500
CHANNELS = frozenset({"web", "ivr", "library", "api"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        rules = OutcomeRules(
            journeys=journeys,
            incidental=incidental,
            outcome_actions=actions,
            outcome_responses=replies,
            fallback_intents=_names(fallback.get("intents"), "not_understood.intents"),
            fallback_actions=_names(fallback.get("actions"), "not_understood.actions"),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise OutcomeRulesError(f"{path}: {error}") from error
    except OutcomeRulesError as error:
        raise OutcomeRulesError(f"{path}: {error}") from error
    if set(incidental) - set(journeys):
        raise OutcomeRulesError(f"{path}: incidental areas must be journeys")
    return rules


def conversation_hash(secret: str, sender_id: str) -> str:
    """The HMAC-SHA256 of a conversation id: stable, not reversible without the secret.

    Args:
        secret: ``INSIGHT_HASH_SECRET``.
        sender_id: Rasa's sender id.

    Returns:
        32 hexadecimal characters.
    """
    digest = hmac.new(secret.encode("utf-8"), sender_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


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


def split_sessions(sender_id: str, events: list[dict[str, Any]]) -> list[Session]:
    """Split a conversation's events (oldest first) into sessions at ``session_started``.

    Events before the first ``session_started`` (Rasa's ``action_session_start``) join the
    first session. Sessions in which the resident said nothing are dropped.

    Args:
        sender_id: the conversation.
        events: Rasa events as dictionaries, in order.

    Returns:
        The sessions, oldest first.
    """
    sessions: list[Session] = []
    current = Session(sender_id)
    for event in events:
        if event.get("event") == "session_started" and any(
            item.get("event") == "user" for item in current.events
        ):
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


def derive_event(session: Session, rules: OutcomeRules, secret: str) -> dict[str, Any]:
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
    unanswered: list[dict[str, Any]] = []
    last_user: dict[str, Any] | None = None
    last_user_counted = False
    for event in session.events:
        kind = event.get("event")
        if (
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
            last_user, last_user_counted = event, False
            if intent in rules.fallback_intents:
                fallbacks += 1
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
    }


def _unanswered(event: dict[str, Any], rules: OutcomeRules) -> dict[str, Any]:
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
