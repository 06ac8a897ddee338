"""Checks of the dates the council tax forms ask for: pure functions over the knowledge base.

The limits (when council tax began, how far back and ahead a move may be) are facts in
``kb/facts/council_tax.yml``, not numbers in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from actions.common import responses
from actions.common.values import format_date, parse_date
from bot.content.knowledge import ServiceKnowledge


@dataclass(frozen=True)
class DateCheck:
    """A date the form can keep (``display``), or the response explaining the problem."""

    display: str | None = None
    problem: str | None = None
    template_vars: dict[str, str] = field(default_factory=dict)


def _fact_date(knowledge: ServiceKnowledge, name: str) -> date:
    value = knowledge.fact(name)
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def check_alone_since(
    text: str, knowledge: ServiceKnowledge, today: date | None = None
) -> DateCheck:
    """The date a resident started living alone: real, not in the future, not too early."""
    today = today or date.today()
    when = parse_date(text, today)
    if when is None:
        return DateCheck(problem=responses.CT_DATE_NOT_UNDERSTOOD)
    if when > today:
        return DateCheck(problem=responses.CT_DATE_IN_FUTURE)
    earliest = _fact_date(knowledge, "earliest_discount_date")
    if when < earliest:
        return DateCheck(
            problem=responses.CT_DATE_TOO_EARLY,
            template_vars={"earliest_date": knowledge.facts["earliest_discount_date"].text},
        )
    return DateCheck(display=format_date(when))


def check_moving_date(
    text: str, knowledge: ServiceKnowledge, today: date | None = None
) -> DateCheck:
    """A moving date within the window the assistant may take (past or planned)."""
    today = today or date.today()
    when = parse_date(text, today)
    if when is None:
        return DateCheck(problem=responses.CT_DATE_NOT_UNDERSTOOD)
    back = int(knowledge.fact("moving_days_back"))
    ahead = int(knowledge.fact("moving_days_ahead"))
    if when < today - timedelta(days=back) or when > today + timedelta(days=ahead):
        return DateCheck(
            problem=responses.CT_MOVING_DATE_OUT_OF_RANGE,
            template_vars={
                "days_back": knowledge.facts["moving_days_back"].text,
                "days_ahead": knowledge.facts["moving_days_ahead"].text,
            },
        )
    return DateCheck(display=format_date(when))
