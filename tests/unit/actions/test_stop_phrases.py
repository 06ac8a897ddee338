"""The stop lexicon: clear stop requests match in every language, descriptions do not."""

from __future__ import annotations

import pytest

from actions.common import deps


@pytest.mark.parametrize(
    "message",
    [
        "cancel",
        "Stop",
        "stop!",
        "forget it",
        "Never mind.",
        "I've changed my mind",
        "I\u2019ve changed my mind",
        "no! I don't want to report a new one",
        "quit",
        "exit",
        "please stop",
        "anuluj",
        "Zmieniłam zdanie",
        "nie chcę tego zgłaszać",
        "anulează",
        "m-am răzgândit",
        "zrušiť",
        "nechcem to",
        "إلغاء",
        "لا أريد ذلك",
        "বাতিল করুন",
        "ਰੱਦ ਕਰੋ",
        "منسوخ کریں",
    ],
)
def test_stop_requests_match(message: str) -> None:
    assert deps.stop_phrases().matches(message)


@pytest.mark.parametrize(
    "message",
    [
        "the stop sign is broken",
        "bus stop shelter smashed",
        "stop sign",
        "someone keeps parking at the bus stop",
        "I want to report a pothole",
        "no",
        "yes",
        "",
        None,
        "exit of the car park is blocked",
        "przystanek stop jest zniszczony",
    ],
)
def test_descriptions_do_not_match(message: str | None) -> None:
    assert not deps.stop_phrases().matches(message)
