"""One YAML loader for every process: libyaml's parser, the values of ``yaml.safe_load``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.settings import REPO_ROOT
from lib.yaml_files import SafeLoader, load_yaml

#: Every YAML file the processes and the checks read.
PROJECT_YAML = sorted(
    path
    for folder in ("kb", "domain", "data", "tests/nlu", "tests/conversations")
    for path in (REPO_ROOT / folder).rglob("*.yml")
)
#: Modules that are training inputs (bot/model_identity.py): a change to one means a new
#: model, so they keep PyYAML's own parser until they change for a reason of their own.
TRAINING_INPUT_MODULES = ("bot/nlu/",)


def test_libyaml_parses_here() -> None:
    assert SafeLoader is yaml.CSafeLoader


def test_every_project_file_loads_to_the_values_of_safe_load() -> None:
    assert len(PROJECT_YAML) > 100
    for path in PROJECT_YAML:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


@pytest.mark.parametrize(
    "text",
    [
        "answer: yes\nwhen: 2026-12-05\ncount: 010\nratio: 1e3\nnothing: ~\n",
        "- on\n- off\n- '07700 900123'\n- 0x1F\n- 12:30\n",
        'text: "caf\\u00e9 \\U0001F600"\nfolded: >\n  two\n  lines\n',
    ],
)
def test_the_same_implicit_types_as_safe_load(text: str) -> None:
    assert load_yaml(text) == yaml.safe_load(text)


def test_a_broken_file_fails_with_yamls_own_error() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("answers:\n  - one\n two: [\n")


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object/apply:os.system ['true']")


def test_no_module_parses_yaml_with_the_pure_python_parser() -> None:
    offenders = []
    for folder in ("actions", "bot", "integrations", "lib", "web", "workers", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if relative.startswith(TRAINING_INPUT_MODULES):
                continue
            if re.search(r"\byaml\.(safe_load|load)\(", path.read_text(encoding="utf-8")):
                offenders.append(relative)
    assert offenders == ["lib/yaml_files.py"]


def test_a_file_object_and_bytes_load_too(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("a: [1, 2]\n", encoding="utf-8")
    with path.open(encoding="utf-8") as stream:
        assert load_yaml(stream) == {"a": [1, 2]}
    assert load_yaml(path.read_bytes()) == {"a": [1, 2]}
