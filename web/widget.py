"""The chat widget a council adds to any page of its own site with one script tag (#18).

``/widget.js`` is ``static/widget.js`` with the widget's words for every council the
knowledge base holds, so that one cacheable file serves any ``data-council`` (an unknown one
gets the default council). The words come from ``kb/web_chat/widget.yml``, with the
council's name filled in and any of them replaced by the optional ``widget`` section of its
profile. The script draws a launcher that opens the resident chat page (``/?embed=1``) in a
panel; that page keeps the conversation in the tab's ``sessionStorage`` as it always has.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lib.yaml_files import load_yaml
from web.core.config import PACKAGE_DIR, Settings
from web.resident_page import EXIT_URL, load_council_page, script_json

STATIC_DIR = PACKAGE_DIR / "static"
#: A council slug as the knowledge base names its folders.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Where ``static/widget.js`` takes its data (valid JavaScript until it is filled in).
CONFIG_MARKER = "/*frontdoor:config*/ null"
#: The words the widget needs, each filled in with the council's name.
WORD_KEYS = ("launcher", "title", "close", "frame_title")


@dataclass(frozen=True)
class Asset:
    """A widget file as served: its bytes and their entity tag."""

    body: bytes
    etag: str


def _asset(body: str) -> Asset:
    data = body.encode("utf-8")
    return Asset(data, '"' + hashlib.sha256(data).hexdigest()[:24] + '"')


@lru_cache(maxsize=4)
def known_councils(kb_dir: Path) -> tuple[str, ...]:
    """The slugs of the councils the knowledge base holds a profile for."""
    folder = kb_dir / "councils"
    return tuple(
        sorted(
            path.name
            for path in folder.iterdir()
            if SLUG.match(path.name) and (path / "profile.yml").is_file()
        )
    )


def council_dir_for(settings: Settings, slug: str) -> Path:
    """The profile folder of a known council, else the configured one (never an error)."""
    if SLUG.match(slug) and slug in known_councils(settings.kb_dir):
        return settings.kb_dir / "councils" / slug
    return settings.council_dir


def load_words(kb_dir: Path) -> dict[str, str]:
    """The widget's words from ``kb/web_chat/widget.yml``.

    Raises:
        ValueError: the file is unreadable or lacks one of the words.
    """
    path = kb_dir / "web_chat" / "widget.yml"
    try:
        words = (load_yaml(path.read_text(encoding="utf-8")) or {}).get("words") or {}
    except (OSError, yaml.YAMLError, AttributeError) as error:
        raise ValueError(f"{path}: cannot read the widget's words ({error})") from error
    missing = [key for key in WORD_KEYS if not str(words.get(key) or "").strip()]
    if missing:
        raise ValueError(f"{path}: words lacks {', '.join(missing)}")
    return {key: str(words[key]) for key in WORD_KEYS}


def council_widget(council_dir: Path, defaults: dict[str, str]) -> dict[str, Any]:
    """One council's widget: its words (name filled in) and its header colours.

    Raises:
        ValueError: the profile is unreadable or its branding malformed.
    """
    council = load_council_page(council_dir)
    words = {}
    for key in WORD_KEYS:
        text = str(council.widget_words.get(key) or defaults[key])
        words[key] = text.replace("{council}", council.name).replace(
            "{short_name}", council.short_name
        )
    return {
        **words,
        "background": council.branding.header_background,
        "text": council.branding.header_text,
    }


@lru_cache(maxsize=4)
def _script(kb_dir: Path, default: str) -> Asset:
    defaults = load_words(kb_dir)
    councils = {
        slug: council_widget(kb_dir / "councils" / slug, defaults)
        for slug in known_councils(kb_dir)
    }
    config = {"default": default, "councils": councils, "exit_url": EXIT_URL}
    template = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    if CONFIG_MARKER not in template:
        raise ValueError(f"{STATIC_DIR / 'widget.js'} lacks {CONFIG_MARKER}")
    return _asset(template.replace(CONFIG_MARKER, script_json(config), 1))


def widget_script(settings: Settings) -> Asset:
    """``/widget.js``: the script with every known council's words (built once a process)."""
    return _script(settings.kb_dir, settings.council_dir.name)


@lru_cache(maxsize=1)
def widget_style() -> Asset:
    """``/widget.css``: the launcher's and panel's style sheet."""
    return _asset((STATIC_DIR / "widget.css").read_text(encoding="utf-8"))
