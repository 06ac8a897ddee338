"""A council's look on the resident chat page: logo, colours, and its legal links.

Read from the optional ``branding`` section of ``kb/councils/<slug>/profile.yml`` by both
the assistant's profile loader and the web service, so one rule decides what is valid.
Colours must reach a contrast ratio of 4.5:1 (WCAG 2.2 AA, 1.4.3) for the text drawn on
them; a profile that fails is refused, naming the pair. Pure code: imports nothing of ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The least contrast allowed between text and its background (WCAG 2.2 AA, 1.4.3).
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
#: A logo is an https address or a file served under ``/chat/`` (``static/``).
_LOCAL_LOGO = re.compile(r"^/chat/[A-Za-z0-9_-]+\.(svg|png)$")
#: The page's own colours when a profile names none (GOV.UK black, white, link blue).
DEFAULT_COLOURS = {
    "header_background": "#0b0c0c",
    "header_text": "#ffffff",
    "accent": "#1d70b8",
}


class BrandingError(ValueError):
    """The ``branding`` section of a profile is malformed or its colours lack contrast."""


@dataclass(frozen=True)
class Branding:
    """How the chat page shows the council.

    Attributes:
        logo: an https URL or a ``/chat/<file>`` path; empty: no logo.
        logo_placeholder: the logo is a development stand-in, not the council's own.
        header_background: header colour (``#rrggbb``).
        header_text: text colour on the header.
        accent: colour of links, the resident's messages and choice borders (on white).
        privacy_notice: the council's privacy notice (UK GDPR Art. 13).
        accessibility_statement: the council's accessibility statement.
    """

    logo: str = ""
    logo_placeholder: bool = False
    header_background: str = DEFAULT_COLOURS["header_background"]
    header_text: str = DEFAULT_COLOURS["header_text"]
    accent: str = DEFAULT_COLOURS["accent"]
    privacy_notice: str = ""
    accessibility_statement: str = ""


def relative_luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2.2 definition)."""
    if not _HEX.match(colour):
        raise BrandingError(f"'{colour}' is not a #rrggbb colour")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _https(value: Any, key: str, where: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not value.startswith("https://") or " " in value:
        raise BrandingError(f"{where}: '{key}' must be an https:// address")
    return value


def parse_branding(data: Mapping[str, Any] | None, where: str) -> Branding:
    """Read and check the ``branding`` section of a profile; absent means the defaults.

    Args:
        data: the section (``logo``, ``colours``, ``privacy_notice``,
            ``accessibility_statement``), or None.
        where: the file, for messages.

    Returns:
        The branding.

    Raises:
        BrandingError: naming the key: a bad address, colour, or a pair under 4.5:1.
    """
    if data is None:
        return Branding()
    if not isinstance(data, Mapping):
        raise BrandingError(f"{where}: 'branding' must be a mapping")
    logo_data = data.get("logo") or {}
    if not isinstance(logo_data, Mapping):
        raise BrandingError(f"{where}: 'branding.logo' must be a mapping with 'src'")
    logo = str(logo_data.get("src") or "")
    remote = logo.startswith("https://") and " " not in logo
    if logo and not (_LOCAL_LOGO.match(logo) or remote):
        raise BrandingError(f"{where}: 'branding.logo.src' must be https:// or /chat/<file>")
    colours_data = data.get("colours") or {}
    if not isinstance(colours_data, Mapping):
        raise BrandingError(f"{where}: 'branding.colours' must be a mapping")
    unknown = set(colours_data) - set(DEFAULT_COLOURS)
    if unknown:
        raise BrandingError(f"{where}: unknown colours {sorted(unknown)}")
    colours = {**DEFAULT_COLOURS, **{str(k): str(v) for k, v in colours_data.items()}}
    for key, value in colours.items():
        if not _HEX.match(value):
            raise BrandingError(f"{where}: 'branding.colours.{key}' must be #rrggbb")
    pairs = (
        ("header_text", colours["header_text"], colours["header_background"]),
        ("accent", colours["accent"], "#ffffff"),  # links and choice buttons on white
        ("accent", "#ffffff", colours["accent"]),  # the resident's messages: white on accent
    )
    for key, text, background in pairs:
        ratio = contrast_ratio(text, background)
        if ratio < MIN_CONTRAST:
            raise BrandingError(
                f"{where}: 'branding.colours.{key}': {text} on {background} has contrast "
                f"{ratio:.2f}:1, below {MIN_CONTRAST}:1"
            )
    return Branding(
        logo=logo,
        logo_placeholder=bool(logo_data.get("placeholder", False)),
        header_background=colours["header_background"],
        header_text=colours["header_text"],
        accent=colours["accent"],
        privacy_notice=_https(data.get("privacy_notice"), "branding.privacy_notice", where),
        accessibility_statement=_https(
            data.get("accessibility_statement"), "branding.accessibility_statement", where
        ),
    )
