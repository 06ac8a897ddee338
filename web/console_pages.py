"""The staff console's pages: the view code that prepares what each template shows.

The markup is in ``templates/staff/`` (``layout.html`` for every staff page, ``console/``
for the queue, a record, sign-in and messages), rendered by ``templating.py`` with every
value escaped. Here are the labels, dates, links and rows the templates are given. No page
uses JavaScript; the style sheet is served locally from ``static/console.css``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from lib.references import find_references
from web import templating, triage_labels
from web.models import TriageAuditEntry, TriageRecord
from web.reference_links import ReferenceLinks
from web.roles import Area, may_use
from web.triage_due import due_by
from web.triage_models import REPLY_MAX_LENGTH, Category
from web.workflow import TriageStatus

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


def _due(record: TriageRecord, now: datetime) -> dict[str, object]:
    """The due-by time; overdue (said in words, not colour alone) when it has passed."""
    due = due_by(record.created_at, record.priority)
    resolved = record.status == TriageStatus.RESOLVED.value
    overdue = not resolved and due < now
    return {
        "iso": due.isoformat(timespec="seconds"),
        "when": local_time(due),
        "overdue": overdue,
        "left": "" if resolved or overdue else waiting_time(now, due),
    }


def _priority_tag(priority: int) -> dict[str, object]:
    return {"code": priority, "label": triage_labels.priority(priority)}


def _status_tag(status: str) -> dict[str, object]:
    return {"code": status, "label": triage_labels.status(status)}


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


def _menu(viewer: Viewer) -> list[tuple[str, str]]:
    """The console's menu, with only the links the viewer's role may use."""
    return [(href, label) for href, label, area in MENU if may_use(viewer.role, area)]


def page(template: str, *, title: str, viewer: Viewer | None = None, **values: object) -> Markup:
    """A whole staff page: a template that extends ``staff/layout.html``.

    Args:
        template: the page's template under ``web/templates/``.
        title: the page's own title (the service name is added).
        viewer: the signed-in staff member, for the header's menu, name and sign-out button.
        **values: the names the page's template uses.

    Returns:
        The HTML document.
    """
    menu = _menu(viewer) if viewer is not None else []
    return templating.render(template, title=title, viewer=viewer, menu=menu, **values)


# --- Sign in ----------------------------------------------------------------------------------


def login_page(*, csrf_token: str, error: str | None = None, username: str = "") -> Markup:
    """The sign-in form.

    Args:
        csrf_token: the token tied to the sign-in cookie (``core/security.py``).
        error: why the last attempt failed.
        username: what was typed last time, to save typing it again.

    Returns:
        The HTML document.
    """
    return page(
        "staff/console/login.html",
        title="Sign in" if not error else "Error: Sign in",
        errors=[("username", error)] if error else [],
        error=error,
        username=username,
        csrf_token=csrf_token,
    )


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


def _selects(filters: QueueFilters) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """The filter form's drop-down lists: name, label, (value, text) choices, the chosen one."""
    statuses = [(value, text) for value, (text, _) in STATUS_FILTERS.items()]
    priorities = [("", "Any priority")] + [(str(p), text) for p, text in PRIORITY_LABELS.items()]
    categories = [("", "Any category")] + [(c.value, text) for c, text in CATEGORY_LABELS.items()]
    return [
        ("status", "Status", statuses, filters.status),
        ("priority", "Priority", priorities, str(filters.priority or "")),
        ("category", "Category", categories, filters.category.value if filters.category else ""),
        ("due", "Due by", list(DUE_FILTERS.items()), filters.due),
        ("sort", "Order", list(SORT_ORDERS.items()), filters.sort),
    ]


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
) -> Markup:
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
    rows = [
        {
            "reference": record.reference,
            "priority": _priority_tag(record.priority),
            "category": _category(record.category),
            "summary": _preview(record.summary),
            "status": _status_tag(record.status),
            "assignee": _person(record.assignee, names),
            "due": _due(record, now),
            "iso": record.created_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "received": local_time(record.created_at),
            "waiting": waiting_time(record.created_at, now),
        }
        for record in records
    ]
    shown = f"{count} records" if count == len(records) else f"{len(records)} of {count} records"
    return page(
        "staff/console/queue.html",
        title="Triage queue" if not error else "Error: Triage queue",
        viewer=viewer,
        errors=[("status", error)] if error else [],
        filters=filters,
        selects=_selects(filters),
        rows=rows,
        shown="1 record" if count == 1 else shown,
        order=SORT_ORDERS.get(filters.sort, SORT_ORDERS[""]).lower(),
    )


# --- One record -------------------------------------------------------------------------------


def _details(record: TriageRecord, names: Mapping[str, str], now: datetime) -> dict[str, object]:
    """The record's details: its status and priority tags, due-by and (term, value) rows."""
    language = triage_labels.language(record.language) + (
        " (interpreter needed)" if record.interpreter else ""
    )
    flags = [triage_labels.flag(code) for code in record.vulnerability or []]
    return {
        "status": _status_tag(record.status),
        "priority": _priority_tag(record.priority),
        "due": _due(record, now),
        # The due-by row comes after the third of these (``record.html``).
        "rows": [
            ("Category", _category(record.category)),
            ("Assigned to", _person(record.assignee, names)),
            ("Received", local_time(record.created_at)),
            ("Channel", triage_labels.channel(record.channel)),
            ("Language", language),
            ("Helped by library staff", "Yes" if record.assisted else "No"),
            ("Vulnerability flags", ", ".join(flags) if flags else "None"),
            (
                "Journey",
                triage_labels.journey(record.journey) if record.journey else "Not recorded",
            ),
            ("What was tried", record.what_was_tried or "Not recorded"),
            ("Last failure", record.last_failure or "None"),
            ("Conversation id", record.conversation_id),
        ],
    }


def contact_rows(record: TriageRecord) -> list[tuple[str, str]]:
    """The resident's contact details as (term, value) rows; none when they gave none."""
    contact = record.contact
    if not contact:
        return []
    return [
        ("Name", contact.get("name") or "Not given"),
        ("Phone", contact.get("phone") or "Not given"),
        ("Email", contact.get("email") or "Not given"),
        *([("Address", contact["address"])] if contact.get("address") else []),
        (
            "Prefers",
            triage_labels.contact_preference(contact["preferred"])
            if contact.get("preferred")
            else "No preference",
        ),
    ]


def _transcript_line(entry: dict) -> dict[str, object]:
    role = entry.get("role", "")
    who = ROLE_LABELS.get(role, role)
    if role == "staff" and entry.get("name"):
        who = f"{who} ({entry['name']})"
    return {
        "role": role,
        "who": who,
        "at": entry.get("at", ""),
        "when": _entry_time(entry.get("at", "")),
        "text": entry.get("text", ""),
    }


def _transcript(record: TriageRecord) -> dict[str, object]:
    """The whole conversation; a long one shows its latest lines, the rest folded above."""
    if record.transcript_purged_at is not None:
        return {"purged": local_time(record.transcript_purged_at), "earlier": [], "latest": []}
    lines = [_transcript_line(entry) for entry in record.transcript or []]
    if len(lines) <= TRANSCRIPT_FOLD:
        return {"purged": "", "earlier": [], "latest": lines}
    return {
        "purged": "",
        "earlier": lines[:-TRANSCRIPT_SHOWN],
        "latest": lines[-TRANSCRIPT_SHOWN:],
    }


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


def _references(
    record: TriageRecord, links_to: ReferenceLinks
) -> list[tuple[str, str | None, str]]:
    """Every reference issued: what it names, where staff can open it (None: no page)."""
    found = []
    for reference, kind in references_in(record):
        label, href = links_to.page(kind, reference)
        found.append((label, href, reference))
    return found


def _entry_time(value: str) -> str:
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value


def _actions(record: TriageRecord) -> dict[str, bool]:
    """Which of the record's buttons and forms its status allows."""
    status = TriageStatus(record.status)
    return {
        "claim": status is TriageStatus.NEW,
        "reopen": status is TriageStatus.RESOLVED,
        "resolve": status in (TriageStatus.NEW, TriageStatus.CLAIMED),
        "unclaim": status is TriageStatus.CLAIMED,
    }


@dataclass(frozen=True)
class ReplyForm:
    """The "message the resident" form: what is possible, and what was typed last time."""

    web_chat: bool = False  # the record came from the web chat
    sms_to: str | None = None  # the consented UK mobile, when there is one
    text: str = ""
    sms: bool = False
    error: str | None = None


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


def _looks(entries: Sequence[TriageAuditEntry], names: Mapping[str, str]) -> list[str]:
    """Views and listings as counts per person, instead of a row for each."""
    opened: dict[str, int] = {}
    listed = 0
    for entry in entries:
        if entry.action == "view":
            who = _person(entry.actor, names)
            opened[who] = opened.get(who, 0) + 1
        elif entry.action == "list":
            listed += 1

    def times(count: int) -> str:
        return "once" if count == 1 else f"{count} times"

    looks = [f"Opened by {who} {times(count)}" for who, count in sorted(opened.items())]
    if listed:
        looks.append(f"Shown in a queue or list {times(listed)}")
    return looks


def _changes(entries: Sequence[TriageAuditEntry], names: Mapping[str, str]) -> list[dict[str, str]]:
    """The record's history rows: changes and messages (views are counted, not listed)."""
    return [
        {
            "iso": entry.at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "when": local_time(entry.at),
            "actor": _person(entry.actor, names),
            "action": triage_labels.audit_action(entry.action),
            "detail": _audit_detail(entry.detail, names),
        }
        for entry in entries
        if entry.action not in LOOK_ACTIONS
    ]


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
) -> Markup:
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
    title = f"Triage record {record.reference}"
    return page(
        "staff/console/record.html",
        title=f"Error: {title}" if errors else title,
        viewer=viewer,
        errors=errors,
        banner=None if errors else DONE_MESSAGES.get(done or ""),
        record=record,
        details=_details(record, names, now or datetime.now(timezone.utc)),
        account=verified_account(record),
        references=_references(record, links_to),
        linked=linked,
        contact=contact_rows(record),
        actions=_actions(record),
        note=note,
        error=error,
        resident_note=resident_note,
        reply=reply,
        reply_limit=REPLY_MAX_LENGTH,
        transcript=_transcript(record),
        changes=_changes(audit, names),
        looks=_looks(audit, names),
    )


def message_page(title: str, message: str, viewer: Viewer | None = None) -> Markup:
    """A short page for an error or a refused action, with a way back to the queue.

    Args:
        title: the heading.
        message: one or two sentences.
        viewer: the signed-in staff member, if any.

    Returns:
        The HTML document.
    """
    return page("staff/console/message.html", title=title, viewer=viewer, message=message)
