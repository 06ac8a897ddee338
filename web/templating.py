"""The web service's HTML templates (``web/templates/``), rendered with autoescaping.

FastAPI's own pattern: Jinja2 templates whose every ``{{ value }}`` is escaped unless it is
``Markup`` already (a fragment rendered here). ``None`` shows as nothing, and an unknown
name is an error rather than an empty string.

Line breaks in a template are for reading and never reach the page: a line break (with the
indentation after it) next to an HTML tag or a template's own ``{{ }}``, ``{% %}`` or
``{# #}`` is removed, and one between two words becomes a single space. Spaces within a
line are kept as written, so a space that matters next to a tag stays on the tag's line.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from markupsafe import Markup

from web.core.config import PACKAGE_DIR

TEMPLATE_DIR = PACKAGE_DIR / "templates"

_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


def _join_line(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 2) : match.start()]
    after = match.string[match.end() : match.end() + 2]
    if not before or not after:
        return ""
    if before.endswith((">", "}")) or after.startswith(("<", "{")):
        return ""
    return " "


class JoinLines(Extension):
    """Drops the line breaks that only lay a template out (see the module docstring)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """The template's source with its layout line breaks removed."""
        return _LINE_BREAK.sub(_join_line, source)


def _nothing_for_none(value: Any) -> Any:
    return "" if value is None else value


ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    finalize=_nothing_for_none,
    extensions=[JoinLines],
)


def render(template: str, **values: Any) -> Markup:
    """Render a template of ``web/templates/`` with its values escaped.

    Args:
        template: the template's path under ``web/templates/``.
        **values: the names the template uses.

    Returns:
        The markup.
    """
    return Markup(ENVIRONMENT.get_template(template).render(**values))
