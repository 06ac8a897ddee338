"""Book a public PC, and cancel a booking by reference (issue #5).

``action_prepare_booking`` reads everything the first message already says ("book a PC at
the first one tomorrow at 10am for an hour"); ``book_pc_form`` asks for the rest (place,
day, time, length); ``action_book_pc`` books it through the directory, which refuses past
times, closed days and times outside the opening hours with a reason the resident hears.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.place_words import (
    clock,
    day_asked,
    day_word,
    minutes_asked,
    spoken_reference,
    time_asked,
)
from actions.find_place import local_now, place_in_question, words
from bot.text import clean_number_text
from integrations.directory import DirectoryRejected, DirectoryUnavailable, Place
from lib.references import find_references

logger = logging.getLogger(__name__)

#: The directory's refusal codes and the response that explains each one.
REFUSALS = {
    "in_the_past": responses.BOOKING_IN_THE_PAST,
    "outside_opening_hours": responses.BOOKING_OUTSIDE_HOURS,
    "closed_that_day": responses.BOOKING_CLOSED_THAT_DAY,
    "fully_booked": responses.BOOKING_FULLY_BOOKED,
    "bad_length": responses.BOOKING_BAD_LENGTH,
    "bad_start": responses.BOOKING_BAD_START,
    "not_bookable": responses.BOOKING_NOT_BOOKABLE,
    "too_far_ahead": responses.BOOKING_TOO_FAR_AHEAD,
    "too_many_bookings": responses.BOOKING_TOO_MANY,
}
#: Why a cancellation was refused, and the response that explains it.
CANCEL_REFUSALS = {
    "already_cancelled": responses.BOOKING_ALREADY_CANCELLED,
    "not_yours": responses.BOOKING_CANCEL_NOT_YOURS,
}
#: Refusals whose wording says the rule's number (days ahead, bookings held).
_NEEDS_LIMIT = {responses.BOOKING_TOO_FAR_AHEAD, responses.BOOKING_TOO_MANY}
BOOKING_SLOTS = (slots.BOOK_PLACE, slots.BOOK_PLACE_NAME, slots.BOOK_DATE, slots.BOOK_TIME,
                 slots.BOOK_MINUTES)  # fmt: skip


def _place_slots(place: Place, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Slots for a chosen place, or a refusal when it has no PCs to book."""
    if place.bookable_pcs < 1:
        dispatcher.utter_message(
            response=responses.BOOKING_NOT_BOOKABLE,
            place_name=place.name,
            place_how_to_book=place.how_to_book,
        )
        return {slots.BOOK_PLACE: None, slots.BOOK_PLACE_NAME: None}
    return {slots.BOOK_PLACE: place.id, slots.BOOK_PLACE_NAME: place.name}


class ActionPrepareBooking(FailSafe, Action):
    """Fills what the booking request already says, so the form asks only for the rest."""

    def name(self) -> str:
        """Registered name."""
        return "action_prepare_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read place, day, time and length from the latest message."""
        text = str(tracker.latest_message.get("text") or "")
        events: list[EventType] = [SlotSet(name, None) for name in BOOKING_SLOTS]
        try:
            place = await place_in_question(tracker, text)
        except DirectoryUnavailable:
            place = None
        if place is not None and place.bookable_pcs > 0:
            events += [SlotSet(slots.BOOK_PLACE, place.id),
                       SlotSet(slots.BOOK_PLACE_NAME, place.name)]  # fmt: skip
        day = day_asked(text, words(), local_now().date())
        if day is not None:
            events.append(SlotSet(slots.BOOK_DATE, day.isoformat()))
        time = time_asked(text)
        if time is not None:
            events.append(SlotSet(slots.BOOK_TIME, time))
        minutes = minutes_asked(text)
        if minutes is not None:
            events.append(SlotSet(slots.BOOK_MINUTES, float(minutes)))
        return events


class ValidateBookPcForm(FailSafe, StopAware, FormValidationAction):
    """Checks each answer of ``book_pc_form``."""

    def name(self) -> str:
        """Registered name."""
        return "validate_book_pc_form"

    async def validate_book_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A place from the last list or by name, with computers to book."""
        text = str(value or "")
        try:
            listed = deps.directory()
            place = await listed.place(text) if text.islower() and "-" in text else None
        except DirectoryRejected:
            place = None
        except DirectoryUnavailable:
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return {slots.BOOK_PLACE: None}
        if place is None:
            try:
                place = await place_in_question(tracker, text)
            except DirectoryUnavailable:
                dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
                return {slots.BOOK_PLACE: None}
        if place is None:
            dispatcher.utter_message(response=responses.BOOKING_PLACE_NOT_UNDERSTOOD)
            return {slots.BOOK_PLACE: None}
        return _place_slots(place, dispatcher)

    async def validate_book_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A day: "tomorrow", "Friday", "12/12"."""
        try:
            return {slots.BOOK_DATE: date.fromisoformat(str(value)).isoformat()}
        except ValueError:
            pass
        day = day_asked(str(value or ""), words(), local_now().date())
        if day is None:
            dispatcher.utter_message(response=responses.BOOKING_DATE_NOT_UNDERSTOOD)
            return {slots.BOOK_DATE: None}
        return {slots.BOOK_DATE: day.isoformat()}

    async def validate_book_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A start time: "10am", "2.30pm", "14:00"."""
        text = str(value or "")
        time = time_asked(text) or time_asked(f"at {text}")
        if time is None:
            dispatcher.utter_message(response=responses.BOOKING_TIME_NOT_UNDERSTOOD)
        return {slots.BOOK_TIME: time}

    async def validate_book_minutes(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A length: "an hour", "30 minutes"."""
        if isinstance(value, (int, float)) and value > 0:
            return {slots.BOOK_MINUTES: float(value)}
        text = str(value or "")
        minutes = minutes_asked(text)
        if minutes is None and text.strip().isdigit():
            minutes = int(text.strip())
        if minutes is None:
            dispatcher.utter_message(response=responses.BOOKING_LENGTH_NOT_UNDERSTOOD)
            return {slots.BOOK_MINUTES: None}
        return {slots.BOOK_MINUTES: float(minutes)}


class ActionBookPc(FailSafe, Action):
    """Books the PC and reads the reference back, or says why it could not."""

    def name(self) -> str:
        """Registered name."""
        return "action_book_pc"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask the directory for the booking."""
        place_id = tracker.get_slot(slots.BOOK_PLACE)
        day = tracker.get_slot(slots.BOOK_DATE)
        time = tracker.get_slot(slots.BOOK_TIME)
        minutes = tracker.get_slot(slots.BOOK_MINUTES)
        done: list[EventType] = [SlotSet(name, None) for name in BOOKING_SLOTS]
        if not (place_id and day and time and minutes):
            return done
        vocabulary = words()
        when = {
            "place_name": tracker.get_slot(slots.BOOK_PLACE_NAME) or place_id,
            "booking_day": day_word(date.fromisoformat(day), local_now().date(), vocabulary),
            "booking_time": clock(time, vocabulary),
            "booking_minutes": int(minutes),
        }
        try:
            booking = await deps.directory().book(
                place_id, date.fromisoformat(day), time, int(minutes), tracker.sender_id
            )
        except DirectoryUnavailable as error:
            logger.warning("booking failed", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return done
        except DirectoryRejected as error:
            logger.info("booking refused", extra={"code": error.code})
            response = REFUSALS.get(error.code, responses.BOOKING_REFUSED)
            if error.limit is None and response in _NEEDS_LIMIT:
                response = responses.BOOKING_REFUSED
            dispatcher.utter_message(response=response, booking_limit=error.limit, **when)
            return done
        dispatcher.utter_message(
            response=responses.BOOKING_MADE,
            booking_reference=booking.reference,
            booking_reference_spoken=spoken_reference(booking.reference),
            booking_pc=booking.pc_number,
            **when,
        )
        return [*done, SlotSet(slots.BOOKING_REFERENCE, booking.reference)]


class ActionCancelBooking(FailSafe, Action):
    """Cancels a PC booking by its reference."""

    def name(self) -> str:
        """Registered name."""
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Find the reference in the message (or the one just booked) and cancel it."""
        text = str(tracker.latest_message.get("text") or "")
        found = [
            m for m in find_references(clean_number_text(text)) if m.reference.startswith("PC-")
        ]
        reference = found[0].reference if found else tracker.get_slot(slots.BOOKING_REFERENCE)
        if not reference:
            dispatcher.utter_message(response=responses.BOOKING_CANCEL_NEED_REFERENCE)
            return []
        spoken = spoken_reference(reference)
        try:
            # Only this conversation's own bookings: the directory refuses any other.
            await deps.directory().cancel(reference, tracker.sender_id)
        except DirectoryUnavailable:
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return []
        except DirectoryRejected as error:
            response = CANCEL_REFUSALS.get(error.code, responses.BOOKING_NOT_FOUND)
            dispatcher.utter_message(
                response=response, booking_reference=reference, booking_reference_spoken=spoken
            )
            return []
        dispatcher.utter_message(
            response=responses.BOOKING_CANCELLED,
            booking_reference=reference,
            booking_reference_spoken=spoken,
        )
        return [SlotSet(slots.BOOKING_REFERENCE, None)]
