"""Redaction of every log line a process writes, whoever logs it.

The backstop behind the rule "never log personal data": a failing action makes rasa-sdk
log the request, Rasa logs the action server's answer, Sanic's access log writes every URL,
and a traceback can quote anything. :func:`install` puts one :class:`RedactingFilter` on
every handler a log record reaches, so the lines of third-party loggers (rasa, rasa_sdk,
sanic, uvicorn, httpx) are redacted as well as ours.

Why not only add the filter to today's handlers: uvicorn, Sanic and Rasa create their own
handlers after a process starts (``dictConfig`` at ``uvicorn.run``, Sanic's app, Rasa's
command line), and a filter added earlier would miss them. So the record factory, which
every record passes before any handler sees it, attaches the filter to each handler in the
record's path the first time it meets one.

The filter masks personal data (:mod:`lib.redaction`), the values of known secrets and
``token=``-style URL parameters, in the message, its arguments, the traceback and any
extra field (Sanic logs the URL in one).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lib.redaction import redact

#: Request logs of HTTP clients: routine, and their URLs can carry identifiers.
QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", "aiohttp.access")
SECRET = "[secret]"
_URL_SECRET = re.compile(
    r"(?i)([?&;](?:token|auth_token|access_token|api_key|apikey|key|password|secret)=)"
    r"[^&\s'\"#]+"
)
_BEARER = re.compile(r"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]+")
#: What a LogRecord holds of its own; anything else was passed as ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_MARK = "_frontdoor_redacted"
_lock = threading.Lock()


class RedactingFilter(logging.Filter):
    """Masks personal data and secrets in a record before a handler writes it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """The text with personal data, secret values and URL secrets masked."""
        for secret in self.secrets:
            text = text.replace(secret, SECRET)
        text = _URL_SECRET.sub(rf"\1{SECRET}", text)
        text = _BEARER.sub(rf"\1{SECRET}", text)
        return redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place, once; never drops it."""
        if getattr(record, _MARK, False):
            return True
        self._redact_message(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
            record.exc_info = None  # only the redacted text is left to print
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, self.clean(value))
        setattr(record, _MARK, True)
        return True

    def _redact_message(self, record: logging.LogRecord) -> None:
        """Redact the message, keeping its arguments apart when that is just as safe.

        Some formatters read the arguments themselves (uvicorn's access log unpacks them),
        so each argument is redacted in place; when that does not give the same text as
        redacting the whole message (personal data split across two arguments), the
        message is replaced by its redacted text and the arguments are dropped.
        """
        try:
            safe = self.clean(record.getMessage())
        except (TypeError, ValueError):  # arguments that do not fit the format
            record.msg, record.args = self.clean(f"{record.msg!s} {record.args!r}"), None
            return
        msg = self.clean(record.msg) if isinstance(record.msg, str) else record.msg
        args = self._redact_args(record.args)
        try:
            candidate = str(msg) % args if args else str(msg)
        except (TypeError, ValueError):
            candidate = None
        if candidate == safe:
            record.msg, record.args = msg, args
        else:
            record.msg, record.args = safe, None

    def _redact_args(self, args: Any) -> Any:
        if isinstance(args, tuple):
            return tuple(self._redact_arg(value) for value in args)
        if isinstance(args, Mapping):
            return {key: self._redact_arg(value) for key, value in args.items()}
        return args

    def _redact_arg(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return self.clean(value)
        shown = str(value)
        if self.clean(shown) != shown or self.clean(repr(value)) != repr(value):
            return self.clean(shown)
        return value  # nothing to hide: kept as it is, for the formatter


def _attach(record_name: str, redacting: RedactingFilter) -> None:
    """Put the filter on every handler this logger's records reach (once per handler)."""
    logger: logging.Logger | None = logging.getLogger(record_name)
    while logger is not None:
        for handler in logger.handlers:
            if redacting not in handler.filters:
                with _lock:
                    if redacting not in handler.filters:
                        handler.addFilter(redacting)
        if not logger.propagate:
            break
        logger = logger.parent
    last_resort = logging.lastResort
    if last_resort is not None and redacting not in last_resort.filters:
        last_resort.addFilter(redacting)


def install(secrets: Iterable[str] = ()) -> RedactingFilter:
    """Redact every log line of this process from now on; returns the filter in use.

    Calling it again replaces the secrets (the filter stays the same object on handlers
    that already have it).

    Args:
        secrets: values to mask wherever they appear (API tokens, shared secrets).
    """
    global _installed
    if _installed is None:
        _installed = RedactingFilter(secrets)
        previous = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_factory(previous, _installed))
    else:
        _installed.secrets = RedactingFilter(secrets).secrets
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return _installed


_installed: RedactingFilter | None = None


def _redacting_factory(
    previous: Callable[..., logging.LogRecord], redacting: RedactingFilter
) -> Callable[..., logging.LogRecord]:
    def factory(name: str, *args: Any, **kwargs: Any) -> logging.LogRecord:
        _attach(name, redacting)
        return previous(name, *args, **kwargs)

    return factory
