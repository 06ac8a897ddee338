"""Report a street problem: the form's validation (submission: ``report_problem_send.py``).

What the form asks depends on the problem: the council's ``services.yml`` lists the
questions each problem needs (``kb/report_questions.yml``) and the advice it gives.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.contact_memory import (
    offers_remembered_contact,
    said_recently,
    set_during_form,
)
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.forms import reply_text, slot_before_latest_message, yes_no
from actions.common.locations import (
    LocationResult,
    find_duplicate,
    place_already_given,
    resolve_location,
)
from actions.common.validators import (
    CANCELLED,
    UNKNOWN,
    clean_description,
    clean_text,
    looks_like_address,
    parse_change_field,
    parse_contact,
    parse_yes_no,
)
from bot.councils.profile import Advice, ProblemCategory
from lib.postcodes.normalise import find_postcodes

REPORT_FORM = "report_form"
_POSTCODE_IN = re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")
#: "no, it's on Stoke Road": the words before the place in a corrected answer.
_NO_THEN_PLACE = re.compile(
    r"^\s*(?:no+|nope|nah|not there|wrong|incorrect)\b[\s,.!-]*(?:it'?s|it is)?\s*"
    r"(?:on|in|at)?\s+",
    re.IGNORECASE,
)

#: After this many places that could not be found, offer a person.
LOCATION_ATTEMPTS_BEFORE_PERSON = 2


#: Report questions the council needs whatever the problem, and the response that says why.
REQUIRED_BECAUSE = {
    slots.PROBLEM_TYPE: responses.REPORT_PROBLEM_TYPE_REQUIRED,
    slots.LOCATION: responses.REPORT_LOCATION_REQUIRED,
    slots.FOLLOW_EXISTING: responses.REPORT_FOLLOW_EXISTING_REQUIRED,
    slots.DANGEROUS: responses.REPORT_DANGEROUS_REQUIRED,
    slots.CONFIRM_REPORT: responses.REPORT_CONFIRM_REQUIRED,
    slots.CHANGE_FIELD: responses.REPORT_CHANGE_FIELD_REQUIRED,
}
#: Report questions that may go unanswered, and what is said when they do.
SKIPPABLE = {
    slots.DESCRIPTION: responses.REPORT_DESCRIPTION_SKIPPED,
    slots.CONTACT_CONSENT: responses.REPORT_CONTACT_SKIPPED,
    slots.CONTACT: responses.REPORT_CONTACT_SKIPPED,
}


class ValidateReportForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Checks each answer of ``report_form`` and decides which questions remain.

    "I don't know" or "skip": the description may go unanswered (the report is sent as the
    kind of problem), and so may contact details (none are taken). A problem's own question
    may go unanswered when ``kb/report_questions.yml`` gives it an ``unknown`` answer;
    otherwise the team needs it. The place, the kind of problem, whether it is dangerous and
    the check screen are needed: "I don't know" gets why, then the offer of a person.
    """

    #: "cancel" at "what would you like to change?" already cancels the report its own way.
    stop_handled_by = frozenset({"change_field"})
    #: A place that cannot be found counts its own misses and offers a person itself.
    counted_elsewhere = frozenset({slots.LOCATION})

    @property
    def skippable(self) -> dict[str, str | None]:  # type: ignore[override]
        """The fixed optional questions, and each problem question with an unknown answer."""
        asked = deps.report_questions()
        optional = {
            name: responses.REPORT_QUESTION_SKIPPED
            for name in asked
            if asked[name].answer(UNKNOWN) is not None
        }
        return {**SKIPPABLE, **optional}

    @property
    def required_because(self) -> dict[str, str]:  # type: ignore[override]
        """The fixed needed questions, and each problem question without an unknown answer."""
        asked = deps.report_questions()
        needed = {
            name: responses.REPORT_QUESTION_REQUIRED
            for name in asked
            if asked[name].answer(UNKNOWN) is None
        }
        return {**REQUIRED_BECAUSE, **needed}

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """No description: the kind of problem. No contact: none kept. A question: unknown."""
        dispatcher.utter_message(response=self.skippable[slot])
        if slot == slots.DESCRIPTION:
            category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
            label = tracker.get_slot(slots.PROBLEM_LABEL) or (category.label if category else "")
            return {slots.DESCRIPTION: label or UNKNOWN}
        if slot in (slots.CONTACT_CONSENT, slots.CONTACT):
            return {
                slots.CONTACT_CONSENT: False,
                slots.CONTACT: None,
                slots.CONTACT_EMAIL: None,
                slots.CONTACT_PHONE: None,
            }
        return {slot: UNKNOWN}

    def name(self) -> str:
        """Registered name."""
        return "validate_report_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions still to ask, which depend on the answers so far."""
        required = [slots.PROBLEM_TYPE, slots.LOCATION]
        if tracker.get_slot(slots.DUPLICATE_OF):
            required.append(slots.FOLLOW_EXISTING)
            if tracker.get_slot(slots.FOLLOW_EXISTING) is True:
                return required
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        if category is not None:
            required += category.question_names
        required += [slots.DESCRIPTION, slots.DANGEROUS, slots.CONTACT_CONSENT]
        if tracker.get_slot(slots.CONTACT_CONSENT) is True:
            required.append(slots.CONTACT)
        required.append(slots.CONFIRM_REPORT)
        if tracker.get_slot(slots.CONFIRM_REPORT) is False:
            required.append(slots.CHANGE_FIELD)
        return required

    async def validate_problem_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a problem the council handles, remember its label and give its advice.

        Once the form has a problem type, only the answer to "what kind of problem is it?"
        changes it: a later answer that reads like another report (a description of an
        abandoned car as "dumped") does not.
        """
        before = slot_before_latest_message(tracker, slots.PROBLEM_TYPE)
        asked = tracker.get_slot(slots.REQUESTED_SLOT)
        if before and asked not in (None, slots.PROBLEM_TYPE):
            return {slots.PROBLEM_TYPE: before}
        if not value:
            return {slots.PROBLEM_TYPE: None}
        category = deps.profile().problem(str(value)) or _category_of_intent(tracker, domain)
        if category is None:
            # "Something else" (the generic report intent) or words that name no problem.
            if _latest_intent(tracker) != GENERIC_REPORT_INTENT:
                dispatcher.utter_message(response=responses.PROBLEM_TYPE_NOT_UNDERSTOOD)
            return {slots.PROBLEM_TYPE: None, slots.PROBLEM_TYPE_IN_WORDS: True}
        result: dict[str, Any] = {
            slots.PROBLEM_TYPE: category.problem_type,
            slots.PROBLEM_LABEL: category.label,
            slots.PROBLEM_TYPE_IN_WORDS: None,
            # A new category means any duplicate found before no longer applies.
            slots.DUPLICATE_OF: None,
            slots.FOLLOW_EXISTING: None,
        }
        if asked is None or category.problem_type != before:
            # A new report, or another kind of problem: its own questions, asked afresh.
            result.update({question: None for question in deps.report_questions()})
            for advice in category.opening_advice:
                _say_advice(dispatcher, advice)
        return result

    def __getattr__(self, name: str) -> Any:
        """``validate_<question>`` for each question of ``kb/report_questions.yml``."""
        question = name.removeprefix("validate_")
        if name.startswith("validate_") and question in deps.report_questions():
            return partial(self.validate_question, question)
        raise AttributeError(name)

    async def validate_question(
        self,
        question: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Read the answer to one of the problem's questions, and give any advice it calls for.

        Args:
            question: the question's name (its slot).
            value: the reply.
            dispatcher: for the "not understood" and advice responses.
            tracker: the conversation.
            domain: the domain (unused).

        Returns:
            The answer (a key or the resident's words), and any answers it implies; the
            question set to None, to ask again, when the reply does not answer it.
        """
        asked = deps.report_questions()[question]
        reading = asked.read(value)
        if reading is None:
            dispatcher.utter_message(response=asked.not_understood)
            return {question: None}
        answer = asked.answer(reading)
        result: dict[str, Any] = {question: reading, **(answer.sets if answer else {})}
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        for advice in category.advice if category else ():
            if any(advice.follows(name, str(key)) for name, key in result.items()):
                _say_advice(dispatcher, advice)
        return result

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Locate a postcode (inside the council's area) or accept a street and landmark.

        After "Is it on Leek Road?", yes takes the place offered, no asks for the place
        (or takes the one given with it: "no, it's on Stoke Road"), and any other answer
        is read as the place.
        """
        text = whole_place_answer(value, tracker)
        offered = set_during_form(tracker, slots.LOCATION_GUESS, REPORT_FORM)
        if not offered:
            return await self._locate(text, dispatcher, tracker)
        answer = parse_yes_no(text)
        if answer is True:
            text = str(offered)
        elif answer is False:
            text = _NO_THEN_PLACE.sub("", text, count=1)
            if not looks_like_address(text) and not find_postcodes(text):
                return {slots.LOCATION: None, slots.LOCATION_GUESS: ""}
        return {**await self._locate(text, dispatcher, tracker), slots.LOCATION_GUESS: ""}

    async def _locate(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Resolve a place, explaining a miss, and look for an open report nearby."""
        result: LocationResult = resolve_location(text, deps.profile())
        if not result.ok:
            attempts = (tracker.get_slot(slots.LOCATION_ATTEMPTS) or 0) + int(
                result.counts_as_failure
            )
            dispatcher.utter_message(response=result.problem_response, **result.template_vars)
            if attempts >= LOCATION_ATTEMPTS_BEFORE_PERSON and result.counts_as_failure:
                dispatcher.utter_message(response=responses.OFFER_PERSON)
            return {
                slots.LOCATION: None,
                slots.LOCATION_ATTEMPTS: attempts,
                slots.LOCATION_POSTCODE: result.postcode,
            }
        events = {
            slots.LOCATION: result.display,
            slots.LOCATION_POSTCODE: result.postcode,
            slots.LOCATION_LAT: result.lat,
            slots.LOCATION_LONG: result.long,
            slots.LOCATION_ATTEMPTS: 0,
            slots.DUPLICATE_OF: None,
            slots.DUPLICATE_DISTANCE: None,
            slots.FOLLOW_EXISTING: None,
        }
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        if category and result.lat is not None and result.long is not None:
            duplicate = await find_duplicate(
                deps.open311(), category.service_code, result.lat, result.long
            )
            if duplicate is not None:
                events[slots.DUPLICATE_OF] = duplicate.service_request_id
                events[slots.DUPLICATE_DISTANCE] = duplicate.distance_m
        return events

    async def validate_follow_existing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes: follow the existing report. No: carry on with a new one."""
        return yes_no(slots.FOLLOW_EXISTING, value, dispatcher)

    async def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A few words that tell the team what they will find."""
        description = clean_description(value)
        if description is None:
            dispatcher.utter_message(response=responses.DESCRIPTION_EMPTY)
        return {slots.DESCRIPTION: description}

    async def validate_dangerous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no."""
        return yes_no(slots.DANGEROUS, value, dispatcher)

    async def validate_contact_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no; saying no clears any details given before."""
        result = yes_no(slots.CONTACT_CONSENT, value, dispatcher)
        if result[slots.CONTACT_CONSENT] is False:
            result.update(
                {slots.CONTACT: None, slots.CONTACT_EMAIL: None, slots.CONTACT_PHONE: None}
            )
        return result

    @offers_remembered_contact(REPORT_FORM, slots.CONTACT)
    async def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An email address or a UK phone number."""
        parsed = parse_contact(str(value or ""))
        if parsed is None:
            dispatcher.utter_message(response=responses.CONTACT_NOT_VALID)
            return {slots.CONTACT: None}
        kind, contact = parsed
        return {
            slots.CONTACT: contact,
            slots.CONTACT_EMAIL: contact if kind == "email" else None,
            slots.CONTACT_PHONE: contact if kind == "phone" else None,
        }

    async def validate_confirm_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes sends the report; "change something" asks what; naming a field re-asks it.

        "The location is wrong" or "change my phone number" goes straight to that question
        (issue #16 item 7); the form then shows the check screen again.
        """
        reading = read_check_answer(reply_text(value, tracker))
        if isinstance(reading, bool):
            return {slots.CONFIRM_REPORT: reading}
        if reading is None:
            dispatcher.utter_message(response=responses.CHECK_REPORT_NOT_UNDERSTOOD)
            return {slots.CONFIRM_REPORT: None}
        return _clear_for_change(reading, tracker)

    async def validate_change_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Clear the answer the resident wants to change so the form asks it again."""
        text = str(value or "")
        field = parse_change_field(text)
        if field != CANCELLED:
            field = field_named(text) or field
        if field is None:
            dispatcher.utter_message(response=responses.CHANGE_FIELD_NOT_UNDERSTOOD)
            return {slots.CHANGE_FIELD: None}
        if field == CANCELLED:
            return {slots.CHANGE_FIELD: CANCELLED, slots.CONFIRM_REPORT: CANCELLED}
        return _clear_for_change(field, tracker)


# --- the check screen's answer ----------------------------------------------------------

#: "The details": the answers about the problem as well as its description.
DETAILS = "details"

#: The words that name each part of the check screen, matched as whole words; when a
#: reply names several, the first named wins ("the location is wrong, it's outside
#: number 12" is about the place, not a phone number).
CHECK_FIELDS: dict[str, tuple[str, ...]] = {
    slots.PROBLEM_TYPE: ("problem", "kind of problem", "type of problem", "category"),
    slots.LOCATION: (
        "place", "location", "where", "postcode", "post code", "address", "street", "road",
        "spot", "house number", "house", "outside", "opposite", "near", "corner", "junction",
    ),
    slots.DESCRIPTION: ("description", "describe", "described"),
    DETAILS: ("details", "detail", "answers", "answer"),
    slots.DANGEROUS: ("danger", "dangerous", "safe", "unsafe", "hazard"),
    slots.CONTACT: ("phone", "number", "mobile", "email", "e-mail", "e mail"),
    slots.CONTACT_CONSENT: ("contact", "contact details", "contacted"),
}  # fmt: skip

#: Words that say something on the check screen is to change, with or without a "yes".
CHANGE_CUES = (
    "change", "wrong", "edit", "amend", "fix", "update", "incorrect", "mistake", "not right",
    "isn't right", "isnt right", "should be", "actually", "instead",
)  # fmt: skip

_FIELD_PATTERNS = {
    field: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
    for field, words in CHECK_FIELDS.items()
}
_CHANGE_CUE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in CHANGE_CUES) + r")\b")


def _lowered(text: str | None) -> str:
    return clean_text(text or "").lower().replace("’", "'")


def field_named(text: str | None) -> str | None:
    """The part of the report a reply names first (a slot name, or :data:`DETAILS`)."""
    lowered = _lowered(text)
    found = [
        (match.start(), field)
        for field, pattern in _FIELD_PATTERNS.items()
        if (match := pattern.search(lowered))
    ]
    return min(found)[1] if found else None


def read_check_answer(text: str | None) -> bool | str | None:
    """Read the reply to "Is this right?" on the report's check screen.

    Returns:
        True to send it; False to ask what to change; the part to change when the reply
        names one ("change the place", "yes but the postcode is wrong"); None when the
        reply is none of these.
    """
    answer = parse_yes_no(text)
    field = field_named(text)
    wants_change = bool(_CHANGE_CUE.search(_lowered(text)))
    if field is not None and (answer is not True or wants_change):
        return field
    if answer is None and wants_change:
        return False
    return answer


def _clear_for_change(field: str, tracker: Tracker) -> dict[str, Any]:
    """Forget one answer (and what depends on it), so the form asks only that again."""
    cleared: dict[str, Any] = {slots.CHANGE_FIELD: None, slots.CONFIRM_REPORT: None}
    if field == slots.CONTACT and tracker.get_slot(slots.CONTACT_CONSENT) is not True:
        # No details were given: changing them starts with "can the council contact you?".
        field = slots.CONTACT_CONSENT
    if field == DETAILS:
        cleared[slots.DESCRIPTION] = None
        cleared.update({question: None for question in deps.report_questions()})
        return cleared
    cleared[field] = None
    if field == slots.LOCATION:
        cleared.update({slots.DUPLICATE_OF: None, slots.FOLLOW_EXISTING: None})
    if field in (slots.CONTACT_CONSENT, slots.CONTACT):
        cleared.update({slots.CONTACT: None, slots.CONTACT_EMAIL: None, slots.CONTACT_PHONE: None})
    return cleared


def whole_place_answer(value: Any, tracker: Tracker) -> str:
    """The resident's whole answer when the slot holds only the postcode found in it.

    "outside the Co-op, Leek Road, ST2 7AA" fills the slot with the postcode entity
    "ST2 7AA"; the street and landmark help the crew find it, so the whole text is kept.
    """
    answer = str(value or "")
    text = str(tracker.latest_message.get("text") or "")
    found = find_postcodes(answer)
    if found and len(text) > len(answer):
        in_text = find_postcodes(text)
        if in_text and in_text[0].postcode == found[0].postcode:
            return text
    return answer


class ActionAskLocation(FailSafe, Action):
    """Asks where the problem is, or confirms the place the resident has already named."""

    def name(self) -> str:
        """Registered name."""
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offer "Is it on Leek Road, near the Co-op?" once per report, else ask."""
        offered = set_during_form(tracker, slots.LOCATION_GUESS, REPORT_FORM)
        if offered is None and tracker.get_slot(slots.LANGUAGE) in (None, "en"):
            # The place words are English: in another language the question is asked.
            offered = place_already_given(said_recently(tracker), deps.profile())
        if offered:
            # "Is it on Leek Road, near the Co-op?", but "Is it at ST4 2DX?".
            only_postcode = find_postcodes(offered) and not looks_like_address(
                _POSTCODE_IN.sub(" ", offered)
            )
            response = (
                responses.ASK_LOCATION_CONFIRM_POSTCODE
                if only_postcode
                else responses.ASK_LOCATION_CONFIRM
            )
            dispatcher.utter_message(response=response, location_guess=offered)
            return [SlotSet(slots.LOCATION_GUESS, offered)]
        dispatcher.utter_message(response=responses.ASK_LOCATION)
        return [SlotSet(slots.LOCATION_GUESS, "")]


#: The intent of "I want to report a problem" and of the "Something else" button.
GENERIC_REPORT_INTENT = "report_problem"


def _latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def _category_of_intent(tracker: Tracker, domain: DomainDict) -> ProblemCategory | None:
    """The problem the latest intent names, by the problem_type slot's intent mappings.

    Used when an entity extracted from the reply is not a problem type ("fox"), so the
    entity mapping won over the intent's.
    """
    intent = _latest_intent(tracker)
    mappings = domain.get("slots", {}).get(slots.PROBLEM_TYPE, {}).get("mappings", [])
    for mapping in mappings:
        if mapping.get("type") == "from_intent" and mapping.get("intent") == intent:
            return deps.profile().problem(str(mapping.get("value")))
    return None


def _say_advice(dispatcher: CollectingDispatcher, advice: Advice) -> None:
    dispatcher.utter_message(
        response=responses.REPORT_ADVICE,
        report_advice=advice.text,
        report_advice_voice=advice.voice,
    )
