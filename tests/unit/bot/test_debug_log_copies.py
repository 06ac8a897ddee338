"""Rasa's debug-line arguments are copied only while debug lines are written."""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import logging

import pytest
import structlog

from bot import debug_log_copies


@pytest.fixture
def structlog_at():
    """Configure structlog's level for a test, and put the configuration back after."""
    saved = structlog.get_config()

    def configure(level: int) -> None:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))

    yield configure
    structlog.configure(**saved)


def _deepcopy_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "deepcopy"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "copy"
    ]


def _debug_line_arguments(tree: ast.AST) -> set[int]:
    """The ids of the expressions passed to a ``structlogger.debug(...)`` call."""
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "debug"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
        ):
            found |= {id(keyword.value) for keyword in node.keywords}
            found |= {id(argument) for argument in node.args}
    return found


@pytest.mark.parametrize("name", debug_log_copies.MODULES)
def test_every_deepcopy_in_the_module_is_a_debug_line_argument(name) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(name)))
    calls = _deepcopy_calls(tree)
    assert calls, f"{name} no longer deep-copies anything: take it off the list"
    arguments = _debug_line_arguments(tree)
    outside = [call.lineno for call in calls if id(call) not in arguments]
    assert not outside, f"{name} deep-copies outside a debug line at lines {outside}"


def test_a_value_is_copied_only_while_debug_lines_are_written(structlog_at) -> None:
    states = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]
    structlog_at(logging.INFO)
    assert not debug_log_copies.debug_lines_written()
    assert debug_log_copies.deepcopy_if_logged(states) is states
    structlog_at(logging.DEBUG)
    assert debug_log_copies.debug_lines_written()
    copied = debug_log_copies.deepcopy_if_logged(states)
    assert copied == states
    assert copied is not states and copied[0]["user"] is not states[0]["user"]


def test_install_gives_those_modules_the_debug_line_copy_only() -> None:
    debug_log_copies.install()
    try:
        for name in debug_log_copies.MODULES:
            module_copy = importlib.import_module(name).copy
            assert module_copy.deepcopy is debug_log_copies.deepcopy_if_logged
            assert module_copy.copy is copy.copy
    finally:
        debug_log_copies.uninstall()
    assert all(importlib.import_module(name).copy is copy for name in debug_log_copies.MODULES)
