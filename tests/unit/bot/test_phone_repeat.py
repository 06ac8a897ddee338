"""What asks the phone line to repeat itself (``bot/channels/repeat.py``, ``kb/phone_line.yml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.repeat import load_repeat_requests
from bot.settings import REPO_ROOT

REPEAT = load_repeat_requests(REPO_ROOT / "kb" / "phone_line.yml")
#: Every language with replies in kb/translations has its own repeat phrases.
LANGUAGES = sorted(p.stem for p in (REPO_ROOT / "kb" / "translations").glob("??.yml"))


@pytest.mark.parametrize(
    "speech",
    ["repeat", "Repeat that, please.", "Sorry, what did you say?", "Pardon?", "Say that again",
     "I didn't catch that", "POWTÓRZ", "poftim", "Zopakujte to, prosím", "آپ نے کیا کہا؟",
     "ਦੁਬਾਰਾ ਦੱਸੋ", "كرر من فضلك", "আবার বলুন"],
)  # fmt: skip
def test_repeat_phrases(speech: str) -> None:
    assert REPEAT.asked_by_speech(speech)


@pytest.mark.parametrize(
    "speech",
    ["", "sorry", "please", "repeat prescription", "I want to repeat my order",
     "what is council tax", "yes", "no"],
)  # fmt: skip
def test_not_repeat(speech: str) -> None:
    assert not REPEAT.asked_by_speech(speech)


def test_the_key() -> None:
    assert REPEAT.asked_by_keys("9") and REPEAT.asked_by_keys("9#")
    assert not REPEAT.asked_by_keys("99") and not REPEAT.asked_by_keys("1")


def test_every_language_we_answer_in_can_ask_for_a_repeat() -> None:
    import yaml

    listed = yaml.safe_load((REPO_ROOT / "kb" / "phone_line.yml").read_text())["repeat"]
    assert set(LANGUAGES) <= set(listed["phrases"]), set(LANGUAGES) - set(listed["phrases"])


def test_a_file_without_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "phone_line.yml"
    path.write_text("repeat: {phrases: {en: [repeat]}}\n")
    with pytest.raises(ValueError, match="one-digit"):
        load_repeat_requests(path)
