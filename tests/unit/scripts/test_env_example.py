"""`.env.example` is generated from the settings models and cannot drift from them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import SecretStr

from lib.environments import Environment
from scripts import env_example

PACKAGES = ("actions", "bot", "integrations", "lib", "web")
#: What a settings class derives from: pydantic's base, or the fields both processes share.
SETTINGS_BASES = ("BaseSettings", "SharedSettings")
#: The shared base is no process's model: its variables are written through both models.
SHARED_BASE = "lib/shared_settings.py:SharedSettings"


def test_the_committed_file_is_the_generated_one() -> None:
    committed = env_example.TARGET.read_text(encoding="utf-8")
    assert committed == env_example.generate(), "run make env-example"


@pytest.mark.parametrize(("process", "model", "_heading"), env_example.MODELS)
def test_every_setting_has_a_description(process, model, _heading) -> None:
    undocumented = [
        name for name, field in model.__fields__.items() if not field.field_info.description
    ]
    assert undocumented == [], f"{process}: describe these in their Field"


@pytest.mark.parametrize(("process", "model", "_heading"), env_example.MODELS)
def test_every_variable_of_every_model_is_in_the_file(process, model, _heading) -> None:
    text = env_example.generate()
    for field in model.__fields__.values():
        for name in env_example.variable_names(field):
            assert f"\n{name}=" in text or f"\n# {name}=" in text, (process, name)


def _settings_classes() -> list[str]:
    """``path:Class`` of every pydantic settings class in the project's packages."""
    root = env_example.REPO_ROOT
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", "")) in SETTINGS_BASES
                    for base in node.bases
                ):
                    found.append(f"{path.relative_to(root).as_posix()}:{node.name}")
    return found


def test_each_settings_model_of_the_project_is_written_out() -> None:
    """A new process's settings model must join MODELS, or its variables go unlisted."""
    listed = {
        f"{model.__module__.replace('.', '/')}.py:{model.__name__}"
        for _process, model, _heading in env_example.MODELS
    }
    assert set(_settings_classes()) == listed | {SHARED_BASE}


@pytest.mark.parametrize(("process", "model", "_heading"), env_example.MODELS)
def test_every_model_takes_the_one_environment_vocabulary(process, model, _heading) -> None:
    field = model.__fields__["environment"]
    assert field.outer_type_ == Environment, process
    assert env_example.variable_names(field) == ["ENVIRONMENT"]


def test_a_variable_two_processes_read_is_written_once_naming_both() -> None:
    text = env_example.generate()
    assert text.count("\nENVIRONMENT=") == 1
    block = text.split("\nENVIRONMENT=")[0].rsplit("\n\n", 1)[1]
    assert "Read by the assistant and the council services." in block


def test_defaults_are_written_so_that_copying_the_file_keeps_them() -> None:
    root = env_example.REPO_ROOT
    assert env_example.rendered(SecretStr("dev-x")) == ("dev-x", False)
    assert env_example.rendered(False) == ("false", False)
    assert env_example.rendered(None) == ("", True)
    assert env_example.rendered(root / "kb") == ("kb", True)
    assert env_example.rendered(f"sqlite:///{root}/var/x.db") == ("sqlite:///var/x.db", True)
    assert env_example.rendered(Path("/etc/x")) == ("/etc/x", False)


def test_no_path_of_this_machine_is_written() -> None:
    assert str(env_example.REPO_ROOT) not in env_example.generate()
