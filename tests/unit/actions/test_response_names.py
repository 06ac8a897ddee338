"""Every response name the actions send, and every form question, exists in the domain.

A response name missing from ``domain/`` fails silently at runtime (Rasa logs it and the
resident hears nothing), so it is checked here.
"""

from __future__ import annotations

import ast

import pytest

from actions.common import responses
from bot.settings import REPO_ROOT
from tests.helpers import domain_section

RESPONSE_CONSTANTS = {
    name: value
    for name, value in vars(responses).items()
    if name.isupper() and isinstance(value, str)
}
FORM_SLOTS = [
    (form, slot)
    for form, spec in domain_section("forms").items()
    for slot in spec.get("required_slots", [])
]


def test_the_response_constants_were_found():
    assert "REPORT_SUBMITTED" in RESPONSE_CONSTANTS
    assert all(value.startswith("utter_") for value in RESPONSE_CONSTANTS.values())


@pytest.mark.parametrize("constant", sorted(RESPONSE_CONSTANTS))
def test_response_constant_is_in_the_domain(constant, domain):
    assert RESPONSE_CONSTANTS[constant] in domain["responses"]


@pytest.mark.parametrize("form,slot", FORM_SLOTS, ids=[f"{f}.{s}" for f, s in FORM_SLOTS])
def test_every_form_question_has_a_response(form, slot, domain):
    # Rasa asks with utter_ask_<form>_<slot> if it exists, else utter_ask_<slot>.
    asked = {f"utter_ask_{form}_{slot}", f"utter_ask_{slot}"}
    assert asked & set(domain["responses"]), f"no utter_ask_{slot} for {form}"


def _responses_named_in_actions() -> list[tuple[str, int, str]]:
    """``response=`` arguments in ``actions/``: (file, line, response name or constant)."""
    found = []
    for path in sorted((REPO_ROOT / "actions").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.keyword) or node.arg != "response":
                continue
            where = (path.relative_to(REPO_ROOT).as_posix(), node.value.lineno)
            if isinstance(node.value, ast.Constant):
                found.append((*where, str(node.value.value)))
            elif isinstance(node.value, ast.Attribute) and isinstance(node.value.value, ast.Name):
                if node.value.value.id == "responses":
                    found.append((*where, f"responses.{node.value.attr}"))
    return found


def test_actions_name_responses_through_the_constants_or_the_domain(domain):
    named = _responses_named_in_actions()
    assert named, "no response= arguments found in actions/"
    missing = []
    for path, line, name in named:
        if name.startswith("responses."):
            constant = name.removeprefix("responses.")
            if constant not in RESPONSE_CONSTANTS:
                missing.append(f"{path}:{line} {name} is not in actions/common/responses.py")
        elif name not in domain["responses"]:
            missing.append(f"{path}:{line} {name} is not in the domain")
    assert missing == []
