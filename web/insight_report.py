"""The service insight report for a period: one HTML file and CSV files (issue #10).

``python -m web insight-report --from 2026-11-01 --to 2026-11-30
--out dir/`` writes ``insight-report.html`` (standalone: styles inline, charts as inline SVG,
no script, nothing fetched) and one CSV per table, for a service manager to attach to a
committee paper. The report holds counts only: no message text, no conversation ids. Its
markup is ``templates/insight/report.html``, with the figures of the dashboard.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from markupsafe import Markup

from web import templating
from web.core.config import PACKAGE_DIR
from web.insight import InsightFilters, pounds
from web.insight_pages import figure_sections

CSS_FILE = PACKAGE_DIR / "static" / "console.css"


def _rows(figures: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the report, as CSV headers and rows."""
    cost = figures["cost_avoided"]
    breakdown = ["conversations", "contained", "containment_rate"]
    return {
        "summary": (
            ["measure", "value"],
            [
                ["from", figures["filters"]["from"]],
                ["to", figures["filters"]["to"]],
                ["channel", figures["filters"]["channel"] or "all"],
                ["conversations", figures["conversations"]],
                ["contained", figures["contained"]],
                ["containment_rate", figures["containment_rate"]],
                ["fallbacks", figures["fallbacks"]],
                ["average_duration_s", figures["average_duration_s"]],
                ["assisted", figures["assisted"]],
                ["handoffs", figures["handoffs"]["total"]],
                ["cost_avoided_gbp", f"{cost['total_pence'] / 100:.2f}"],
                ["cost_avoided_formula", cost["formula"]],
                ["cost_source", cost["source"]],
            ],
        ),
        "outcomes": (
            ["outcome", "conversations"],
            [[k, v] for k, v in figures["outcomes"].items()],
        ),
        "by_channel": (
            ["channel", *breakdown],
            [[r["channel"], *(r[k] for k in breakdown)] for r in figures["by_channel"]],
        ),
        "by_language": (
            ["language", *breakdown],
            [[r["language"], *(r[k] for k in breakdown)] for r in figures["by_language"]],
        ),
        "by_journey": (
            ["journey", *breakdown],
            [[r["journey"], *(r[k] for k in breakdown)] for r in figures["by_journey"]],
        ),
        "busiest_hours": (
            ["hour_uk", "conversations"],
            [[r["hour"], r["conversations"]] for r in figures["busiest_hours"]],
        ),
        "weekly": (
            ["week_start", *breakdown],
            [[r["week_start"], *(r[k] for k in breakdown)] for r in figures["weekly"]],
        ),
        "handoffs": (
            ["category", "priority", "count"],
            [
                [r["category"], r["priority"], r["count"]]
                for r in figures["handoffs"]["by_category_and_priority"]
            ],
        ),
        "cost_avoided": (
            ["channel", "contained", "instead_of", "unit_saving_gbp", "saving_gbp"],
            [
                [
                    r["channel"],
                    r["contained"],
                    r["instead_of"],
                    f"{r['unit_saving_pence'] / 100:.2f}",
                    f"{r['saving_pence'] / 100:.2f}",
                ]
                for r in cost["by_channel"]
            ],
        ),
    }


def report_html(figures: dict[str, Any], filters: InsightFilters, council: str = "") -> str:
    """The standalone HTML report.

    Args:
        figures: from ``insight.compute_insight``.
        filters: the period and channel.
        council: the council's name for the title (optional).

    Returns:
        The HTML document.
    """
    period = f"{filters.date_from.strftime('%-d %B %Y')} to {filters.date_to.strftime('%-d %B %Y')}"
    channel = filters.channel or "all channels"
    document = templating.render(
        "insight/report.html",
        title=f"Service insight{': ' + council if council else ''}, {period}",
        css=Markup(CSS_FILE.read_text(encoding="utf-8")),
        period=period,
        channel=channel,
        cost=pounds(figures["cost_avoided"]["total_pence"]),
        figures=figure_sections(figures),
    )
    return str(document)


def write_report(figures: dict[str, Any], filters: InsightFilters, out_dir: Path) -> list[Path]:
    """Write the HTML report and one CSV per table into ``out_dir`` (created if missing).

    Returns:
        The files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "insight-report.html"]
    written[0].write_text(report_html(figures, filters), encoding="utf-8")
    for name, (headers, rows) in _rows(figures).items():
        path = out_dir / f"insight-{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(["" if value is None else value for value in row] for row in rows)
        written.append(path)
    return written
