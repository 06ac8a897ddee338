"""Creating under a fresh reference: a taken one is retried, and the retries are bounded."""

from __future__ import annotations

import logging

import pytest

from lib.reference_retry import (
    ReferenceExhausted,
    ReferenceTaken,
    create_with_new_reference,
)


def _store(taken: set[str], stored: list[str]):
    """A create step that refuses references in ``taken`` and records the others."""

    def create(reference: str) -> str:
        if reference in taken:
            raise ReferenceTaken(reference)
        stored.append(reference)
        return f"stored {reference}"

    return create


def test_a_collision_is_retried_with_a_new_reference(caplog: pytest.LogCaptureFixture) -> None:
    stored: list[str] = []
    candidates = iter(["FD-AAAAAA", "FD-AAAAAA", "FD-BBBBBB"])
    with caplog.at_level(logging.WARNING, logger="lib.reference_retry"):
        result = create_with_new_reference(
            _store({"FD-AAAAAA"}, stored),
            new_reference=lambda: next(candidates),
            what="triage reference",
        )
    assert result == "stored FD-BBBBBB"
    assert stored == ["FD-BBBBBB"]
    assert [r.getMessage() for r in caplog.records] == [
        "triage reference collision on attempt 1 of 10; trying another",
        "triage reference collision on attempt 2 of 10; trying another",
    ]


def test_a_free_first_reference_is_tried_once() -> None:
    calls: list[str] = []

    def factory() -> str:
        calls.append("FD-CCCCCC")
        return "FD-CCCCCC"

    assert create_with_new_reference(_store(set(), []), new_reference=factory) == (
        "stored FD-CCCCCC"
    )
    assert calls == ["FD-CCCCCC"]


def test_gives_up_after_the_given_attempts_with_a_clear_error() -> None:
    tried: list[str] = []

    def factory() -> str:
        tried.append("SR-AAAAAA")
        return "SR-AAAAAA"

    with pytest.raises(ReferenceExhausted, match="^no free service request id after 3 attempts$"):
        create_with_new_reference(
            _store({"SR-AAAAAA"}, []),
            new_reference=factory,
            attempts=3,
            what="service request id",
        )
    assert len(tried) == 3


def test_other_errors_end_the_retries_at_once() -> None:
    calls = 0

    def create(reference: str) -> str:
        nonlocal calls
        calls += 1
        raise LookupError("database fault")

    with pytest.raises(LookupError):
        create_with_new_reference(create, new_reference=lambda: "FD-AAAAAA")
    assert calls == 1


def test_at_least_one_attempt_is_required() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        create_with_new_reference(_store(set(), []), new_reference=lambda: "x", attempts=0)
