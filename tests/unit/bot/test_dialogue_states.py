"""The states worked out once per tracker and moment are Rasa's, for every kind of ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph

from bot import dialogue_states
from bot.settings import REPO_ROOT

#: How many generated trackers of the rules and stories are checked, prefix by prefix.
SAMPLE = 60


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


def _events_of(domain: Domain, paths: list[Path]) -> list[list]:
    steps = [step for path in paths for step in YAMLStoryReader(domain).read_from_file(path)]
    generator = TrainingDataGenerator(
        StoryGraph(steps), domain, remove_duplicates=False, augmentation_factor=0
    )
    return [list(tracker.events) for tracker in generator.generate()]


def _with_hidden_rule_turns(events: list, every: int) -> list:
    """The same events, with some actions marked as rule turns to hide (as served ones are).

    Stories and rules read from files never hide a turn; in service the rule policy marks
    the actions it predicts for rule-only turns, and the memoization policy's states skip
    them. Every ``every``-th action but ``action_listen`` is marked here.
    """
    marked, actions = [], 0
    for event in events:
        copied = Event.from_parameters(event.as_dict())
        if isinstance(copied, ActionExecuted) and copied.action_name != "action_listen":
            actions += 1
            copied.hide_rule_turn = actions % every != 0
        marked.append(copied)
    return marked


@pytest.fixture(scope="module")
def conversations(domain) -> list[list]:
    """Event lists of the test conversations and a spread of the rules and stories, each as
    read and with rule turns marked hidden in two patterns."""
    tests = sorted((REPO_ROOT / "tests" / "conversations").glob("*.yml"))
    training = sorted((REPO_ROOT / "data" / "rules").glob("*.yml")) + sorted(
        (REPO_ROOT / "data" / "stories").glob("*.yml")
    )
    trained = _events_of(domain, training)
    step = max(1, len(trained) // SAMPLE)
    read = _events_of(domain, tests) + trained[::step]
    hidden = [_with_hidden_rule_turns(events, every) for every in (2, 3) for events in read]
    assert any(
        isinstance(event, ActionExecuted) and event.hide_rule_turn
        for events in hidden
        for event in events
    )
    return read + hidden


def _asks(domain: Domain) -> list[dict]:
    rule_only = {
        "slots": [slot.name for slot in domain.slots][:12],
        "loops": list(domain.form_names)[:4],
    }
    return [
        {},
        {"ignore_rule_only_turns": True, "rule_only_data": rule_only},
        {"ignore_rule_only_turns": True, "rule_only_data": None},
        {"omit_unset_slots": True},
    ]


def test_every_prefix_of_every_conversation_gives_rasas_states(domain, conversations):
    assert len(conversations) > 40
    checked = 0
    for events in conversations:
        for end in range(1, len(events) + 1):
            tracker = DialogueStateTracker.from_events("r", events[:end], domain.slots)
            for ask in _asks(domain):
                expected = dialogue_states._rasas_own(domain, tracker, **ask)
                assert dialogue_states.states_for_tracker_history(domain, tracker, **ask) == (
                    expected
                ), (events[:end], ask)
                checked += 1
    assert checked > 1000


def _asked_as_it_moves_on(domain: Domain, events: list, stride: int) -> int:
    """Ask after every ``stride`` events of one tracker, as a turn's actions do."""
    same_slot_option = [ask for ask in _asks(domain) if not ask.get("omit_unset_slots")]
    tracker = DialogueStateTracker.from_events("r", events[:1], domain.slots)
    asked = 0
    for start in range(1, len(events), stride):
        for event in events[start : start + stride]:
            tracker.update(event)
        for ask in same_slot_option:  # the first replays, the others use that replay
            assert dialogue_states.states_for_tracker_history(domain, tracker, **ask) == (
                dialogue_states._rasas_own(domain, tracker, **ask)
            ), (len(tracker.events), stride, ask)
            asked += 1
    return asked


def test_a_tracker_that_moves_on_gives_rasas_states_at_every_ask(domain, conversations):
    """Asked, given more events (one to three at a time), asked again, and so on."""
    asked = sum(
        _asked_as_it_moves_on(domain, events, stride)
        for events in conversations
        for stride in (1, 2, 3)
    )
    assert asked > 1000


def test_a_rewound_turn_replays_from_the_start(domain):
    """A turn taken back (the events that count no longer start with those replayed)."""
    form = next(iter(domain.form_names))
    events = [
        ActionExecuted("action_listen"),
        UserUttered("pothole", {"name": "report_pothole", "confidence": 1.0}),
        ActionExecuted(form),
        ActiveLoop(form),
        ActionExecuted("action_listen"),
        UserUttered("ST4 2DX", {"name": "inform", "confidence": 1.0}),
    ]
    tracker = DialogueStateTracker.from_events("r", events, domain.slots)
    assert dialogue_states.states_for_tracker_history(domain, tracker) == (
        dialogue_states._rasas_own(domain, tracker)
    )
    for event in [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    for ask in _asks(domain):
        assert dialogue_states.states_for_tracker_history(domain, tracker, **ask) == (
            dialogue_states._rasas_own(domain, tracker, **ask)
        )


def test_a_caller_changing_its_list_does_not_change_the_next_answer(domain):
    slot = domain.slots[0].name
    tracker = DialogueStateTracker.from_events(
        "r",
        [
            ActionExecuted("action_listen"),
            UserUttered("hi", {"name": "greet", "confidence": 1.0}),
            SlotSet(slot, "x"),
        ],
        domain.slots,
    )
    first = dialogue_states.states_for_tracker_history(domain, tracker)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
    assert dialogue_states.states_for_tracker_history(domain, tracker) == (
        dialogue_states._rasas_own(domain, tracker)
    )


def test_install_and_uninstall() -> None:
    dialogue_states.install()
    try:
        assert Domain.states_for_tracker_history is dialogue_states.states_for_tracker_history
    finally:
        dialogue_states.uninstall()
    assert Domain.states_for_tracker_history is dialogue_states._rasas_own
