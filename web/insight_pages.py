"""The service insight pages of the staff console, built on the server (issue #10).

Charts are inline SVG: this module works out their geometry and
``templates/staff/insight/charts.html`` draws them, each with a title and description for
assistive technology (``role="img"``, ``aria-labelledby``), a caption saying what it shows
in words, and a data table with the same figures. No script, nothing from elsewhere; every
value is escaped by the templates. Colours meet WCAG 2.2 AA contrast against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from web import templating
from web.console_pages import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    PRIORITY_LABELS,
    Viewer,
    page,
)
from web.insight import (
    CHANNELS,
    CONTAINED_OUTCOMES,
    UK_TIME,
    InsightFilters,
    pounds,
)
from web.language_names import language_name
from web.triage_models import Category

BAR_COLOUR = "#1d70b8"  # 5.2:1 on white
CONTAINED_COLOUR = "#00703c"  # 5.9:1 on white
TEXT_COLOUR = "#0b0c0c"

OUTCOME_LABELS = {
    "self_served": "Answered (self-served)",
    "report_made": "Report made",
    "transaction_done": "Task done",
    "handed_off": "Handed to a person",
    "urgent": "Urgent help",
    "abandoned": "Left before an answer",
    "not_answered": "Answer did not help (resident said no)",
}
JOURNEY_LABELS = {
    "report": "Report a street problem",
    "check_report_status": "Check a report",
    "council_tax": "Council tax",
    "universal_credit": "Universal Credit and benefits",
    "find": "Find a place",
    "book": "Book a public PC",
    "broadband": "Broadband",
    "digital_skills": "Digital skills",
    "human_handoff": "Asked for a person",
    "urgent_help": "Urgent help",
    "signpost": "Pointed to another council service",
    "out_of_scope": "Not a council matter / not understood",
    "small_talk": "Small talk only",
}
TASK_LABELS = {
    "report_made": "Reports of street problems",
    "pc_booking": "Public PC bookings and cancellations",
    "council_tax_task": "Council tax tasks (instalments, discounts, moving home)",
    "broadband_application": "Broadband voucher applications",
}
CONTACT_LABELS = {"face_to_face": "face to face", "phone": "phone", "web": "web"}
ALL_CHANNEL_LABELS = {**CHANNEL_LABELS, "api": "API"}


def short_date(value: str) -> str:
    """An ISO date as staff read it on a chart: ``2026-11-02`` is ``2 Nov``."""
    day = date.fromisoformat(value)
    return f"{day.day} {day.strftime('%b')}"


def long_date(value: str) -> str:
    """An ISO date in full: ``2026-11-02`` is ``2 Nov 2026``."""
    day = date.fromisoformat(value)
    return f"{day.day} {day.strftime('%b %Y')}"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _channel(value: str) -> str:
    return ALL_CHANNEL_LABELS.get(value, value)


def _category(value: str) -> str:
    try:
        return CATEGORY_LABELS[Category(value)]
    except ValueError:
        return value


# --- Charts ----------------------------------------------------------------------------------

CHART_COLOURS = {"text": TEXT_COLOUR, "bar": BAR_COLOUR, "contained": CONTAINED_COLOUR}
# A data table: its caption, its column headers and its rows (the first cell heads a row).
Table = tuple[str, Sequence[str], Sequence[Sequence[Any]]]


def _draw(macro: str, chart: dict[str, Any]) -> Markup:
    """Draw a chart with a macro of ``templates/staff/insight/charts.html``."""
    charts = templating.ENVIRONMENT.get_template("staff/insight/charts.html").module
    return Markup(getattr(charts, macro)({**CHART_COLOURS, **chart}))


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """A horizontal bar chart: each row's label on its own line, its bar and value below.

    Positions across are percentages and the text is not scaled, so the chart fills the
    width it is given and its labels stay readable down to a 320 px screen.

    Args:
        chart_id: unique id on the page.
        title: what the chart shows.
        rows: (label, value) pairs.

    Returns:
        The SVG.
    """
    row_height, bar_share = 48, 80
    biggest = max((value for _, value in rows), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * row_height
        bars.append(
            {
                "label": label,
                "label_y": y + 16,
                "y": y + 22,
                "share": round(bar_share * value / biggest, 2),
                "value_y": y + 37,
                "value": f"{value:,}",
            }
        )
    description = "; ".join(f"{label}: {value:,}" for label, value in rows) or "No data"
    return _draw(
        "bar_chart",
        {
            "id": chart_id,
            "title": title,
            "description": description,
            "height": max(1, len(rows)) * row_height + 4,
            "bars": bars,
        },
    )


def column_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int, int]], tick_every: int = 0
) -> Markup:
    """A column chart of totals with the contained part drawn inside each column.

    Fills the width it is given (positions across are percentages, text is not scaled).

    Args:
        chart_id: unique id on the page.
        title: what the chart shows.
        rows: (label, total, contained) per column.
        tick_every: label every n-th column; 0: as many as fit a narrow screen (six).

    Returns:
        The SVG.
    """
    top, plot_height = 24, 160
    count = max(1, len(rows))
    tick_every = tick_every or -(-count // 6)
    slot = 100 / count
    biggest = max((total for _, total, _ in rows), default=0) or 1
    bottom = top + plot_height
    columns = []
    for index, (label, total, contained) in enumerate(rows):
        total_height = round(plot_height * total / biggest)
        contained_height = round(plot_height * contained / biggest)
        columns.append(
            {
                "x": round(index * slot + slot * 0.15, 3),
                "width": round(slot * 0.7, 3),
                "total_y": bottom - total_height,
                "total_height": total_height,
                "contained_y": bottom - contained_height,
                "contained_height": contained_height,
                "tick": round(index * slot + slot / 2, 3) if index % tick_every == 0 else None,
                "label": label,
            }
        )
    description = (
        "; ".join(
            f"{label}: {total:,} ({contained:,} contained)" for label, total, contained in rows
        )
        or "No data"
    )
    return _draw(
        "column_chart",
        {
            "id": chart_id,
            "title": title,
            "description": description,
            "height": bottom + 26,
            "biggest": f"{biggest:,}",
            "bottom": bottom,
            "columns": columns,
        },
    )


def _figure(
    heading_id: str, heading: str, summary: str, chart: Markup, *tables: Table
) -> dict[str, Any]:
    """A section with a chart, its caption in words and its data tables."""
    return {
        "id": heading_id,
        "heading": heading,
        "summary": summary,
        "chart": chart,
        "tables": tables,
    }


# --- The page --------------------------------------------------------------------------------


def _channel_choices() -> list[tuple[str, str]]:
    return [("", "All channels")] + [(value, _channel(value)) for value in CHANNELS]


def _headline(figures: dict[str, Any]) -> dict[str, str]:
    """The headline figures, and which outcomes count as contained."""
    return {
        "conversations": f"{figures['conversations']:,}",
        "contained": f"{figures['contained']:,}",
        "rate": _percent(figures["containment_rate"]),
        "tasks": f"{figures['tasks']['completed']:,}",
        "handed": f"{figures['handoffs']['total']:,}",
        "ended_handed": f"{figures['outcomes']['handed_off'] + figures['outcomes']['urgent']:,}",
        "urgent": f"{figures['outcomes']['urgent']:,}",
        "fallbacks": f"{figures['fallbacks']:,}",
        "assisted": f"{figures['assisted']:,}",
        "cost": figures["cost_avoided"]["total"],
        "names": ", ".join(OUTCOME_LABELS[o.value].lower() for o in sorted(CONTAINED_OUTCOMES)),
    }


def _cost_section(cost: dict[str, Any]) -> dict[str, Any]:
    """The cost avoided: the sum worked out, by channel, and the cost of each contact."""
    assistant = cost["assistant_contact"]
    unit = cost["costs_pence"][assistant]
    terms = [
        f"{line['contained']:,} × "
        f"({pounds(cost['costs_pence'][line['instead_of']])} − {pounds(unit)})"
        for line in cost["by_channel"]
        if line["contained"]
    ]
    worked = (
        (" + ".join(terms) + f" = {cost['total']}")
        if terms
        else f"No contained conversations: {cost['total']}"
    )
    rows = [
        (
            _channel(line["channel"]),
            f"{line['contained']:,}",
            CONTACT_LABELS.get(line["instead_of"], line["instead_of"]),
            pounds(line["unit_saving_pence"]),
            pounds(line["saving_pence"]),
        )
        for line in cost["by_channel"]
    ]
    costs = [(CONTACT_LABELS.get(k, k), pounds(v)) for k, v in cost["costs_pence"].items()]
    return {
        "assistant": CONTACT_LABELS.get(assistant, assistant),
        "worked": worked,
        "tables": [
            (
                "Cost avoided by channel",
                ["Channel", "Contained", "Instead of", "Saving each", "Saving"],
                rows,
            ),
            ("Cost per contact", ["Contact", "Cost"], costs),
        ],
        "source": cost["source"],
        "checked": cost["checked"],
    }


def _breakdown_section(
    section_id: str, heading: str, rows: list[dict[str, Any]], key: str, labels: Any
) -> dict[str, Any]:
    data = [(labels(row[key]), row["conversations"]) for row in rows]
    table_rows = [
        (
            labels(row[key]),
            f"{row['conversations']:,}",
            f"{row['contained']:,}",
            _percent(row["containment_rate"]),
        )
        for row in rows
    ]
    top = (
        f"Most conversations: {data[0][0]} ({data[0][1]:,})."
        if data
        else "No conversations in this period."
    )
    return _figure(
        section_id,
        heading,
        top,
        bar_chart(f"{section_id}-chart", heading, data),
        (
            heading,
            [heading.split(" by ")[-1].capitalize(), "Conversations", "Contained", "Rate"],
            table_rows,
        ),
    )


def _tasks_section(tasks: dict[str, Any]) -> dict[str, Any]:
    rows = [(TASK_LABELS.get(row["kind"], row["kind"]), row["count"]) for row in tasks["by_kind"]]
    rows.append(("Hand-offs to staff (the queue's records)", tasks["handoffs"]))
    return _figure(
        "tasks",
        "Tasks completed",
        f"{tasks['completed']:,} tasks completed and {tasks['handoffs']:,} hand-offs to staff. "
        "A conversation can complete several tasks; each one counts.",
        bar_chart("tasks-chart", "Tasks completed, by kind", rows),
        ("Tasks completed", ["Task", "Count"], [(label, f"{n:,}") for label, n in rows]),
    )


def _freshness(figures: dict[str, Any]) -> dict[str, Any]:
    """When the figures were last updated and when a conversation starts to count."""
    fresh = figures["freshness"]
    updated = (
        datetime.fromisoformat(fresh["last_updated"]).astimezone(UK_TIME)
        if fresh["last_updated"]
        else None
    )
    when = (
        f"{updated.strftime('%H:%M')} on {updated.day} {updated.strftime('%b %Y')} (UK time)"
        if updated
        else "never: no conversation has been counted yet"
    )
    return {"when": when, "minutes": fresh["counted_after_quiet_minutes"]}


def figure_sections(figures: dict[str, Any]) -> Markup:
    """The freshness and headline figures, every chart with its tables, and the cost section."""
    outcomes = [(OUTCOME_LABELS[name], count) for name, count in figures["outcomes"].items()]
    outcome_rows = [
        (
            OUTCOME_LABELS[name],
            f"{count:,}",
            "yes" if name in {o.value for o in CONTAINED_OUTCOMES} else "no",
        )
        for name, count in figures["outcomes"].items()
    ]
    weeks = [
        (short_date(row["week_start"]), row["conversations"], row["contained"])
        for row in figures["weekly"]
    ]
    week_rows = [
        (
            f"Week of {long_date(row['week_start'])}",
            f"{row['conversations']:,}",
            f"{row['contained']:,}",
            _percent(row["containment_rate"]),
        )
        for row in figures["weekly"]
    ]
    hours = [(f"{row['hour']:02d}", row["conversations"], 0) for row in figures["busiest_hours"]]
    busiest = max(figures["busiest_hours"], key=lambda row: row["conversations"])
    handoffs = figures["handoffs"]
    by_category = [(_category(row["category"]), row["count"]) for row in handoffs["by_category"]]
    by_priority = [
        (PRIORITY_LABELS.get(row["priority"], str(row["priority"])), row["count"])
        for row in handoffs["by_priority"]
    ]
    sections = [
        _figure(
            "outcomes",
            "How conversations ended",
            f"{figures['contained']:,} of {figures['conversations']:,} conversations were "
            f"contained ({_percent(figures['containment_rate'])}).",
            bar_chart("outcomes-chart", "How conversations ended", outcomes),
            ("How conversations ended", ["Outcome", "Conversations", "Contained"], outcome_rows),
        ),
        _tasks_section(figures["tasks"]),
        _figure(
            "weekly",
            "Weekly trend",
            "Conversations each week (blue), with the contained part in green. "
            "Weeks start on Monday.",
            column_chart("weekly-chart", "Conversations per week, contained part in green", weeks),
            ("Weekly trend", ["Week", "Conversations", "Contained", "Rate"], week_rows),
        ),
        _figure(
            "hours",
            "Busiest hours",
            f"Busiest hour: {busiest['hour']:02d}:00 to {busiest['hour']:02d}:59 UK time "
            f"({busiest['conversations']:,} conversations)."
            if figures["conversations"]
            else "No conversations in this period.",
            column_chart(
                "hours-chart", "Conversations by hour of the day, UK time", hours, tick_every=4
            ),
            (
                "Conversations by hour of the day (UK time)",
                ["Hour", "Conversations"],
                [
                    (f"{row['hour']:02d}:00", f"{row['conversations']:,}")
                    for row in figures["busiest_hours"]
                ],
            ),
        ),
        _breakdown_section(
            "channels", "Journeys by channel", figures["by_channel"], "channel", _channel
        ),
        _breakdown_section(
            "languages",
            "Journeys by language",
            figures["by_language"],
            "language",
            language_name,
        ),
        _breakdown_section(
            "journeys",
            "Conversations by journey",
            figures["by_journey"],
            "journey",
            lambda v: JOURNEY_LABELS.get(v, v),
        ),
        _figure(
            "handoffs",
            "Hand-offs by category and priority",
            f"{handoffs['total']:,} triage records were created for staff in this period.",
            bar_chart("handoffs-chart", "Hand-offs by category", by_category),
            (
                "Hand-offs by category",
                ["Category", "Hand-offs"],
                [(label, f"{n:,}") for label, n in by_category],
            ),
            (
                "Hand-offs by priority",
                ["Priority", "Hand-offs"],
                [(label, f"{n:,}") for label, n in by_priority],
            ),
        ),
    ]
    return templating.render(
        "staff/insight/figures.html",
        freshness=_freshness(figures),
        headline=_headline(figures),
        sections=sections,
        cost=_cost_section(figures["cost_avoided"]),
    )


def insight_page(
    *,
    figures: dict[str, Any] | None,
    filters: InsightFilters | None,
    form: tuple[str, str, str],
    viewer: Viewer,
    error: str | None = None,
    unanswered_groups: int = 0,
) -> Markup:
    """The dashboard.

    Args:
        figures: from ``insight.compute_insight`` (None when the filters were not valid).
        filters: the filters in use.
        form: the filter form's values as typed (from, to, channel).
        viewer: the signed-in staff member.
        error: why the filters were refused.
        unanswered_groups: how many groups of unanswered questions there are in the period.

    Returns:
        The HTML document.
    """
    shown = figures is not None and filters is not None
    values: dict[str, Any] = {}
    if figures is not None and filters is not None:
        query = {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "channel": filters.channel or "",
        }
        values = {
            "start": filters.date_from.strftime("%-d %B %Y"),
            "end": filters.date_to.strftime("%-d %B %Y"),
            "channel": f", {_channel(filters.channel)}" if filters.channel else ", all channels",
            "query": "&".join(f"{key}={value}" for key, value in query.items()),
            "groups": unanswered_groups,
            "figures": figure_sections(figures),
        }
    return page(
        "staff/insight/dashboard.html",
        title="Service insight" if shown else "Error: Service insight",
        viewer=viewer,
        form=form,
        channels=_channel_choices(),
        error=error,
        figures=values.pop("figures", None),
        **values,
    )


def _guess(group: dict[str, Any]) -> str:
    """The assistant's best guess for a group, with its average confidence when known."""
    if group["best_guess"] and group["average_confidence"] is not None:
        return f"{group['best_guess']} ({group['average_confidence']:.0%})"
    return group["best_guess"] or "none"


def unanswered_page(
    *,
    groups: list[dict[str, Any]] | None,
    filters: InsightFilters | None,
    form: tuple[str, str, str],
    viewer: Viewer,
    error: str | None = None,
) -> Markup:
    """The grouped questions the assistant could not answer, biggest group first.

    Args:
        groups: ``QuestionGroup.public()`` of each group (None when the filters were refused).
        filters: the filters in use.
        form: the filter form's values as typed (from, to, channel).
        viewer: the signed-in staff member.
        error: why the filters were refused.

    Returns:
        The HTML document.
    """
    shown = groups is not None and filters is not None
    query = ""
    if filters is not None:
        query = f"from={filters.date_from.isoformat()}&to={filters.date_to.isoformat()}" + (
            f"&channel={filters.channel}" if filters.channel else ""
        )
    rows = [
        {
            "count": group["count"],
            "examples": group["examples"],
            "guess": _guess(group),
            "channels": ", ".join(_channel(c) for c in group["channels"]),
            "handed": group["handed_off"],
            "id": group["id"],
        }
        for group in (groups or [])
    ]
    return page(
        "staff/insight/unanswered.html",
        title="Unanswered questions" if shown else "Error: Unanswered questions",
        viewer=viewer,
        form=form,
        channels=_channel_choices(),
        error=error,
        groups=rows if shown else None,
        query=query,
    )
