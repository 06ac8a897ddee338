"""Start Rasa (``python -m bot.rasa_server run ...``) with a fix for its speed and two for safety.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
validates Rasa's own (large, constant) event schema against the JSON Schema meta-schema,
then builds a new validator: about 60 ms of CPU on each custom action call on this 2-core
machine, nearly half of a form turn (profiled with cProfile; see the README's benchmark
section). ``install`` replaces that check with one validator built once for the same
schema, so responses are checked exactly as before, with the same error message.

Rasa's HTTP API reads its token only from the ``token`` query parameter, so every call
put the secret in a URL, where Sanic's access log and HTTP clients' logs wrote it down.
``accept_bearer_token`` lets the same token come in an ``Authorization: Bearer`` header
(compared in constant time); the query parameter keeps working for existing clients.

CORS answers only the configured origins, each compared whole (``bot/cors.py``).

No turn ends in silence: ``bot/always_answer.py`` answers a turn the dialogue left
without a reply.

Every line the process logs is redacted (``lib/redacted_logs.py``) and the files it
creates (the SQLite tracker store) are readable by their owner only.

Everything else is Rasa's own command line, unchanged.
"""

from __future__ import annotations

import hmac
import sys
from collections.abc import Callable
from functools import lru_cache, wraps
from inspect import isawaitable
from typing import Any

import rasa.server
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from sanic.request import Request

from lib.private_files import private_umask
from lib.redacted_logs import install as install_redaction
from lib.sqlite import install_for_every_engine

BEARER = "bearer "


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """A validator for Rasa's action server response schema, built and checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` with the validator built once."""
    try:
        action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def bearer_token(request: Request) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or ``""``."""
    header = request.headers.get("Authorization", "")
    return header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""


def _same_secret(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


_rasa_requires_auth = rasa.server.requires_auth


def requires_auth(app: Any, token: str | None = None) -> Callable[[Callable], Callable]:
    """Rasa's ``requires_auth``, also accepting the token as a bearer header."""
    rasa_decorator = _rasa_requires_auth(app, token)

    def decorator(handler: Callable) -> Callable:
        checked = rasa_decorator(handler)

        @wraps(handler)
        async def authorised(request: Request, *args: Any, **kwargs: Any) -> Any:
            if token and _same_secret(bearer_token(request), token):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            return await checked(request, *args, **kwargs)

        return authorised

    return decorator


def accept_bearer_token() -> None:
    """Let Rasa's HTTP API take its token in a header (before Rasa builds its app)."""
    rasa.server.requires_auth = requires_auth


def install() -> None:
    """Use the once-built validator for every action server response; accept bearer tokens.

    Also make every turn end with an answer (``bot/always_answer.py``), make CORS exact,
    and give the SQLite tracker store the project's SQLite settings (``lib/sqlite.py``).
    """
    from bot import always_answer, cors

    install_for_every_engine()

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    accept_bearer_token()
    always_answer.install()
    cors.install()


def main() -> None:
    """Rasa's command line, with the fixes installed and every log line redacted."""
    from bot.settings import Settings

    private_umask()
    install_redaction(Settings().secret_values())
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
