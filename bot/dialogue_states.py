"""The dialogue's states worked out once per tracker and moment, for every policy that asks.

Before each action Rasa's policies ask the domain for the states of the whole conversation
(``Domain.states_for_tracker_history``). Each ask replays the conversation from its first
event into a new tracker (copying every slot), filters the events that count, and reads a
state at each action. The memoization policy asks with the turns only rules use left out,
the rule policy asks without, and again for the text of the message after a user turn: two
or three full replays of the same events before every action. Profiled on whole turns
(py-spy, 10 conversations at once) the asks took about 9% of the Rasa server's main thread.

:func:`states_for_tracker_history` replays a tracker once for each moment of it (its events,
as they are when asked) and keeps what each ask reads at each action: the state, the
previous action, whether the turn was hidden, the follow-up action and the active loop.
Every ask then builds its list from those, with Rasa's own steps, on fresh copies of the
states (callers change the lists they get). When the tracker moves on (the turn's next
action) and the events that count still start with those replayed, the replay goes on
from where it stood. The lists are equal to Rasa's
(``tests/unit/bot/test_dialogue_states.py`` compares them on every prefix of the project's
test conversations, with and without the rule-only turns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import ACTIVE_LOOP, PREVIOUS_ACTION, SLOTS, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

#: The attribute a tracker keeps its replay in (a :class:`_Replay`).
_KEPT = "_front_door_prior_points"

_rasas_own = Domain.states_for_tracker_history


@dataclass(frozen=True)
class PriorPoint:
    """What the states of one moment before an action (or of the end) are made from."""

    state: State
    hide_rule_turn: bool
    followup_action: str | None
    latest_action_name: str | None
    active_loop_name: str | None


def _moment(tracker: DialogueStateTracker) -> tuple[Any, ...]:
    """The tracker's events as they are now: their count and the first and last objects."""
    events = tracker.events
    if not events:
        return (0, None, None)
    return (len(events), events[0], events[-1])


def _same_moment(kept: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    return kept[0] == now[0] and kept[1] is now[1] and kept[2] is now[2]


def _point(
    domain: Domain, prior: DialogueStateTracker, hide_rule_turn: bool, omit_unset_slots: bool
) -> PriorPoint:
    return PriorPoint(
        state=domain.get_active_state(prior, omit_unset_slots=omit_unset_slots),
        hide_rule_turn=hide_rule_turn,
        followup_action=prior.followup_action,
        latest_action_name=prior.latest_action_name,
        active_loop_name=prior.active_loop_name,
    )


@dataclass
class _Replay:
    """One tracker's replay: what it was made from, and where it stands."""

    moment: tuple[Any, ...]
    omit_unset_slots: bool
    domain: Domain
    #: The applied events replayed, in order.
    applied: list[Event]
    #: The replaying tracker, with every one of ``applied`` applied.
    prior: DialogueStateTracker
    #: A point before each action of ``applied``, then the point at the end.
    points: list[PriorPoint]


def _extends(replayed: list[Event], applied: list[Event]) -> bool:
    """Whether ``applied`` starts with exactly the events ``replayed`` (the same objects)."""
    return len(applied) >= len(replayed) and all(
        old is new for old, new in zip(replayed, applied[: len(replayed)], strict=True)
    )


def prior_points(
    domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool
) -> list[PriorPoint]:
    """The points of ``generate_all_prior_trackers``, replayed once for each moment.

    When the tracker has moved on and its applied events still start with those replayed
    before (a turn's new actions), the replay goes on from where it stood instead of
    starting again; when they do not (a form's turn folds away the events since its
    previous run, a rewind undoes some), it starts again from the first event.
    """
    now = _moment(tracker)
    kept: _Replay | None = getattr(tracker, _KEPT, None)
    if kept is not None and (
        kept.omit_unset_slots != omit_unset_slots or kept.domain is not domain
    ):
        kept = None
    if kept is not None and _same_moment(kept.moment, now):
        return kept.points
    applied = tracker.applied_events()
    if kept is not None and _extends(kept.applied, applied):
        prior, points, start = kept.prior, kept.points[:-1], len(kept.applied)
    else:
        prior, points, start = tracker.init_copy(), [], 0
    for event in applied[start:]:
        if isinstance(event, ActionExecuted):
            points.append(_point(domain, prior, event.hide_rule_turn, omit_unset_slots))
        prior.update(event)
    points.append(_point(domain, prior, False, omit_unset_slots))
    setattr(tracker, _KEPT, _Replay(now, omit_unset_slots, domain, applied, prior, points))
    return points


def _fresh(state: State) -> tuple[State, Any]:
    """A copy of ``state`` as ``get_active_state`` makes one, and its previous action.

    The state's previous action is also the turn's "previous ML action", the same object,
    as in Rasa's loop.
    """
    previous = state.get(PREVIOUS_ACTION)
    if previous is not None:
        previous = dict(previous)
    copied: State = {
        USER: dict(state.get(USER) or {}),
        SLOTS: dict(state.get(SLOTS) or {}),
        PREVIOUS_ACTION: previous,
        ACTIVE_LOOP: dict(state.get(ACTIVE_LOOP) or {}),
    }
    return copied, previous


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa's ``Domain.states_for_tracker_history`` on the tracker's kept replay."""
    states: list[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for point in prior_points(self, tracker, omit_unset_slots):
        state, previous_action = _fresh(point.state)
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = previous_action
            if not point.followup_action and not point.latest_action_name == point.active_loop_name:
                turn_was_hidden = point.hide_rule_turn
            if turn_was_hidden:
                continue
            self._remove_rule_only_features(state, rule_only_data)
            if states:
                self._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(self._clean_state(state))
    return states


def install() -> None:
    """Work out each tracker's states once per moment for every ask."""
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]


def uninstall() -> None:
    """Rasa's own: a replay for every ask."""
    Domain.states_for_tracker_history = _rasas_own  # type: ignore[method-assign]
