"""Triage records a journey opens itself ("I can't pay", Universal Credit hardship).

The hand-off's record (``actions/handoff.py`` builds it and passes it in, so this shared
module never imports a journey), given the journey's flag, category and summary from
``kb/triage/rules.yml`` (section ``journeys``), so its priority is at least the flag's
(hardship: 2) whatever words the resident used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from actions.common import deps
from integrations.triage import TriageRecord
from lib.yaml_files import load_yaml


@dataclass(frozen=True)
class JourneyRule:
    """How one journey's triage record is flagged and summarised."""

    flag: str
    category: str
    summary: str


@lru_cache(maxsize=4)
def load_journey_rules(path: Path) -> dict[str, JourneyRule]:
    """The ``journeys`` section of the triage rules.

    Raises:
        ValueError: naming the file and journey when an entry is malformed.
    """
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    rules = {}
    for name, entry in (data.get("journeys") or {}).items():
        try:
            rules[str(name)] = JourneyRule(
                str(entry["flag"]), str(entry["category"]), str(entry["summary"])
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path}: journey '{name}' is malformed ({error})") from error
    return rules


def journey_record(record: TriageRecord, journey: str) -> TriageRecord:
    """The triage record for a journey that asks for help itself.

    Args:
        record: the conversation's hand-off record (not urgent), changed in place.
        journey: a key of the ``journeys`` section (e.g. ``council_tax_cant_pay``).

    Returns:
        The same record, flagged, categorised and summarised for the journey.
    """
    rules = deps.triage_rules()
    rule = load_journey_rules(deps.settings_kb_dir() / "triage" / "rules.yml")[journey]
    flag = next((f for f in rules.flags if f.name == rule.flag), None)
    if flag is not None:
        if flag.label not in record["vulnerability"]:
            record["vulnerability"].append(flag.label)
        record["priority"] = min(record["priority"], flag.priority)
    # A housing or safeguarding flag the resident raised still decides the category.
    if record["category"] not in {"housing", "safeguarding"}:
        record["category"] = rule.category
    preferred = (record.get("contact") or {}).get("preferred")
    contact = (
        rules.summaries["contact_given"].format(preferred=preferred)
        if preferred
        else rules.summaries["contact_none"]
    )
    record["summary"] = rule.summary.format(contact=contact)
    record["journey"] = journey
    return record
