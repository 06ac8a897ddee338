"""Find a place: public PCs, free Wi-Fi, libraries, work clubs and pay points (issue #5).

``find_place_form`` asks for a postcode when the resident has not given one (the answer
is kept for the rest of the conversation), then ``action_find_place`` lists the nearest
three with distance, open now or next opening, and the help on hand. Follow-ups about
the places just listed ("is the second one open on Sunday?", "does the first one have a
screen reader?") are answered by ``action_place_hours`` and ``action_place_details``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.pending_request import offer_pending
from actions.common.place_words import (
    Words,
    asks_open_now,
    clock,
    day_asked,
    day_word,
    features_asked,
    help_list,
    hours_text,
    miles,
    ordinal_asked,
    place_named,
    walk_minutes,
)
from actions.common.triage import intent_of
from bot.text import clean_number_text
from integrations.directory import DirectoryRejected, DirectoryUnavailable, Place, PlaceQuery
from lib.postcodes.errors import PostcodeDataUnavailable, PostcodeNotFound
from lib.postcodes.normalise import find_postcodes, outward_code_only

logger = logging.getLogger(__name__)

#: What each search intent looks for (types, facilities, services).
SEARCHES: dict[str, dict[str, tuple[str, ...]]] = {
    "find_pc": {"features": ("public_pcs",)},
    "find_wifi": {"features": ("wifi",)},
    "find_library": {"types": ("library",)},
    "find_work_club": {"services": ("job_search",)},
    "find_pay_point": {"types": ("pay_point",)},
    "universal_credit_no_device": {
        "features": ("public_pcs", "staff_help"),
        "services": ("universal_credit_support",),
    },
}
FACILITIES = ("wifi", "printing", "screen_reader", "large_key_keyboard", "hearing_loop",
              "step_free", "staff_help", "public_pcs", "bookable_pcs")  # fmt: skip
SERVICES = ("universal_credit_support", "work_club", "bill_payments")
NEAREST = 3


def last_search(tracker: Tracker) -> tuple[str, str] | None:
    """The latest search intent the resident expressed and the text they said it with."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and intent_of(event) in SEARCHES:
            return str(intent_of(event)), str(event.get("text") or "")
    return None


def build_query(intent: str, text: str, near: str, words: Words) -> PlaceQuery:
    """The directory query for a search intent and the words the resident used."""
    search = SEARCHES[intent]
    asked = features_asked(text, words)
    features = list(search.get("features", ()))
    features += [f for f in asked if f in FACILITIES and f not in features]
    services = list(search.get("services", ()))
    services += [s for s in asked if s in SERVICES and s not in services]
    types = search.get("types", ())
    if "bill_payments" in services and intent != "find_pay_point":
        services.remove("bill_payments")
    return PlaceQuery(
        near=near,
        types=tuple(types),
        features=tuple(features),
        services=tuple(services),
        open_now=True if asks_open_now(text, words) else None,
        limit=NEAREST,
    )


def local_now() -> datetime:
    """The council's local time now, naive (what the directory's times mean)."""
    return datetime.now(ZoneInfo(deps.profile().timezone)).replace(tzinfo=None)


def place_vars(place: Place, number: int, words: Words, now: datetime) -> dict[str, Any]:
    """Template variables that describe one listed place."""
    values: dict[str, Any] = {
        "place_number": number,
        "place_name": place.name,
        "place_address": place.address,
        "place_distance_miles": miles(place.distance_m),
        "place_walk_minutes": walk_minutes(place.distance_m),
        "place_help": help_list(place, words),
        "place_how_to_book": place.how_to_book,
    }
    if place.open_until:
        values["place_until"] = clock(place.open_until, words)
    if place.next_opening:
        values["place_opens_day"] = day_word(place.next_opening.date(), now.date(), words)
        values["place_opens_time"] = clock(place.next_opening, words)
    return values


def words() -> Words:
    """The directory words, from the knowledge base."""
    return deps.place_words()


async def check_place_postcode(value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Fill ``place_postcode``: a postcode in the council's area, or a listed place's postcode.

    The slot is None, after the reason is said, when the answer can't be used.
    """
    text = clean_number_text(str(value or ""), 100)
    matches = find_postcodes(text)
    if matches:
        postcode = matches[0].postcode
        try:
            found = deps.postcodes().lookup(postcode)
        except PostcodeNotFound:
            dispatcher.utter_message(
                response=responses.PLACE_POSTCODE_NOT_FOUND, place_postcode=postcode
            )
            return {slots.PLACE_POSTCODE: None}
        except PostcodeDataUnavailable:
            return {slots.PLACE_POSTCODE: postcode}  # the directory will check it
        if not deps.profile().covers(found.local_authority_code):
            dispatcher.utter_message(
                response=responses.PLACE_POSTCODE_OTHER_COUNCIL, place_postcode=postcode
            )
            return {slots.PLACE_POSTCODE: None}
        return {slots.PLACE_POSTCODE: postcode}
    if outward_code_only(text):
        dispatcher.utter_message(response=responses.PLACE_POSTCODE_PARTIAL)
        return {slots.PLACE_POSTCODE: None}
    try:
        listed = await deps.directory().search(PlaceQuery(near=text, limit=1))
    except DirectoryRejected:
        listed = []
    except DirectoryUnavailable:
        dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
        return {slots.PLACE_POSTCODE: None}
    if not listed:
        dispatcher.utter_message(response=responses.PLACE_POSTCODE_NOT_VALID)
        return {slots.PLACE_POSTCODE: None}
    return {slots.PLACE_POSTCODE: listed[0].postcode}


def bookable_offer(found: list[Place]) -> Place | None:
    """The nearest listed place whose computers can be booked: the one the button offers."""
    return next((place for place in found if place.bookable_pcs > 0), None)


class ValidateFindPlaceForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Checks the postcode (or a place name) to search near.

    "I don't know my postcode" gets why it is needed, what else works (a library's name),
    and the offer of a person.
    """

    required_because = {slots.PLACE_POSTCODE: responses.PLACE_POSTCODE_REQUIRED}

    def name(self) -> str:
        """Registered name."""
        return "validate_find_place_form"

    async def validate_place_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a postcode in the council's area, or the name of a place it lists."""
        return await check_place_postcode(value, dispatcher)


class ActionFindPlace(FailSafe, Action):
    """Lists the three nearest places that fit what the resident asked for."""

    def name(self) -> str:
        """Registered name."""
        return "action_find_place"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Search the directory and answer with the nearest three."""
        near = tracker.get_slot(slots.PLACE_POSTCODE)
        search = last_search(tracker)
        if not near or search is None:
            return []
        vocabulary = words()
        query = build_query(search[0], search[1], near, vocabulary)
        try:
            found = await deps.directory().search(query)
        except DirectoryUnavailable as error:
            logger.warning("directory search failed", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return offer_pending(tracker)
        except DirectoryRejected as error:
            logger.info("directory refused the search", extra={"code": error.code})
            dispatcher.utter_message(response=responses.PLACE_POSTCODE_NOT_VALID)
            return [SlotSet(slots.PLACE_POSTCODE, None)]
        wanted = [vocabulary.labels[f] for f in (*query.features, *query.services)]
        if not found:
            dispatcher.utter_message(
                response=responses.PLACES_NONE,
                place_postcode=near,
                place_wanted=", ".join(wanted) or vocabulary.labels["public_pcs"],
            )
            return [SlotSet(slots.PLACES_LISTED, []), *offer_pending(tracker)]
        dispatcher.utter_message(response=responses.PLACES_FOUND, place_postcode=near)
        now = local_now()
        for number, place in enumerate(found, start=1):
            values = place_vars(place, number, vocabulary, now)
            if place.open_now:
                response = responses.PLACE_LINE_OPEN
            elif place.next_opening:
                response = responses.PLACE_LINE_CLOSED
            else:
                response = responses.PLACE_LINE_CLOSED_NO_OPENING
            dispatcher.utter_message(response=response, **values)
        # The booking button only where it will work: a listed place with bookable PCs.
        offer = bookable_offer(found)
        if offer is None:
            dispatcher.utter_message(response=responses.PLACES_FOLLOW_UP_NO_BOOKING)
        else:
            dispatcher.utter_message(response=responses.PLACES_FOLLOW_UP, place_name=offer.name)
        return [
            SlotSet(slots.PLACES_LISTED, [place.id for place in found]),
            SlotSet(slots.BOOK_OFFER, offer.id if offer else None),
            *offer_pending(tracker),
        ]


async def place_in_question(tracker: Tracker, text: str) -> Place | None:
    """The place a follow-up is about: by position or name in the last list, else by name.

    Raises:
        DirectoryUnavailable: when the directory cannot be asked.
    """
    listed_ids = tracker.get_slot(slots.PLACES_LISTED) or []
    client = deps.directory()
    listed: list[Place] = []
    for place_id in listed_ids:
        try:
            listed.append(await client.place(place_id))
        except DirectoryRejected:
            continue
    number = ordinal_asked(text, words())
    if number is not None and number <= len(listed):
        if "last" in text.lower() and number == 3:
            return listed[-1]
        return listed[number - 1]
    named = place_named(text, listed)
    if named:
        return named
    everything = await client.search(PlaceQuery(limit=50))
    named = place_named(text, everything)
    if named:
        return named
    return listed[0] if len(listed) == 1 else None


async def place_or_say_why(
    tracker: Tracker, text: str, dispatcher: CollectingDispatcher
) -> Place | None:
    """The place a follow-up is about, or None after saying why it can't be told."""
    try:
        place = await place_in_question(tracker, text)
    except DirectoryUnavailable:
        dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
        return None
    if place is None:
        dispatcher.utter_message(response=responses.PLACE_WHICH)
    return place


class ActionPlaceHours(FailSafe, Action):
    """Answers "is it open on Sunday?" about a listed or named place."""

    def name(self) -> str:
        """Registered name."""
        return "action_place_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say the place's hours on the day asked about, or whether it is open now."""
        text = str(tracker.latest_message.get("text") or "")
        place = await place_or_say_why(tracker, text, dispatcher)
        if place is None:
            return []
        vocabulary = words()
        now = local_now()
        day = day_asked(text, vocabulary, now.date())
        if day is None or (day == now.date() and asks_open_now(text, vocabulary)):
            values = place_vars(place, 1, vocabulary, now)
            if place.open_now:
                dispatcher.utter_message(response=responses.PLACE_OPEN_NOW, **values)
            elif place.next_opening:
                dispatcher.utter_message(response=responses.PLACE_CLOSED_NOW, **values)
            else:
                dispatcher.utter_message(response=responses.PLACE_CLOSED_NO_OPENING, **values)
            return []
        said_day = day_word(day, now.date(), vocabulary)
        if day in place.closures:
            dispatcher.utter_message(
                response=responses.PLACE_CLOSURE,
                place_name=place.name,
                place_day=said_day,
                place_date=f"{day.day} {day:%B}",
                place_closure=place.closures[day],
            )
            return []
        ranges = place.hours.get(vocabulary.day_names[day.weekday()].lower()) or []
        if not ranges:
            dispatcher.utter_message(
                response=responses.PLACE_CLOSED_ON_DAY,
                place_name=place.name,
                place_day=vocabulary.day_names[day.weekday()],
            )
            return []
        dispatcher.utter_message(
            response=responses.PLACE_HOURS_ON_DAY,
            place_name=place.name,
            place_day=said_day,
            place_hours=hours_text(ranges, vocabulary),
        )
        return []


class ActionPlaceDetails(FailSafe, Action):
    """Answers "does the second one have a screen reader?" and "tell me about the first"."""

    def name(self) -> str:
        """Registered name."""
        return "action_place_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say whether the place has what was asked about, or what it has."""
        text = str(tracker.latest_message.get("text") or "")
        place = await place_or_say_why(tracker, text, dispatcher)
        if place is None:
            return []
        vocabulary = words()
        asked = [f for f in features_asked(text, vocabulary) if f in (*FACILITIES, *SERVICES)]
        if not asked:
            dispatcher.utter_message(
                response=responses.PLACE_DETAILS,
                place_name=place.name,
                place_address=place.address,
                place_help=help_list(place, vocabulary) or "-",
                place_how_to_book=place.how_to_book,
            )
            return []
        for feature in asked:
            has = place.has(feature) or feature in place.services
            session = place.sessions.get(feature)
            if has and session:
                response = responses.PLACE_HAS_SESSION
            else:
                response = responses.PLACE_HAS if has else responses.PLACE_HAS_NOT
            dispatcher.utter_message(
                response=response,
                place_name=place.name,
                place_feature=vocabulary.labels[feature],
                place_session=session or "",
            )
        return []
