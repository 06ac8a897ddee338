"""Every response in the domain is used (issue #17): by Python, a rule, a story or a form.

A response counts as used when its name appears in the code of any process or in a rule or
story, when a form asks for a slot with it (``utter_ask_<slot>`` or
``utter_ask_<form>_<slot>``), when the ResponseSelector answers it (``utter_<intent>/<key>``
for a retrieval intent of ``data/nlu``), or when the signpost action builds its name from a
``signpost_<topic>`` intent. A response nothing uses is dead wording that nobody checks.
"""

from __future__ import annotations

import re
from pathlib import Path

from actions.signpost import INTENT_PREFIX, RESPONSE_PREFIX
from lib.yaml_files import load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CODE = ("actions", "bot", "integrations", "lib", "web", "workers")


def _yaml_files(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.yml"))


def _domain() -> tuple[set[str], set[str], set[str], set[str]]:
    """Responses, slots, forms and intents of the whole domain."""
    responses: set[str] = set()
    slots: set[str] = set()
    forms: set[str] = set()
    intents: set[str] = set()
    for path in _yaml_files("domain"):
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        responses |= set(data.get("responses") or {})
        slots |= set(data.get("slots") or {})
        forms |= set(data.get("forms") or {})
        intents |= {
            item if isinstance(item, str) else next(iter(item))
            for item in data.get("intents") or []
        }
    return responses, slots, forms, intents


def _retrieval_intents() -> set[str]:
    found = set()
    for path in _yaml_files("data"):
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        found |= {item["intent"] for item in data.get("nlu") or [] if "/" in item.get("intent", "")}
    return found


def _corpus() -> str:
    parts = [
        path.read_text(encoding="utf-8")
        for folder in CODE
        for path in (REPO_ROOT / folder).rglob("*.py")
    ]
    parts += [path.read_text(encoding="utf-8") for path in _yaml_files("data")]
    return "\n".join(parts)


def unused_responses(
    responses: set[str],
    slots: set[str],
    forms: set[str],
    intents: set[str],
    retrieval_intents: set[str],
    corpus: str,
) -> list[str]:
    """The responses no code, rule, story, form, retrieval intent or signpost uses."""
    asked = {f"utter_ask_{slot}" for slot in slots}
    asked |= {f"utter_ask_{form}_{slot}" for form in forms for slot in slots}
    unused = []
    for name in sorted(responses):
        if name in asked or name.removeprefix("utter_") in retrieval_intents:
            continue
        if (
            name.startswith(RESPONSE_PREFIX)
            and INTENT_PREFIX + name.removeprefix(RESPONSE_PREFIX) in intents
        ):
            continue
        if re.search(rf"(?<![\w/]){re.escape(name)}(?![\w/])", corpus):
            continue
        unused.append(name)
    return unused


def test_every_domain_response_is_used() -> None:
    responses, slots, forms, intents = _domain()
    assert unused_responses(responses, slots, forms, intents, _retrieval_intents(), _corpus()) == []


def test_a_response_nothing_uses_is_found() -> None:
    responses = {
        "utter_greet",
        "utter_forgotten",
        "utter_ask_place",
        "utter_faq/bins",
        "utter_signpost_noise",
    }
    corpus = 'dispatcher.utter_message(response="utter_greet")\nutter_greeting_old'
    unused = unused_responses(
        responses, {"place"}, {"report_form"}, {"signpost_noise"}, {"faq/bins"}, corpus
    )
    assert unused == ["utter_forgotten"]
