"""The action server: rasa-sdk's own server, on loopback, answering only Rasa.

``python -m bot.action_server --actions actions --port 5055`` replaces
``python -m rasa_sdk``, which listens on every interface with no authentication, so that
any host (or any web page, through a ``text/plain`` POST) could run any action with a
forged conversation. Here:

* it binds ``ACTION_SERVER_HOST`` (``127.0.0.1`` by default);
* every call must carry the shared secret ``ACTION_SERVER_TOKEN``, which Rasa sends as an
  ``Authorization: Bearer`` header (``bot/launcher/rasa_files.py`` writes it into the action
  endpoint's ``headers``; Rasa's own ``token`` query parameter is accepted too). It is
  checked, in constant time, before rasa-sdk reads the request: a call without it gets
  401 and no action runs. Only ``/health`` answers without it: the launcher and
  orchestrators poll it, and it runs nothing and tells nothing;
* Rasa sends the domain without its responses (``bot/rasa_server.py``); the server puts
  back the responses it read from ``domain/`` at start (``lib/domain_responses.py``), so
  the actions see the whole domain as before;
* a request that fails answers 500 without echoing the request body (rasa-sdk's own error
  answer holds the whole tracker, which Rasa then logs);
* every log line is redacted and the files it creates are owner-only.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import logging as bot_logging
from bot.bearer import bearer_token, same_secret
from bot.settings import REPO_ROOT, Settings
from lib.domain_responses import FINGERPRINT_KEY, RESPONSES_KEY, fingerprint, load_responses
from lib.private_files import private_umask

logger = logging.getLogger(__name__)

#: The domain folder Rasa's model was trained on (its responses, for the actions).
DOMAIN_DIR = REPO_ROOT / "domain"
#: Paths that answer without the secret.
OPEN_PATHS = frozenset({"/health"})
REFUSED = {"error": "This action server answers only the assistant's own Rasa server."}
FAILED = {"error": "The action server could not handle this request."}


def presented_secret(request: Request) -> str:
    """The secret a request carries: its bearer header, else its ``token`` parameter."""
    return bearer_token(request) or str(request.args.get("token", ""))


def is_authorised(request: Request, token: str) -> bool:
    """Whether the request carries the shared secret (compared in constant time)."""
    return same_secret(presented_secret(request), token)


def restore_responses(action_call: Any, responses: dict[str, Any], known: str) -> None:
    """Put the domain's responses back into an action call Rasa sent without them.

    Args:
        action_call: the parsed request body (changed in place).
        responses: the responses read from ``domain/`` at start.
        known: their fingerprint; a call with another one is logged, and gets them all
            the same (the nearest there is).
    """
    domain = action_call.get("domain") if isinstance(action_call, dict) else None
    if not isinstance(domain, dict) or RESPONSES_KEY in domain:
        return
    sent = domain.pop(FINGERPRINT_KEY, None)
    if sent is not None and sent != known:
        logger.warning(
            "action server: Rasa's responses differ from domain/ here (another model?)",
            extra={"rasa_responses": sent, "local_responses": known},
        )
    domain[RESPONSES_KEY] = responses


def create_app(
    token: str, actions_package: str = "actions", domain_dir: Path = DOMAIN_DIR
) -> Sanic:
    """rasa-sdk's application for ``actions_package``, behind the secret check.

    Args:
        token: the shared secret every call but ``/health`` must carry.
        actions_package: the module or package whose actions are registered.
        domain_dir: the domain folder whose responses the actions read.

    Raises:
        ValueError: when ``token`` is empty (the server would refuse every call).
    """
    from rasa_sdk.endpoint import create_app as create_sdk_app

    if not token:
        raise ValueError("ACTION_SERVER_TOKEN is empty: set the secret Rasa sends")
    # No CORS: only Rasa, server to server, calls the action server.
    app = create_sdk_app(actions_package, cors_origins="")

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or is_authorised(request, token):
            return None
        logger.warning("action server: refused a call without the shared secret")
        return response.json(REFUSED, status=401)

    responses = load_responses(domain_dir)
    known = fingerprint(responses)

    @app.middleware("request")
    async def with_responses(request: Request) -> None:
        if request.method == "POST" and request.path == "/webhook":
            try:
                body = request.json  # parsed once; rasa-sdk's handler reads the same dict
            except Exception:  # noqa: BLE001 - rasa-sdk answers a bad body itself
                return
            restore_responses(body, responses, known)

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            return response.json({"error": str(exception)}, status=exception.status_code)
        logger.error("action server: request failed (%s)", type(exception).__name__)
        return response.json(FAILED, status=500)

    return app


def main(argv: list[str] | None = None) -> int:
    """Start the action server; returns the exit code."""
    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__)
    parser.add_argument("--actions", default="actions", help="package of the actions")
    parser.add_argument("--host", default=settings.action_server_host, help="ACTION_SERVER_HOST")
    parser.add_argument(
        "--port", type=int, default=settings.action_server_port, help="ACTION_SERVER_PORT"
    )
    args = parser.parse_args(argv)
    private_umask()
    bot_logging.configure(secrets=settings.secret_values(), council=settings.council_slug)
    try:
        settings.check_secrets()
        app = create_app(settings.action_server_token.get_secret_value(), args.actions)
    except ValueError as error:
        logger.error("Action server cannot start: %s", error)
        return 2
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%d/", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
