"""Book a public PC, and cancel a booking by reference (issue #5; confirmations, issue #16).

``action_prepare_booking`` reads everything the first message already says ("book a PC at
the first one tomorrow at 10am for an hour"); ``book_pc_form`` asks for the rest (place,
day, time, length), then "Book a computer at Tunstall Library, Tuesday, 10am to 11am?"
(``action_ask_book_confirm``); ``action_book_pc`` books it through the directory only after
a yes. The directory refuses past times, closed days and times outside the opening hours
with a reason the resident hears.

Cancelling: ``action_prepare_cancel`` finds the reference and checks that this conversation
made the booking (the directory records only the conversation, and refuses any other); a
booking made elsewhere gets the place's own number to ring. Then ``cancel_booking_form``
asks "Cancel booking PC-... at Tunstall Library, Tuesday at 10am?" and
``action_cancel_booking`` cancels only after a yes.
"""

from __future__ import annotations

import logging
import re
from datetime import date
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
from actions.common.place_words import (
    clock,
    day_asked,
    day_word,
    minutes_asked,
    time_asked,
)
from actions.common.validators import number_words_to_digits, without_hedges
from actions.find_place import local_now, place_in_question, words
from bot.text import clean_number_text
from integrations.directory import Booking, DirectoryRejected, DirectoryUnavailable, Place
from lib.references import find_references, spell_out

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
                 slots.BOOK_MINUTES, slots.BOOK_CONFIRM)  # fmt: skip
CANCEL_SLOTS = (slots.CANCEL_BOOKING, slots.CANCEL_CONFIRM)
#: The length booked when the resident doesn't know how long they need (the usual hour).
USUAL_MINUTES = 60.0


def end_time(start: str, minutes: float) -> str:
    """The ``HH:MM`` a booking of ``minutes`` from ``start`` (``HH:MM``) ends."""
    hour, minute = (int(part) for part in start.split(":"))
    total = hour * 60 + minute + int(minutes)
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def parse_start_time(text: str) -> str | None:
    """A start time as ``HH:MM`` from "10am", "about 10", "ten thirty", "half past two"."""
    plain = without_hedges(number_words_to_digits(text.lower()))
    plain = re.sub(r"^(\d{1,2}) (\d{2})$", r"\1:\2", plain)  # "ten thirty" -> "10:30"
    return time_asked(plain) or time_asked(f"at {plain}")


def booked_here(tracker: Tracker) -> set[str]:
    """The booking references this conversation was given (the directory's owner check)."""
    return {
        str(event.get("value"))
        for event in tracker.events
        if event.get("event") == "slot"
        and event.get("name") == slots.BOOKING_REFERENCE
        and event.get("value")
    }


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
        offered = tracker.get_slot(slots.BOOK_OFFER)
        try:
            if offered and text.strip().startswith("/book_pc"):
                # The "Book a computer at ..." button under a list: the place it named.
                place: Place | None = await deps.directory().place(str(offered))
            else:
                place = await place_in_question(tracker, text)
        except (DirectoryRejected, DirectoryUnavailable):
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


class ValidateBookPcForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Checks each answer of ``book_pc_form``.

    "I don't know" how long books the usual hour (said, and shown in the confirmation);
    the place, day, time and the yes or no are needed, so "I don't know" gets why and the
    offer of a person.
    """

    skippable = {slots.BOOK_MINUTES: responses.BOOKING_LENGTH_DEFAULT}
    required_because = {
        slots.BOOK_PLACE: responses.BOOKING_PLACE_REQUIRED,
        slots.BOOK_DATE: responses.BOOKING_DATE_REQUIRED,
        slots.BOOK_TIME: responses.BOOKING_TIME_REQUIRED,
        slots.BOOK_CONFIRM: responses.BOOKING_CONFIRM_REQUIRED,
    }

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """An unknown length books the usual hour."""
        dispatcher.utter_message(response=responses.BOOKING_LENGTH_DEFAULT)
        return {slots.BOOK_MINUTES: USUAL_MINUTES}

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
        """A start time: "10am", "2.30pm", "14:00", "about 10", "ten thirty"."""
        time = parse_start_time(str(value or ""))
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

    async def validate_book_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no to the booking read back."""
        return yes_no(slots.BOOK_CONFIRM, value, dispatcher)


class ActionAskBookConfirm(FailSafe, Action):
    """Reads the booking back before it is made: place, day, start and end."""

    def name(self) -> str:
        """Registered name."""
        return "action_ask_book_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask "Book a computer at Tunstall Library, Tuesday, 10am to 11am?"."""
        vocabulary = words()
        day = date.fromisoformat(str(tracker.get_slot(slots.BOOK_DATE)))
        start = str(tracker.get_slot(slots.BOOK_TIME))
        minutes = float(tracker.get_slot(slots.BOOK_MINUTES))
        dispatcher.utter_message(
            response=responses.BOOKING_ASK_CONFIRM,
            place_name=tracker.get_slot(slots.BOOK_PLACE_NAME)
            or tracker.get_slot(slots.BOOK_PLACE),
            booking_day=day_word(day, local_now().date(), vocabulary),
            booking_date=f"{day.day} {day:%B}",
            booking_time=clock(start, vocabulary),
            booking_end=clock(end_time(start, minutes), vocabulary),
        )
        return []


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
        # Said something from here on: the journey ends, and a second request is offered.
        ended = [*done, *offer_pending(tracker)]
        if tracker.get_slot(slots.BOOK_CONFIRM) is not True:
            dispatcher.utter_message(response=responses.BOOKING_NOT_MADE)
            return ended
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
            return ended
        except DirectoryRejected as error:
            logger.info("booking refused", extra={"code": error.code})
            response = REFUSALS.get(error.code, responses.BOOKING_REFUSED)
            if error.limit is None and response in _NEEDS_LIMIT:
                response = responses.BOOKING_REFUSED
            dispatcher.utter_message(response=response, booking_limit=error.limit, **when)
            return ended
        dispatcher.utter_message(
            response=responses.BOOKING_MADE,
            booking_reference=booking.reference,
            booking_reference_spoken=spell_out(booking.reference),
            booking_pc=booking.pc_number,
            **when,
        )
        return [*ended, SlotSet(slots.BOOKING_REFERENCE, booking.reference)]


def _cancel_details(booking: Booking) -> dict[str, Any]:
    """What the confirmation question says about a booking (kept in ``cancel_booking``)."""
    return {
        "reference": booking.reference,
        "place_name": booking.place_name,
        "date": booking.date.isoformat(),
        "time": booking.time,
        "pc": booking.pc_number,
    }


class ActionPrepareCancel(FailSafe, Action):
    """Finds the booking to cancel and checks it is this conversation's, before asking."""

    def name(self) -> str:
        """Registered name."""
        return "action_prepare_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say why it can't be cancelled here, or fill what ``cancel_booking_form`` reads back.

        When there is nothing to cancel, the answer is filled in as "no", so the form that
        follows ends at once and ``action_cancel_booking`` says nothing more.
        """
        cleared: list[EventType] = [
            SlotSet(slots.CANCEL_BOOKING, None),
            SlotSet(slots.CANCEL_CONFIRM, False),
        ]
        text = str(tracker.latest_message.get("text") or "")
        found = [
            m for m in find_references(clean_number_text(text)) if m.reference.startswith("PC-")
        ]
        reference = found[0].reference if found else tracker.get_slot(slots.BOOKING_REFERENCE)
        if not reference:
            dispatcher.utter_message(response=responses.BOOKING_CANCEL_NEED_REFERENCE)
            return cleared
        said = {"booking_reference": reference,
                "booking_reference_spoken": spell_out(reference)}  # fmt: skip
        client = deps.directory()
        try:
            booking = await client.booking(reference)
            place = (
                None if reference in booked_here(tracker) else await client.place(booking.place_id)
            )
        except DirectoryUnavailable:
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return cleared
        except DirectoryRejected:
            dispatcher.utter_message(response=responses.BOOKING_NOT_FOUND, **said)
            return cleared
        if place is not None:
            # Not booked in this conversation: the place itself (or the council) can cancel it.
            if place.phone:
                dispatcher.utter_message(
                    response=responses.BOOKING_CANCEL_NOT_YOURS_PLACE,
                    place_name=place.name,
                    place_phone=place.phone,
                    **said,
                )
            else:
                dispatcher.utter_message(response=responses.BOOKING_CANCEL_NOT_YOURS, **said)
            return cleared
        if booking.status == "cancelled":
            dispatcher.utter_message(response=responses.BOOKING_ALREADY_CANCELLED, **said)
            return cleared
        return [
            SlotSet(slots.CANCEL_BOOKING, _cancel_details(booking)),
            SlotSet(slots.CANCEL_CONFIRM, None),
        ]


class ValidateCancelBookingForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Yes or no to cancelling the booking read back."""

    required_because = {slots.CANCEL_CONFIRM: responses.BOOKING_CONFIRM_REQUIRED}

    def name(self) -> str:
        """Registered name."""
        return "validate_cancel_booking_form"

    async def validate_cancel_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no."""
        return yes_no(slots.CANCEL_CONFIRM, value, dispatcher)


class ActionAskCancelConfirm(FailSafe, Action):
    """Reads the booking back before it is cancelled."""

    def name(self) -> str:
        """Registered name."""
        return "action_ask_cancel_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask "Cancel booking PC-... at Tunstall Library, Tuesday at 10am?"."""
        details = tracker.get_slot(slots.CANCEL_BOOKING) or {}
        vocabulary = words()
        day = date.fromisoformat(str(details["date"]))
        dispatcher.utter_message(
            response=responses.BOOKING_ASK_CANCEL_CONFIRM,
            booking_reference=details["reference"],
            booking_reference_spoken=spell_out(str(details["reference"])),
            place_name=details["place_name"],
            booking_pc=details["pc"],
            booking_day=day_word(day, local_now().date(), vocabulary),
            booking_date=f"{day.day} {day:%B}",
            booking_time=clock(str(details["time"]), vocabulary),
        )
        return []


class ActionCancelBooking(FailSafe, Action):
    """Cancels the booking read back, after a yes."""

    def name(self) -> str:
        """Registered name."""
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Cancel it through the directory (which checks the conversation again)."""
        cleared: list[EventType] = [SlotSet(name, None) for name in CANCEL_SLOTS]
        details = tracker.get_slot(slots.CANCEL_BOOKING) or {}
        reference = details.get("reference")
        if not reference:
            return cleared
        spoken = spell_out(reference)
        # Said something from here on: the journey ends, and a second request is offered.
        ended = [*cleared, *offer_pending(tracker)]
        if tracker.get_slot(slots.CANCEL_CONFIRM) is not True:
            dispatcher.utter_message(
                response=responses.BOOKING_KEPT,
                booking_reference=reference,
                booking_reference_spoken=spoken,
            )
            return ended
        try:
            # Only this conversation's own bookings: the directory refuses any other.
            await deps.directory().cancel(reference, tracker.sender_id)
        except DirectoryUnavailable:
            dispatcher.utter_message(response=responses.PLACES_UNAVAILABLE)
            return ended
        except DirectoryRejected as error:
            response = CANCEL_REFUSALS.get(error.code, responses.BOOKING_NOT_FOUND)
            dispatcher.utter_message(
                response=response, booking_reference=reference, booking_reference_spoken=spoken
            )
            return ended
        dispatcher.utter_message(
            response=responses.BOOKING_CANCELLED,
            booking_reference=reference,
            booking_reference_spoken=spoken,
        )
        events = [*cleared]
        if tracker.get_slot(slots.BOOKING_REFERENCE) == reference:
            events.append(SlotSet(slots.BOOKING_REFERENCE, None))
        return [*events, *offer_pending(tracker)]
