"""TED and memoization step aside on a form's own turns, where Rasa's rules decide alone.

While a form runs and has not rejected the resident's answer, Rasa's RulePolicy predicts
the form again after each message and ``action_listen`` after the form has asked: a
"no user" prediction with confidence 1, which Rasa's ensemble prefers to any other
(``DefaultPolicyPredictionEnsemble``). TED and memoization still worked out their own
predictions for those steps, only to have them thrown away: TED's network was the
largest single part of Rasa's CPU per message (profiled on a whole turn).

``install`` makes both policies return Rasa's "no prediction" (all zeros) on exactly
those steps, decided by the same test the RulePolicy uses
(``RulePolicy._find_action_from_loop_happy_path``, with no default action of Rasa's
due). Everywhere else, including every
turn where a form rejected an answer (a digression, a cancel, a question), they predict
as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.trackers import DialogueStateTracker

#: The policies that step aside, with their own predictions kept for every other step.
STEPPING_ASIDE: dict[type[Policy], Callable[..., PolicyPrediction]] = {
    TEDPolicy: TEDPolicy.predict_action_probabilities,
    MemoizationPolicy: MemoizationPolicy.predict_action_probabilities,
}


def rules_decide_alone(tracker: DialogueStateTracker) -> bool:
    """True when the RulePolicy's answer is a form's happy path, which overrules all.

    Rasa's default actions (restart, back, ...) come before the happy path in the
    RulePolicy and do not overrule the rest, so a turn with one is left to all policies.
    """
    action, _source = RulePolicy._find_action_from_loop_happy_path(tracker)
    if action is None:
        return False
    default_action, _source = RulePolicy._find_action_from_default_actions(tracker)
    return default_action is None


def _stepping_aside(own: Callable[..., PolicyPrediction]) -> Callable[..., PolicyPrediction]:
    # ``wraps`` gives the wrapper the policy's own signature and type hints, which Rasa's
    # graph validation reads (an annotated ``self`` would read as a missing input).
    @wraps(own)
    def predict_action_probabilities(self, tracker, domain, *args, **kwargs):  # type: ignore[no-untyped-def]
        if rules_decide_alone(tracker):
            return self._prediction(self._default_predictions(domain))
        return own(self, tracker, domain, *args, **kwargs)

    return predict_action_probabilities


def install() -> None:
    """Let TED and memoization skip the steps a form's happy path decides."""
    for policy, own in STEPPING_ASIDE.items():
        policy.predict_action_probabilities = _stepping_aside(own)  # type: ignore[method-assign]
