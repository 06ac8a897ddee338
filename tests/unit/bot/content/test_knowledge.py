"""The knowledge base: loading, rendering, and the check that fails the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import knowledge
from bot.content.knowledge import KnowledgeError, check, load_all, load_service, render, sync
from bot.settings import REPO_ROOT, Settings
from lib.yaml_files import load_yaml

SLOTS = {"council_phone", "council_phone_spoken", "council_name"}


def _write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _service(**answer_overrides) -> dict:
    answer = {
        "text": "You get {discount} off. Call {council_phone}.",
        "voice": "You get {discount} off.",
        "source": "https://www.gov.uk/example",
        "checked": "2026-11-01",
        **answer_overrides,
    }
    return {
        "service": "council_tax",
        "domain_file": "council_tax_faq.yml",
        "facts": {
            "discount": {
                "value": 25,
                "text": "25%",
                "voice": "twenty five per cent",
                "source": "https://www.gov.uk/example",
                "checked": "2026-11-01",
            }
        },
        "answers": {"single": {k: v for k, v in answer.items() if v is not None}},
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's kb/ and domain/ to break on purpose."""
    shutil.copytree(REPO_ROOT / "kb", tmp_path / "kb")
    shutil.copytree(REPO_ROOT / "domain", tmp_path / "domain")
    return tmp_path


def test_the_repository_knowledge_base_and_domain_agree():
    # The build gate: an answer without a source or a stale generated domain fails here.
    # The committed domain is the default council's (its overrides applied).
    council_dir = Settings(_env_file=None).council_dir
    assert check(REPO_ROOT / "kb", REPO_ROOT / "domain", REPO_ROOT, council_dir) == []


def test_the_council_tax_faq_is_generated_from_the_knowledge_base():
    text = (REPO_ROOT / "domain" / "council_tax_faq.yml").read_text(encoding="utf-8")
    assert text.startswith(knowledge.GENERATED_MARK)
    services = {
        s.service for s in load_all(REPO_ROOT / "kb", knowledge.domain_slots(REPO_ROOT / "domain"))
    }
    assert "council_tax" in services


def test_every_answer_has_a_voice_variant_source_and_date():
    for service in load_all(REPO_ROOT / "kb"):
        for answer in service.answers:
            assert answer.voice and answer.source and answer.checked, answer.name
            assert "http" not in render(answer, service, voice=True), answer.name


@pytest.mark.parametrize("missing", ["source", "checked", "voice", "text"])
def test_an_answer_without_a_required_field_names_file_and_entry(tmp_path: Path, missing: str):
    path = _write(tmp_path / "facts" / "council_tax.yml", _service(**{missing: None}))
    with pytest.raises(KnowledgeError) as error:
        load_service(path, SLOTS)
    assert str(path) in str(error.value)
    assert "answer 'single'" in str(error.value)
    assert missing in str(error.value)


def test_a_checked_date_in_the_future_is_refused(tmp_path: Path):
    path = _write(tmp_path / "facts" / "council_tax.yml", _service(checked="2999-01-01"))
    with pytest.raises(KnowledgeError, match="future"):
        load_service(path, SLOTS)


def test_an_unknown_placeholder_is_refused(tmp_path: Path):
    path = _write(tmp_path / "facts" / "council_tax.yml", _service(text="Pay {amount} now."))
    with pytest.raises(KnowledgeError, match="amount"):
        load_service(path, SLOTS)


def test_a_link_in_the_voice_variant_is_refused(tmp_path: Path):
    path = _write(
        tmp_path / "facts" / "council_tax.yml", _service(voice="Go to https://www.gov.uk now.")
    )
    with pytest.raises(KnowledgeError, match="voice"):
        load_service(path, SLOTS)


def test_render_fills_facts_and_leaves_slots_for_rasa(tmp_path: Path):
    service = load_service(_write(tmp_path / "facts" / "council_tax.yml", _service()), SLOTS)
    answer = service.answer("single")
    assert render(answer, service) == "You get 25% off. Call {council_phone}."
    assert render(answer, service, voice=True) == "You get twenty five per cent off."
    assert service.fact("discount") == 25


def test_a_stale_generated_domain_file_fails_the_check(project: Path):
    facts = project / "kb" / "facts" / "council_tax.yml"
    facts.write_text(facts.read_text().replace("25%", "30%"), encoding="utf-8")
    problems = check(project / "kb", project / "domain", project)
    assert any("out of date" in p and "council_tax_faq.yml" in p for p in problems)
    assert sync(project / "kb", project / "domain", project)
    assert check(project / "kb", project / "domain", project) == []
    assert "30%" in (project / "domain" / "council_tax_faq.yml").read_text()


def test_a_service_answer_in_the_domain_without_kb_counterpart_fails(project: Path):
    _write(
        project / "domain" / "extra.yml",
        {"version": "3.1", "responses": {"utter_council_tax/made_up": [{"text": "Made up."}]}},
    )
    problems = check(project / "kb", project / "domain", project)
    assert any("utter_council_tax/made_up" in p and "no counterpart" in p for p in problems)


def test_an_answer_without_source_fails_the_check(project: Path):
    facts = project / "kb" / "facts" / "council_tax.yml"
    data = load_yaml(facts.read_text())
    del data["answers"]["students"]["source"]
    _write(facts, data)
    problems = check(project / "kb", project / "domain", project)
    assert problems and "students" in problems[0] and "source" in problems[0]


def test_the_cli_check_exits_non_zero_on_a_problem(project: Path, monkeypatch):
    from bot import cli

    monkeypatch.setattr("bot.settings.REPO_ROOT", project)
    monkeypatch.setenv("KB_DIR", str(project / "kb"))
    (project / "domain" / "council_tax_faq.yml").write_text("version: '3.1'\n", encoding="utf-8")
    assert cli.main(["kb-check"]) == 1
    assert cli.main(["kb-sync"]) == 0
    assert cli.main(["kb-check"]) == 0


# A council's own facts and wording (issue #17): kb/councils/<slug>/facts/ overrides.


def _council_override(tmp_path: Path, data: dict) -> tuple[Path, Path]:
    shared = _write(tmp_path / "kb" / "facts" / "council_tax.yml", _service())
    council_dir = tmp_path / "kb" / "councils" / "somewhere"
    _write(council_dir / "facts" / "council_tax.yml", data)
    return shared, council_dir


def test_a_council_rewords_a_shared_answer_with_a_fact_of_its_own(tmp_path: Path):
    shared, council_dir = _council_override(
        tmp_path,
        {
            "facts": {
                "outlets": {
                    "value": 12,
                    "text": "12",
                    "source": "https://x.example",
                    "checked": "2026-12-01",
                }
            },
            "answers": {
                "single": {
                    "text": "Pay at one of {outlets} shops. Call {council_phone}.",
                    "voice": "Pay at a shop.",
                    "source": "https://x.example",
                    "checked": "2026-12-01",
                }
            },
        },
    )
    own = load_service(shared, SLOTS, council_dir)
    assert render(own.answer("single"), own) == "Pay at one of 12 shops. Call {council_phone}."
    assert own.fact("discount") == 25
    plain = load_service(shared, SLOTS)
    assert "shops" not in render(plain.answer("single"), plain)


def test_a_council_cannot_add_an_answer_the_domain_does_not_have(tmp_path: Path):
    shared, council_dir = _council_override(
        tmp_path,
        {
            "answers": {
                "new_one": {"text": "x", "source": "https://x.example", "checked": "2026-12-01"}
            }
        },
    )
    with pytest.raises(KnowledgeError, match="new_one"):
        load_service(shared, SLOTS, council_dir)


def test_an_override_holds_only_facts_and_answers(tmp_path: Path):
    shared, council_dir = _council_override(tmp_path, {"service": "parking"})
    with pytest.raises(KnowledgeError, match="only 'facts' and 'answers'"):
        load_service(shared, SLOTS, council_dir)


def test_shared_facts_name_no_council_own_scheme_once_overrides_exist():
    text = (REPO_ROOT / "kb" / "facts" / "council_tax.yml").read_text(encoding="utf-8")
    assert "PayZone" not in text
    stoke = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"
    knowledge_ = load_service(REPO_ROOT / "kb" / "facts" / "council_tax.yml", None, stoke)
    assert "PayZone" in render(knowledge_.answer("ways_to_pay"), knowledge_)
