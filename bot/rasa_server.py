"""Start Rasa (``python -m bot.rasa_server run ...``) with a fix for its speed and two for safety.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
validates Rasa's own (large, constant) event schema against the JSON Schema meta-schema,
then builds a new validator: about 60 ms of CPU on each custom action call on this 2-core
machine, nearly half of a form turn (profiled with cProfile; see the README's benchmark
section). ``install`` replaces that check with one validator built once for the same
schema, so responses are checked exactly as before, with the same error message. Even
built once, that Python validator took 5 to 15 ms per response (Rasa's event schema is a
``oneOf`` of some 30 event shapes for each event): a compiled validator of the same schema
and draft (``jsonschema_rs``) accepts a valid response first, in well under a millisecond,
and only a response it rejects goes through the Python validator for Rasa's error.

Rasa's HTTP API reads its token only from the ``token`` query parameter, so every call
put the secret in a URL, where Sanic's access log and HTTP clients' logs wrote it down.
``accept_bearer_token`` lets the same token come in an ``Authorization: Bearer`` header
(compared in constant time); the query parameter keeps working for existing clients.

Loading the model reads its domain once, not four times (:func:`load_persisted_domain`).

Each custom action call carries the domain without its responses (about 600 KB of JSON
here, encoded on every call), with their fingerprint instead; the action server reads the
same responses from ``domain/`` once (``lib/domain_responses.py``, issue #19).

CORS answers only the configured origins, each compared whole (``bot/cors.py``).

No turn ends in silence: ``bot/always_answer.py`` answers a turn the dialogue left
without a reply. The REST channel's replies state the conversation's language and whether
the turn gave an information answer, read from the turn's own tracker
(``bot/channels/rest.install_reply_marks``).

Every line the process logs is redacted (``lib/redacted_logs.py``), in Front Door's one
format (``lib/log_format.py``: the ids passed as ``extra``, the council, and the hashed
conversation id of the turn being handled) instead of Rasa's coloured one; the files it
creates (the SQLite tracker store) are readable by their owner only.

Everything else is Rasa's own command line, unchanged.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import lru_cache, wraps
from inspect import isawaitable
from pathlib import Path
from typing import Any

import jsonschema_rs
import rasa.server
import rasa.shared.utils.io
import rasa.utils.io
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.constants import DEFAULT_LOG_LEVEL, DOCS_BASE_URL, ENV_LOG_LEVEL
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sanic.request import Request

from bot.bearer import bearer_token, same_secret
from lib.domain_responses import without_responses
from lib.log_format import FORMAT, KeyValueFormatter, bind_conversation, release_conversation
from lib.private_files import private_umask
from lib.redacted_logs import install as install_redaction
from lib.sqlite import install_for_every_engine

_original_call_format = RemoteAction._action_call_format


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """A validator for Rasa's action server response schema, built and checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def fast_action_result_validator() -> Any:
    """A compiled validator of the same schema, in the draft ``validator_for`` picks."""
    schema = RemoteAction.action_response_format_spec()
    draft = validator_for(schema).META_SCHEMA["$schema"]
    compiled = {
        "https://json-schema.org/draft/2020-12/schema": jsonschema_rs.Draft202012Validator,
        "https://json-schema.org/draft/2019-09/schema": jsonschema_rs.Draft201909Validator,
        "http://json-schema.org/draft-07/schema#": jsonschema_rs.Draft7Validator,
    }[draft]
    return compiled(schema)


def _fast_accepts(result: Any) -> bool:
    try:
        return bool(fast_action_result_validator().is_valid(result))
    except (ValueError, TypeError):  # a value JSON cannot hold: the full check decides
        return False


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result``: compiled first, then Rasa's error."""
    if _fast_accepts(result):
        return True
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


class _SentDomain:
    """The domain as last sent to the action server, kept while Rasa's domain is the same."""

    domain: Any = None
    sent: dict[str, Any] = {}


def action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's action call, with the domain sent without its responses (see the module).

    The trimmed domain is built once per Rasa domain (a model load makes a new one).
    """
    result = _original_call_format(self, tracker, domain)
    if "domain" in result:
        if _SentDomain.domain is not domain:
            _SentDomain.sent = without_responses(result["domain"])
            _SentDomain.domain = domain
        result["domain"] = _SentDomain.sent
    return result


_rasa_requires_auth = rasa.server.requires_auth


def requires_auth(app: Any, token: str | None = None) -> Callable[[Callable], Callable]:
    """Rasa's ``requires_auth``, also accepting the token as a bearer header."""
    rasa_decorator = _rasa_requires_auth(app, token)

    def decorator(handler: Callable) -> Callable:
        checked = rasa_decorator(handler)

        @wraps(handler)
        async def authorised(request: Request, *args: Any, **kwargs: Any) -> Any:
            if token and same_secret(bearer_token(request), token):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            return await checked(request, *args, **kwargs)

        return authorised

    return decorator


def accept_bearer_token() -> None:
    """Let Rasa's HTTP API take its token in a header (before Rasa builds its app)."""
    rasa.server.requires_auth = requires_auth


def load_persisted_domain(
    cls: type[DomainProvider],
    config: dict[str, Any],
    model_storage: ModelStorage,
    resource: Resource,
    execution_context: ExecutionContext,
    **kwargs: Any,
) -> DomainProvider:
    """``DomainProvider.load`` reading the model's domain once instead of four times.

    Rasa's ``Domain.from_path`` parses each file to see whether it is a domain, again to
    check it against the schema, again to build a domain it throws away, and a fourth time
    to merge it. The model's domain was checked and written by Rasa at training, so one
    parse gives the same domain: about a quarter of the model's loading time on this
    2-core machine went to those extra parses (profiled with cProfile, issue #19).
    """
    combined: dict[str, Any] = {}
    with model_storage.read_from(resource) as directory:
        for path in sorted(Path(directory).rglob("*")):
            if path.is_file() and path.suffix in {".yml", ".yaml"}:
                data = rasa.shared.utils.io.read_yaml(rasa.shared.utils.io.read_file(path))
                combined = Domain.merge_domain_dicts(data, combined)
    return cls(model_storage, resource, Domain.from_dict(combined))


def install() -> None:
    """Use the once-built validator for every action server response; accept bearer tokens.

    Also make every turn end with an answer (``bot/always_answer.py``) whose REST reply is
    marked with the language (``bot/channels/rest.py``), make CORS exact,
    give the SQLite tracker store the project's SQLite settings (``lib/sqlite.py``), and
    let the tracker store (``bot/tracker_store.py``) and the rule policy
    (``bot/rule_lookup.py``) skip work whose result they already have, copy slots
    directly (``bot/slot_copies.py``), deep-copy debug-line arguments only when debug lines
    are written (``bot/debug_log_copies.py``), work out a tracker's states once for every
    policy that asks (``bot/dialogue_states.py``), call the action server on kept
    connections with the domain encoded once (``bot/action_calls.py``), and keep the objects
    loaded at start out of the garbage collector's passes (``bot/loaded_objects.py``).
    The model's domain is read once at load (:func:`load_persisted_domain`).
    """
    from bot import (
        action_calls,
        always_answer,
        cors,
        debug_log_copies,
        dialogue_states,
        loaded_objects,
        rule_lookup,
        slot_copies,
        tracker_store,
    )
    from bot.channels import rest

    install_for_every_engine()
    tracker_store.install()
    rule_lookup.install()
    slot_copies.install()
    debug_log_copies.install()
    dialogue_states.install()

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    action_calls.install()
    loaded_objects.install()
    accept_bearer_token()
    DomainProvider.load = classmethod(load_persisted_domain)  # type: ignore[assignment]
    always_answer.install()
    rest.install_reply_marks()  # after always_answer: its answers are marked too
    cors.install()


def use_front_door_log_format(council: str) -> None:
    """Rasa's console logging set up as every Front Door process's (``lib/log_format.py``).

    Rasa's command line calls ``configure_colored_logging`` once it has parsed its
    arguments; that call now installs one handler with our formatter at the same level.
    """

    def configure(loglevel: str | int | None) -> None:
        level = loglevel or os.environ.get(ENV_LOG_LEVEL, DEFAULT_LOG_LEVEL)
        handler = logging.StreamHandler()
        handler.setFormatter(KeyValueFormatter(FORMAT, council=council))
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(level)

    rasa.utils.io.configure_colored_logging = configure


def tag_turns_with_their_conversation() -> None:
    """Every log line of a turn carries the conversation's hashed id (any channel)."""
    handle_message = Agent.handle_message
    if getattr(handle_message, "_tags_conversation", False):
        return

    @wraps(handle_message)
    async def tagged(self: Agent, message: UserMessage) -> Any:
        token = bind_conversation(message.sender_id)
        try:
            return await handle_message(self, message)
        finally:
            release_conversation(token)

    tagged._tags_conversation = True  # type: ignore[attr-defined]
    Agent.handle_message = tagged  # type: ignore[method-assign]


def main() -> None:
    """Rasa's command line, with the fixes installed and every log line redacted."""
    from bot.settings import Settings

    settings = Settings()
    private_umask()
    install_redaction(settings.secret_values())
    use_front_door_log_format(settings.council_slug)
    tag_turns_with_their_conversation()
    install()
    if sys.argv[1:2] == ["run"]:
        from bot.language import load_detectors

        load_detectors()  # before the first resident's message, not during it
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
