"""What the council does after the assistant hands it a case: ``kb/next_steps.yml``.

Each step says, in plain words, what happens next to a council tax change or a broadband
voucher application, roughly when (``within``) and how the resident hears, with its source
and the date it was checked. A council whose steps or timescales differ adds
``kb/councils/<slug>/next_steps.yml``: each step it lists replaces the default's whole.
``python -m bot kb-check`` loads every one of these files and fails on any fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.knowledge import checked_date, required_text
from lib.yaml_files import load_yaml

FILE_NAME = "next_steps.yml"
#: The only placeholder a step may use: its own timescale.
_WITHIN = "within"
#: How the resident hears: a letter to an address the council holds, or they ring.
POST = "post"
CALL = "call"


class NextStepsError(ValueError):
    """A next-steps file is malformed; the message names the file and the step."""


@dataclass(frozen=True)
class NextStep:
    """What happens next to one kind of case, as read and as heard on the phone line."""

    name: str
    text: str
    voice: str
    within: str
    within_voice: str
    heard_by: str
    source: str
    checked: date

    def said(self, voice: bool = False) -> str:
        """The step with its timescale filled in."""
        if voice:
            return self.voice.format(within=self.within_voice)
        return self.text.format(within=self.within)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    return required_text(entry, key, where, NextStepsError)


def _step(name: str, entry: Any, where: str) -> NextStep:
    if not isinstance(entry, dict):
        raise NextStepsError(f"{where}: a step must be a mapping")
    within = _text(entry, "within", where)
    step = NextStep(
        name=name,
        text=_text(entry, "text", where),
        voice=_text(entry, "voice", where),
        within=within,
        within_voice=str(entry.get("within_voice") or within).strip(),
        heard_by=_text(entry, "heard_by", where),
        source=_text(entry, "source", where),
        checked=checked_date(entry.get("checked"), where, NextStepsError),
    )
    if step.heard_by not in (POST, CALL):
        raise NextStepsError(f"{where}: 'heard_by' must be {POST} or {CALL}")
    for variant in (step.text, step.voice):
        try:
            variant.format(within="")
        except (KeyError, IndexError, ValueError) as error:
            raise NextStepsError(f"{where}: only {{{_WITHIN}}} may be filled in") from error
        if "{" + _WITHIN + "}" not in variant:
            raise NextStepsError(f"{where}: every variant says when, with {{{_WITHIN}}}")
    if "http" in step.voice:
        raise NextStepsError(f"{where}: the voice variant must not contain a link")
    return step


def load_file(path: Path) -> dict[str, NextStep]:
    """The steps of one file, by name.

    Raises:
        NextStepsError: naming the file and the step when something is missing or wrong.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise NextStepsError(f"{path}: cannot be read ({error})") from error
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, dict) or not steps:
        raise NextStepsError(f"{path}: needs a 'steps' mapping")
    return {
        str(name): _step(str(name), entry, f"{path}: step '{name}'")
        for name, entry in steps.items()
    }


def load(kb_dir: Path, council_dir: Path) -> dict[str, NextStep]:
    """The default steps, each replaced by the council's own where it has one."""
    steps = load_file(kb_dir / FILE_NAME)
    own = council_dir / FILE_NAME
    if own.exists():
        extra = set(load_file(own)) - set(steps)
        if extra:
            raise NextStepsError(f"{own}: step(s) {sorted(extra)} are not in {kb_dir / FILE_NAME}")
        steps = {**steps, **load_file(own)}
    return steps


@lru_cache(maxsize=4)
def cached(kb_dir: Path, council_dir: Path) -> dict[str, NextStep]:
    """:func:`load`, once per process (for the action server)."""
    return load(kb_dir, council_dir)


def check(kb_dir: Path) -> list[str]:
    """Every fault in the default file and each council's, as readable lines."""
    councils = sorted(p for p in (kb_dir / "councils").glob("*") if p.is_dir())
    problems: list[str] = []
    try:
        load_file(kb_dir / FILE_NAME)
    except NextStepsError as error:
        return [str(error)]
    for council_dir in councils:
        try:
            load(kb_dir, council_dir)
        except NextStepsError as error:
            problems.append(str(error))
    return problems
