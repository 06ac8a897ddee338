"""Digital skills: a self-check over the five basic digital skills, then a class or drop-in.

``digital_skills_form`` asks one yes/no question for each of the five Go ON UK basic
digital skills (the list and its order are data in ``kb/facts/digital_skills.yml``), then
a postcode if the conversation has none. ``action_digital_skills_recommendation`` counts
the skills the resident has: fewer than the knowledge base's ``class_below`` means a
beginners' class, otherwise a drop-in session for the rest (or, with all five, drop-ins
for when they get stuck). The sessions and where they are come from the directory; the
places listed can be asked about afterwards like any other list of places.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.forms import yes_no
from actions.common.pending_request import offer_pending
from actions.find_place import check_place_postcode, local_now, place_vars, words
from integrations.directory import DirectoryRejected, DirectoryUnavailable, Place, PlaceQuery
from lib.yaml_files import load_yaml

logger = logging.getLogger(__name__)

SERVICE = "digital_skills"
CLASS = "digital_skills_class"
DROP_IN = "digital_skills_drop_in"
NEAREST = 3


@dataclass(frozen=True)
class Skill:
    """One basic digital skill: the form slot that asks about it and its plain name."""

    slot: str
    name: str


@lru_cache(maxsize=4)
def _skills_in(path: Path) -> tuple[Skill, ...]:
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    entries = data.get("skills") or []
    skills = tuple(Skill(str(entry["slot"]), str(entry["name"])) for entry in entries)
    if len(skills) != 5:
        raise ValueError(f"{path}: 'skills' must list the five basic digital skills")
    return skills


def skills() -> tuple[Skill, ...]:
    """The five basic digital skills, in the order the self-check asks about them."""
    return _skills_in(deps.knowledge(SERVICE).path)


@dataclass(frozen=True)
class Recommendation:
    """What to suggest: the response that says why, the sessions to look for, the gaps."""

    response: str
    services: tuple[str, ...]
    to_learn: tuple[str, ...]


def recommend(answers: dict[str, bool | None], class_below: int) -> Recommendation:
    """The recommendation for the self-check's answers (True means "I can do this").

    Fewer than ``class_below`` skills: a beginners' class (drop-ins if there is no class
    nearby). Otherwise a drop-in session for the skills still to learn.
    """
    to_learn = tuple(skill.name for skill in skills() if not answers.get(skill.slot))
    have = len(skills()) - len(to_learn)
    if have < class_below:
        return Recommendation(responses.DS_RECOMMEND_CLASS, (CLASS, DROP_IN), to_learn)
    if to_learn:
        return Recommendation(responses.DS_RECOMMEND_DROP_IN, (DROP_IN, CLASS), to_learn)
    return Recommendation(responses.DS_RECOMMEND_CONFIDENT, (DROP_IN, CLASS), ())


def spoken_list(items: tuple[str, ...]) -> str:
    """Items joined for reading aloud: ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class ValidateDigitalSkillsForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Reads the five yes/no answers and the postcode to search near.

    "Not sure" whether they can do something counts as a skill to learn; the postcode
    (or a place's name) is needed to find sessions nearby, so "I don't know" gets why and
    the offer of a person.
    """

    required_because = {slots.PLACE_POSTCODE: responses.PLACE_POSTCODE_REQUIRED}

    @property
    def skippable(self) -> dict[str, str | None]:  # type: ignore[override]
        """Each skill of the knowledge base: unsure counts as one to learn."""
        return {skill.slot: responses.DS_SKILL_SKIPPED for skill in skills()}

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """An unsure answer is a no: the skill is recommended to learn."""
        dispatcher.utter_message(response=responses.DS_SKILL_SKIPPED)
        return {slot: False}

    def name(self) -> str:
        """Registered name."""
        return "validate_digital_skills_form"

    def __getattr__(self, name: str) -> Any:
        """``validate_<skill slot>`` for each skill of the knowledge base: a yes or a no.

        rasa-sdk looks validators up by name; the skills are data, so their validators are
        made here rather than written out one by one.
        """
        slot = name.removeprefix("validate_")
        if name.startswith("validate_") and slot in {skill.slot for skill in skills()}:

            async def validate_skill(
                value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
            ) -> dict[str, Any]:
                return yes_no(slot, value, dispatcher)

            return validate_skill
        raise AttributeError(name)

    async def validate_place_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A postcode in the council's area, or the name of a place it lists."""
        return await check_place_postcode(value, dispatcher)


async def _sessions_near(near: str, services: tuple[str, ...]) -> tuple[str, list[Place]]:
    """The nearest places with the first kind of session in ``services`` that has any."""
    client = deps.directory()
    for service in services:
        found = await client.search(PlaceQuery(near=near, services=(service,), limit=NEAREST))
        if found:
            return service, found
    return services[0], []


class ActionDigitalSkillsRecommendation(FailSafe, Action):
    """Says what would help and lists the nearest classes or drop-in sessions."""

    def name(self) -> str:
        """Registered name."""
        return "action_digital_skills_recommendation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Recommend a class or a drop-in from the answers, with the nearest sessions."""
        near = tracker.get_slot(slots.PLACE_POSTCODE)
        answers = {skill.slot: tracker.get_slot(skill.slot) for skill in skills()}
        if not near or any(value is None for value in answers.values()):
            return []
        knowledge = deps.knowledge(SERVICE)
        advice = recommend(answers, int(knowledge.fact("class_below")))
        to_learn = spoken_list(advice.to_learn)
        try:
            service, found = await _sessions_near(near, advice.services)
        except DirectoryUnavailable as error:
            logger.warning("directory search failed", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return [SlotSet(slots.SKILLS_TO_LEARN, to_learn), *offer_pending(tracker)]
        except DirectoryRejected as error:
            logger.info("directory refused the search", extra={"code": error.code})
            dispatcher.utter_message(response=responses.PLACE_POSTCODE_NOT_VALID)
            return [SlotSet(slots.PLACE_POSTCODE, None)]
        events: list[EventType] = [SlotSet(slots.SKILLS_TO_LEARN, to_learn)]
        if not found:
            dispatcher.utter_message(response=responses.DS_NONE_NEARBY, place_postcode=near)
            return [*events, SlotSet(slots.PLACES_LISTED, []), *offer_pending(tracker)]
        response = advice.response
        if response == responses.DS_RECOMMEND_CLASS and service != CLASS:
            response = responses.DS_RECOMMEND_DROP_IN
        dispatcher.utter_message(response=response, skills_to_learn=to_learn)
        vocabulary = words()
        now = local_now()
        for number, place in enumerate(found, start=1):
            values = place_vars(place, number, vocabulary, now)
            dispatcher.utter_message(
                response=responses.DS_PLACE_LINE,
                place_session=place.sessions.get(service) or vocabulary.labels[service],
                **values,
            )
        dispatcher.utter_message(response=responses.DS_FOLLOW_UP)
        return [
            *events,
            SlotSet(slots.PLACES_LISTED, [place.id for place in found]),
            *offer_pending(tracker),
        ]


class ActionStartDigitalSkills(FailSafe, Action):
    """Explains the self-check and clears any earlier answers, so it starts afresh."""

    def name(self) -> str:
        """Registered name."""
        return "action_start_digital_skills"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say what the check is and reset its answers."""
        dispatcher.utter_message(response=responses.DS_INTRO)
        return [SlotSet(skill.slot, None) for skill in skills()]
