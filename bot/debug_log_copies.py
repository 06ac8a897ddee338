"""Rasa's debug-line arguments deep-copied only when debug lines are written.

Rasa 3.6 passes deep copies to its structured debug lines: the states of the whole
conversation at every memoization prediction, the rule policy's current states, the
events of every action, the parse data of every message, a form's slot candidates. The
copies are made before the logger looks at its level, so they are made at every step and
thrown away unread when debug lines are off, as they are in service (``LOG_LEVEL`` INFO).
Profiled on whole turns (py-spy, 10 conversations at once), ``deepcopy`` took about 5% of
the Rasa server's main thread.

In the modules listed in :data:`MODULES`, every ``copy.deepcopy`` is such an argument (each
use was read; ``tests/unit/bot/test_debug_log_copies.py`` fails if that changes in another
Rasa version). :func:`install` gives those modules a ``copy`` whose ``deepcopy`` copies only
while structlog writes debug lines, and hands the value itself over otherwise, to a
logger that drops it. Everything else of ``copy`` is the standard module.
"""

from __future__ import annotations

import copy
import importlib
import logging
from types import ModuleType
from typing import Any

import structlog

#: Rasa's modules whose every ``copy.deepcopy`` is an argument of a debug line.
MODULES = (
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.processor",
    "rasa.core.actions.forms",
)

#: What a structlog logger filtering out debug lines has for ``debug`` (a no-op).
_DROPPED = structlog.make_filtering_bound_logger(logging.INFO).debug


def debug_lines_written() -> bool:
    """Whether structlog, as configured now, writes debug lines."""
    wrapper = structlog.get_config()["wrapper_class"]
    return getattr(wrapper, "debug", None) is not _DROPPED


def deepcopy_if_logged(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(value)`` while debug lines are written; ``value`` itself otherwise."""
    if debug_lines_written():
        return copy.deepcopy(value, memo)
    return value


class _CopyForDebugLines(ModuleType):
    """The ``copy`` module with :func:`deepcopy_if_logged` as its ``deepcopy``."""

    deepcopy = staticmethod(deepcopy_if_logged)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_COPY_FOR_DEBUG_LINES = _CopyForDebugLines("copy")


def install() -> None:
    """Give each module of :data:`MODULES` the ``copy`` that copies only for debug lines."""
    for name in MODULES:
        importlib.import_module(name).copy = _COPY_FOR_DEBUG_LINES  # type: ignore[attr-defined]


def uninstall() -> None:
    """Give those modules the standard ``copy`` back."""
    for name in MODULES:
        importlib.import_module(name).copy = copy  # type: ignore[attr-defined]
