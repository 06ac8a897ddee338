"""Command line of the runtime: ``python -m bot <command>``.

Commands:
    run            train if needed, start every service, print the URLs; Ctrl-C stops all
    run-scaled     the same with two Rasa and two action servers behind nginx, on
                   PostgreSQL and Redis (see bot/launcher/scaled_stack.py)
    train          train the model if the training inputs changed (``--force`` to retrain)
    model-path     print the path of the model for the current training inputs
    outbox-worker  deliver held reports to the council services until stopped
    outbox list    the held items the council services refused, with reference and reason
    outbox retry   send a refused item again: ``outbox retry <reference>``
    insight-worker post one outcome event per ended conversation session until stopped
    insight-set-aside  list the conversations the insight worker set aside, and why
    purge          delete conversations and delivered outbox items past retention
    retention-worker  the same purge now and every PURGE_INTERVAL_HOURS (``make run`` starts it)
    kb-check       fail when a knowledge-base answer lacks a source or the domain disagrees
    kb-sync        regenerate the domain files of service answers from kb/facts/
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from bot import logging as bot_logging
from bot.settings import Settings
from lib.private_files import private_umask

if TYPE_CHECKING:
    from workers.insight import InsightWorker
    from workers.outbox import OutboxWorker


def _run(settings: Settings, scaled: bool = False) -> int:
    import os
    import time

    from bot.launcher import startup
    from bot.launcher.ports import PortInUse
    from bot.launcher.serve import serve
    from bot.launcher.stack import Stack
    from bot.nlu.encoder_files import encoder_dir, ensure_encoder_files
    from bot.training import ensure_model

    settings.check_secrets()
    times = startup.StageTimes.load()
    began = os.environ.get(startup.STARTED_AT_ENV)
    if not began:  # started directly, not by ``make run``: show the plan here
        startup.print_line(startup.describe(startup.plan(startup.look(), times), times))
    started_at = float(began) if began else time.time()
    lines = startup.StageLines(startup.print_line, times)
    startup.encoder_stage(lines, encoder_dir(), ensure_encoder_files)
    model = ensure_model(settings.models_dir, lines=lines)
    if scaled:
        from bot.launcher.scaled_stack import ScaledStack, ScaledStackError

        try:
            stack: Stack = ScaledStack(settings, model, settings.council_services_database_url)
        except ScaledStackError as error:
            sys.stderr.write(f"Cannot start the scaled stack: {error}\n")
            return 2
    else:
        stack = Stack(settings, model)
    try:
        stack.check_ports()
    except PortInUse as error:
        sys.stderr.write(f"{error}\n")
        return 2
    return serve(stack, lines=lines, started_at=started_at, record_loading=not scaled)


def build_outbox_worker(settings: Settings) -> OutboxWorker:
    """The outbox worker, its Open311 and triage clients each at their own URL setting."""
    from bot.councils.profile import cached_profile
    from integrations.open311 import get_open311_client
    from integrations.outbox import Outbox
    from integrations.triage import get_triage_client
    from workers.outbox import OutboxWorker

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    jurisdiction = (
        settings.open311_jurisdiction_id or cached_profile(settings.council_dir).jurisdiction_id
    )
    return OutboxWorker(
        Outbox(settings.database),
        get_open311_client(settings.client_endpoint("open311"), jurisdiction),
        base_s=settings.outbox_retry_base_s,
        max_s=settings.outbox_retry_max_s,
        triage=get_triage_client(settings.client_endpoint("triage")),
    )


def _outbox_worker(settings: Settings) -> int:
    worker = build_outbox_worker(settings)
    try:
        asyncio.run(worker.run_forever(settings.outbox_poll_s))
    except KeyboardInterrupt:
        pass
    return 0


def _retention_worker(settings: Settings) -> int:
    import threading

    from lib.periodic import stop_on_signals
    from workers import retention

    stop = threading.Event()
    restore_signals = stop_on_signals(stop)
    try:
        retention.run_retention_worker(settings, settings.purge_interval_hours * 3600, stop)
    finally:
        restore_signals()
    return 0


def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    from integrations.outbox import Outbox
    from workers import outbox_cli

    private_umask()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    outbox = Outbox(settings.database)
    try:
        if args.outbox_command == "retry":
            return outbox_cli.retry(outbox, args.reference, sys.stdout, sys.stderr)
        return outbox_cli.list_failed(outbox, sys.stdout)
    finally:
        outbox.engine.dispose()


def build_insight_worker(settings: Settings) -> InsightWorker:
    """The insight worker, its client at the ``INSIGHT_URL`` setting."""
    from integrations.insight import get_insight_client
    from workers.insight import InsightWorker
    from workers.outcomes import load_rules

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return InsightWorker(
        settings.tracker_store,
        settings.database,
        get_insight_client(settings.client_endpoint("insight")),
        load_rules(settings.kb_dir / "insight" / "outcomes.yml"),
        settings.insight_hash_secret.get_secret_value(),
        idle_s=settings.insight_idle_s,
        lookback_s=settings.insight_lookback_hours * 3600,
    )


def _insight_worker(settings: Settings) -> int:
    worker = build_insight_worker(settings)
    try:
        asyncio.run(worker.run_forever(settings.insight_poll_s))
    except KeyboardInterrupt:
        pass
    finally:
        worker.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every service")
    sub.add_parser("run-scaled", help="two Rasa and two action servers behind nginx")
    train = sub.add_parser("train", help="train the model if the inputs changed")
    train.add_argument("--force", action="store_true", help="retrain even if cached")
    sub.add_parser("model-path", help="print the model path for the current inputs")
    sub.add_parser("outbox-worker", help="deliver held reports")
    outbox = sub.add_parser("outbox", help="held items the council services refused")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_sub.add_parser("list", help="failed items with their reference and reason")
    retry = outbox_sub.add_parser("retry", help="send a failed item again")
    retry.add_argument("reference", help="the item's reference, e.g. HR-7K3Q9X or FD-7K3Q9X")
    sub.add_parser("insight-worker", help="post outcome events of ended conversations")
    sub.add_parser("retention-worker", help="purge old data now and every PURGE_INTERVAL_HOURS")
    sub.add_parser("insight-set-aside", help="list items the insight worker set aside")
    purge = sub.add_parser("purge", help="delete data older than the retention period")
    purge.add_argument("--days", type=int, default=None, help="TRANSCRIPT_RETENTION_DAYS")
    sub.add_parser("kb-check", help="check the knowledge base against the domain")
    sub.add_parser("kb-sync", help="regenerate the domain's service answers from kb/")
    args = parser.parse_args(argv)

    settings = Settings()
    bot_logging.configure(secrets=settings.secret_values(), council=settings.council_slug)
    if args.command == "run":
        return _run(settings)
    if args.command == "run-scaled":
        return _run(settings, scaled=True)
    if args.command == "train":
        from bot.training import ensure_model

        sys.stdout.write(f"{ensure_model(settings.models_dir, force=args.force)}\n")
        return 0
    if args.command == "model-path":
        from bot.training import model_path

        sys.stdout.write(f"{model_path(settings.models_dir)}\n")
        return 0
    if args.command == "outbox-worker":
        private_umask()
        return _outbox_worker(settings)
    if args.command == "outbox":
        return _outbox(settings, args)
    if args.command == "insight-worker":
        private_umask()
        return _insight_worker(settings)
    if args.command == "insight-set-aside":
        from workers.insight import set_aside_sessions

        found = set_aside_sessions(settings.database)
        for item in found:
            sys.stdout.write(f"{item.at:%Y-%m-%d %H:%M} {item.key}: {item.reason}\n")
        sys.stdout.write(f"{len(found)} item(s) set aside.\n")
        return 0
    if args.command == "purge":
        from workers.retention import purge_all

        sys.stdout.write("".join(f"{line}\n" for line in purge_all(settings, args.days).lines()))
        return 0
    if args.command == "retention-worker":
        private_umask()
        return _retention_worker(settings)
    if args.command in ("kb-check", "kb-sync"):
        return _knowledge(settings, args.command)
    return 2


def _knowledge(settings: Settings, command: str) -> int:
    from bot.content import knowledge
    from bot.settings import REPO_ROOT

    domain_dir = REPO_ROOT / "domain"
    if command == "kb-sync":
        try:
            changed = knowledge.sync(settings.kb_dir, domain_dir, REPO_ROOT, settings.council_dir)
        except knowledge.KnowledgeError as error:
            sys.stderr.write(f"{error}\n")
            return 1
        for path in changed:
            sys.stdout.write(f"wrote {path}\n")
        sys.stdout.write(f"{len(changed)} domain file(s) changed.\n")
        return 0
    problems = knowledge.check(settings.kb_dir, domain_dir, REPO_ROOT, settings.council_dir)
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if not problems:
        sys.stdout.write("Knowledge base and domain agree; every answer has a source.\n")
    return 1 if problems else 0
