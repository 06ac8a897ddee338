"""Reading YAML for every process: one safe loader, libyaml's where PyYAML was built with it.

``yaml.safe_load`` parses in pure Python. The knowledge base, the council profiles, the
domain and the word lists are read at start-up and by the checks, and the pure-Python parser
was most of that time (75 of 91 s of the knowledge and translation tests). libyaml's parser
(``CSafeLoader``, in PyYAML's wheels) builds the same values with the same safe types: only
the parser differs, not the resolver or the constructor.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

#: The safe loader: libyaml's parser when PyYAML has it, else PyYAML's own.
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse one YAML document as ``yaml.safe_load`` does (same types, same errors)."""
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 - a safe loader
