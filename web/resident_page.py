"""What the resident chat page shows of the council, and the data its script reads.

The council's name, phone, logo, colours and legal links come from its profile
(``kb/councils/<slug>/profile.yml``, read here as YAML: the web service does not import the
assistant), checked by ``lib/branding.py``. The page's own words in other languages come
from ``kb/web_chat/chrome.yml``; the reference scheme the script highlights comes from
``lib/references.py``, so the page never keeps a second list of prefixes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from lib.branding import Branding, parse_branding
from lib.references import REFERENCE_ALPHABET, REFERENCE_LENGTH, REFERENCE_PREFIXES
from lib.yaml_files import load_yaml

#: Where "Exit this page" goes: a neutral site (GOV.UK's pattern suggests a weather page).
EXIT_URL = "https://www.bbc.co.uk/weather"
#: Replies whose language is written right to left, when the chrome file names none.
DEFAULT_RTL = ("ar", "ur", "pa-Arab")


@dataclass(frozen=True)
class CouncilPage:
    """The council as the chat page shows it."""

    name: str
    phone: str
    branding: Branding
    #: The short name (``Stoke-on-Trent``); the name when the profile gives none.
    short_name: str = ""
    #: The council's own wording of the chat widget (the profile's ``widget:`` section).
    widget_words: Mapping[str, Any] = field(default_factory=dict)

    @property
    def logo_origin(self) -> str:
        """The origin of an https logo (for the page's img-src), or ``""`` for a local one."""
        if not self.branding.logo.startswith("https://"):
            return ""
        parts = urlsplit(self.branding.logo)
        return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8)
def load_council_page(council_dir: Path) -> CouncilPage:
    """Read the council's name, phone and branding from its profile (once per process).

    Raises:
        ValueError: the profile is unreadable, or its branding is malformed or lacks contrast.
    """
    path = council_dir / "profile.yml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the council profile ({error})") from error
    contact = data.get("contact") or {}
    name = str(data.get("name") or "your council")
    return CouncilPage(
        name=name,
        phone=str(contact.get("phone") or ""),
        branding=parse_branding(data.get("branding"), str(path)),
        short_name=str(data.get("short_name") or name),
        widget_words=data.get("widget") or {},
    )


@lru_cache(maxsize=4)
def load_chrome(kb_dir: Path) -> dict[str, Any]:
    """The page's words per language and the right-to-left languages.

    Returns:
        ``{"languages": {code: {key: text}}, "rtl": [code, ...]}``; English is complete and
        other languages fall back to it key by key.
    """
    path = kb_dir / "web_chat" / "chrome.yml"
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    languages = {
        str(code): {str(k): str(v) for k, v in (words or {}).items()}
        for code, words in (data.get("languages") or {}).items()
    }
    english = languages.get("en") or {}
    for code, words in languages.items():
        missing = set(english) - set(words)
        if missing and code != "en":
            languages[code] = {**english, **words}
    return {"languages": languages, "rtl": list(data.get("rtl") or DEFAULT_RTL)}


def page_data(kb_dir: Path) -> dict[str, Any]:
    """What the script reads from the page: the reference scheme, the chrome, the exit."""
    return {
        "references": {
            "prefixes": list(REFERENCE_PREFIXES),
            "alphabet": REFERENCE_ALPHABET,
            "length": REFERENCE_LENGTH,
        },
        "chrome": load_chrome(kb_dir),
        "exit_url": EXIT_URL,
    }


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def brand_css(branding: Branding) -> str:
    """The council's colours as a style sheet (the page allows no inline style)."""
    return (
        ":root {\n"
        f"  --brand-header-bg: {branding.header_background};\n"
        f"  --brand-header-text: {branding.header_text};\n"
        f"  --brand-accent: {branding.accent};\n"
        "}\n"
    )
