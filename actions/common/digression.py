"""Digressions inside a form: another request is answered, then the form is offered again.

A form's validator (through :class:`actions.common.form_repair.StopAware`) reads each new
message before any slot keeps it and sorts out what kind of message it is:

* **Another request** (a status check carrying a reference, or a council tax, Universal
  Credit, broadband, digital skills or signpost question): the message is kept out of
  the slots, the form is rejected (``ActionExecutionRejected``) and the rule for the form
  in ``data/rules/repair.yml`` answers it (``action_answer_digression``) and returns to
  the form. Coming back, the form asks ``form_resume_confirm`` ("Shall we carry on with
  your pothole report?"): yes asks the pending question again, no stops the form.
* **"Talk to a person"**: the form says its answers were not sent but staff will see them
  (``utter_form_left_for_person``), then is rejected; each form's hand-off rule takes over.
* **A weak urgent signal** (the crisis safety net marks it ``weak``, ``config.yml``): the
  form asks ``form_danger_check`` ("Is anyone hurt or in danger?"). Yes replaces the
  answer by an urgent message, so each form's urgent-help rule takes over; no carries on,
  with the message as the answer to the pending question when that question takes words.
* **A strong urgent signal**: the form is rejected at once, as before.

Which task each form is, and which openings make a message read as a question, are in
``kb/conversation/digressions.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet, UserUttered

from actions.common import deps, slots
from actions.common.forms import slot_before_latest_message
from actions.common.stop_phrases import normalise
from lib.yaml_files import load_yaml

STATUS_INTENT = "check_report_status"
HANDOFF_INTENT = "human_handoff"
URGENT_INTENT = "urgent_help"
#: Retrieval intents answered by the response selector (the FAQ answers).
FAQ_INTENTS = frozenset({"council_tax", "universal_credit", "broadband", "digital_skills"})
SIGNPOST_PREFIX = "signpost_"
REFERENCE_ENTITY = "reference"
STATUS_FORM = "status_form"
HANDOFF_FORM = "handoff_form"
#: Below this confidence an FAQ or signpost intent is not taken for another request.
QUESTION_CONFIDENCE = 0.6
#: The crisis safety net's note on the parse result, and its mark for a weak signal.
CRISIS_KEY = "crisis"
WEAK_KEY = "weak"
#: Stands for the resident's urgent message once they say someone is in danger. A text
#: starting with "/" is left out of transcripts, so the message is not recorded twice.
URGENT_PAYLOAD = "/urgent_help"

#: What a message is, inside a form.
ANSWER = "answer"  # another request, answered by a rule, then the offer to carry on
HANDOFF = "handoff"
WEAK_URGENT = "weak_urgent"
STRONG_URGENT = "strong_urgent"

#: Slots this module uses while a form is paused; cleared whenever the form stops.
REPAIR_SLOTS = (
    slots.FORM_RESUME_CONFIRM,
    slots.FORM_DANGER_CHECK,
    slots.FORM_PENDING_SLOT,
    slots.FORM_URGENT_TEXT,
)

_SLOT_NAME = re.compile(r"{(\w+)}")


def faq_or_signpost(intent: str) -> bool:
    """Whether an intent is an FAQ or signpost question."""
    return intent in FAQ_INTENTS or (
        intent.startswith(SIGNPOST_PREFIX) and len(intent) > len(SIGNPOST_PREFIX)
    )


@dataclass(frozen=True)
class Task:
    """How a form's task is named: ``named`` with slot values, else ``plain``."""

    plain: str
    named: str | None = None


@dataclass(frozen=True)
class DigressionWords:
    """The task names and question openings of ``kb/conversation/digressions.yml``."""

    tasks: dict[str, Task]
    openers: tuple[str, ...]

    def task(self, form: str, tracker: Tracker) -> str:
        """The form's task as the resident would name it ("pothole report")."""
        task = self.tasks.get(form)
        if task is None:
            raise KeyError(f"kb/conversation/digressions.yml names no task for {form}")
        if task.named:
            values = {name: tracker.get_slot(name) for name in _SLOT_NAME.findall(task.named)}
            if all(values.values()):
                return task.named.format(**values)
        return task.plain

    def reads_as_question(self, text: str) -> bool:
        """Whether a message reads as a question or request of its own."""
        if text.strip().endswith(("?", "\u061f")):
            return True
        words = normalise(text)
        return any(words == opener or words.startswith(opener + " ") for opener in self.openers)


def load_digression_words(path: Path) -> DigressionWords:
    """Read the task names and question openings.

    Raises:
        ValueError: naming the file when a form has no plain name or there are no openings.
    """
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    tasks: dict[str, Task] = {}
    for form, entry in (data.get("tasks") or {}).items():
        if not isinstance(entry, dict) or not entry.get("plain"):
            raise ValueError(f"{path}: task {form!r} needs a plain name")
        tasks[str(form)] = Task(plain=str(entry["plain"]), named=entry.get("named"))
    openers = tuple(
        normalise(str(opener))
        for by_language in (data.get("question_openers") or {}).values()
        for opener in by_language
    )
    if not tasks or not openers:
        raise ValueError(f"{path}: tasks and question_openers must not be empty")
    return DigressionWords(tasks=tasks, openers=openers)


@lru_cache(maxsize=4)
def cached_digression_words(path: Path) -> DigressionWords:
    """The words at ``path``, read once."""
    return load_digression_words(path)


def digression_words() -> DigressionWords:
    """The words of the knowledge base in use."""
    return cached_digression_words(deps.settings_kb_dir() / "conversation" / "digressions.yml")


def _latest_user_index(tracker: Tracker) -> int | None:
    indices = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    return indices[-1] if indices else None


def answers_latest_message(tracker: Tracker, form: str) -> bool:
    """Whether the form is validating the latest message (not coming back to it after a rule).

    Coming back after a digression, an action other than the form has run since the
    latest message; validating a new message, only the form has.
    """
    latest = _latest_user_index(tracker)
    if latest is None:
        return False
    return all(
        event.get("name") == form
        for event in tracker.events[latest + 1 :]
        if event.get("event") == "action"
    )


def set_by_latest_message(tracker: Tracker) -> set[str]:
    """The slots set since the latest message (its slot candidates)."""
    latest = _latest_user_index(tracker)
    if latest is None:
        return set()
    return {
        str(event.get("name"))
        for event in tracker.events[latest + 1 :]
        if event.get("event") == "slot" and event.get("value") is not None
    }


def restored(form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """Put back each form slot the latest message set, so the message goes into none."""
    changed = set_by_latest_message(tracker)
    return [
        SlotSet(name, slot_before_latest_message(tracker, name))
        for name in form_slots
        if name in changed
    ]


def _latest_input_channel(tracker: Tracker) -> str | None:
    latest = _latest_user_index(tracker)
    return None if latest is None else tracker.events[latest].get("input_channel")


def _intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def _has_reference(tracker: Tracker) -> bool:
    return any(
        entity.get("entity") == REFERENCE_ENTITY
        for entity in tracker.latest_message.get("entities") or []
    )


def kind_of_message(form: str, tracker: Tracker) -> str | None:
    """What the latest message is inside ``form``, or None for an answer to its question."""
    intent, confidence = _intent(tracker)
    if intent == URGENT_INTENT:
        crisis = tracker.latest_message.get(CRISIS_KEY) or {}
        weak = crisis.get(WEAK_KEY) is True and form != HANDOFF_FORM
        return WEAK_URGENT if weak else STRONG_URGENT
    if intent == HANDOFF_INTENT:
        return HANDOFF if form != HANDOFF_FORM else None
    if intent == STATUS_INTENT:
        return ANSWER if form != STATUS_FORM and _has_reference(tracker) else None
    if not faq_or_signpost(intent) or form == HANDOFF_FORM:
        # In the hand-off form a question is what the resident needs help with.
        return None
    if confidence < QUESTION_CONFIDENCE:
        return None
    asked = tracker.get_slot(slots.REQUESTED_SLOT)
    text = str(tracker.latest_message.get("text") or "")
    if asked not in set_by_latest_message(tracker) or digression_words().reads_as_question(text):
        return ANSWER
    return None


def cleared() -> list[EventType]:
    """Forget the paused form's bookkeeping."""
    return [SlotSet(name, None) for name in REPAIR_SLOTS]


def reject(form: str, events: list[EventType]) -> list[EventType]:
    """The events, then the form's rejection, so that a rule answers the message."""
    return [*events, ActionExecutionRejected(form)]


def answer_elsewhere(form: str, form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """Another request: keep it out of the slots and let the form's repair rule answer it.

    ``requested_slot`` becomes ``form_resume_confirm``, so that coming back the form asks
    whether to carry on (see :func:`coming_back`).
    """
    pending = tracker.get_slot(slots.REQUESTED_SLOT)
    if pending in REPAIR_SLOTS:
        pending = tracker.get_slot(slots.FORM_PENDING_SLOT)
    return reject(
        form,
        [
            *restored(form_slots, tracker),
            SlotSet(slots.FORM_TASK, digression_words().task(form, tracker)),
            SlotSet(slots.FORM_PENDING_SLOT, pending),
            SlotSet(slots.FORM_RESUME_CONFIRM, None),
            SlotSet(slots.REQUESTED_SLOT, slots.FORM_RESUME_CONFIRM),
        ],
    )


def coming_back(tracker: Tracker) -> list[EventType] | None:
    """Back in the form after a rule answered a digression: ask whether to carry on."""
    if tracker.get_slot(slots.REQUESTED_SLOT) == slots.FORM_RESUME_CONFIRM:
        return [SlotSet(slots.REQUESTED_SLOT, slots.FORM_RESUME_CONFIRM)]
    return None


def ask_about_danger(form: str, form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """A weak urgent signal: ask "Is anyone hurt or in danger?", keeping the message."""
    pending = tracker.get_slot(slots.REQUESTED_SLOT)
    if pending in REPAIR_SLOTS:
        pending = tracker.get_slot(slots.FORM_PENDING_SLOT)
    return [
        *restored(form_slots, tracker),
        SlotSet(slots.FORM_TASK, digression_words().task(form, tracker)),
        SlotSet(slots.FORM_PENDING_SLOT, pending),
        SlotSet(slots.FORM_URGENT_TEXT, tracker.latest_message.get("text")),
        SlotSet(slots.FORM_DANGER_CHECK, None),
        SlotSet(slots.REQUESTED_SLOT, slots.FORM_DANGER_CHECK),
    ]


def urgent_after_all(form: str, form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """Yes, someone is in danger: the form is rejected and the message becomes urgent help.

    The ``UserUttered`` stands for the urgent message (as Rasa's own two-stage fallback
    does with an intent the resident confirmed), so each form's urgent-help rule applies.
    """
    urgent = UserUttered(
        URGENT_PAYLOAD,
        parse_data={
            "intent": {"name": URGENT_INTENT, "confidence": 1.0},
            "intent_ranking": [{"name": URGENT_INTENT, "confidence": 1.0}],
            "entities": [],
            "text": URGENT_PAYLOAD,
        },
        # The same channel, so the phone line keeps its own wording.
        input_channel=_latest_input_channel(tracker),
    )
    return [*reject(form, [*restored(form_slots, tracker), *cleared()]), urgent]


def takes_text(domain: dict[str, Any], slot: str, form: str) -> bool:
    """Whether the form's question for ``slot`` takes the resident's own words."""
    mappings = ((domain.get("slots") or {}).get(slot) or {}).get("mappings") or []
    for mapping in mappings:
        if mapping.get("type") != "from_text":
            continue
        conditions = mapping.get("conditions") or []
        if not conditions or any(c.get("active_loop") == form for c in conditions):
            return True
    return False


def add_candidate(tracker: Tracker, slot: str, value: Any) -> None:
    """Put ``value`` on the tracker as a slot candidate the validator then checks."""
    tracker.slots[slot] = value
    tracker.events.append({"event": "slot", "name": slot, "value": value})
