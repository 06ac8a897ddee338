"""Command line: ``python -m web [command] ...``.

Commands:
    serve (the default): run the web service with uvicorn on the configured host and port
        (default 127.0.0.1:8000); ``--host``/``--port`` work with or without ``serve``. The
        stand-ins of the council's systems are mounted when ``STAND_IN`` is on (default).
        ``serve --stand-in-only`` runs only the stand-ins, on ``STAND_IN_PORT`` (8100)
        unless ``--port`` says otherwise (``python -m web.stand_in`` does the same).
    create-staff USERNAME --role ROLE [--name "Display Name"] [--password-stdin]: add a
        staff console account with a role (library, caseworker, manager or admin; required,
        so no account gets more than it was meant to); the password is read from standard
        input with ``--password-stdin`` (``make create-staff`` adds it when standard input
        is not a terminal), else asked for twice without echo.
    purge [--days N]: apply every retention period once (``retention.py``): transcripts and
        unanswered questions (``TRANSCRIPT_RETENTION_DAYS``, or ``--days``), triage and
        Open311 contacts, Open311 descriptions, text messages and outcome events.
    retention-worker: the same purge now and every ``PURGE_INTERVAL_HOURS`` (``make run``
        starts it).
    insight-report --from DATE --to DATE --out DIR [--channel C]: write the service insight
        report for the period as HTML and CSV files.
    migrate: bring the database up to the newest schema revision (every other command and
        the server do it too when they start), then stop.
    seed: migrate, then add the stand-in's SAMPLE data the database lacks (the council tax
        accounts), unless ``STAND_IN`` is off. ``make run`` does it before starting.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any

from pydantic import ValidationError

from lib.log_format import KeyValueFormatter
from lib.private_files import private_umask
from lib.redacted_logs import install as install_redaction
from web.core.config import Settings
from web.core.db import create_db_engine, create_session_factory
from web.core.schema import upgrade_database
from web.roles import StaffRole

logger = logging.getLogger(__name__)

PROG = "python -m web"


def _server_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--host", default=default, help="interface to bind (default: COUNCIL_SERVICES_HOST)"
    )
    parser.add_argument(
        "--port", type=int, default=default, help="port to bind (default: COUNCIL_SERVICES_PORT)"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser: the server options plus the subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Front Door's web service: triage queue, staff console, directory and web chat,"
            " with stand-ins of the council's own systems for development."
        ),
    )
    _server_options(parser, None)
    parser.add_argument("--log-level", default="info", help="logging level (default: info)")
    commands = parser.add_subparsers(dest="command", metavar="command")

    serve = commands.add_parser("serve", help="run the server (the default)")
    # SUPPRESS: options given before the subcommand are not overwritten by its defaults.
    _server_options(serve, argparse.SUPPRESS)
    serve.add_argument(
        "--stand-in-only",
        action="store_true",
        help="serve only the stand-ins of the council's systems (default port: STAND_IN_PORT)",
    )

    create = commands.add_parser("create-staff", help="add a staff console account")
    create.add_argument("username", help="2 to 64 of a-z, 0-9, dot, hyphen, underscore")
    create.add_argument("--name", help="display name (default: the username)")
    create.add_argument(
        "--role",
        choices=[role.value for role in StaffRole],
        required=True,
        help="what the account may use: library, caseworker, manager or admin (required)",
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )

    purge = commands.add_parser("purge", help="remove personal data past its retention")
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help="transcript retention in days (default: TRANSCRIPT_RETENTION_DAYS)",
    )
    commands.add_parser("retention-worker", help="purge now and every PURGE_INTERVAL_HOURS")
    report = commands.add_parser("insight-report", help="write the service insight report")
    report.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--channel", default=None, help="web, ivr, library or api (default all)")
    report.add_argument("--out", required=True, help="folder for the HTML and CSV files")
    commands.add_parser("migrate", help="upgrade the database to the newest schema revision")
    commands.add_parser("seed", help="migrate, then add the stand-in's sample data")
    return parser


def _settings(**overrides: Any) -> Settings | None:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        logger.error("Council services cannot start: %s", problems)
        return None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from web.main import create_app

    stand_in_only = bool(getattr(args, "stand_in_only", False))
    settings = _settings()
    if settings is None:
        return 2
    host = args.host or settings.host
    port = args.port or (settings.stand_in_port if stand_in_only else settings.port)
    try:
        app = create_app(settings, stand_in_only=stand_in_only)
    except ValueError as exc:  # the catalogue and directory loaders name the bad file
        logger.error("Council services cannot start: %s", exc)
        return 2
    what = "Stand-in of the council's systems" if stand_in_only else "Council services"
    logger.info("%s on http://%s:%d/", what, host, port)
    uvicorn.run(app, host=host, port=port, ws="none", log_level=args.log_level)
    return 0


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        logger.error("The passwords do not match")
        return None
    return password


def _create_staff(args: argparse.Namespace) -> int:
    from web.crud_staff import StaffAccountError, create_staff

    settings = _settings()
    if settings is None:
        return 2
    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    engine = create_db_engine(settings)
    try:
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            account = create_staff(
                session,
                username=args.username,
                password=password,
                display_name=args.name,
                role=args.role,
            )
            sys.stdout.write(
                f"Created staff account {account.username} ({account.display_name}),"
                f" role {account.role}\n"
            )
    except StaffAccountError as exc:
        logger.error("Cannot create the account: %s", exc)
        return 1
    finally:
        engine.dispose()
    return 0


def _purge(args: argparse.Namespace) -> int:
    from web.retention import RetentionPolicy, purge_all

    settings = _settings()
    if settings is None:
        return 2
    if args.days is not None and args.days < 0:
        logger.error("--days cannot be negative")
        return 2
    policy = RetentionPolicy.from_settings(settings, transcript_days=args.days)
    engine = create_db_engine(settings)
    try:
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            counts = purge_all(session, policy)
    finally:
        engine.dispose()
    sys.stdout.write("".join(f"{line}\n" for line in counts.lines(policy)))
    return 0


def _retention_worker() -> int:
    import threading

    from lib.periodic import stop_on_signals
    from web.retention import (
        RetentionPolicy,
        run_retention_worker,
        worker_sessions,
    )

    settings = _settings()
    if settings is None:
        return 2
    stop = threading.Event()
    restore_signals = stop_on_signals(stop)
    engine = create_db_engine(settings)
    try:
        upgrade_database(engine)
        logger.info("Retention worker: purging every %g hours", settings.purge_interval_hours)
        run_retention_worker(
            worker_sessions(engine),
            RetentionPolicy.from_settings(settings),
            settings.purge_interval_hours * 3600,
            stop,
        )
    finally:
        engine.dispose()
        restore_signals()
    return 0


def _insight_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from web import insight
    from web.insight_report import write_report

    settings = _settings()
    if settings is None:
        return 2
    try:
        filters = insight.parse_filters(args.date_from, args.date_to, args.channel)
        costs = insight.load_costs(settings.insight_costs_path)
    except (insight.FilterError, insight.CostsFileError) as exc:
        logger.error("Cannot write the report: %s", exc)
        return 2
    engine = create_db_engine(settings)
    try:
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            figures = insight.compute_insight(session, filters, costs, settings.insight_idle_s)
    finally:
        engine.dispose()
    written = write_report(figures, filters, Path(args.out))
    sys.stdout.write("".join(f"Wrote {path}\n" for path in written))
    return 0


def _migrate() -> int:
    settings = _settings()
    if settings is None:
        return 2
    engine = create_db_engine(settings)
    try:
        revision = upgrade_database(engine)
    finally:
        engine.dispose()
    sys.stdout.write(f"The database is at schema revision {revision}\n")
    return 0


def _seed() -> int:
    from web.main import seed_sample_data

    settings = _settings()
    if settings is None:
        return 2
    engine = create_db_engine(settings)
    try:
        if not settings.stand_in:
            upgrade_database(engine)
            logger.info("The stand-in is off (STAND_IN=false): no sample data to add")
            return 0
        added = seed_sample_data(engine)
    finally:
        engine.dispose()
    sys.stdout.write(f"Sample data: {added} rows added\n")
    return 0


def _secrets() -> list[str]:
    """The secrets of the environment's settings, which no log line may show."""
    try:
        return Settings().secret_values()
    except ValidationError:
        return []  # the command reports the settings problem itself


def _council() -> str:
    """The council's slug for every log line ("" while the settings are unreadable)."""
    try:
        return Settings().council_dir.name
    except (ValidationError, OSError, KeyError, TypeError):
        return ""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command (``serve`` when none is given).

    Args:
        argv: the arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = build_parser().parse_args(argv)
    private_umask()
    handler = logging.StreamHandler()
    # Prints the ids passed as ``extra``, and the council, on every line.
    handler.setFormatter(KeyValueFormatter(council=_council()))
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler])
    # Alembic lists the plugins it loads at every start; the upgrades it runs still show.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    install_redaction(_secrets())
    if args.command == "create-staff":
        return _create_staff(args)
    if args.command == "purge":
        return _purge(args)
    if args.command == "retention-worker":
        return _retention_worker()
    if args.command == "insight-report":
        return _insight_report(args)
    if args.command == "migrate":
        return _migrate()
    if args.command == "seed":
        return _seed()
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
