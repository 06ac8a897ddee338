"""Triage rules and record building: pure functions over the rules in ``kb/triage/``.

Priority and category come from data (``kb/triage/rules.yml``), not from scattered code;
the transcript is redacted here before it leaves the action server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lib.redaction import redact

STANDARD_PRIORITY = 3
TRANSCRIPT_LIMIT = 60
TEXT_LIMIT = 1000


@dataclass(frozen=True)
class Flag:
    """A vulnerability flag: what raised the priority, and how far."""

    name: str
    label: str
    priority: int
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class TriageRules:
    """The loaded rules."""

    flags: tuple[Flag, ...]
    categories: tuple[tuple[str, str], ...]
    category_overrides: dict[str, str]
    default_category: str
    response_times: dict[int, str]
    summaries: dict[str, str]
    category_labels: dict[str, str]

    def flags_in(self, texts: list[str]) -> list[Flag]:
        """Every flag whose patterns match any of the texts, most urgent first."""
        joined = "\n".join(texts)
        found = [flag for flag in self.flags if any(p.search(joined) for p in flag.patterns)]
        return sorted(found, key=lambda flag: flag.priority)

    def priority(self, flags: list[Flag], urgent: bool = False) -> int:
        """1 urgent, 2 high, 3 standard; an urgent-help conversation is always 1."""
        if urgent:
            return 1
        return min((flag.priority for flag in flags), default=STANDARD_PRIORITY)

    def category(self, journey_intent: str | None, flags: list[Flag], urgent: bool) -> str:
        """The category: a safeguarding or housing flag wins, then the journey."""
        for flag in flags:
            if flag.name in self.category_overrides:
                return self.category_overrides[flag.name]
        if urgent:
            return "safeguarding"
        for prefix, category in self.categories:
            if journey_intent and journey_intent.startswith(prefix):
                return category
        return self.default_category

    def summary(
        self,
        *,
        urgent: bool,
        flags: list[Flag],
        category: str,
        need: str | None,
        last_failure: str | None,
        preferred: str | None,
    ) -> str:
        """One or two sentences a staff member can act on (resident's words redacted)."""
        contact = (
            self.summaries["contact_given"].format(preferred=preferred)
            if preferred
            else self.summaries["contact_none"]
        )
        if urgent:
            labels = ", ".join(flag.label for flag in flags) or "the resident asked for urgent help"
            return self.summaries["urgent"].format(flags=labels, contact=contact)
        failure = (
            self.summaries["last_failure"].format(failure=last_failure) if last_failure else ""
        )
        return self.summaries["handoff"].format(
            category=self.category_labels.get(category, category),
            need=redact(need or "not given")[:300],
            last_failure=failure,
            contact=contact,
        )

    def response_time(self, priority: int) -> str:
        """When the resident should expect contact."""
        return self.response_times.get(priority, self.response_times[STANDARD_PRIORITY])


def load_rules(path: Path) -> TriageRules:
    """Load and validate ``rules.yml``.

    Raises:
        ValueError: naming the file and entry when something is malformed.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    flags = []
    for name, entry in (data.get("flags") or {}).items():
        try:
            priority = int(entry["priority"])
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"])
        except (KeyError, TypeError, ValueError, re.error) as error:
            raise ValueError(f"{path}: flag '{name}' is malformed ({error})") from error
        if priority not in (1, 2, 3):
            raise ValueError(f"{path}: flag '{name}' priority must be 1, 2 or 3")
        flags.append(Flag(name, str(entry.get("label") or name), priority, patterns))
    times = {int(k): str(v) for k, v in (data.get("response_times") or {}).items()}
    if STANDARD_PRIORITY not in times:
        raise ValueError(f"{path}: response_times needs an entry for priority 3")
    return TriageRules(
        flags=tuple(flags),
        categories=tuple((c["prefix"], c["category"]) for c in data.get("categories") or ()),
        category_overrides=dict(data.get("category_overrides") or {}),
        default_category=str(data.get("default_category") or "other"),
        response_times=times,
        summaries={str(k): str(v) for k, v in (data.get("summaries") or {}).items()},
        category_labels={str(k): str(v) for k, v in (data.get("category_labels") or {}).items()},
    )


@lru_cache(maxsize=4)
def cached_rules(path: Path) -> TriageRules:
    """Load the rules once per process."""
    return load_rules(path)


def _iso(timestamp: float | None) -> str:
    moment = (
        datetime.fromtimestamp(timestamp, timezone.utc) if timestamp else datetime.now(timezone.utc)
    )
    return moment.isoformat(timespec="seconds")


def transcript(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation as ``{role, text, at}`` lines, personal data redacted."""
    lines = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text or text.startswith("/"):
            continue
        role = "resident" if kind == "user" else "assistant"
        lines.append(
            {"role": role, "text": redact(text)[:TEXT_LIMIT], "at": _iso(event.get("timestamp"))}
        )
    return lines[-TRANSCRIPT_LIMIT:]


def resident_texts(events: list[dict[str, Any]]) -> list[str]:
    """What the resident wrote in this conversation, oldest first."""
    return [
        e["text"]
        for e in events
        if e.get("event") == "user" and e.get("text") and not e["text"].startswith("/")
    ]


NON_JOURNEY = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope",
    "human_handoff", "urgent_help", "nlu_fallback",
}  # fmt: skip


def intent_of(event: dict[str, Any]) -> str | None:
    """The intent NLU gave a user event (None for other events)."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def journey_intent(events: list[dict[str, Any]]) -> str | None:
    """The latest service intent the resident expressed (the journey they were in)."""
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        name = intent_of(event)
        if name and name not in NON_JOURNEY:
            return name
    return None
