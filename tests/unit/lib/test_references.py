"""Recognising Front Door references (SR-, FD-, HR-) in what residents type."""

from __future__ import annotations

import pytest

from lib.references import (
    REFERENCE_ALPHABET,
    REFERENCE_PREFIXES,
    find_references,
    normalise_reference,
    reference_kind,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SR-7K3Q9X", "SR-7K3Q9X"),
        ("sr-7k3q9x", "SR-7K3Q9X"),
        ("sr7k3q9x", "SR-7K3Q9X"),
        ("SR 7K3Q9X", "SR-7K3Q9X"),
        ("SR - 7K3Q9X", "SR-7K3Q9X"),
        ("SR\u20137K3Q9X", "SR-7K3Q9X"),  # en dash
        ("fd-abcdef", "FD-ABCDEF"),
        ("Hr-22zz99", "HR-22ZZ99"),
        ("  (SR-7K3Q9X). ", "SR-7K3Q9X"),
    ],
)
def test_normalise_reference(text: str, expected: str) -> None:
    assert normalise_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "SR-7K3Q9",  # five characters
        "SR-7K3Q9XY",  # seven
        "SR-7K3Q0X",  # 0 is not in the alphabet
        "SR-7K3Q1X",
        "SR-7K3QIX",
        "SR-7K3QOX",
        "XX-7K3Q9X",  # unknown prefix
        "SR--7K3Q9X",
        "my ref is SR-7K3Q9X",  # whole input only
        "SR-000001",
    ],
)
def test_normalise_reference_rejects(text: str | None) -> None:
    assert normalise_reference(text) is None


def test_find_references_with_offsets_and_kinds() -> None:
    text = "Ref sr7k3q9x, and the held one is HR-ABC234; triage FD 22ZZ99."
    found = find_references(text)
    assert [(m.reference, m.kind) for m in found] == [
        ("SR-7K3Q9X", "street_report"),
        ("HR-ABC234", "held_report"),
        ("FD-22ZZ99", "triage"),
    ]
    for match in found:
        assert text[match.start : match.end] == match.original


@pytest.mark.parametrize(
    "text",
    [
        "can HR please call me",  # spaced, no digit, not in capitals
        "Sr street is flooded",
        "ASR-7K3Q9X",  # glued to a letter
        "SR-7K3Q9X2",
        "the SR2 7QE postcode",
        "",
    ],
)
def test_find_references_ignores_words(text: str) -> None:
    assert find_references(text) == []


def test_spaced_reference_in_capitals_counts() -> None:
    assert [m.reference for m in find_references("ref HR PLEASE")] == ["HR-PLEASE"]


def test_reference_kind() -> None:
    assert reference_kind("sr-7k3q9x") == "street_report"
    assert reference_kind("FD7K3Q9X") == "triage"
    assert reference_kind("HR-7K3Q9X") == "held_report"
    assert reference_kind("nonsense") is None


def test_alphabet_has_no_look_alikes() -> None:
    assert len(REFERENCE_ALPHABET) == 32
    assert not set("01IO") & set(REFERENCE_ALPHABET)


# --- one scheme for every process (issue #17): generation, exact form, spoken form ---


@pytest.mark.parametrize("prefix", sorted(REFERENCE_PREFIXES))
def test_a_fresh_reference_of_every_kind_is_read_back_as_that_kind(prefix: str) -> None:
    from lib.references import canonical_pattern, new_reference, prefix_of

    reference = new_reference(prefix)
    assert canonical_pattern(prefix).match(reference)
    assert normalise_reference(reference.lower()) == reference
    assert reference_kind(reference) == REFERENCE_PREFIXES[prefix]
    assert prefix_of(REFERENCE_PREFIXES[prefix]) == prefix


def test_an_unknown_prefix_makes_no_reference() -> None:
    from lib.references import canonical_pattern, new_reference

    with pytest.raises(ValueError):
        new_reference("XX")
    with pytest.raises(ValueError):
        canonical_pattern("XX")


def test_references_are_spelt_out_for_the_phone_line() -> None:
    from lib.references import spell_out

    assert spell_out("CT-7K3Q9X") == "C T, 7 K 3 Q 9 X"
    assert spell_out("pc 7k3q9x") == "P C, 7 K 3 Q 9 X"


def test_every_kind_is_found_in_the_assistants_own_replies() -> None:
    from lib.references import CANONICAL_IN_TEXT

    text = " ".join(f"{prefix}-7K3Q9X," for prefix in REFERENCE_PREFIXES)
    assert len(CANONICAL_IN_TEXT.findall(text)) == len(REFERENCE_PREFIXES)
    assert not CANONICAL_IN_TEXT.findall("XX-7K3Q9X SR-7K3Q9")
