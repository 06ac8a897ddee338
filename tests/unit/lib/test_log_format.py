"""The log line format (``lib/log_format.py``): the ids passed as ``extra`` are printed."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

from bot.settings import REPO_ROOT
from lib.log_format import FORMAT, KeyValueFormatter, extra_fields


def _record(msg: str = "report held in outbox", **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "actions.report", "levelname": "INFO", "msg": msg})
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_extra_ids_follow_the_message_as_key_value_pairs() -> None:
    line = KeyValueFormatter("%(levelname)s %(name)s: %(message)s").format(
        _record(reference="HR-7K3Q9X", attempts=3, error="council services timed out")
    )
    assert line == (
        "INFO actions.report: report held in outbox "
        'reference=HR-7K3Q9X attempts=3 error="council services timed out"'
    )


def test_a_line_without_extra_is_unchanged() -> None:
    formatter = KeyValueFormatter("%(levelname)s %(name)s: %(message)s")
    assert formatter.format(_record()) == "INFO actions.report: report held in outbox"


def test_private_marks_and_other_libraries_fields_are_not_printed() -> None:
    record = _record(_frontdoor_redacted=True, color_message="\x1b[1m...", reference="FD-234567")
    assert extra_fields(record) == {"reference": "FD-234567"}


def test_values_that_are_not_text_are_redacted_before_they_are_printed() -> None:
    line = KeyValueFormatter("%(message)s").format(
        _record(details={"phone": "07700 900123"}, held=None, urgent=True)
    )
    assert "07700 900123" not in line
    assert "held=null urgent=true" in line


def test_the_traceback_comes_after_the_fields() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    record.reference = "SR-7K3Q9X"
    first, _, rest = KeyValueFormatter("%(message)s").format(record).partition("\n")
    assert first == "failed reference=SR-7K3Q9X"
    assert rest.startswith("Traceback") and "RuntimeError: boom" in rest


def test_the_assistant_and_the_web_service_print_the_ids() -> None:
    """Each process's own logging set-up, in a fresh interpreter, prints the extra ids."""
    setups = {
        "bot": "import bot.logging\nbot.logging.configure()\n",
        "web service": (
            "from unittest import mock\n"
            "from web import __main__ as web\n"
            "with mock.patch.object(web, '_create_staff', return_value=0):\n"
            "    web.main(['create-staff', 'someone', '--role', 'admin'])\n"
        ),
    }
    program = textwrap.dedent("""
        import logging
        logging.getLogger("workers.outbox").warning(
            "delivery failed; retrying", extra={"reference": "HR-7K3Q9X", "attempts": 2}
        )
        """)
    for process, setup in setups.items():
        finished = subprocess.run(
            [sys.executable, "-c", setup + program],
            cwd=REPO_ROOT,
            env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode == 0, finished.stderr
        assert "delivery failed; retrying reference=HR-7K3Q9X attempts=2" in finished.stderr, (
            process
        )
    assert FORMAT.endswith("%(message)s")


def test_every_line_names_the_council_and_the_conversation_being_handled() -> None:
    from lib.log_format import bind_conversation, conversation_tag, release_conversation

    formatter = KeyValueFormatter("%(message)s", council="stoke-on-trent")
    assert formatter.format(_record("outside a turn")) == "outside a turn council=stoke-on-trent"
    token = bind_conversation("+447700900123")
    try:
        line = formatter.format(_record("held", reference="HR-7K3Q9X"))
    finally:
        release_conversation(token)
    tag = conversation_tag("+447700900123")
    assert line == f"held reference=HR-7K3Q9X council=stoke-on-trent conversation={tag}"
    assert len(tag) == 12 and "7700900123" not in line
    assert formatter.format(_record("after")) == "after council=stoke-on-trent"
