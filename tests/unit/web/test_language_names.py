"""web/language_names.py: staff pages show language names, read from kb/translations."""

from __future__ import annotations

from pathlib import Path

from web.language_names import language_name, language_names


def test_the_shipped_languages_have_english_names() -> None:
    names = language_names()
    assert names["en"] == "English" and names["pl"] == "Polish"
    assert names["pa"] == "Punjabi"  # pa.yml and pa-Arab.yml: the script is dropped
    assert language_name("ur") == "Urdu"


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert language_name("cy") == "cy"
    assert language_name("und") == "Not known"


def test_names_come_from_the_configured_kb(tmp_path: Path) -> None:
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / "cy.yml").write_text("language: cy\nname: Welsh\n")
    (tmp_path / "translations" / "broken.yml").write_text("language: [\n")
    assert language_name("cy", tmp_path) == "Welsh"
    assert language_name("en", tmp_path) == "en"
