"""Triage rules and record building: pure functions over the rules in ``kb/triage/``.

Priority and category come from data (``kb/triage/rules.yml``), not from scattered code;
the transcript is redacted here before it leaves the action server.

The record must be one staff can trust (issue #18): a button the resident pressed is
recorded as its title (their words), the whole session is kept (a marker says where a very
long one was cut), the crisis text the assistant gave is kept, only real misses count as
"not understood" (not answers to a form's question), and the category follows the journey
the resident was taken through, not the classifier's first guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from lib import case_updates
from lib.redaction import redact
from lib.yaml_files import load_yaml

STANDARD_PRIORITY = 3
#: The most lines a record carries (the council services keep as many). A longer session
#: keeps its first and last lines, with a marker line saying how many were left out.
TRANSCRIPT_LIMIT = 1000
TRANSCRIPT_HEAD = 100
TEXT_LIMIT = 1000
#: Messages the assistant could not place: the only ones counted as "not understood".
MISSES = frozenset({"nlu_fallback", "out_of_scope"})
#: Marks a message staff sent into the conversation (the council services' staff reply):
#: the record holds it already, so it is not sent back as an assistant line.
STAFF_MESSAGE_KEY = case_updates.STAFF_MESSAGE
#: The transcript line saying which council tax account was verified (the staff console
#: shows it beside the references); the council services read this exact wording.
VERIFIED_ACCOUNT_LINE = "Council tax account verified: {account}"
CT_ACCOUNT_SLOT = "ct_account_reference"
CT_VERIFIED_SLOT = "ct_verified"

#: The form each journey runs, by name prefix, and the journey (an intent-area name of
#: ``shared/contracts.md``) it stands for. A form the resident went through says more about
#: what they needed than the intent guessed for their first message.
JOURNEY_FORMS: tuple[tuple[str, str], ...] = (
    ("report_form", "report_problem"),
    ("status_form", "check_report_status"),
    ("council_tax_", "council_tax"),
    ("find_place_form", "find_place"),
    ("book_pc_form", "book_pc"),
    ("digital_skills_form", "digital_skills"),
    ("broadband_form", "broadband"),
)


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
    data = load_yaml(path.read_text(encoding="utf-8"))
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


def _button_titles(event: dict[str, Any]) -> dict[str, str]:
    """The buttons a bot message offered: payload -> title."""
    buttons = (event.get("data") or {}).get("buttons") or []
    return {
        str(button["payload"]): str(button["title"])
        for button in buttons
        if isinstance(button, dict) and button.get("payload") and button.get("title")
    }


def _is_staff_message(event: dict[str, Any]) -> bool:
    return bool((event.get("metadata") or {}).get(STAFF_MESSAGE_KEY))


def _resident_words(event: dict[str, Any], offered: dict[str, str]) -> str | None:
    """What the resident said: their text, or the title of the button they pressed.

    A payload (``/intent{...}``) is not the resident's words; the title they read is. A
    payload no button offered (a client shortcut) is left out.
    """
    text = event.get("text")
    if not isinstance(text, str) or not text:
        return None
    if text.startswith("/"):
        return offered.get(text)
    return text


def _walk(events: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """The conversation's lines as ``(role, text, timestamp)``, unredacted, oldest first."""
    lines: list[tuple[str, str, Any]] = []
    offered: dict[str, str] = {}
    verified = False
    account: Any = None
    for event in events:
        kind = event.get("event")
        if kind == "bot":
            if _is_staff_message(event):
                continue
            offered = _button_titles(event) or offered
            if event.get("text"):
                lines.append(("assistant", str(event["text"]), event.get("timestamp")))
        elif kind == "user":
            words = _resident_words(event, offered)
            if words:
                lines.append(("resident", words, event.get("timestamp")))
        elif kind == "slot" and event.get("name") == CT_ACCOUNT_SLOT:
            account = event.get("value")
        elif kind == "slot" and event.get("name") == CT_VERIFIED_SLOT:
            now_verified = event.get("value") is True
            if now_verified and not verified and account:
                line = VERIFIED_ACCOUNT_LINE.format(account=account)
                lines.append(("system", line, event.get("timestamp")))
            verified = now_verified
    return lines


def transcript(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation as ``{role, text, at}`` lines, personal data redacted.

    Button presses appear as the button's title; the verified council tax account has a
    line of its own (role ``system``). A session longer than :data:`TRANSCRIPT_LIMIT`
    keeps its first :data:`TRANSCRIPT_HEAD` lines and its latest ones, with a marker.
    """
    lines = []
    for role, text, timestamp in _walk(events):
        shown = text if role == "system" else redact(text)[:TEXT_LIMIT]
        lines.append({"role": role, "text": shown, "at": _iso(timestamp)})
    if len(lines) <= TRANSCRIPT_LIMIT:
        return lines
    tail = TRANSCRIPT_LIMIT - TRANSCRIPT_HEAD - 1
    left_out = len(lines) - TRANSCRIPT_HEAD - tail
    marker = {
        "role": "system",
        "text": f"{left_out} messages of this long conversation are left out here.",
        "at": lines[TRANSCRIPT_HEAD]["at"],
    }
    return [*lines[:TRANSCRIPT_HEAD], marker, *lines[-tail:]]


def said_lines(
    messages: list[dict[str, Any]],
    domain: dict[str, Any],
    channel: str | None,
    slots: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    """What the assistant is saying in this turn, as transcript lines (redacted).

    An action that opens a record in the same turn as it speaks (urgent help) is not yet
    in the tracker's events: this renders the dispatcher's messages, so the record holds
    the crisis text the resident was given, in their language.

    Args:
        messages: ``CollectingDispatcher.messages``.
        domain: the domain the action received (its ``responses``).
        channel: the output channel (``tracker.get_latest_input_channel()``), for a
            channel-specific variant such as ``twilio_voice``.
        slots: the conversation's slots, for conditional variants (the language).
    """
    responses = domain.get("responses") or {}
    at = _iso(None)
    lines = []
    for message in messages:
        text = message.get("text")
        name = message.get("response") or message.get("template")
        if not text and name:
            chosen = _variant(responses.get(name) or [], channel, slots or {})
            if chosen is not None:
                # As Rasa fills a response: the slots, then the values the action gave.
                values = {
                    k: v
                    for k, v in {**(slots or {}), **message}.items()
                    if isinstance(v, (str, int, float)) and not isinstance(v, bool)
                }
                text = _fill(str(chosen["text"]), values)
        if text:
            lines.append({"role": "assistant", "text": redact(text)[:TEXT_LIMIT], "at": at})
    return lines


def _variant(
    variants: list[dict[str, Any]], channel: str | None, slots: dict[str, Any]
) -> dict[str, Any] | None:
    """The variant Rasa would say: the channel's own first, a matching condition first."""

    def fits(variant: dict[str, Any]) -> bool:
        return bool(variant.get("text")) and all(
            slots.get(condition.get("name")) == condition.get("value")
            for condition in variant.get("condition") or []
        )

    for wanted in (channel, None) if channel else (None,):
        pool = [v for v in variants if v.get("channel") == wanted and fits(v)]
        conditional = [v for v in pool if v.get("condition")]
        if conditional or pool:
            return (conditional or pool)[0]
    return None


def _fill(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders as Rasa does, leaving unknown ones as they are."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
        template,
    )


def resident_texts(events: list[dict[str, Any]]) -> list[str]:
    """What the resident wrote (or chose, as button titles) in this conversation, oldest first."""
    return [text for role, text, _ in _walk(events) if role == "resident"]


NON_JOURNEY = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope",
    "human_handoff", "urgent_help", "nlu_fallback",
}  # fmt: skip


def intent_of(event: dict[str, Any]) -> str | None:
    """The intent NLU gave a user event (None for other events)."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _form_journey(form: str | None) -> str | None:
    for prefix, journey in JOURNEY_FORMS:
        if form and form.startswith(prefix):
            return journey
    return None


def journey_intent(events: list[dict[str, Any]]) -> str | None:
    """The journey the resident was in: the latest journey form, or service intent.

    A journey form the resident went through (``JOURNEY_FORMS``) names the journey; an
    intent counts only outside a form (answers to a form's questions get guessed intents
    too). So a pothole report whose first message was taken for Universal Credit, and
    then went through the report form, is a street report.
    """
    journey: str | None = None
    in_form = False
    for event in events:
        kind = event.get("event")
        if kind == "active_loop":
            form = event.get("name")
            in_form = bool(form)
            journey = _form_journey(form) or journey
        elif kind == "user" and not in_form:
            name = intent_of(event)
            if name and name not in NON_JOURNEY:
                journey = name
        elif kind == "restart":
            journey, in_form = None, False
    return journey


def real_misses(events: list[dict[str, Any]]) -> int:
    """How many messages the assistant could not place (``nlu_fallback``, out of scope).

    An answer to a form's question (a name, an address, an account number) is often
    guessed as a fallback by the classifier, but the form took it: it is not a miss.
    """
    misses = 0
    in_form = False
    for event in events:
        kind = event.get("event")
        if kind == "active_loop":
            in_form = bool(event.get("name"))
        elif kind == "user" and not in_form and intent_of(event) in MISSES:
            misses += 1
    return misses
