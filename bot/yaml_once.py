"""Rasa's own command line (``python -m bot.yaml_once train ...``) reading each YAML text once.

Rasa 3.6 parses the same files again and again in one command: ``rasa train`` read
Front Door's domain (88 files) four times and the training data up to seven times, and
checked each file against its schema twice, each check parsing the file once more. Its
YAML parser is pure Python, so before the first component trained, reading took most
of three minutes on a busy 2-core machine (cProfile: 888 parses of about 130 texts;
issue #19).

:func:`install` keeps, for the life of the process, what each text parsed to (a deep copy
is handed out, so a caller that changes it changes only its own) and which texts already
passed which schema. A text that fails to parse or to validate is not kept: it fails
again, with Rasa's own error, every time it is read. Nothing is kept on disk.

:func:`rasa_command` and :func:`rasa_environment` are the one spelling of that command line
for training, evaluation and the tests; Rasa itself is imported only by :func:`install`.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

_parsed: dict[tuple[str, str | tuple[str, ...]], Any] = {}
_passed: set[tuple[str, str, str]] = set()


def read_yaml_once(original: Any) -> Any:
    """``read_yaml`` parsing each (text, reader) once; each caller gets its own copy."""

    def read_yaml(content: str, reader_type: str | list[str] = "safe") -> Any:
        reader: str | tuple[str, ...] = (
            reader_type if isinstance(reader_type, str) else tuple(reader_type)
        )
        key = (content, reader)
        if key not in _parsed:
            _parsed[key] = original(content, reader_type)
        return copy.deepcopy(_parsed[key])

    read_yaml._reads_once = True  # type: ignore[attr-defined]
    return read_yaml


def validate_yaml_schema_once(original: Any) -> Any:
    """``validate_yaml_schema`` checking each (text, schema) once; failures every time."""
    from rasa.shared.utils.validation import PACKAGE_NAME

    def validate_yaml_schema(
        yaml_file_content: str, schema_path: str, package_name: str = PACKAGE_NAME
    ) -> None:
        key = (yaml_file_content, schema_path, package_name)
        if key in _passed:
            return
        original(yaml_file_content, schema_path, package_name)
        _passed.add(key)

    validate_yaml_schema._reads_once = True  # type: ignore[attr-defined]
    return validate_yaml_schema


def install() -> None:
    """Make this process's Rasa parse and check each YAML text once (idempotent)."""
    import rasa.shared.utils.io as io
    import rasa.shared.utils.validation as validation

    if not getattr(io.read_yaml, "_reads_once", False):
        io.read_yaml = read_yaml_once(io.read_yaml)  # type: ignore[assignment]
    if not getattr(validation.validate_yaml_schema, "_reads_once", False):
        validation.validate_yaml_schema = validate_yaml_schema_once(  # type: ignore[assignment]
            validation.validate_yaml_schema
        )


def forget() -> None:
    """Drop everything kept (tests)."""
    _parsed.clear()
    _passed.clear()


def rasa_command(*args: str) -> list[str]:
    """The command line that runs Rasa's ``args`` (``train ...``) through this module."""
    return [sys.executable, "-m", "bot.yaml_once", *args]


def rasa_environment(root: Path) -> dict[str, str]:
    """This process's environment for that command: ``root`` importable, no telemetry."""
    return {**os.environ, "PYTHONPATH": str(root), "RASA_TELEMETRY_ENABLED": "false"}


def main() -> None:
    """Rasa's command line (train, test, data validate, ...) with :func:`install` in place."""
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
