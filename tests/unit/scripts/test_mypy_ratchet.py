"""mypy against its baseline: more errors in a module fail, fewer are named."""

from __future__ import annotations

import json
from collections import Counter

from scripts import mypy_ratchet

OUTPUT = """\
web/models.py:66: error: Invalid base class "Base"  [misc]
web/models.py:66: note: See https://mypy.readthedocs.io/en/stable/common_issues.html
bot/cli.py:59: error: Argument 1 to "serve" has incompatible type "Stack"  [arg-type]
bot/cli.py:59: note: Following member(s) of "Stack" have conflicts:
web/models.py:116: error: Invalid base class "Base"  [misc]
Found 3 errors in 2 files (checked 231 source files)
"""


def test_errors_are_counted_per_module_and_notes_are_not_errors() -> None:
    assert mypy_ratchet.count_errors(OUTPUT) == Counter({"web/models.py": 2, "bot/cli.py": 1})


def test_a_module_over_its_baseline_fails_and_one_under_is_named() -> None:
    found = Counter({"web/models.py": 2, "lib/text.py": 1})
    worse, better = mypy_ratchet.compare(found, {"web/models.py": 3, "bot/cli.py": 1})
    assert worse == ["lib/text.py: 1 (baseline 0)"]
    assert better == ["bot/cli.py: 0 (baseline 1)", "web/models.py: 2 (baseline 3)"]


def test_the_same_counts_pass() -> None:
    counts = {"web/models.py": 2}
    assert mypy_ratchet.compare(Counter(counts), counts) == ([], [])


def test_the_baseline_names_only_modules_that_exist() -> None:
    """A moved or deleted module must not leave an allowance another module could use."""
    baseline = json.loads(mypy_ratchet.BASELINE.read_text(encoding="utf-8"))
    assert baseline, "the baseline is empty"
    for path, count in baseline.items():
        assert (mypy_ratchet.REPO_ROOT / path).is_file(), path
        assert path.split("/")[0] in mypy_ratchet.PACKAGES
        assert isinstance(count, int) and count > 0
