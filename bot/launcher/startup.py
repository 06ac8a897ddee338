"""What ``make run`` will do, the time to expect, and a progress line at every stage.

``make run`` calls ``python -m bot.launcher.startup`` first, with the virtual environment's
Python or, on a fresh clone, the machine's Python 3.10, so this module uses the standard
library only. It looks at what is already there (:func:`look`), prints the plan with an
estimate for each stage (:func:`plan`, :func:`describe`), installs the dependencies when
they are missing or out of date, then hands over to ``python -m bot run``, which fetches the
encoder, trains or copies the model and starts the services under the same stage lines.

Each stage's real duration is recorded in ``stage-times.json`` in the cache folder
(``~/.cache/front-door``), and the next estimate is the median of the last three runs on
this machine. The first time, :data:`DEFAULT_SECONDS` applies: the times measured on the
project's 2-core development machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot import model_identity
from bot.nlu.encoder_files import ENCODER_ID, default_cache_root, encoder_dir

#: The stages of ``make run``, in order.
STAGES = ("install", "encoder", "training", "loading")
#: First-time estimates, measured on the project's 2-core machine (README, "Run it"):
#: a fresh virtual environment about 40 s (uv), the encoder's 90 MB wheel about 20 s, a
#: training about 3 min, Rasa loading the model (the slowest service) about 1 min.
DEFAULT_SECONDS: dict[str, float] = {
    "install": 40.0,
    "encoder": 20.0,
    "training": 180.0,
    "loading": 60.0,
}
#: How many recorded runs of each stage are kept; the estimate is the median of the last 3.
KEPT_RUNS = 5
ESTIMATE_RUNS = 3
TIMES_FILE = "stage-times.json"
#: Set by the first step of ``make run`` for ``python -m bot run``: when it all started.
STARTED_AT_ENV = "FRONT_DOOR_RUN_STARTED"
VENV = Path(".venv")
STAMP = VENV / ".installed"
REQUIREMENTS = (Path("requirements") / "requirements.in", Path("requirements") / "constraints.txt")


def format_duration(seconds: float) -> str:
    """``45 s``, ``1 min 20 s``, ``11 min``: minutes and seconds, rounded to the second."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def format_estimate(seconds: float) -> str:
    """A rounded estimate: ``~20 s`` under a minute (to 5 s), else ``~4 min`` (to the minute)."""
    if seconds < 55:
        return f"~{max(5, 5 * round(seconds / 5))} s"
    return f"~{max(1, round(seconds / 60))} min"


# --- The record of real durations ----------------------------------------------------------


@dataclass
class StageTimes:
    """The durations of each stage measured on this machine (``stage-times.json``)."""

    path: Path | None
    runs: dict[str, list[float]] = field(default_factory=dict)
    #: The components of the last training, in order, with their durations in seconds.
    components: list[tuple[str, float]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> StageTimes:
        """Read the record; a missing or damaged file is an empty record."""
        path = path if path is not None else default_cache_root() / TIMES_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            runs = {
                str(stage): [float(s) for s in seconds if float(s) >= 0]
                for stage, seconds in raw.get("stages", {}).items()
            }
            components = [(str(name), float(s)) for name, s in raw.get("components", [])]
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(path)
        return cls(path, runs, components)

    def estimate(self, stage: str) -> float:
        """The median of the last runs recorded here, else the default."""
        recorded = self.runs.get(stage, [])[-ESTIMATE_RUNS:]
        if recorded:
            return float(statistics.median(recorded))
        return DEFAULT_SECONDS[stage]

    def measured(self, stage: str) -> bool:
        """Whether the estimate comes from this machine."""
        return bool(self.runs.get(stage))

    def record(self, stage: str, seconds: float) -> None:
        """Add one real duration and save (a failure to save only loses the record)."""
        self.runs[stage] = [*self.runs.get(stage, []), round(seconds, 1)][-KEPT_RUNS:]
        self.save()

    def record_components(self, components: list[tuple[str, float]]) -> None:
        """Keep the components of a complete training and their durations."""
        self.components = [(name, round(seconds, 1)) for name, seconds in components]
        self.save()

    def save(self) -> None:
        """Write the record atomically."""
        if self.path is None:
            return
        body = {"stages": self.runs, "components": [list(c) for c in self.components]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
            partial.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
            os.replace(partial, self.path)
        except OSError:
            pass


# --- What is already there, and the plan -----------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """What this machine already has."""

    #: The virtual environment exists and holds the current requirements.
    installed: bool
    #: The encoder's checked files are in the cache.
    encoder_cached: bool
    #: The model for the current training inputs is in ``models/`` or the machine's cache.
    model_found: bool


@dataclass(frozen=True)
class Step:
    """One stage of the plan: what happens and the time to expect (0 when nothing to do)."""

    stage: str
    what: str
    seconds: float


def plan(situation: Situation, times: StageTimes) -> list[Step]:
    """The stages ``make run`` goes through from this situation, with their estimates."""

    def estimate(stage: str) -> float:
        return times.estimate(stage)

    return [
        Step("install", "create .venv with the pinned dependencies", estimate("install"))
        if not situation.installed
        else Step("install", "dependencies up to date", 0.0),
        Step("encoder", "fetch and check the sentence encoder", estimate("encoder"))
        if not situation.encoder_cached
        else Step("encoder", "cached; its SHA-256 is checked", 0.0),
        Step("training", "train the model", estimate("training"))
        if not situation.model_found
        else Step("training", "model found: no training", 0.0),
        Step("loading", "start the services and wait until each answers", estimate("loading")),
    ]


def describe(steps: list[Step], times: StageTimes) -> str:
    """The plan as printed before anything starts, ending with the total to expect."""
    total = sum(step.seconds for step in steps)
    lines = ["Front Door: what `make run` does on this machine, and the time to expect"]
    for step in steps:
        when = format_estimate(step.seconds) if step.seconds else "-"
        lines.append(f"  {step.stage:9} {when:>7}  {step.what}")
    timed = [step for step in steps if step.seconds]
    measured = [step for step in timed if times.measured(step.stage)]
    if len(measured) == len(timed):
        source = "from earlier runs on this machine"
    elif measured:
        source = "partly first-time defaults"
    else:
        source = "first-time defaults; later runs use the times measured here"
    summary = ", ".join(f"{step.stage} {format_estimate(step.seconds)}" for step in timed)
    lines.append(f"  {summary}; about {format_estimate(total)[1:]} in all ({source}).")
    return "\n".join(lines)


def requirements_digest(root: Path) -> str:
    """The hash of the requirement files: what the install stamp holds once they are in."""
    digest = hashlib.sha256()
    for name in REQUIREMENTS:
        digest.update((root / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def installed(root: Path) -> bool:
    """Whether the virtual environment exists and its stamp holds the current requirements.

    An empty stamp (written by ``touch`` before stamps held the hash) counts when it is
    newer than the requirement files, as ``make`` judges it; it then gets the hash.
    """
    stamp = root / STAMP
    if not (root / VENV / "bin" / "python").exists() or not stamp.is_file():
        return False
    held = stamp.read_text(encoding="utf-8").strip()
    current = requirements_digest(root)
    if not held and all(
        stamp.stat().st_mtime >= (root / name).stat().st_mtime for name in REQUIREMENTS
    ):
        stamp.write_text(current + "\n", encoding="utf-8")
        return True
    return held == current


def _models_dir(root: Path) -> Path:
    """``MODELS_DIR`` from the environment or ``.env``, as the settings read it."""
    configured = os.environ.get("MODELS_DIR")
    env_file = root / ".env"
    if not configured and env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            match = re.match(r"\s*MODELS_DIR\s*=\s*(.+?)\s*$", line)
            if match:
                configured = match.group(1).strip("'\"")
    return Path(configured) if configured else root / "models"


def model_found(root: Path, python_version: str | None = None) -> bool:
    """Whether the model for the current inputs is in ``models/`` or the machine's cache.

    The versions come from the pins, which is what the environment holds once installed.
    """
    pins = model_identity.pinned_versions(root)
    name = model_identity.model_file_name(
        model_identity.fingerprint(root, ENCODER_ID, pins.get("rasa", "-"))
    )
    if (_models_dir(root) / name).is_file():
        return True
    if os.environ.get("MODEL_CACHE", "on").strip().lower() in {"off", "0", "false", "no"}:
        return False
    tag = model_identity.runtime_tag(python_version or platform.python_version(), pins)
    return (default_cache_root() / "models" / tag / name).is_file()


def look(root: Path = model_identity.REPO_ROOT) -> Situation:
    """What is already there."""
    return Situation(
        installed=installed(root),
        encoder_cached=encoder_dir().is_dir(),
        model_found=model_found(root),
    )


# --- Stage lines -----------------------------------------------------------------------------


@dataclass
class Stage:
    """One running stage: says what happens, with the time so far."""

    name: str
    expect_s: float | None
    write: Callable[[str], None]
    clock: Callable[[], float]
    started: float = 0.0
    last_said: float = 0.0
    #: What the stage waits for now, added to the time-so-far lines.
    status: str = ""

    def elapsed(self) -> float:
        """Seconds since the stage started."""
        return self.clock() - self.started

    def say(self, message: str) -> None:
        """One line, prefixed with the stage's name."""
        self.last_said = self.clock()
        self.write(f"[{self.name}] {message}")

    def so_far(self) -> str:
        """``1 min 20 s so far of ~4 min``."""
        told = f"{format_duration(self.elapsed())} so far"
        return f"{told} of {format_estimate(self.expect_s)}" if self.expect_s else told

    def tick(self, quiet_s: float) -> None:
        """Say the time so far, unless the stage said something in the last ``quiet_s``."""
        if self.clock() - self.last_said >= quiet_s:
            self.say(f"{self.so_far()}; {self.status}" if self.status else self.so_far())


class StageLines:
    """Runs stages with a start line, a line at least every ``tick_s``, and an end line.

    Each finished stage's duration goes into the record when ``record`` is set for it.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        times: StageTimes,
        clock: Callable[[], float] = time.monotonic,
        tick_s: float | None = 20.0,
    ) -> None:
        self.write = write
        self.times = times
        self.clock = clock
        self.tick_s = tick_s

    @contextmanager
    def stage(
        self, name: str, doing: str, expect_s: float | None = None, record: bool = True
    ) -> Iterator[Stage]:
        """Announce ``doing``, yield the stage, then say how long it took (or that it failed).

        Args:
            name: one of :data:`STAGES`.
            doing: what happens, as the start line says it.
            expect_s: the time to expect; None for no estimate.
            record: keep the duration for the next estimate.
        """
        current = Stage(name, expect_s, self.write, self.clock)
        current.started = self.clock()
        expect = f" (expect {format_estimate(expect_s)})" if expect_s else ""
        current.say(f"{doing}{expect}...")
        stop = threading.Event()
        ticker = None
        if self.tick_s:
            tick_s = self.tick_s

            def tick() -> None:
                while not stop.wait(tick_s):
                    current.tick(tick_s)

            ticker = threading.Thread(target=tick, name=f"{name}-progress", daemon=True)
            ticker.start()
        try:
            yield current
        except BaseException:
            current.say(f"stopped after {format_duration(current.elapsed())}")
            raise
        finally:
            stop.set()
            if ticker is not None:
                ticker.join(timeout=1.0)
        seconds = current.elapsed()
        current.say(f"done in {format_duration(seconds)}")
        if record:
            self.times.record(name, seconds)


def print_line(text: str) -> None:
    """Write a line to standard output at once (``make`` does not buffer it)."""
    try:
        sys.stdout.write(text.rstrip("\n") + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):  # the terminal closed
        pass


def encoder_stage(lines: StageLines, folder: Path, ensure: Callable[[], Path]) -> Path:
    """Fetch the encoder's files under a stage line, or say that the cached ones check out.

    Args:
        lines: the stage lines.
        folder: where the checked files are kept (``encoder_dir()``).
        ensure: fetches and checks them (``ensure_encoder_files``; it raises on a mismatch).
    """
    if folder.is_dir():
        checked = ensure()
        lines.write(f"[encoder] found in the cache, SHA-256 checked: {checked}")
        return checked
    with lines.stage(
        "encoder",
        "downloading the sentence encoder (about 90 MB), then checking its SHA-256",
        lines.times.estimate("encoder"),
    ) as stage:
        checked = ensure()
        stage.say(f"SHA-256 matches the published files; cached in {checked}")
    return checked


# --- Rasa's training output -------------------------------------------------------------------

_COMPONENT = re.compile(r"(Starting to train|Finished training) component '([A-Za-z0-9_]+)'")


def training_event(line: str) -> tuple[str, str] | None:
    """``("start", name)`` or ``("finish", name)`` for Rasa's component lines, else None."""
    match = _COMPONENT.search(line)
    if match is None:
        return None
    return ("start" if match.group(1).startswith("Starting") else "finish", match.group(2))


@dataclass
class TrainingProgress:
    """Turns Rasa's training output into one stage line per component.

    ``(3/13)`` counts the components of the last training recorded here; the first time
    only the count so far is known.
    """

    stage: Stage
    previous: list[tuple[str, float]]
    clock: Callable[[], float] = time.monotonic
    done: list[tuple[str, float]] = field(default_factory=list)
    _current: tuple[str, float] | None = None
    _pending: str = ""

    def feed(self, text: str) -> None:
        """Read a piece of the output (lines may arrive in parts; a carriage return ends one)."""
        lines = re.split(r"[\r\n]", self._pending + text)
        self._pending = lines.pop()
        for line in lines:
            self.line(line)

    def line(self, line: str) -> None:
        """Read one line of the output."""
        event = training_event(line)
        if event is None:
            return
        kind, name = event
        now = self.clock()
        if kind == "finish":
            if self._current is not None and self._current[0] == name:
                self.done.append((name, now - self._current[1]))
                self._current = None
            return
        self._current = (name, now)
        number = len(self.done) + 1
        count = f"{number}/{len(self.previous)}" if len(self.previous) >= number else f"{number}"
        before = dict(self.previous).get(name)
        took = f", took {format_duration(before)} last time" if before and before >= 5 else ""
        self.stage.say(f"training {name} ({count}){took}; {self.stage.so_far()}")


# --- ``make run``'s first step -----------------------------------------------------------------


def _install(root: Path, lines: StageLines, expect_s: float, fresh: bool) -> int:
    """Run ``make install`` under a stage line; its exit code."""
    (root / STAMP).unlink(missing_ok=True)  # out of date by content: make must reinstall
    doing = (
        "creating .venv and installing the pinned dependencies"
        if fresh
        else "updating the dependencies (the requirements changed)"
    )
    with lines.stage("install", doing, expect_s if fresh else None, record=fresh) as stage:
        result = subprocess.run(["make", "--no-print-directory", "install"], cwd=root, check=False)
        if result.returncode != 0:
            stage.say(f"make install failed (exit {result.returncode})")
            raise SystemExit(result.returncode)
    return result.returncode


def main(argv: list[str] | None = None, root: Path = model_identity.REPO_ROOT) -> int:
    """``python -m bot.launcher.startup [stamp]``: plan, install, then ``python -m bot run``.

    ``stamp`` writes the install stamp (the Makefile's last install step).
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["stamp"]:
        (root / STAMP).write_text(requirements_digest(root) + "\n", encoding="utf-8")
        return 0
    started = time.time()
    times = StageTimes.load()
    situation = look(root)
    print_line(describe(plan(situation, times), times))
    lines = StageLines(print_line, times)
    if situation.installed:
        os.utime(root / STAMP)  # current by content: make's other targets skip pip too
    else:
        fresh = not (root / VENV / "bin" / "python").exists()
        _install(root, lines, times.estimate("install"), fresh)
    python = str(root / VENV / "bin" / "python")
    env = {**os.environ, STARTED_AT_ENV: f"{started:.3f}"}
    sys.stdout.flush()
    os.execve(python, [python, "-m", "bot", "run"], env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
