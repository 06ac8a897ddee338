"""Rasa's memory allocator: jemalloc when the system has it (issue #19).

Rasa loads TensorFlow and three TensorFlow models, and glibc's allocator keeps much of
what they free. With jemalloc preloaded, Rasa's resident memory measured lower at rest,
after 50 conversations and most of all at its peak while loading the model
(``scripts/bench_memory.py assistant``, ``make bench-memory``). The action server measured
no better with it, so only Rasa gets it. Without the library (Debian's ``libjemalloc2``)
Rasa runs on the system allocator as before; ``RASA_ALLOCATOR=system`` asks for that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

#: Where Debian and most other systems install jemalloc's shared library.
JEMALLOC_PATHS: tuple[Path, ...] = tuple(
    Path(folder) / "libjemalloc.so.2"
    for folder in (
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
        "/usr/local/lib",
    )
)


def jemalloc_library(candidates: Iterable[Path] | None = None) -> Path | None:
    """The first jemalloc library that exists (of :data:`JEMALLOC_PATHS`), or None."""
    paths = JEMALLOC_PATHS if candidates is None else candidates
    return next((path for path in paths if path.is_file()), None)


def allocator_env(
    choice: str,
    environ: Mapping[str, str],
    candidates: Iterable[Path] | None = None,
) -> dict[str, str]:
    """The variables that give a child process the chosen allocator.

    Args:
        choice: ``jemalloc`` (when the library is there) or ``system``.
        environ: the child's environment otherwise; a preload it has is kept, after ours.
        candidates: where to look for the library; :data:`JEMALLOC_PATHS` by default.

    Returns:
        ``{"LD_PRELOAD": ...}`` for jemalloc, or nothing: the system allocator.
    """
    if choice != "jemalloc":
        return {}
    library = jemalloc_library(candidates)
    if library is None:
        return {}
    preloaded = environ.get("LD_PRELOAD", "").replace(":", " ").split()
    if str(library) in preloaded:
        return {}
    return {"LD_PRELOAD": " ".join([str(library), *preloaded])}
