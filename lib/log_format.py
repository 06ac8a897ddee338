"""The one log line format of every Front Door process: the message, then its ``extra`` ids.

A call such as ``logger.info("report submitted", extra={"service_request_id": ref})``
prints as::

    ... INFO actions.report_problem_send: report submitted service_request_id=SR-7K3Q9X

Python's own formatter drops ``extra`` fields that its format string does not name, so
before this formatter the ids (references, attempts, error texts) never reached a log.
Values that are not plain words are quoted as JSON strings. The redaction filter
(:mod:`lib.redacted_logs`) has already masked personal data in text fields by the time a
line is formatted; other values are redacted here before they are printed.

Every line also carries the process's council (``council=stoke-on-trent``) and, while a
turn or an action is handled, a hashed conversation id (``conversation=3f9c0a1b2c4d``):
enough to follow one conversation through the Rasa server and the action server, without
writing the sender id (which may come from a phone number) into any log.

Pure code: imports nothing of the project but :mod:`lib.redaction`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from contextvars import ContextVar, Token
from typing import Any

from lib.redaction import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: What a LogRecord holds of its own; anything else was passed as ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
#: Extras other libraries add for their own formatters, which would only repeat the line.
_NOT_PRINTED = frozenset({"color_message"})
_PLAIN = re.compile(r"^[\w.:/@+#-]+$")


_conversation: ContextVar[str] = ContextVar("log_conversation", default="")


def conversation_tag(sender_id: str) -> str:
    """The id a log line shows for a conversation: 12 hex digits of its SHA-256."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]


def bind_conversation(sender_id: str | None) -> Token[str]:
    """Tag this task's log lines with the conversation (hashed) until ``release``."""
    return _conversation.set(conversation_tag(sender_id) if sender_id else "")


def release_conversation(token: Token[str]) -> None:
    """Stop tagging log lines with the conversation bound by ``token``."""
    _conversation.reset(token)


def current_conversation() -> str:
    """The hashed conversation id this task's log lines carry ("" outside a turn)."""
    return _conversation.get()


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed as ``extra`` to the logging call, in the order given.

    Private attributes (a leading underscore, e.g. the redaction filter's mark) and the
    fields other libraries add for their own formatters are left out.
    """
    return {
        name: value
        for name, value in vars(record).items()
        if name not in _RECORD_FIELDS and not name.startswith("_") and name not in _NOT_PRINTED
    }


def _shown(value: Any) -> str:
    """One value as it appears after ``key=``."""
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    text = value if isinstance(value, str) else redact(str(value))
    return text if _PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """Formats the usual line and appends each ``extra`` field as ``key=value``.

    Then the council (when given) and the conversation being handled (when there is one).
    """

    def __init__(self, fmt: str = FORMAT, datefmt: str | None = None, council: str = "") -> None:
        """Use Front Door's format unless another is given; ``council`` tags every line."""
        super().__init__(fmt, datefmt)
        self.council = council

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        """The line without its traceback, followed by the extra fields."""
        line = super().formatMessage(record)
        fields = extra_fields(record)
        if self.council:
            fields.setdefault("council", self.council)
        conversation = current_conversation()
        if conversation:
            fields.setdefault("conversation", conversation)
        if not fields:
            return line
        return line + " " + " ".join(f"{name}={_shown(value)}" for name, value in fields.items())
