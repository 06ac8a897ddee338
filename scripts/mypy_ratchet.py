"""mypy against a baseline: no module may have more type errors than it had.

``python scripts/mypy_ratchet.py`` runs mypy (settings in ``pyproject.toml``) on every
package and counts the errors of each module. A module with more errors than
``scripts/mypy_baseline.json`` allows fails the check, with its errors listed; a module
with fewer is named, so the baseline can be tightened with ``--update``
(``make types-baseline``).

Every package is checked, not only the modules a branch changed: mypy analyses what each
module imports anyway, a change in one module can break another, and CI runs on a clean
clone of main, where nothing counts as changed. The counts are per module, so the result
is the same on every machine whatever order mypy reports in.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BASELINE = REPO_ROOT / "scripts" / "mypy_baseline.json"
#: The packages mypy checks (the project's own code; tests and scripts are not typed yet).
PACKAGES = ("actions", "bot", "integrations", "lib", "web")
ERROR_LINE = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def count_errors(output: str) -> Counter[str]:
    """Type errors per module path in mypy's output (notes and the summary are not errors)."""
    counts: Counter[str] = Counter()
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            counts[match["path"]] += 1
    return counts


def compare(found: Counter[str], allowed: dict[str, int]) -> tuple[list[str], list[str]]:
    """The modules over their baseline, and those under it, each as ``path: found (baseline n)``."""
    worse, better = [], []
    for path in sorted(set(found) | set(allowed)):
        now, before = found.get(path, 0), allowed.get(path, 0)
        if now > before:
            worse.append(f"{path}: {now} (baseline {before})")
        elif now < before:
            better.append(f"{path}: {now} (baseline {before})")
    return worse, better


def run_mypy() -> str:
    """Run mypy on every package and return its report.

    Raises:
        RuntimeError: when mypy itself fails (exit code 2: a crash or a bad option).
    """
    command = [sys.executable, "-W", "ignore::DeprecationWarning", "-m", "mypy", *PACKAGES]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"mypy failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    """Check the packages against the baseline, or write a new baseline with ``--update``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write today's counts")
    args = parser.parse_args(argv)
    output = run_mypy()
    found = count_errors(output)
    if args.update:
        BASELINE.write_text(json.dumps(dict(sorted(found.items())), indent=2) + "\n")
        sys.stdout.write(f"{BASELINE.name}: {sum(found.values())} errors in {len(found)} files\n")
        return 0
    allowed = json.loads(BASELINE.read_text(encoding="utf-8"))
    worse, better = compare(found, allowed)
    for line in better:
        sys.stdout.write(f"fewer type errors, tighten the baseline (make types-baseline): {line}\n")
    if worse:
        paths = {line.split(":")[0] for line in worse}
        errors = [line for line in output.splitlines() if line.split(":")[0] in paths]
        sys.stdout.write("\n".join(sorted(errors)) + "\n")
        sys.stdout.write("".join(f"more type errors than the baseline: {line}\n" for line in worse))
        return 1
    sys.stdout.write(f"mypy: {sum(found.values())} errors, none over the baseline\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
