"""The import rules of issue #17 are all in the import-linter configuration, and `make lint`
checks them: lib imports nothing of the project; integrations never import bot, actions or
web; web never imports bot, actions or integrations; nothing imports web.stand_in but its
mount; actions.common never imports a journey.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomli

REPO_ROOT = Path(__file__).resolve().parents[2]
OURS = {"actions", "bot", "integrations", "lib", "web"}


def _config() -> dict:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return tomli.load(file)["tool"]["importlinter"]


def _contracts() -> list[dict]:
    return _config()["contracts"]


#: (source, what it may not import), each a forbidden contract of its own.
FORBIDDEN = [
    ("lib", OURS - {"lib"}),
    ("integrations", {"bot", "actions", "web"}),
    ("web", {"bot", "actions", "integrations"}),
]


def test_every_package_of_ours_is_a_root_package() -> None:
    assert set(_config()["root_packages"]) == OURS


@pytest.mark.parametrize(("source", "forbidden"), FORBIDDEN)
def test_each_forbidden_rule_is_a_contract(source: str, forbidden: set[str]) -> None:
    matching = [
        contract
        for contract in _contracts()
        if contract["type"] == "forbidden"
        and contract["source_modules"] == [source]
        and set(contract["forbidden_modules"]) == forbidden
        and not contract.get("allow_indirect_imports", False)
    ]
    assert len(matching) == 1, f"no contract keeps {source} from importing {sorted(forbidden)}"


def test_only_the_mount_imports_the_stand_in() -> None:
    protected = [
        (contract["protected_modules"], contract["allowed_importers"])
        for contract in _contracts()
        if contract["type"] == "protected"
    ]
    assert (["web.stand_in"], ["web.main"]) in protected


def test_actions_common_imports_no_journey_even_a_new_one() -> None:
    forbidden = [
        contract["forbidden_modules"]
        for contract in _contracts()
        if contract["type"] == "forbidden" and contract["source_modules"] == ["actions.common"]
    ]
    # Every child of actions/ (common itself aside), so a new journey needs no new entry.
    assert forbidden == [["actions.*"]]


def test_ignored_imports_are_only_the_known_web_to_integrations_ones() -> None:
    """An exception may not open another rule: each names one web module and its import."""
    for contract in _contracts():
        for expression in contract.get("ignore_imports", []):
            assert re.fullmatch(r"web\.[\w.]+ -> integrations\.[\w.]+", expression), expression


def test_make_lint_runs_the_import_rules_and_mypy() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in recipe
    assert "scripts/mypy_ratchet.py" in recipe


def test_the_contracts_hold_today() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
