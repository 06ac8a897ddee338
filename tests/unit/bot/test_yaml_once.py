"""Rasa's command line reading each YAML text once (``bot/yaml_once.py``, issue #19)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rasa.shared.utils.io
import rasa.shared.utils.validation
from rasa.shared.exceptions import YamlException
from rasa.shared.importers.importer import TrainingDataImporter

from bot import yaml_once
from bot.settings import REPO_ROOT

NLU = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n'
NLU_SCHEMA = "shared/nlu/training_data/schemas/nlu.yml"


@pytest.fixture
def rasa_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's own functions come back after each test, and nothing kept is shared."""
    monkeypatch.setattr(rasa.shared.utils.io, "read_yaml", rasa.shared.utils.io.read_yaml)
    validation = rasa.shared.utils.validation
    monkeypatch.setattr(validation, "validate_yaml_schema", validation.validate_yaml_schema)
    yaml_once.forget()
    yield
    yaml_once.forget()


class _Counting:
    """Stands in for a Rasa function, counting its calls."""

    def __init__(self, function) -> None:
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def test_each_text_is_parsed_once_and_every_caller_gets_its_own_copy(rasa_as_shipped) -> None:
    counting = _Counting(rasa.shared.utils.io.read_yaml)
    rasa.shared.utils.io.read_yaml = counting
    yaml_once.install()
    first = rasa.shared.utils.io.read_yaml(NLU)
    first["nlu"].append("changed by its caller")
    second = rasa.shared.utils.io.read_yaml(NLU)
    assert counting.calls == 1
    assert second == {"version": "3.1", "nlu": [{"intent": "greet", "examples": "- hello\n"}]}
    rasa.shared.utils.io.read_yaml(NLU, reader_type=["safe", "rt"])  # another reader: parsed
    assert counting.calls == 2


def test_a_text_that_does_not_parse_fails_every_time(rasa_as_shipped) -> None:
    yaml_once.install()
    for _ in range(2):
        with pytest.raises(Exception, match="expected"):
            rasa.shared.utils.io.read_yaml("nlu: [unclosed\n")


def test_each_text_is_checked_once_against_each_schema_and_failures_every_time(
    rasa_as_shipped,
) -> None:
    validation = rasa.shared.utils.validation
    counting = _Counting(validation.validate_yaml_schema)
    validation.validate_yaml_schema = counting
    yaml_once.install()
    validation.validate_yaml_schema(NLU, NLU_SCHEMA)
    validation.validate_yaml_schema(NLU, NLU_SCHEMA)
    assert counting.calls == 1
    wrong = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: 3\n'
    for calls in (2, 3):
        with pytest.raises(YamlException):
            validation.validate_yaml_schema(wrong, NLU_SCHEMA)
        assert counting.calls == calls


def test_install_twice_wraps_once(rasa_as_shipped) -> None:
    yaml_once.install()
    read_yaml = rasa.shared.utils.io.read_yaml
    yaml_once.install()
    assert rasa.shared.utils.io.read_yaml is read_yaml


def _fingerprints(root: Path) -> tuple[str, str, str]:
    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain"), [str(root / "data")]
    )
    return (
        importer.get_domain().fingerprint(),
        importer.get_stories().fingerprint(),
        importer.get_nlu_data().fingerprint(),
    )


@pytest.mark.filterwarnings("ignore:Issue found in")  # intents of the files left out
def test_rasa_reads_the_same_domain_stories_and_examples(rasa_as_shipped, tmp_path) -> None:
    """Part of Front Door's own project, read by Rasa's importer with and without."""
    root = tmp_path / "project"
    shutil.copy(REPO_ROOT / "config.yml", root.mkdir() or root / "config.yml")
    (root / "domain").mkdir()
    for name in ("core.yml", "find_place.yml"):
        shutil.copy(REPO_ROOT / "domain" / name, root / "domain" / name)
    for part in ("nlu", "rules", "stories"):
        (root / "data" / part).mkdir(parents=True)
    for part in ("nlu/find_place.yml", "nlu/report_problem.yml", "rules/find_place.yml"):
        shutil.copy(REPO_ROOT / "data" / part, root / "data" / part)
    for story in sorted((REPO_ROOT / "data" / "stories").glob("*.yml"))[:1]:
        shutil.copy(story, root / "data" / "stories" / story.name)
    as_shipped = _fingerprints(root)
    yaml_once.install()
    assert _fingerprints(root) == as_shipped
    assert _fingerprints(root) == as_shipped  # the second time from what was kept
