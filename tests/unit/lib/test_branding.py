"""A council's branding on the chat page: colours checked for contrast (``lib/branding``)."""

from __future__ import annotations

import pytest

from lib.branding import (
    DEFAULT_COLOURS,
    MIN_CONTRAST,
    Branding,
    BrandingError,
    contrast_ratio,
    parse_branding,
)


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
        ("#1d70b8", "#ffffff", 5.17),  # GOV.UK link blue
        ("#d4351c", "#ffffff", 4.86),  # GOV.UK red, the "Exit this page" button
    ],
)
def test_contrast_ratio_follows_wcag(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(expected, abs=0.01)


def test_no_section_gives_the_page_defaults() -> None:
    assert parse_branding(None, "p.yml") == Branding()
    for background, text in [("header_background", "header_text")]:
        ratio = contrast_ratio(DEFAULT_COLOURS[background], DEFAULT_COLOURS[text])
        assert ratio >= MIN_CONTRAST


def test_a_full_section_is_read() -> None:
    branding = parse_branding(
        {
            "logo": {"src": "https://www.example.gov.uk/logo.svg"},
            "colours": {"header_background": "#2e1a47", "accent": "#005ea5"},
            "privacy_notice": "https://www.example.gov.uk/privacy",
            "accessibility_statement": "https://www.example.gov.uk/accessibility",
        },
        "p.yml",
    )
    assert branding.logo == "https://www.example.gov.uk/logo.svg"
    assert not branding.logo_placeholder
    assert branding.header_background == "#2e1a47" and branding.header_text == "#ffffff"
    assert branding.accent == "#005ea5"
    assert branding.privacy_notice.endswith("/privacy")


@pytest.mark.parametrize(
    "colours, key",
    [
        ({"header_background": "#ffdd00"}, "header_text"),  # white on yellow: 1.4:1
        ({"header_background": "#777777"}, "header_text"),  # 4.48:1, just under
        ({"accent": "#00ffff"}, "accent"),  # cyan links on white
        ({"header_text": "#0b0c0c"}, "header_text"),  # black on the default black
    ],
)
def test_colours_under_4_5_to_1_are_refused(colours: dict[str, str], key: str) -> None:
    with pytest.raises(BrandingError, match=rf"p.yml: 'branding.colours.{key}'.*below 4.5:1"):
        parse_branding({"colours": colours}, "p.yml")


@pytest.mark.parametrize(
    "section, message",
    [
        ({"colours": {"accent": "blue"}}, "must be #rrggbb"),
        ({"colours": {"accent": "#1d70b8; } body { display: none"}}, "must be #rrggbb"),
        ({"colours": {"background": "#ffffff"}}, "unknown colours"),
        ({"logo": {"src": "http://example.org/logo.png"}}, "https:// or /chat/"),
        ({"logo": {"src": "/chat/../secret.svg"}}, "https:// or /chat/"),
        ({"logo": "logo.svg"}, "must be a mapping"),
        ({"privacy_notice": "www.example.gov.uk/privacy"}, "must be an https:// address"),
        ({"accessibility_statement": "javascript:alert(1)"}, "must be an https:// address"),
        (["not", "a", "mapping"], "must be a mapping"),
    ],
)
def test_malformed_sections_are_refused(section: object, message: str) -> None:
    with pytest.raises(BrandingError, match=message):
        parse_branding(section, "p.yml")  # type: ignore[arg-type]
