"""The staff console's HTML, built on the server with every value escaped.

Jinja2 is not among the stand-in's dependencies, so pages are built here with a small,
safe-by-default helper: ``render(template, **values)`` escapes every value with
``html.escape`` unless it is already ``Safe`` (the output of ``render`` itself). No page
uses JavaScript; the style sheet is served locally from ``static/console.css``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lib.references import find_references
from web import triage_labels
from web.models import TriageAuditEntry, TriageRecord
from web.reference_links import ReferenceLinks
from web.roles import Area, may_use
from web.triage_due import due_by
from web.triage_models import REPLY_MAX_LENGTH, Category
from web.workflow import TriageStatus

CSS_PATH = "/staff/console.css"

try:
    LOCAL_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without tzdata: show UTC rather than fail
    LOCAL_TIME = ZoneInfo("UTC")

# Every code's words come from one place (``triage_labels.py``, reading kb/ data).
PRIORITY_LABELS = {number: triage_labels.priority(number) for number in (1, 2, 3)}
CATEGORY_LABELS = {category: triage_labels.category(category.value) for category in Category}
STATUS_LABELS = {status: triage_labels.status(status.value) for status in TriageStatus}
CHANNEL_LABELS = {code: triage_labels.channel(code) for code in ("web", "ivr", "library")}
# History rows that only say someone looked: counted, not listed (they stay in the audit log).
LOOK_ACTIONS = frozenset({"view", "list"})
# The success banner after a change made on the record page (post-redirect-get: ``?done=``).
DONE_MESSAGES: dict[str, tuple[str, str]] = {
    "claimed": ("Record claimed", "It is assigned to you and out of the unclaimed queue."),
    "released": ("Record returned to the queue", "Anyone can claim it now."),
    "reopened": ("Record reopened", "It is open again and assigned to you."),
    "resolved": ("Record resolved", "The resident has been told the case is closed."),
    "sent": ("Message sent", "It is in the conversation below and in the history."),
}
# The queue's due-by filter and its orders.
DUE_FILTERS = {"": "Any due time", "overdue": "Overdue only"}
SORT_ORDERS = {"": "Most urgent first, then oldest", "due": "Due soonest first"}
ROLE_LABELS = {
    "resident": "Resident",
    "assistant": "Assistant",
    "staff": "Staff",
    "system": "Recorded by the assistant",
}
SUMMARY_PREVIEW = 160
# A longer conversation shows its latest lines and folds the earlier ones (issue #18).
TRANSCRIPT_FOLD = 40
TRANSCRIPT_SHOWN = 30
# The line the assistant records when a council tax account is verified
# (``actions/common/triage.py``: ``VERIFIED_ACCOUNT_LINE``).
VERIFIED_ACCOUNT = re.compile(r"^Council tax account verified: (?P<account>[A-Za-z0-9-]{3,30})$")
# The queue's status filter: "open" (the default) is new and claimed together.
STATUS_FILTERS = {
    "open": ("Open (new or claimed)", (TriageStatus.NEW, TriageStatus.CLAIMED)),
    "new": ("New", (TriageStatus.NEW,)),
    "claimed": ("Claimed", (TriageStatus.CLAIMED,)),
    "resolved": ("Resolved", (TriageStatus.RESOLVED,)),
    "all": ("Any status", ()),
}


class Safe(str):
    """Text that is already HTML: escaped values and markup built by ``render``."""


def escape(value: object) -> Safe:
    """Escape a value for HTML text or a quoted attribute, unless it is ``Safe`` already."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: object) -> Safe:
    """Fill ``{name}`` placeholders in a trusted template with escaped values.

    Args:
        template: markup written in this module (never user input).
        **values: the values; each is escaped unless it is ``Safe``.

    Returns:
        The markup.
    """
    return Safe(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[Safe]) -> Safe:
    """Concatenate safe fragments."""
    return Safe("".join(escape(part) for part in parts))


def local_time(value: datetime) -> str:
    """Format a timestamp in UK time, e.g. ``23 November 2026, 10:15``."""
    moment = value.astimezone(LOCAL_TIME)
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M}"


def waiting_time(since: datetime, now: datetime) -> str:
    """Say how long ago something happened, roughly: ``3 days 2 hours``, ``5 minutes``."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def unit(amount: int, name: str) -> str:
        return f"{amount} {name}{'' if amount == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute") if minutes else "less than a minute"


def _category(value: str) -> str:
    return triage_labels.category(value)


def _person(username: str | None, names: Mapping[str, str], nobody: str = "Nobody") -> str:
    """A staff member's display name (the username only when the account is gone)."""
    if not username:
        return nobody
    return triage_labels.actor(username) or names.get(username, username)


def _due(record: TriageRecord, now: datetime) -> Safe:
    """The due-by time, with "Overdue" in words (not colour alone) when it has passed."""
    due = due_by(record.created_at, record.priority)
    moment = render(
        '<time datetime="{iso}">{when}</time>',
        iso=due.isoformat(timespec="seconds"),
        when=local_time(due),
    )
    if record.status == TriageStatus.RESOLVED.value:
        return render("{moment}", moment=moment)
    if due < now:
        return render(
            '<strong class="tag tag--overdue">Overdue</strong> was due {moment}', moment=moment
        )
    return render("{moment}<br>in {left}", moment=moment, left=waiting_time(now, due))


def _priority_tag(priority: int) -> Safe:
    return render(
        '<span class="tag tag--p{number}">{label}</span>',
        number=priority,
        label=triage_labels.priority(priority),
    )


def _status_tag(status: str) -> Safe:
    label = triage_labels.status(status)
    return render('<span class="tag tag--{status}">{label}</span>', status=status, label=label)


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the page, and the token their forms must carry."""

    username: str
    display_name: str
    csrf_token: str
    role: str


# The console's menu: each link, and the part of the console it belongs to.
MENU: tuple[tuple[str, str, Area], ...] = (
    ("/staff", "Queue", Area.QUEUE),
    ("/staff/assisted", "Assisted session", Area.ASSISTED),
    ("/staff/sms", "Text messages", Area.QUEUE),
    ("/staff/undelivered", "Undelivered", Area.QUEUE),
    ("/staff/insight", "Service insight", Area.INSIGHT),
)


def _menu(viewer: Viewer) -> Safe:
    """The console's menu, with only the links the viewer's role may use."""
    links = join(
        render('<li><a href="{href}">{label}</a></li>', href=href, label=label)
        for href, label, area in MENU
        if may_use(viewer.role, area)
    )
    return render(
        '<nav aria-label="Console"><ul class="console-nav">{links}</ul></nav>', links=links
    )


def _csrf_field(viewer: Viewer) -> Safe:
    return render(
        '<input type="hidden" name="csrf_token" value="{token}">', token=viewer.csrf_token
    )


def layout(title: str, main: Safe, viewer: Viewer | None = None) -> Safe:
    """Wrap a page's main content in the document, header and footer.

    Args:
        title: the page's own title (the service name is added).
        main: the content of ``<main>``.
        viewer: the signed-in staff member, for the header's name and sign-out button.

    Returns:
        The whole HTML document.
    """
    signed_in = Safe("")
    if viewer is not None:
        signed_in = render(
            '{menu}<div class="signed-in"><p class="visually-hidden">Signed in as</p>'
            "<p>{name}</p>"
            '<form method="post" action="/staff/logout">{csrf}'
            '<button type="submit" class="button button--link">Sign out</button></form></div>',
            menu=_menu(viewer),
            name=viewer.display_name,
            csrf=_csrf_field(viewer),
        )
    return render(
        "<!doctype html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        "<title>{title} – Front Door staff console</title>\n"
        '<link rel="stylesheet" href="{css}">\n</head>\n<body>\n'
        '<a class="skip-link" href="#main">Skip to main content</a>\n'
        '<header class="header"><div class="container">'
        '<p class="service-name"><a href="/staff/home">Front Door staff console</a></p>'
        "{signed_in}</div></header>\n"
        '<main id="main" class="container" tabindex="-1">\n{main}\n</main>\n'
        '<footer><div class="container"><p>Council services stand-in. Records here hold '
        "personal data: every view and change is logged.</p></div></footer>\n"
        "</body>\n</html>\n",
        title=title,
        css=CSS_PATH,
        signed_in=signed_in,
        main=main,
    )


def _error_summary(errors: Sequence[tuple[str, str]]) -> Safe:
    """The GOV.UK-style error summary: each message links to its field."""
    if not errors:
        return Safe("")
    items = join(
        render('<li><a href="#{field}">{message}</a></li>', field=field, message=message)
        for field, message in errors
    )
    return render(
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
        'tabindex="-1"><h2 id="error-summary-title">There is a problem</h2>'
        "<ul>{items}</ul></div>",
        items=items,
    )


# --- Sign in ----------------------------------------------------------------------------------


def login_page(*, csrf_token: str, error: str | None = None, username: str = "") -> Safe:
    """The sign-in form.

    Args:
        csrf_token: the token tied to the sign-in cookie (``core/security.py``).
        error: why the last attempt failed.
        username: what was typed last time, to save typing it again.

    Returns:
        The HTML document.
    """
    errors = [("username", error)] if error else []
    main = render(
        "{summary}<h1>Sign in</h1>"
        "<p>Sign in with the staff account your team leader set up for you.</p>"
        '<form method="post" action="/staff/login" novalidate>'
        '<input type="hidden" name="csrf_token" value="{csrf}">'
        '<div class="field{error_class}">'
        '<label for="username">Username</label>{field_error}'
        '<input type="text" id="username" name="username" value="{username}" '
        'autocomplete="username" autocapitalize="none" spellcheck="false" required{described}>'
        "</div>"
        '<div class="field"><label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" '
        "required></div>"
        '<button type="submit" class="button">Sign in</button></form>',
        summary=_error_summary(errors),
        error_class=" field--error" if error else "",
        field_error=render(
            '<p class="field-error" id="username-error"><span class="visually-hidden">Error: '
            "</span>{error}</p>",
            error=error,
        )
        if error
        else Safe(""),
        described=Safe(' aria-describedby="username-error"') if error else Safe(""),
        username=username,
        csrf=csrf_token,
    )
    return layout("Sign in" if not error else "Error: Sign in", main)


# --- The queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filter form values, already checked."""

    status: str = "open"
    priority: int | None = None
    category: Category | None = None
    query: str = ""
    mine: bool = False
    due: str = ""  # "overdue": only open records past their due-by time
    sort: str = ""  # "due": soonest due-by first


def _select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str) -> Safe:
    rendered = join(
        render(
            '<option value="{value}"{selected}>{text}</option>',
            value=value,
            text=text,
            selected=Safe(" selected") if value == chosen else Safe(""),
        )
        for value, text in options
    )
    return render(
        '<div class="field"><label for="{name}">{label}</label>'
        '<select id="{name}" name="{name}">{options}</select></div>',
        name=name,
        label=label,
        options=rendered,
    )


def _filter_form(filters: QueueFilters) -> Safe:
    statuses = [(value, text) for value, (text, _) in STATUS_FILTERS.items()]
    priorities = [("", "Any priority")] + [(str(p), text) for p, text in PRIORITY_LABELS.items()]
    categories = [("", "Any category")] + [(c.value, text) for c, text in CATEGORY_LABELS.items()]
    return render(
        '<form method="get" action="/staff"><fieldset><legend>Filter the queue</legend>'
        '<div class="field"><label for="q">Search</label>'
        '<p class="hint" id="q-hint">A reference, the resident\'s name or phone number. '
        "Searches every status unless you choose one.</p>"
        '<input type="text" id="q" name="q" value="{query}" maxlength="100" '
        'aria-describedby="q-hint" autocomplete="off" spellcheck="false"></div>'
        '<div class="filters">{status}{priority}{category}{due}{sort}'
        '<div class="field checkbox"><input type="checkbox" id="mine" name="mine" value="1"'
        '{mine}><label for="mine">Assigned to me</label></div>'
        '<div class="field"><button type="submit" class="button button--secondary">'
        "Apply filters</button></div></div></fieldset></form>"
        '<p><a href="/staff">Clear filters</a></p>',
        query=filters.query,
        mine=Safe(" checked") if filters.mine else Safe(""),
        status=_select("status", "Status", statuses, filters.status),
        priority=_select("priority", "Priority", priorities, str(filters.priority or "")),
        category=_select(
            "category",
            "Category",
            categories,
            filters.category.value if filters.category else "",
        ),
        due=_select("due", "Due by", list(DUE_FILTERS.items()), filters.due),
        sort=_select("sort", "Order", list(SORT_ORDERS.items()), filters.sort),
    )


def _preview(summary: str) -> str:
    if len(summary) <= SUMMARY_PREVIEW:
        return summary
    return summary[: SUMMARY_PREVIEW - 1].rstrip() + "…"


def queue_page(
    *,
    records: Sequence[TriageRecord],
    count: int,
    filters: QueueFilters,
    viewer: Viewer,
    now: datetime,
    error: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Safe:
    """The queue: most urgent first, then oldest first (or soonest due first).

    Args:
        records: the records to show, in queue order.
        count: how many records match the filters (may exceed ``len(records)``).
        filters: the filter values in use.
        viewer: the signed-in staff member.
        now: the current time, for the waiting times.
        error: a filter value that was not recognised.
        names: the display name of each staff username shown.

    Returns:
        The HTML document.
    """
    names = names or {}
    errors = [("status", error)] if error else []
    if records:
        rows = join(
            render(
                "<tr>"
                '<th scope="row"><a href="/staff/triage/{reference}">{reference}</a></th>'
                "<td>{priority}</td><td>{category}</td><td>{summary}</td><td>{status}</td>"
                "<td>{assignee}</td>"
                '<td><time datetime="{iso}">{received}</time><br>{waiting}</td>'
                "<td>{due}</td></tr>",
                reference=record.reference,
                priority=_priority_tag(record.priority),
                category=_category(record.category),
                summary=_preview(record.summary),
                status=_status_tag(record.status),
                assignee=_person(record.assignee, names),
                due=_due(record, now),
                iso=record.created_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
                received=local_time(record.created_at),
                waiting=f"{waiting_time(record.created_at, now)} ago",
            )
            for record in records
        )
        shown = (
            f"{count} records" if count == len(records) else f"{len(records)} of {count} records"
        )
        if count == 1:
            shown = "1 record"
        table = render(
            "<table><caption>Triage queue: {shown}, {order}"
            "</caption><thead><tr>"
            '<th scope="col">Reference</th><th scope="col">Priority</th>'
            '<th scope="col">Category</th><th scope="col">Summary</th>'
            '<th scope="col">Status</th><th scope="col">Assigned to</th>'
            '<th scope="col">Received</th><th scope="col">Due by</th>'
            "</tr></thead><tbody>{rows}</tbody></table>",
            order=SORT_ORDERS.get(filters.sort, SORT_ORDERS[""]).lower(),
            shown=shown,
            rows=rows,
        )
    else:
        table = Safe('<p class="notice">No records match these filters.</p>')
    main = render(
        "{summary}<h1>Triage queue</h1>{form}{table}",
        summary=_error_summary(errors),
        form=_filter_form(filters),
        table=table,
    )
    return layout("Triage queue" if not error else "Error: Triage queue", main, viewer)


# --- One record -------------------------------------------------------------------------------


def _row(term: str, value: object) -> Safe:
    return render("<dt>{term}</dt><dd>{value}</dd>", term=term, value=value)


def _details(record: TriageRecord, names: Mapping[str, str], now: datetime) -> Safe:
    language = triage_labels.language(record.language) + (
        " (interpreter needed)" if record.interpreter else ""
    )
    flags = [triage_labels.flag(code) for code in record.vulnerability or []]
    rows = [
        _row("Status", _status_tag(record.status)),
        _row("Priority", _priority_tag(record.priority)),
        _row("Category", _category(record.category)),
        _row("Assigned to", _person(record.assignee, names)),
        _row("Received", local_time(record.created_at)),
        _row("Due by", _due(record, now)),
        _row("Channel", triage_labels.channel(record.channel)),
        _row("Language", language),
        _row("Helped by library staff", "Yes" if record.assisted else "No"),
        _row("Vulnerability flags", ", ".join(flags) if flags else "None"),
        _row(
            "Journey",
            triage_labels.journey(record.journey) if record.journey else "Not recorded",
        ),
        _row("What was tried", record.what_was_tried or "Not recorded"),
        _row("Last failure", record.last_failure or "None"),
        _row("Conversation id", record.conversation_id),
    ]
    if record.resolution_note:
        rows.append(
            _row(
                "Resolution note",
                render('<span class="pre-wrap">{n}</span>', n=record.resolution_note),
            )
        )
    return render('<dl class="summary-list">{rows}</dl>', rows=join(rows))


def _contact(record: TriageRecord) -> Safe:
    contact = record.contact
    if not contact:
        return Safe("<p>The resident did not agree to be contacted, or gave no details.</p>")
    return render(
        '<dl class="summary-list">{rows}</dl>',
        rows=join(
            [
                _row("Name", contact.get("name") or "Not given"),
                _row("Phone", contact.get("phone") or "Not given"),
                _row("Email", contact.get("email") or "Not given"),
                *([_row("Address", contact["address"])] if contact.get("address") else []),
                _row(
                    "Prefers",
                    triage_labels.contact_preference(contact["preferred"])
                    if contact.get("preferred")
                    else "No preference",
                ),
            ]
        ),
    )


def _transcript_line(entry: dict) -> Safe:
    role = entry.get("role", "")
    who = ROLE_LABELS.get(role, role)
    if role == "staff" and entry.get("name"):
        who = f"{who} ({entry['name']})"
    return render(
        '<li class="{role}"><p class="who">{who} <span class="hint">at '
        '<time datetime="{at}">{when}</time></span></p>'
        '<p class="said">{text}</p></li>',
        role=role,
        who=who,
        at=entry.get("at", ""),
        when=_entry_time(entry.get("at", "")),
        text=entry.get("text", ""),
    )


def _transcript(record: TriageRecord) -> Safe:
    """The whole conversation; a long one shows its latest lines, the rest folded above."""
    if record.transcript_purged_at is not None:
        return render(
            "<p>The conversation was removed on {when} under the retention policy.</p>",
            when=local_time(record.transcript_purged_at),
        )
    entries = list(record.transcript or [])
    if not entries:
        return Safe("<p>No conversation was recorded.</p>")
    if len(entries) <= TRANSCRIPT_FOLD:
        return render(
            '<ol class="transcript" lang="{lang}">{lines}</ol>',
            lang=record.language,
            lines=join(_transcript_line(entry) for entry in entries),
        )
    earlier, latest = entries[:-TRANSCRIPT_SHOWN], entries[-TRANSCRIPT_SHOWN:]
    return render(
        '<p class="notice">This is a long conversation: {total} messages. The latest '
        "{shown} are shown; open the earlier {hidden} above them to read the whole "
        "conversation.</p>"
        '<details class="earlier"><summary>Show the earlier {hidden} messages</summary>'
        '<ol class="transcript" lang="{lang}">{earlier}</ol></details>'
        '<p class="hint">The latest {shown} messages:</p>'
        '<ol class="transcript" lang="{lang}" start="{start}">{latest}</ol>',
        total=len(entries),
        shown=len(latest),
        hidden=len(earlier),
        lang=record.language,
        start=len(earlier) + 1,
        earlier=join(_transcript_line(entry) for entry in earlier),
        latest=join(_transcript_line(entry) for entry in latest),
    )


def references_in(record: TriageRecord) -> list[tuple[str, str]]:
    """Every reference given in the conversation, oldest first, with its kind.

    The assistant's lines (and the lines it recorded) are read, not the resident's: a
    reference the resident typed is one they were given before, and may be mistyped.
    """
    found: list[tuple[str, str]] = []
    for entry in record.transcript or []:
        if entry.get("role") not in {"assistant", "system", "staff"}:
            continue
        for match in find_references(str(entry.get("text", ""))):
            pair = (match.reference, match.kind)
            if pair not in found and match.reference != record.reference:
                found.append(pair)
    return found


def verified_account(record: TriageRecord) -> str | None:
    """The council tax account verified in the conversation, if any (the latest)."""
    account = None
    for entry in record.transcript or []:
        if entry.get("role") == "system":
            match = VERIFIED_ACCOUNT.match(str(entry.get("text", "")))
            if match:
                account = match["account"]
    return account


def _reference_item(reference: str, kind: str, links_to: ReferenceLinks) -> Safe:
    label, href = links_to.page(kind, reference)
    if href is None:
        return render(
            "<li>{label}: <strong>{reference}</strong> "
            '<span class="hint">(no page in the console yet)</span></li>',
            label=label,
            reference=reference,
        )
    return render(
        '<li>{label}: <a href="{href}">{reference}</a></li>',
        label=label,
        href=href,
        reference=reference,
    )


def _links(record: TriageRecord, links_to: ReferenceLinks) -> Safe:
    """The verified council tax account and every reference issued, as links."""
    items = [
        _reference_item(reference, kind, links_to) for reference, kind in references_in(record)
    ]
    account = verified_account(record)
    if account:
        items.insert(
            0,
            render(
                "<li>Council tax account <strong>{account}</strong>, verified in this "
                "conversation</li>",
                account=account,
            ),
        )
    if not items:
        return Safe("<p>No reference was given and no council tax account was verified.</p>")
    return render('<ul class="list">{items}</ul>', items=join(items))


def _entry_time(value: str) -> str:
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value


def _actions(
    record: TriageRecord, viewer: Viewer, note: str, error: str | None, resident_note: str = ""
) -> Safe:
    status = TriageStatus(record.status)
    csrf = _csrf_field(viewer)
    base = f"/staff/triage/{record.reference}"
    parts: list[Safe] = []
    if status is TriageStatus.NEW:
        parts.append(_button_form(f"{base}/claim", "Claim this record", csrf))
    if status is TriageStatus.RESOLVED:
        parts.append(_button_form(f"{base}/reopen", "Reopen and claim", csrf))
    if status in (TriageStatus.NEW, TriageStatus.CLAIMED):
        parts.append(
            render(
                '<form method="post" action="{action}" novalidate>{csrf}'
                '<div class="field{error_class}"><label for="note">Resolution note</label>'
                '<p class="hint" id="note-hint">What was done, in a sentence or two. '
                "Other staff will read it.</p>{field_error}"
                '<textarea id="note" name="note" rows="4" maxlength="2000" '
                'aria-describedby="note-hint{error_id}">{note}</textarea></div>'
                '<div class="field"><label for="resident_note">Note for the resident '
                "(optional)</label>"
                '<p class="hint" id="resident-note-hint">The resident sees this in their '
                "conversation (web chat, or the phone line on their next call). Leave it "
                "empty to tell them only that the case is closed.</p>"
                '<textarea id="resident_note" name="resident_note" rows="3" maxlength="2000" '
                'aria-describedby="resident-note-hint">{resident_note}</textarea></div>'
                '<button type="submit" class="button">Resolve</button></form>',
                action=f"{base}/resolve",
                csrf=csrf,
                note=note,
                resident_note=resident_note,
                error_class=" field--error" if error else "",
                error_id=" note-error" if error else "",
                field_error=render(
                    '<p class="field-error" id="note-error"><span class="visually-hidden">'
                    "Error: </span>{error}</p>",
                    error=error,
                )
                if error
                else Safe(""),
            )
        )
    if status is TriageStatus.CLAIMED:
        parts.append(_button_form(f"{base}/unclaim", "Return to the queue", csrf, secondary=True))
    return render('<div class="actions">{parts}</div>', parts=join(parts))


@dataclass(frozen=True)
class ReplyForm:
    """The "message the resident" form: what is possible, and what was typed last time."""

    web_chat: bool = False  # the record came from the web chat
    sms_to: str | None = None  # the consented UK mobile, when there is one
    text: str = ""
    sms: bool = False
    error: str | None = None


def _reply(record: TriageRecord, viewer: Viewer, form: ReplyForm) -> Safe:
    """Staff write to the resident: into the web chat, and by text with consent."""
    if not form.web_chat and not form.sms_to:
        return Safe(
            "<p>You cannot message this resident from here: they did not use the web chat "
            "and gave no consent or mobile number for a text. Call them if they gave a "
            "number, or wait for them to get in touch with the reference.</p>"
        )
    where = (
        "It appears in the resident's web chat with your name, while their chat is open."
        if form.web_chat
        else "The resident did not use the web chat: it goes as a text message."
    )
    if form.sms_to and form.web_chat:
        sms = render(
            '<div class="field checkbox"><input type="checkbox" id="send_sms" name="send_sms" '
            'value="1"{checked}><label for="send_sms">Also send it as a text message to '
            "{number}</label></div>",
            checked=Safe(" checked") if form.sms else Safe(""),
            number=form.sms_to,
        )
    elif form.sms_to:
        sms = render(
            '<input type="hidden" name="send_sms" value="1">'
            "<p>It will be sent as a text message to {number}.</p>",
            number=form.sms_to,
        )
    else:
        sms = Safe("<p>No text message: the resident gave no consent or no UK mobile number.</p>")
    error = form.error
    return render(
        '<form method="post" action="{action}" novalidate>{csrf}'
        '<div class="field{error_class}"><label for="reply">Your message</label>'
        '<p class="hint" id="reply-hint">{where} It is kept in the record and the '
        "history. Up to {limit} characters.</p>{field_error}"
        '<textarea id="reply" name="message" rows="4" maxlength="{limit}" '
        'aria-describedby="reply-hint{error_id}">{text}</textarea></div>'
        '{sms}<button type="submit" class="button">Send message</button></form>',
        action=f"/staff/triage/{record.reference}/reply",
        csrf=_csrf_field(viewer),
        where=where,
        limit=REPLY_MAX_LENGTH,
        text=form.text,
        sms=sms,
        error_class=" field--error" if error else "",
        error_id=" reply-error" if error else "",
        field_error=render(
            '<p class="field-error" id="reply-error"><span class="visually-hidden">'
            "Error: </span>{error}</p>",
            error=error,
        )
        if error
        else Safe(""),
    )


def _button_form(action: str, label: str, csrf: Safe, secondary: bool = False) -> Safe:
    return render(
        '<form method="post" action="{action}">{csrf}'
        '<button type="submit" class="button{variant}">{label}</button></form>',
        action=action,
        csrf=csrf,
        label=label,
        variant=" button--secondary" if secondary else "",
    )


# "from new to claimed; assignee: cara" in an audit row's details, shown in words.
_MOVE_DETAIL = re.compile(r"\bfrom (?P<old>[a-z]+) to (?P<new>[a-z]+)\b")
_ASSIGNEE_DETAIL = re.compile(r"\bassignee: (?P<who>[\w.@-]+)")


def _audit_detail(detail: str | None, names: Mapping[str, str]) -> str:
    """An audit row's details with status codes and usernames in words."""
    if not detail:
        return ""
    text = _MOVE_DETAIL.sub(
        lambda m: f"from {triage_labels.status(m['old'])} to {triage_labels.status(m['new'])}",
        detail,
    )
    return _ASSIGNEE_DETAIL.sub(
        lambda m: "assigned to " + ("nobody" if m["who"] == "none" else _person(m["who"], names)),
        text,
    )


def _looks(entries: Sequence[TriageAuditEntry], names: Mapping[str, str]) -> Safe:
    """Views and listings as counts per person, instead of a row for each."""
    opened: dict[str, int] = {}
    listed = 0
    for entry in entries:
        if entry.action == "view":
            who = _person(entry.actor, names)
            opened[who] = opened.get(who, 0) + 1
        elif entry.action == "list":
            listed += 1
    if not opened and not listed:
        return Safe("")

    def times(count: int) -> str:
        return "once" if count == 1 else f"{count} times"

    parts = [
        render("<li>Opened by {who} {times}</li>", who=who, times=times(count))
        for who, count in sorted(opened.items())
    ]
    if listed:
        parts.append(render("<li>Shown in a queue or list {times}</li>", times=times(listed)))
    return render(
        '<h3 id="views">Views</h3><p>Every view is kept in the audit log; here they are '
        'counted.</p><ul class="list">{parts}</ul>',
        parts=join(parts),
    )


def _audit(entries: Sequence[TriageAuditEntry], names: Mapping[str, str]) -> Safe:
    """The record's history: changes and messages listed, views counted."""
    changes = [entry for entry in entries if entry.action not in LOOK_ACTIONS]
    rows = join(
        render(
            '<tr><td><time datetime="{iso}">{when}</time></td><td>{actor}</td>'
            "<td>{action}</td><td>{detail}</td></tr>",
            iso=entry.at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            when=local_time(entry.at),
            actor=_person(entry.actor, names),
            action=triage_labels.audit_action(entry.action),
            detail=_audit_detail(entry.detail, names),
        )
        for entry in changes
    )
    table = (
        render(
            "<table><caption>Changes and messages, oldest first</caption>"
            '<thead><tr><th scope="col">When</th><th scope="col">Who</th>'
            '<th scope="col">What</th><th scope="col">Details</th></tr></thead>'
            "<tbody>{rows}</tbody></table>",
            rows=rows,
        )
        if changes
        else Safe("<p>No changes yet.</p>")
    )
    return render("{table}{looks}", table=table, looks=_looks(entries, names))


def _linked(linked: Sequence[str]) -> Safe:
    """The other records from the same conversation, as links."""
    if not linked:
        return Safe("<p>No other record came from this conversation.</p>")
    return render(
        '<ul class="list">{items}</ul>',
        items=join(
            render('<li><a href="/staff/triage/{ref}">Triage record {ref}</a></li>', ref=ref)
            for ref in linked
        ),
    )


def _banner(done: str | None) -> Safe:
    """The success banner after a change (post-redirect-get), focusable for screen readers."""
    if done not in DONE_MESSAGES:
        return Safe("")
    title, text = DONE_MESSAGES[done]
    return render(
        '<div class="notice notice--success" role="status" aria-labelledby="banner-title">'
        '<h2 id="banner-title" tabindex="-1">{title}</h2><p>{text}</p></div>',
        title=title,
        text=text,
    )


def record_page(
    *,
    record: TriageRecord,
    audit: Sequence[TriageAuditEntry],
    viewer: Viewer,
    note: str = "",
    error: str | None = None,
    resident_note: str = "",
    reply: ReplyForm | None = None,
    done: str | None = None,
    linked: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
    now: datetime | None = None,
    links_to: ReferenceLinks,
) -> Safe:
    """A record's full view: details, links, contact, actions, messages, conversation, history.

    Args:
        record: the record.
        audit: its audit log, oldest first.
        viewer: the signed-in staff member.
        note: the resolution note typed last time (after an error).
        error: why the last resolve attempt failed.
        resident_note: the note for the resident typed last time (after an error).
        reply: the message form (what is possible; what was typed, after an error).
        done: the change just made (``claimed``, ``released``, ``reopened``, ``resolved``,
            ``sent``): a success banner says so.
        linked: the references of the other records from the same conversation.
        names: the display name of each staff username shown.
        now: the current time, for the due-by.
        links_to: where each reference the conversation gave links.

    Returns:
        The HTML document.
    """
    reply = reply or ReplyForm()
    names = names or {}
    errors = [("note", error)] if error else []
    if reply.error:
        errors.append(("reply", reply.error))
    main = render(
        "{summary}{banner}"
        '<p><a href="/staff">Back to the queue</a></p>'
        "<h1>Triage record {reference}</h1>"
        '<p class="pre-wrap">{text}</p>'
        "{details}"
        "<h2>References and account</h2>{links}"
        '<h2 id="linked-records">Other records from this conversation</h2>{linked}'
        "<h2>Contact details</h2>{contact}"
        "<h2>Actions</h2>{actions}"
        '<h2 id="message-the-resident">Message the resident</h2>{reply}'
        '<h2 id="conversation">Conversation</h2>{transcript}'
        '<h2 id="history">History</h2>{audit}',
        summary=_error_summary(errors),
        banner=Safe("") if errors else _banner(done),
        reference=record.reference,
        text=record.summary,
        details=_details(record, names, now or datetime.now(timezone.utc)),
        links=_links(record, links_to),
        linked=_linked(linked),
        contact=_contact(record),
        actions=_actions(record, viewer, note, error, resident_note),
        reply=_reply(record, viewer, reply),
        transcript=_transcript(record),
        audit=_audit(audit, names),
    )
    title = f"Triage record {record.reference}"
    return layout(f"Error: {title}" if errors else title, main, viewer)


def message_page(title: str, message: str, viewer: Viewer | None = None) -> Safe:
    """A short page for an error or a refused action, with a way back to the queue.

    Args:
        title: the heading.
        message: one or two sentences.
        viewer: the signed-in staff member, if any.

    Returns:
        The HTML document.
    """
    main = render(
        '<h1>{title}</h1><p>{message}</p><p><a href="/staff">Back to the queue</a></p>',
        title=title,
        message=message,
    )
    return layout(title, main, viewer)
