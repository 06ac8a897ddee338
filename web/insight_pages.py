"""The service insight pages of the staff console, built on the server (issue #10).

Charts are inline SVG drawn here: each has a title and description for assistive
technology (``role="img"``, ``aria-labelledby``), a caption saying what it shows in words,
and a data table with the same figures. No script, nothing from elsewhere; every value is
escaped by ``console_pages.render``. Colours meet WCAG 2.2 AA contrast against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from web.console_pages import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    PRIORITY_LABELS,
    Safe,
    Viewer,
    join,
    layout,
    render,
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


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]]) -> Safe:
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
    height = max(1, len(rows)) * row_height + 4
    biggest = max((value for _, value in rows), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * row_height
        share = round(bar_share * value / biggest, 2)
        bars.append(
            render(
                '<text x="0" y="{ty}" fill="{text}">{label}</text>'
                '<rect x="0" y="{y}" width="{w}%" height="20" fill="{colour}"></rect>'
                '<text x="{vx}%" y="{vy}" dx="6" fill="{text}">{value}</text>',
                ty=y + 16,
                text=TEXT_COLOUR,
                label=label,
                y=y + 22,
                w=share,
                colour=BAR_COLOUR,
                vx=share,
                vy=y + 37,
                value=f"{value:,}",
            )
        )
    description = "; ".join(f"{label}: {value:,}" for label, value in rows) or "No data"
    return _svg(chart_id, title, description, height, join(bars))


def column_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int, int]], tick_every: int = 0
) -> Safe:
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
    parts = [
        render(
            '<text x="0" y="14" fill="{text}">Highest: {biggest}</text>'
            '<line x1="0" y1="{bottom}" x2="100%" y2="{bottom}" stroke="{text}"></line>',
            bottom=bottom,
            text=TEXT_COLOUR,
            biggest=f"{biggest:,}",
        )
    ]
    for index, (label, total, contained) in enumerate(rows):
        x = round(index * slot + slot * 0.15, 3)
        width = round(slot * 0.7, 3)
        total_h = round(plot_height * total / biggest)
        contained_h = round(plot_height * contained / biggest)
        parts.append(
            render(
                '<rect x="{x}%" y="{ty}" width="{w}%" height="{th}" fill="{colour}"></rect>'
                '<rect x="{x}%" y="{cy}" width="{w}%" height="{ch}" fill="{contained_colour}">'
                "</rect>",
                x=x,
                w=width,
                ty=bottom - total_h,
                th=total_h,
                colour=BAR_COLOUR,
                cy=bottom - contained_h,
                ch=contained_h,
                contained_colour=CONTAINED_COLOUR,
            )
        )
        if index % tick_every == 0:
            parts.append(
                render(
                    '<text x="{x}%" y="{y}" text-anchor="{anchor}" fill="{text}">{label}</text>',
                    x=round(index * slot + slot / 2, 3),
                    anchor="middle",
                    y=bottom + 18,
                    text=TEXT_COLOUR,
                    label=label,
                )
            )
    description = (
        "; ".join(
            f"{label}: {total:,} ({contained:,} contained)" for label, total, contained in rows
        )
        or "No data"
    )
    return _svg(chart_id, title, description, bottom + 26, join(parts))


def _svg(chart_id: str, title: str, description: str, height: int, body: Safe) -> Safe:
    return render(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" '
        'width="100%" height="{h}" font-size="14" overflow="visible" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        h=height,
        title=title,
        desc=description,
        body=body,
    )


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Safe:
    head = join(render('<th scope="col">{h}</th>', h=h) for h in headers)
    if rows:
        body = join(
            render(
                "<tr>{first}{rest}</tr>",
                first=render('<th scope="row">{v}</th>', v=row[0]),
                rest=join(render("<td>{v}</td>", v=value) for value in row[1:]),
            )
            for row in rows
        )
    else:
        body = render(
            '<tr><td colspan="{n}">No conversations in this period.</td></tr>', n=len(headers)
        )
    return render(
        "<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        caption=caption,
        head=head,
        body=body,
    )


def _figure(heading_id: str, heading: str, summary: str, chart: Safe, table: Safe) -> Safe:
    return render(
        '<section aria-labelledby="{id}"><h2 id="{id}">{heading}</h2>'
        '<figure><div class="chart-scroll">{chart}</div><figcaption>{summary}</figcaption></figure>'
        "{table}</section>",
        id=heading_id,
        heading=heading,
        summary=summary,
        chart=chart,
        table=table,
    )


# --- The page --------------------------------------------------------------------------------


def _filter_form(date_from: str, date_to: str, channel: str, error: str | None) -> Safe:
    options = [("", "All channels")] + [(value, _channel(value)) for value in CHANNELS]
    select = join(
        render(
            '<option value="{v}"{selected}>{t}</option>',
            v=value,
            t=text,
            selected=Safe(" selected") if value == channel else Safe(""),
        )
        for value, text in options
    )
    summary = Safe("")
    if error:
        summary = render(
            '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
            'tabindex="-1"><h2 id="error-summary-title">There is a problem</h2>'
            '<ul><li><a href="#from">{error}</a></li></ul></div>',
            error=error,
        )
    return render(
        '{summary}<form method="get" action="/staff/insight"><fieldset>'
        "<legend>Choose the period and channel</legend>"
        '<p class="hint" id="dates-hint">Dates are UK days, both included, '
        "for example 2026-11-30.</p>"
        '<div class="filters">'
        '<div class="field"><label for="from">From</label>'
        '<input type="date" id="from" name="from" value="{date_from}" '
        'aria-describedby="dates-hint"></div>'
        '<div class="field"><label for="to">To</label>'
        '<input type="date" id="to" name="to" value="{date_to}" '
        'aria-describedby="dates-hint"></div>'
        '<div class="field"><label for="channel">Channel</label>'
        '<select id="channel" name="channel">{select}</select></div>'
        '<div class="field"><button type="submit" class="button button--secondary">Apply filters'
        "</button></div></div></fieldset></form>",
        summary=summary,
        date_from=date_from,
        date_to=date_to,
        select=select,
    )


def _headline(figures: dict[str, Any]) -> Safe:
    contained_names = ", ".join(OUTCOME_LABELS[o.value].lower() for o in sorted(CONTAINED_OUTCOMES))
    cost = figures["cost_avoided"]
    return render(
        '<dl class="summary-list">'
        "<dt>Conversations</dt><dd>{conversations}</dd>"
        "<dt>Contained (resolved without a person)</dt><dd>{contained}</dd>"
        "<dt>Containment rate</dt><dd>{rate}</dd>"
        "<dt>Tasks completed</dt><dd>{tasks}</dd>"
        "<dt>Handed to a person (records in the staff queue)</dt><dd>{handed}</dd>"
        "<dt>Conversations that ended with a person or urgent help</dt>"
        "<dd>{ended_handed} (urgent: {urgent})</dd>"
        "<dt>Times the assistant did not understand</dt><dd>{fallbacks}</dd>"
        "<dt>Assisted in a library</dt><dd>{assisted}</dd>"
        "<dt>Estimated cost avoided</dt><dd>{cost}</dd></dl>"
        '<p class="notice">A conversation is <strong>contained</strong> when it ended with: '
        "{names}. Hand-offs and urgent help are not contained. Conversations residents left "
        "before any answer, and answers the resident said did not help, are counted in the "
        "total and are not contained. One conversation can complete several tasks: each "
        "task counts.</p>"
        '<p class="hint">Hand-offs are the records in the staff queue for this period, counted '
        "as soon as they are made. Conversations count once they have gone quiet, and one "
        "conversation can make more than one record, so the two hand-off figures can differ "
        "for a while.</p>",
        conversations=f"{figures['conversations']:,}",
        contained=f"{figures['contained']:,}",
        rate=_percent(figures["containment_rate"]),
        tasks=f"{figures['tasks']['completed']:,}",
        handed=f"{figures['handoffs']['total']:,}",
        ended_handed=f"{figures['outcomes']['handed_off'] + figures['outcomes']['urgent']:,}",
        urgent=f"{figures['outcomes']['urgent']:,}",
        fallbacks=f"{figures['fallbacks']:,}",
        assisted=f"{figures['assisted']:,}",
        cost=cost["total"],
        names=contained_names,
    )


def _cost_section(cost: dict[str, Any]) -> Safe:
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
    return render(
        '<section aria-labelledby="cost"><h2 id="cost">Estimated cost avoided</h2>'
        "<p><strong>Formula:</strong> for each channel, contained conversations × (cost of the "
        "contact each one stands in for − cost of a {assistant} contact), added up.</p>"
        "<p><strong>This period:</strong> {worked}</p>{table}{costs}"
        "<p>Source: {source} (checked {checked}). An estimate: it assumes each contained "
        "conversation would otherwise have been the contact shown.</p></section>",
        assistant=CONTACT_LABELS.get(assistant, assistant),
        worked=worked,
        table=_table(
            "Cost avoided by channel",
            ["Channel", "Contained", "Instead of", "Saving each", "Saving"],
            rows,
        ),
        costs=_table("Cost per contact", ["Contact", "Cost"], costs),
        source=cost["source"],
        checked=cost["checked"],
    )


def _breakdown_section(
    section_id: str, heading: str, rows: list[dict[str, Any]], key: str, labels: Any
) -> Safe:
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
        _table(
            heading,
            [heading.split(" by ")[-1].capitalize(), "Conversations", "Contained", "Rate"],
            table_rows,
        ),
    )


def _tasks_section(tasks: dict[str, Any]) -> Safe:
    rows = [(TASK_LABELS.get(row["kind"], row["kind"]), row["count"]) for row in tasks["by_kind"]]
    rows.append(("Hand-offs to staff (the queue's records)", tasks["handoffs"]))
    return _figure(
        "tasks",
        "Tasks completed",
        f"{tasks['completed']:,} tasks completed and {tasks['handoffs']:,} hand-offs to staff. "
        "A conversation can complete several tasks; each one counts.",
        bar_chart("tasks-chart", "Tasks completed, by kind", rows),
        _table("Tasks completed", ["Task", "Count"], [(label, f"{n:,}") for label, n in rows]),
    )


def freshness(figures: dict[str, Any]) -> Safe:
    """When the figures were last updated and when a conversation starts to count."""
    fresh = figures["freshness"]
    minutes = fresh["counted_after_quiet_minutes"]
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
    return render(
        '<p class="notice" id="freshness"><strong>Figures last updated:</strong> {when}. '
        "A conversation is counted once it has been quiet for {minutes} minutes, so "
        "conversations still going on are not in these figures yet. Hand-offs are counted "
        "from the staff queue straight away.</p>",
        when=when,
        minutes=minutes,
    )


def figure_sections(figures: dict[str, Any]) -> list[Safe]:
    """The headline figures, every chart with its table, and the cost section."""
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
    return [
        freshness(figures),
        _headline(figures),
        _figure(
            "outcomes",
            "How conversations ended",
            f"{figures['contained']:,} of {figures['conversations']:,} conversations were "
            f"contained ({_percent(figures['containment_rate'])}).",
            bar_chart("outcomes-chart", "How conversations ended", outcomes),
            _table(
                "How conversations ended", ["Outcome", "Conversations", "Contained"], outcome_rows
            ),
        ),
        _tasks_section(figures["tasks"]),
        _figure(
            "weekly",
            "Weekly trend",
            "Conversations each week (blue), with the contained part in green. "
            "Weeks start on Monday.",
            column_chart("weekly-chart", "Conversations per week, contained part in green", weeks),
            _table("Weekly trend", ["Week", "Conversations", "Contained", "Rate"], week_rows),
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
            _table(
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
            join(
                [
                    _table(
                        "Hand-offs by category",
                        ["Category", "Hand-offs"],
                        [(label, f"{n:,}") for label, n in by_category],
                    ),
                    _table(
                        "Hand-offs by priority",
                        ["Priority", "Hand-offs"],
                        [(label, f"{n:,}") for label, n in by_priority],
                    ),
                ]
            ),
        ),
        _cost_section(figures["cost_avoided"]),
    ]


def insight_page(
    *,
    figures: dict[str, Any] | None,
    filters: InsightFilters | None,
    form: tuple[str, str, str],
    viewer: Viewer,
    error: str | None = None,
    unanswered_groups: int = 0,
) -> Safe:
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
    heading = render("<h1>Service insight</h1>")
    form_html = _filter_form(*form, error)
    if figures is None or filters is None:
        return layout("Error: Service insight", join([heading, form_html]), viewer)
    channel = f", {_channel(filters.channel)}" if filters.channel else ", all channels"
    period = render(
        "<p>From {start} to {end}{channel}. "
        '<a href="/staff/insight/unanswered?from={qs_from}&amp;to={qs_to}'
        '&amp;channel={qs_channel}">'
        "Questions the assistant could not answer ({groups} groups)</a></p>",
        start=filters.date_from.strftime("%-d %B %Y"),
        end=filters.date_to.strftime("%-d %B %Y"),
        channel=channel,
        qs_from=filters.date_from.isoformat(),
        qs_to=filters.date_to.isoformat(),
        qs_channel=filters.channel or "",
        groups=unanswered_groups,
    )
    sections = [heading, form_html, period, *figure_sections(figures)]
    return layout("Service insight", join(sections), viewer)


def unanswered_page(
    *,
    groups: list[dict[str, Any]] | None,
    filters: InsightFilters | None,
    form: tuple[str, str, str],
    viewer: Viewer,
    error: str | None = None,
) -> Safe:
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
    heading = render(
        "<h1>Questions the assistant could not answer</h1>"
        "<p>Messages that ended in “not understood”, or in a hand-off because the assistant "
        "did not understand, grouped by similarity. Replies to the assistant’s own questions "
        "(names, addresses, account numbers) are never kept here. Personal data was removed "
        "before they were stored; they are deleted after the transcript retention period. Add "
        "the biggest groups to the training data first.</p>"
        '<p><a href="/staff/insight">Back to service insight</a></p>'
    )
    form_html = _filter_form(*form, error).replace(
        'action="/staff/insight"', 'action="/staff/insight/unanswered"'
    )
    if groups is None or filters is None:
        return layout("Error: Unanswered questions", join([heading, Safe(form_html)]), viewer)
    query = f"from={filters.date_from.isoformat()}&to={filters.date_to.isoformat()}" + (
        f"&channel={filters.channel}" if filters.channel else ""
    )
    if groups:
        rows = join(
            render(
                '<tr><th scope="row">{count}</th><td><ul class="examples">{examples}</ul></td>'
                "<td>{guess}</td><td>{channels}</td><td>{handed}</td>"
                '<td><a href="/staff/insight/unanswered/{id}.yml?{query}">Rasa NLU YAML'
                '<span class="visually-hidden"> for group {id}</span></a><br>'
                '<a href="/staff/insight/unanswered/{id}.csv?{query}">CSV'
                '<span class="visually-hidden"> for group {id}</span></a></td></tr>',
                count=group["count"],
                examples=join(render("<li>{text}</li>", text=text) for text in group["examples"]),
                guess=(
                    f"{group['best_guess']} ({group['average_confidence']:.0%})"
                    if group["best_guess"] and group["average_confidence"] is not None
                    else group["best_guess"] or "none"
                ),
                channels=", ".join(_channel(c) for c in group["channels"]),
                handed=group["handed_off"],
                id=group["id"],
                query=query,
            )
            for group in groups
        )
    else:
        rows = render('<tr><td colspan="6">No unanswered questions in this period.</td></tr>')
    table = render(
        "<table><caption>{n} groups, biggest first</caption><thead><tr>"
        '<th scope="col">Messages</th><th scope="col">Examples</th>'
        '<th scope="col">Assistant’s best guess</th><th scope="col">Channels</th>'
        '<th scope="col">Handed to a person</th><th scope="col">Export</th>'
        "</tr></thead><tbody>{rows}</tbody></table>",
        n=len(groups),
        rows=rows,
    )
    return layout("Unanswered questions", join([heading, Safe(form_html), table]), viewer)
