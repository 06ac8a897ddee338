"""Recognising and normalising UK postcodes in what residents type."""

from __future__ import annotations

import pytest

from lib.postcodes.normalise import (
    POSTCODE_AREAS,
    find_postcodes,
    normalise_postcode,
    outward_code_only,
    postcode_area,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ST4 2DX", "ST4 2DX"),
        ("st42dx", "ST4 2DX"),
        ("st4 2dx", "ST4 2DX"),
        ("  ST4   2DX  ", "ST4 2DX"),
        ("ST4\t2DX", "ST4 2DX"),
        ("ST4\u00a02DX", "ST4 2DX"),
        ("ST4\n2DX", "ST4 2DX"),
        ("(st4 2dx).", "ST4 2DX"),
        ('"ST4 2DX"!', "ST4 2DX"),
        ("\u201cst42dx\u201d", "ST4 2DX"),
        ("ST4 2DX \U0001f44d", "ST4 2DX"),
        # every outward shape: A9, A99, AA9, AA99, A9A, AA9A
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("cw12bj", "CW1 2BJ"),
        ("ST16 2LP", "ST16 2LP"),
        ("w1a 0ax", "W1A 0AX"),
        ("SW1A1AA", "SW1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_accepts_common_forms(text: str, expected: str) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ST4",  # outward code only
        "ST4 2D",
        "ST4 2DXX",
        "ST4 2CX",  # C is never in the inward code
        "ST4 2DI",  # nor I
        "ST4 22X",  # inward is digit-letter-letter
        "ST4 DX2",
        "QA1 1AA",  # Q never starts a postcode
        "A1 2BC",  # the shape is fine but there is no postcode area "A"
        "XX1 1XX",
        "GIR 0AB",
        "ST 42DX",  # space in the wrong place
        "ST4-2DX",
        "my postcode is ST4 2DX",  # whole-input only: use find_postcodes for sentences
        "ＳＴ４ ２ＤＸ",  # full-width characters
        "NPT 0AD",  # terminated Newport form, still in the directory
        "W1M 0AA",  # terminated pre-2000 Westminster district
        "ST4 2DX" * 100,
    ],
)
def test_normalise_rejects_non_postcodes(text: str) -> None:
    assert normalise_postcode(text) is None


def test_normalise_tolerates_non_strings() -> None:
    assert normalise_postcode(None) is None
    assert normalise_postcode(42) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pothole outside st42dx near the shop", [("st42dx", "ST4 2DX")]),
        ("ST4  2DX", [("ST4  2DX", "ST4 2DX")]),
        ("st4 2dx.", [("st4 2dx", "ST4 2DX")]),
        ("It's at (ST6 3JJ), by the bus stop", [("ST6 3JJ", "ST6 3JJ")]),
        ("from ST1 1HP to ST5 2SX", [("ST1 1HP", "ST1 1HP"), ("ST5 2SX", "ST5 2SX")]),
        ("\U0001f573\ufe0fST4 2DX\U0001f6a7", [("ST4 2DX", "ST4 2DX")]),
        ("postcode:ST4 2DX,thanks", [("ST4 2DX", "ST4 2DX")]),
    ],
)
def test_find_postcodes_in_free_text(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_postcodes(text)
    assert [(m.original, m.postcode) for m in found] == expected
    for match in found:
        assert text[match.start : match.end] == match.original


@pytest.mark.parametrize(
    "text",
    [
        "at 10am",
        "A1",
        "B4 I go",
        "take the A1 north",
        "I have 2 kids and 3 dogs",
        "room 12 on floor 3",
        "call 01782 234234",
        "xST4 2DX",  # glued to a letter before
        "ST4 2DX9",  # or a digit after
        "ST4 2DXs",
        "éST4 2DX",  # letters in any script count
        "ST4\n2DX",  # a line break is not a gap inside a postcode in running text
        "",
    ],
)
def test_find_postcodes_ignores_ordinary_words_and_numbers(text: str) -> None:
    assert find_postcodes(text) == []


def test_find_postcodes_handles_huge_and_odd_input() -> None:
    assert find_postcodes(None) == []
    noisy = "\x00\x07\u200b\u202e" + "lorem ipsum 12 " * 700 + " ST4 2DX"
    assert len(noisy) > 10_000
    found = find_postcodes(noisy)
    assert [m.postcode for m in found] == ["ST4 2DX"]
    assert noisy[found[0].start : found[0].end] == "ST4 2DX"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ST4", "ST4"),
        ("st4", "ST4"),
        (" st4. ", "ST4"),
        ("ST16", "ST16"),
        ("SW1A", "SW1A"),
        ("B4", "B4"),
        ("A1", None),  # no area "A"
        ("ST4 2DX", None),
        ("ST42DX", None),
        ("hello", None),
        ("10am", None),
        ("", None),
        (None, None),
    ],
)
def test_outward_code_only(text: str | None, expected: str | None) -> None:
    assert outward_code_only(text) == expected


def test_postcode_area() -> None:
    assert postcode_area("ST4 2DX") == "ST"
    assert postcode_area("B4 7DA") == "B"
    assert postcode_area("sw1a") == "SW"
    with pytest.raises(ValueError):
        postcode_area("42")


def test_postcode_areas_are_the_124_ons_areas() -> None:
    assert len(POSTCODE_AREAS) == 124
    assert {"ST", "CW", "B", "M", "LS", "SW", "BT", "JE", "GY", "IM"} <= POSTCODE_AREAS
    assert not {"A", "Q", "V", "X", "NPT", "GIR"} & POSTCODE_AREAS
