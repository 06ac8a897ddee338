"""Imports point down (issue #17): ``integrations/`` and ``lib/`` never import ``bot``,
``workers``, ``actions`` or ``web``; ``web/`` never imports ``bot``, ``workers`` or
``actions``; ``lib/`` imports nothing of the project. The workers (``workers/``) import
``lib/``, ``integrations/`` and, of ``bot/``, only its settings; ``actions/`` never imports
them. The stand-ins of the council's own systems (``web/stand_in/``) are
imported by one module outside their folder: the app factory that mounts them.

Every import counts: at module top, inside functions and under ``TYPE_CHECKING``, found by
walking each module's syntax tree rather than by importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Top-level packages of the project itself.
OURS = ("actions", "bot", "integrations", "lib", "web", "workers")
#: What each lower layer may not import.
FORBIDDEN = {
    "actions": ("workers",),
    "integrations": ("bot", "workers", "actions", "web"),
    "lib": ("bot", "workers", "actions", "integrations", "web"),
    "web": ("bot", "workers", "actions"),
    "workers": ("actions", "web"),
}
#: The one module of ``bot/`` the workers may import: the assistant's settings.
WORKERS_MAY_IMPORT_FROM_BOT = ("bot.settings",)


def imported_modules(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """Every module a source file imports, with its line, wherever the import sits.

    Relative imports (``from . import x``) stay inside their own package and are skipped.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found)


def violations(layer: str) -> list[str]:
    """``path:line imports module`` for each forbidden import under a layer's folder."""
    banned = FORBIDDEN[layer]
    found = []
    for path in sorted((REPO_ROOT / layer).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for line, module in imported_modules(source, str(path)):
            if module.split(".")[0] in banned:
                found.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(layer: str) -> None:
    assert violations(layer) == []


#: The stand-in package, and the one module outside it that may import it (to mount it).
STAND_IN = "web.stand_in"
STAND_IN_MOUNT = "web/main.py"


def imported_names(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """Like :func:`imported_modules`, with ``from a import b`` also giving ``a.b``.

    ``from web import stand_in`` imports the package without naming it as the module.
    """
    found = imported_modules(source, filename)
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return sorted(found)


def stand_in_importers() -> list[str]:
    """``path:line imports module`` for each import of the stand-in from outside it."""
    found = []
    for layer in OURS:
        for path in sorted((REPO_ROOT / layer).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if relative.startswith("web/stand_in/") or relative == STAND_IN_MOUNT:
                continue
            source = path.read_text(encoding="utf-8")
            for line, module in imported_names(source, str(path)):
                if module == STAND_IN or module.startswith(f"{STAND_IN}."):
                    found.append(f"{relative}:{line} imports {module}")
    return found


def test_only_the_app_factory_imports_the_stand_in() -> None:
    assert stand_in_importers() == []


def test_the_app_factory_is_what_mounts_the_stand_in() -> None:
    source = (REPO_ROOT / STAND_IN_MOUNT).read_text(encoding="utf-8")
    assert STAND_IN in [name for _line, name in imported_names(source)]


def test_a_from_import_of_the_stand_in_package_is_seen() -> None:
    source = "from web import stand_in\nfrom web.stand_in.open311 import crud\n"
    assert [name for _line, name in imported_names(source) if name.startswith(STAND_IN)] == [
        "web.stand_in",
        "web.stand_in.open311",
        "web.stand_in.open311.crud",
    ]


def test_the_walk_finds_imports_inside_functions_and_type_checking_blocks() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from bot.settings import Settings\n"
        "def build():\n"
        "    import actions.common.deps\n"
        "    from . import sibling\n"
        "    from lib.references import REFERENCE_ALPHABET\n"
    )
    assert imported_modules(source) == [
        (1, "typing"),
        (3, "bot.settings"),
        (5, "actions.common.deps"),
        (7, "lib.references"),
    ]


def test_every_layer_is_walked() -> None:
    for layer in FORBIDDEN:
        assert len(list((REPO_ROOT / layer).rglob("*.py"))) > 3, layer


def bot_imports_beyond_settings(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """Each import of a ``bot`` module other than the ones the workers may import."""
    found = []
    for line, module in imported_names(source, filename):
        if module.split(".")[0] != "bot" or module == "bot":
            continue
        allowed = any(
            module == name or module.startswith(f"{name}.") for name in WORKERS_MAY_IMPORT_FROM_BOT
        )
        if not allowed:
            found.append((line, module))
    return found


def test_workers_import_only_the_settings_of_bot() -> None:
    found = []
    for path in sorted((REPO_ROOT / "workers").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for line, module in bot_imports_beyond_settings(source, str(path)):
            found.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {module}")
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from bot.settings import Settings\n", []),
        ("from bot import settings\n", []),
        ("from bot import cli\n", [(1, "bot.cli")]),
        ("import bot.settings_extra\n", [(1, "bot.settings_extra")]),
        ("def f():\n    from bot.launcher.stack import Stack\n",
         [(2, "bot.launcher.stack"), (2, "bot.launcher.stack.Stack")]),
    ],
)  # fmt: skip
def test_a_worker_importing_more_of_bot_is_seen(source: str, expected: list) -> None:
    assert bot_imports_beyond_settings(source) == expected
