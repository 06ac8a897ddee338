"""Slots copied directly are the copies ``copy.copy`` made, and trackers are unchanged."""

from __future__ import annotations

import copy

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

from bot import slot_copies
from bot.settings import REPO_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


@pytest.fixture
def installed():
    slot_copies.install()
    yield
    slot_copies.uninstall()


def _rasas_copies(slots: list[Slot]) -> list[Slot]:
    slot_copies.uninstall()
    try:
        return [copy.copy(slot) for slot in slots]
    finally:
        slot_copies.install()


def test_every_slot_of_the_domain_copies_as_copy_copy_did(domain, installed) -> None:
    slots = domain.slots
    assert {type(slot).__name__ for slot in slots} >= {"TextSlot", "CategoricalSlot"}
    for slot, theirs in zip(slots, _rasas_copies(slots), strict=True):
        ours = copy.copy(slot)
        assert ours is not slot
        assert type(ours) is type(slot) is type(theirs)
        assert vars(ours) == vars(theirs) == vars(slot)
        ours.value = "changed"  # a copy's value is its own
        assert slot.value != "changed"


def test_a_tracker_built_with_direct_copies_has_the_same_state(domain, installed) -> None:
    text_slot = next(slot.name for slot in domain.slots if type(slot).__name__ == "TextSlot")
    events = [
        ActionExecuted("action_listen"),
        UserUttered("pothole on my road", {"name": "report_pothole", "confidence": 0.9}),
        SlotSet(text_slot, "ST4 2DX"),
        ActionExecuted("action_listen"),
    ]
    ours = DialogueStateTracker.from_events("r", events, domain.slots)
    slot_copies.uninstall()
    try:
        theirs = DialogueStateTracker.from_events("r", events, domain.slots)
    finally:
        slot_copies.install()
    assert ours.current_state() == theirs.current_state()
    assert ours.past_states(domain) == theirs.past_states(domain)
    assert ours.get_slot(text_slot) == "ST4 2DX"
    assert all(ours.slots[name] is not slot for name, slot in theirs.slots.items())


def test_uninstall_puts_rasas_copy_back() -> None:
    slot_copies.install()
    assert Slot.__copy__ is slot_copies.copy_slot
    slot_copies.uninstall()
    assert "__copy__" not in vars(Slot)
