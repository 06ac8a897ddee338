"""Database engine, sessions and schema migrations of Front Door's web service.

This module owns the connection to the database named by the settings (SQLite by default,
PostgreSQL when the URL says so) and the schema's version history. ``schema_version`` holds
one row per applied migration; ``apply_migrations`` runs, in order and inside one
transaction, every migration newer than the database, so an existing database upgrades in
place when a release adds a migration.

Adding a migration: append ``Migration(<next version>, "<what it does>", <function>)`` to
``MIGRATIONS``; the function receives the connection and changes the schema (and the
models in ``models.py`` describe the result). Never edit a migration that has shipped.
One schema history covers every table, the development stand-in's (``stand_in/``) too,
so migrations spell their tables out and never import the stand-in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from lib import sqlite
from web.core.config import Settings
from web.models import Base, UTCDateTime

logger = logging.getLogger(__name__)

# Any fixed number: serialises migrations when several processes start at once on PostgreSQL.
_MIGRATION_LOCK_KEY = 3110_2026

schema_metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    schema_metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _initial_tables(connection: Connection) -> None:
    """Version 1: the service request and status history tables (the stand-in Open311 CRM).

    Spelt out as shipped, like version 2: their models live in ``stand_in/``, which this
    module does not import.
    """
    metadata = sa.MetaData()
    sa.Table(
        "service_requests",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_request_id", sa.String(16), nullable=False, unique=True),
        sa.Column("service_code", sa.String(64), nullable=False, index=True),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(40), nullable=False, index=True),
        sa.Column("status_notes", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("agency_responsible", sa.String(200), nullable=True),
        sa.Column("service_notice", sa.Text, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("long", sa.Float, nullable=True),
        sa.Column("address_string", sa.String(500), nullable=True),
        sa.Column("address_id", sa.String(100), nullable=True),
        sa.Column("zipcode", sa.String(16), nullable=True),
        sa.Column("media_url", sa.String(2000), nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("device_id", sa.String(100), nullable=True),
        sa.Column("account_id", sa.String(100), nullable=True),
        sa.Column("requested_at", UTCDateTime, nullable=False, index=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("expected_at", UTCDateTime, nullable=True),
    )
    history = sa.Table(
        "report_status_history",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "service_request_pk",
            sa.Integer,
            sa.ForeignKey("service_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(40), nullable=True),
        sa.Column("to_status", sa.String(40), nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
    )
    sa.Index("ix_report_status_history_request", history.c.service_request_pk, history.c.changed_at)
    metadata.create_all(connection)


def _triage_tables(connection: Connection) -> None:
    """Version 2: the triage queue, its audit log and staff accounts.

    The tables are spelt out here, frozen as shipped, rather than taken from ``models.py``:
    a later migration that changes a model must not change what this one created.
    """
    metadata = sa.MetaData()
    records = sa.Table(
        "triage_records",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False, index=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("category", sa.String(32), nullable=False, index=True),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("vulnerability", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("transcript", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("interpreter", sa.Boolean, nullable=False),
        sa.Column("assisted", sa.Boolean, nullable=False),
        sa.Column("journey", sa.String(100), nullable=True),
        sa.Column("what_was_tried", sa.Text, nullable=True),
        sa.Column("last_failure", sa.Text, nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Column("transcript_purged_at", UTCDateTime, nullable=True),
    )
    sa.Index("ix_triage_records_queue", records.c.status, records.c.priority, records.c.created_at)
    audit = sa.Table(
        "triage_audit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "triage_record_pk",
            sa.Integer,
            sa.ForeignKey("triage_records.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    sa.Index("ix_triage_audit_record", audit.c.triage_record_pk, audit.c.at)
    sa.Table(
        "staff_accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    metadata.create_all(connection)


def _insight_tables(connection: Connection) -> None:
    """Version 7: service insight: outcome events and unanswered questions (issue #10).

    Spelt out, frozen as shipped, like version 2.
    """
    metadata = sa.MetaData()
    events = sa.Table(
        "insight_events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("journey", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("assisted", sa.Boolean, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("hour_of_day", sa.SmallInteger, nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("conversation_hash", "started_at", name="uq_insight_events_session"),
    )
    sa.Index("ix_insight_events_started", events.c.started_at)
    sa.Index("ix_insight_events_channel_started", events.c.channel, events.c.started_at)
    unanswered = sa.Table(
        "insight_unanswered",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("asked_at", UTCDateTime, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("best_guess", sa.String(100), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.UniqueConstraint("conversation_hash", "asked_at", name="uq_insight_unanswered_message"),
    )
    sa.Index("ix_insight_unanswered_asked_at", unanswered.c.asked_at)
    rollup = sa.Table(
        "insight_rollup",
        metadata,
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(32), primary_key=True),
        sa.Column("outcome", sa.String(24), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.BigInteger, nullable=False),
        sa.Column("assisted", sa.Integer, nullable=False),
    )
    sa.Index("ix_insight_rollup_dimension_day", rollup.c.dimension, rollup.c.day, rollup.c.channel)
    metadata.create_all(connection)


def _pc_booking_tables(connection: Connection) -> None:
    """Version 3: public PC bookings (issue #5), spelt out as shipped.

    The UNIQUE constraint on (place, PC, slot start) is what stops two residents booking
    the same PC at the same time, even when their requests arrive together.
    """
    metadata = sa.MetaData()
    sa.Table(
        "pc_bookings",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("place_id", sa.String(100), nullable=False),
        sa.Column("pc_number", sa.Integer, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("cancelled_at", UTCDateTime, nullable=True),
    )
    sa.Table(
        "pc_booking_slots",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "booking_id",
            sa.Integer,
            sa.ForeignKey("pc_bookings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("place_id", sa.String(100), nullable=False),
        sa.Column("pc_number", sa.Integer, nullable=False),
        sa.Column("slot_start", UTCDateTime, nullable=False),
        sa.UniqueConstraint("place_id", "pc_number", "slot_start", name="uq_pc_booking_slot"),
    )
    metadata.create_all(connection)


# The stand-in CRM's sample accounts, read as data (this module never imports stand_in/).
SAMPLE_ACCOUNTS_PATH = (
    Path(__file__).resolve().parents[1] / "stand_in" / "data" / "council_tax_accounts.yml"
)


def _council_tax_tables(connection: Connection) -> None:
    """Version 4: council tax accounts (SAMPLE accounts seeded), cases, broadband applications.

    Spelt out as shipped, like version 2.
    """
    metadata = sa.MetaData()
    accounts = sa.Table(
        "council_tax_accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_reference", sa.String(16), nullable=False, unique=True),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("band", sa.String(1), nullable=False),
        sa.Column("balance_pence", sa.Integer, nullable=False),
        sa.Column("instalments", sa.Integer, nullable=False),
        sa.Column("next_instalment_date", sa.Date, nullable=True),
        sa.Column("next_instalment_pence", sa.Integer, nullable=True),
        sa.Column("sample_data", sa.Boolean, nullable=False),
        sa.Column("failed_verifications", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
    )
    sa.Table(
        "council_tax_cases",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("council_tax_accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "broadband_applications",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("business_name", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("staff_count", sa.Integer, nullable=False),
        sa.Column("current_speed_mbps", sa.Float, nullable=False),
        sa.Column("voucher_pounds", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    metadata.create_all(connection)
    if not SAMPLE_ACCOUNTS_PATH.exists():
        return  # a deployment without the stand-in keeps the tables empty
    seed = yaml.safe_load(SAMPLE_ACCOUNTS_PATH.read_text(encoding="utf-8"))
    rows = [
        {
            **account,
            "account_reference": str(account["account_reference"]),
            "sample_data": bool(seed.get("sample_data", True)),
            "failed_verifications": 0,
            "locked_until": None,
        }
        for account in seed["accounts"]
    ]
    if rows:
        connection.execute(accounts.insert(), rows)


def _sms_outbox(connection: Connection) -> None:
    """Version 5: the SMS outbox (issue #6; versions 3 and 4 belong to other issues)."""
    Base.metadata.create_all(connection, tables=[Base.metadata.tables["sms_outbox"]])


def _assisted_pc_bookings(connection: Connection) -> None:
    """Version 8: mark PC bookings that library staff made in an assisted session (issue #6).

    ``assisted`` defaults to false, so every earlier booking reads as the resident's own;
    ``assisted_by`` is the staff member's username, for the record of who booked.
    """
    connection.execute(
        sa.text("ALTER TABLE pc_bookings ADD COLUMN assisted BOOLEAN NOT NULL DEFAULT FALSE")
    )
    connection.execute(sa.text("ALTER TABLE pc_bookings ADD COLUMN assisted_by VARCHAR(64)"))


def _pc_booking_owner(connection: Connection) -> None:
    """Version 9: the conversation that made each PC booking (issue #15).

    Only that conversation may cancel the booking. Earlier bookings have none, so the API
    cannot cancel them: staff can, and they end on their own.
    """
    connection.execute(sa.text("ALTER TABLE pc_bookings ADD COLUMN conversation_id VARCHAR(200)"))


def _staff_sessions(connection: Connection) -> None:
    """Version 10: server-side staff sessions and the sign-in throttle (issue #15).

    A session lives until it expires or is ended (sign-out, "Finish session"), so a copied
    cookie stops working. The throttle counts failed sign-ins per account, per client and
    per account from one client. Spelt out as shipped, like version 2.
    """
    metadata = sa.MetaData()
    sa.Table(
        "staff_sessions",
        metadata,
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "login_throttle",
        metadata,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", UTCDateTime, nullable=False),
        sa.Column("blocked_until", UTCDateTime, nullable=True),
    )
    metadata.create_all(connection)


def _web_chat_conversations(connection: Connection) -> None:
    """Version 11: each resident web chat conversation and the browser it belongs to.

    The browser is known by the HttpOnly cookie the council services set; another browser
    with the conversation id alone is refused (issue #15). Spelt out as shipped.
    """
    metadata = sa.MetaData()
    sa.Table(
        "web_chat_conversations",
        metadata,
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("browser_hash", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    metadata.create_all(connection)


def _delivery_tables(connection: Connection) -> None:
    """Version 12: idempotency keys and undelivered items (issue #15 item 6).

    Spelt out as shipped, like version 2.
    """
    metadata = sa.MetaData()
    sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("result_reference", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    )
    undelivered = sa.Table(
        "undelivered_items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("record_reference", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("held_at", UTCDateTime, nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
        sa.Column("reported_at", UTCDateTime, nullable=False),
    )
    sa.Index("ix_undelivered_items_failed_at", undelivered.c.failed_at)
    metadata.create_all(connection)


def _caller_lockouts(connection: Connection) -> None:
    """Version 13: failed council tax verifications counted per caller (issue #15).

    A caller (one conversation) that fails too often is locked out of that account; the
    account itself is not, so a stranger's wrong surnames cannot lock out the resident.
    Also an index for counting one conversation's PC bookings (the per-conversation cap).
    """
    metadata = sa.MetaData()
    table = sa.Table(
        "verification_lockouts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("caller_key", sa.String(64), nullable=False),
        sa.Column("account_reference", sa.String(32), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("caller_key", "account_reference", name="uq_verification_lockout"),
    )
    table.create(connection)
    connection.execute(
        sa.text("CREATE INDEX ix_pc_bookings_conversation_id ON pc_bookings (conversation_id)")
    )


def _staff_roles(connection: Connection) -> None:
    """Version 14: each staff account's role (issue #18: least privilege).

    Accounts made before roles were working the triage queue, so they become caseworkers.
    """
    connection.execute(
        sa.text(
            "ALTER TABLE staff_accounts ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'caseworker'"
        )
    )


def _insight_tasks(connection: Connection) -> None:
    """Version 15: tasks per outcome event, answer feedback (issue #18). Spelt out."""
    metadata = sa.MetaData()
    sa.Table("insight_events", metadata, sa.Column("id", sa.Integer, primary_key=True))
    tasks = sa.Table(
        "insight_tasks",
        metadata,
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("insight_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("tasks", sa.Integer, nullable=False),
    )
    sa.Index("ix_insight_tasks_day", tasks.c.day, tasks.c.channel)
    feedback = sa.Table(
        "insight_feedback",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("given_at", UTCDateTime, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
    )
    sa.Index("ix_insight_feedback_conversation", feedback.c.conversation_hash, feedback.c.given_at)
    tasks.create(connection)
    feedback.create(connection)


def _feedback_channel(connection: Connection) -> None:
    """Version 16: where answer feedback was given (issue #18: the phone line asks too).

    Feedback kept before then came from the web chat, the only channel that asked.
    """
    connection.execute(
        sa.text(
            "ALTER TABLE insight_feedback ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'web'"
        )
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables: service_requests, report_status_history", _initial_tables),
    Migration(2, "triage queue: triage_records, triage_audit, staff_accounts", _triage_tables),
    Migration(3, "public PC bookings: pc_bookings, pc_booking_slots", _pc_booking_tables),
    Migration(
        4,
        "council tax accounts (sample), council tax cases, broadband applications",
        _council_tax_tables,
    ),
    Migration(5, "sms outbox: sms_outbox", _sms_outbox),
    Migration(
        7, "service insight: insight_events, insight_unanswered, insight_rollup", _insight_tables
    ),
    Migration(
        8,
        "assisted PC bookings: pc_bookings.assisted, pc_bookings.assisted_by",
        _assisted_pc_bookings,
    ),
    Migration(9, "who may cancel a PC booking: pc_bookings.conversation_id", _pc_booking_owner),
    Migration(
        10, "staff sessions and sign-in throttle: staff_sessions, login_throttle", _staff_sessions
    ),
    Migration(
        11,
        "web chat conversations bound to a browser: web_chat_conversations",
        _web_chat_conversations,
    ),
    Migration(
        12, "safe delivery: idempotency_keys, undelivered_items (issue #15)", _delivery_tables
    ),
    Migration(
        13,
        "council tax lockouts per caller: verification_lockouts; pc_bookings conversation index",
        _caller_lockouts,
    ),
    Migration(14, "staff roles: staff_accounts.role", _staff_roles),
    Migration(15, "service insight: insight_tasks, insight_feedback (issue #18)", _insight_tasks),
    Migration(16, "answer feedback's channel: insight_feedback.channel", _feedback_channel),
)
LATEST_VERSION = MIGRATIONS[-1].version


def _sqlite_database_path(url: sa.engine.URL) -> Path | None:
    """Return the file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_db_engine(settings: Settings) -> Engine:
    """Build the engine for the configured database without connecting to it.

    For SQLite the shared settings of ``lib/sqlite.py`` apply (WAL, a busy timeout,
    foreign keys, real transactions that a write can begin ``IMMEDIATE``); the folder of
    the file is created if missing.

    Args:
        settings: the stand-in's settings.

    Returns:
        A SQLAlchemy 2.0-style engine.
    """
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or _sqlite_database_path(url) is not None:
        return sqlite.create_engine(url)
    # One shared connection, or every session would see its own empty database.
    return sqlite.create_engine(url, poolclass=StaticPool)


def begin_write(session: Session) -> None:
    """End the session's read transaction, if any, and begin a short write transaction.

    On SQLite the write transaction takes the write lock first (``BEGIN IMMEDIATE``), so it
    waits its turn instead of failing with "database is locked" when another writer
    committed since it read. Call it just before the writes; commit soon after.

    Args:
        session: the request's session; objects already loaded stay readable.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={sqlite.BEGIN_OPTION: "IMMEDIATE"})


def create_session_factory(engine: Engine) -> sessionmaker:
    """Return the factory of 2.0-style sessions bound to the engine.

    Args:
        engine: from ``create_db_engine``.

    Returns:
        A ``sessionmaker`` whose objects stay readable after commit.
    """
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)


def current_version(connection: Connection) -> int:
    """Return the schema version recorded in the database (0 when nothing is applied).

    Args:
        connection: an open connection.

    Returns:
        The highest applied version.
    """
    if not sa.inspect(connection).has_table("schema_version"):
        return 0
    found = connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(found or 0)


def apply_migrations(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the newest migration, in one transaction.

    Safe to call at every start: a database that is already current is left alone.

    Args:
        engine: the stand-in's engine.
        migrations: the schema history, in version order.

    Returns:
        The schema version after the call.

    Raises:
        RuntimeError: when the database is newer than this code knows about.
    """
    with engine.connect().execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"}) as connection:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            schema_metadata.create_all(connection)
            version = current_version(connection)
            known = migrations[-1].version if migrations else 0
            if version > known:
                raise RuntimeError(
                    f"the database is at schema version {version} but this code only knows "
                    f"up to {known}; upgrade the council services before starting them"
                )
            for migration in migrations:
                if migration.version <= version:
                    continue
                logger.info(
                    "Applying schema migration %d: %s", migration.version, migration.description
                )
                migration.apply(connection)
                connection.execute(
                    schema_version.insert().values(
                        version=migration.version,
                        description=migration.description,
                        applied_at=datetime.now(timezone.utc),
                    )
                )
                version = migration.version
    return version
