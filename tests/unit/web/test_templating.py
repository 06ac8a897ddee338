"""The staff pages' templates: autoescaping is on, and layout line breaks stay out of pages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from web import templating
from web.console_pages import ReplyForm, Viewer, record_page
from web.models import TriageRecord
from web.reference_links import ReferenceLinks

NOW = datetime(2026, 11, 23, 10, 15, tzinfo=timezone.utc)
VIEWER = Viewer(username="cara", display_name="Cara", csrf_token="token", role="admin")
SCRIPT = "<script>alert('hi')</script>"


def _record(**changes: object) -> TriageRecord:
    values: dict[str, object] = {
        "reference": "FD-ABCDEF",
        "created_at": NOW,
        "updated_at": NOW,
        "conversation_id": "conversation-1",
        "channel": "web",
        "language": "en",
        "category": "council_tax",
        "priority": 2,
        "vulnerability": [],
        "summary": "Cannot pay",
        "transcript": [],
        "contact": None,
        "status": "new",
        "assignee": None,
        "interpreter": False,
        "assisted": False,
        "transcript_purged_at": None,
    }
    values.update(changes)
    return TriageRecord(**values)


def test_a_residents_script_shows_escaped_in_the_console() -> None:
    record = _record(
        summary=f"Summary {SCRIPT}",
        transcript=[{"role": "resident", "text": f"Hello {SCRIPT}", "at": NOW.isoformat()}],
        contact={"name": SCRIPT, "preferred": "phone"},
    )
    page = record_page(
        record=record,
        audit=[],
        viewer=VIEWER,
        reply=ReplyForm(text=SCRIPT),
        now=NOW,
        links_to=ReferenceLinks.configured(open311_url="", stand_in=True),
    )
    assert "<script" not in page
    escaped = "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;"
    assert f'<p class="said">Hello {escaped}</p>' in page
    assert f'<p class="pre-wrap">Summary {escaped}</p>' in page
    assert f"<dt>Name</dt><dd>{escaped}</dd>" in page


def test_every_staff_template_is_escaped_and_unknown_names_are_errors() -> None:
    for name in templating.ENVIRONMENT.list_templates():
        assert templating.ENVIRONMENT.autoescape(name) is True, name
    with pytest.raises(UndefinedError):
        templating.ENVIRONMENT.from_string("{{ missing }}").render()


def test_a_fragment_already_rendered_is_not_escaped_again() -> None:
    template = templating.ENVIRONMENT.from_string("<div>{{ inner }}{{ text }}</div>")
    assert template.render(inner=Markup("<p>a</p>"), text="<b>", nothing=None) == (
        "<div><p>a</p>&lt;b&gt;</div>"
    )
    assert templating.ENVIRONMENT.from_string("<p>{{ value }}</p>").render(value=None) == "<p></p>"


@pytest.mark.parametrize(
    ("source", "page"),
    [
        ("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>", "<ul><li>a</li><li>b</li></ul>"),
        ("<p>One sentence\n  goes on.</p>", "<p>One sentence goes on.</p>"),
        ("<p>{{ a }}\n  {{ b }}</p>", "<p>12</p>"),
        ("{% if a %}\n  <b>{{ a }}</b> <i>{{ b }}</i>\n{% endif %}\n", "<b>1</b> <i>2</i>"),
    ],
)
def test_line_breaks_only_lay_a_template_out(source: str, page: str) -> None:
    assert templating.ENVIRONMENT.from_string(source).render(a=1, b=2) == page
