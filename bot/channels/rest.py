"""The REST channel with a guard at the edge.

Same URL as Rasa's ``rest`` channel (``/webhooks/rest/webhook``). Before NLU sees a
message it drops control and invisible characters, folds whitespace and caps the length
(``MAX_MESSAGE_CHARS``);
it refuses malformed bodies with 400 instead of a server error; it never trusts the
client's ``input_channel``; and it lets through only the metadata the product uses.
A conversation (``REST_RATE_LIMIT``) or a client address (``REST_ADDRESS_RATE_LIMIT``)
that sends too much is answered 429 with ``Retry-After`` before anything runs. The web
service's chat relay sends every web resident's messages from its own address, so it names
each resident's address in ``X-Resident-Address``; that header is believed only beside the
assistant's API token (``RASA_API_TOKEN``), which the relay holds, and the message counts
against that resident's address instead of the relay's.

Each message of the reply also says the language the conversation is in after the turn
(its ``language`` slot), as ``"language": "pl"`` beside ``text`` and ``buttons`` (issue #19),
so that the web chat learns it without a second request to the tracker API. ``text``,
``buttons`` and every other field stay exactly as Rasa's REST channel sends them. A turn
that gave an information answer also marks its messages ``"information_answer": true``, so
the web chat knows to ask "Did that answer your question?" (issue #18) without reading the
conversation back. Both are read from the turn's own tracker when Rasa's prediction loop
ends (:func:`install_reply_marks`), so no turn reads the tracker store a second time.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.processor import MessageProcessor
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage as BadRequest
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.bearer import bearer_token, same_secret
from bot.language import SUPPORTED
from bot.settings import settings
from bot.text import clean_text
from lib.assisted_tokens import token_is_valid
from lib.information_answers import answered_last, information_responses
from lib.rate_limit import RateLimiter, limiter

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
DEFAULT_MAX_MESSAGE_CHARS = 1000
ALLOWED_CHANNELS = {"web", "library", "api"}
_SENDER = re.compile(r"^[A-Za-z0-9_.:@-]+$")
#: What an empty message becomes: NLU's own fallback intent.
EMPTY_MESSAGE = "/nlu_fallback"
#: Button payloads (``/affirm``) pass; any other leading slash would let typed text
#: inject intents and entities, so it is dropped.
_PAYLOAD = re.compile(r"^/[a-z_]{1,64}$")
#: The one payload with an entity: the language buttons ("English", "Polski"), which
#: greet the resident again in the chosen language. Only this intent, only this
#: entity, and only a language the assistant knows (issue #7).
_LANGUAGE_PAYLOAD = re.compile(r'^/greet\{"language": ?"([a-z]{2})"\}$')
#: The slot (contract section 5) and the field of each reply message that states it.
LANGUAGE_SLOT = "language"
LANGUAGE_FIELD = "language"
#: The field of each reply message that says the turn gave an information answer.
INFORMATION_ANSWER_FIELD = "information_answer"
#: The header in which the web chat relay names the resident's own address (believed only
#: with the API token as a bearer credential).
RELAYED_ADDRESS_HEADER = "X-Resident-Address"


class TooManyRequests(SanicException):
    """429: this conversation or address sent too much; ``Retry-After`` says when to retry."""

    status_code = 429
    quiet = True

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("Too many messages. Please wait a moment and try again.")
        self.headers = {"Retry-After": str(retry_after_s)}


def _allowed_payload(text: str) -> bool:
    """Whether a leading-slash message is a button payload the product sends."""
    if _PAYLOAD.match(text):
        return True
    match = _LANGUAGE_PAYLOAD.match(text)
    return bool(match) and match.group(1) in SUPPORTED


def clean_message(text: Any, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> str:
    """Normalise a resident's message; an empty one becomes the fallback intent."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = clean_text(text, max_chars)
    if text.startswith("/") and not _allowed_payload(text):
        text = text.lstrip("/ ")
    return text if text else EMPTY_MESSAGE


class GuardedRestInput(RestInput):
    """Rasa's REST input with input validation and cleaning."""

    def __init__(
        self,
        max_message_chars: int | None = None,
        assist_secret: str = "",
        limits: tuple[RateLimiter, RateLimiter] | None = None,
        relay_token: str = "",
    ) -> None:
        #: The longest message passed on; longer ones are cut (``MAX_MESSAGE_CHARS``).
        self.max_message_chars = (
            settings.max_message_chars if max_message_chars is None else max_message_chars
        )
        self.assist_secret = assist_secret
        #: The bearer token with which a relay may name the resident's address ("" for none).
        self.relay_token = relay_token
        #: Per conversation, then per client address.
        self.limits = limits or (
            limiter(settings.rest_rate_limit),
            limiter(settings.rest_address_rate_limit),
        )

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's URL: ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        """Build from the settings; the length cap is ``MAX_MESSAGE_CHARS``, as documented.

        A ``max_message_chars`` left in ``credentials.yml`` by an older version is ignored
        with a warning, so the cap has one source.
        """
        if credentials and "max_message_chars" in credentials:
            logger.warning(
                "credentials.yml max_message_chars is ignored; set MAX_MESSAGE_CHARS instead"
            )
        return cls(
            assist_secret=settings.library_assist_secret.get_secret_value(),
            relay_token=settings.rasa_api_token.get_secret_value(),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST blueprint, answering :class:`TooManyRequests` with its header.

        (Sanic 21.12's JSON error page drops an exception's headers.)
        """
        blueprint = super().blueprint(on_new_message)

        @blueprint.exception(TooManyRequests)
        async def too_many(request: Request, error: TooManyRequests) -> HTTPResponse:
            return response.json(
                {"status": 429, "message": str(error)}, status=429, headers=error.headers
            )

        return blueprint

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json
        if not isinstance(body, dict):
            raise BadRequest("The body must be a JSON object with 'sender' and 'message'.")
        return body

    async def _extract_sender(self, req: Request) -> str:
        sender = self._body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise BadRequest("'sender' must be a non-empty string.")
        sender = sender.strip()
        if len(sender) > MAX_SENDER_CHARS or not _SENDER.match(sender):
            raise BadRequest("'sender' may use letters, digits and . _ - : @ only.")
        self._count(req, sender)
        return sender

    def _count(self, req: Request, sender: str) -> None:
        """Count the message against its conversation and its address.

        Raises:
            TooManyRequests: when either is over its limit.
        """
        per_sender, per_address = self.limits
        wait_s = max(per_sender.hit(sender), per_address.hit(self.client_address(req)))
        if wait_s:
            logger.warning("REST channel rate limit reached", extra={"retry_after": wait_s})
            raise TooManyRequests(wait_s)

    def client_address(self, req: Request) -> str:
        """The address a message counts against: the resident's, when the relay names it.

        ``X-Resident-Address`` is believed only from a caller that shows the API token as
        its bearer credential, and only when it is an IP address; otherwise the message
        counts against the address it came from.
        """
        relayed = req.headers.get(RELAYED_ADDRESS_HEADER, "").strip()
        if relayed and same_secret(bearer_token(req), self.relay_token):
            try:
                return str(ipaddress.ip_address(relayed))
            except ValueError:
                logger.warning("REST channel: a relayed address that is not an IP address")
        return req.ip or "unknown"

    def _extract_message(self, req: Request) -> str:
        return clean_message(self._body(req).get("message"), self.max_message_chars)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any]:
        """Only the checked channel name passes, and the assisted mark with a valid token.

        A library session is ``assisted`` only when its ``assist_token`` was signed by
        the staff console for this very conversation (``lib/assisted_tokens.py``); anything
        else in the metadata is dropped.
        """
        body = self._body(request)
        metadata = body.get("metadata")
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        allowed = isinstance(channel, str) and channel in ALLOWED_CHANNELS
        checked: dict[str, Any] = {"channel": channel if allowed else "api"}
        if channel == "library" and isinstance(metadata, dict):
            sender = body.get("sender")
            token = metadata.get("assist_token")
            if isinstance(sender, str) and token_is_valid(
                self.assist_secret, sender.strip(), token
            ):
                checked["assisted"] = True
        return checked


def mark_reply(output_channel: Any, language: Any, information_answer: bool) -> None:
    """Say the conversation's language, and whether it was answered, on a collected reply.

    Each message gets ``"language": "pl"``; when the turn gave an information answer each
    also gets ``"information_answer": true`` (the web chat then asks "Did that answer your
    question?", issue #18). A streamed reply (``?stream=true``), an empty reply or another
    channel's output are left as they were: the marks are hints.

    Args:
        output_channel: the turn's output channel; a collecting one holds the reply.
        language: the ``language`` slot at the end of the turn.
        information_answer: whether the turn gave an information answer
            (``lib/information_answers.py``).
    """
    if not isinstance(output_channel, CollectingOutputChannel):
        return
    replies = output_channel.messages
    if not isinstance(replies, list) or not replies:  # a queue when streamed
        return
    marks: dict[str, Any] = {}
    if isinstance(language, str) and language:
        marks[LANGUAGE_FIELD] = language
    if information_answer:
        marks[INFORMATION_ANSWER_FIELD] = True
    for reply in replies:
        if isinstance(reply, dict):
            reply.update(marks)


def install_reply_marks() -> None:
    """Make Rasa's prediction loop end by marking the collected reply (:func:`mark_reply`).

    Both marks are read from the turn's own tracker, so no turn reads the tracker store
    again and the web chat needs no second request. Installed after
    ``bot/always_answer.py`` (``bot/rasa_server.install``), so the answer that guard adds
    to a silent turn is marked too.
    """
    loop = MessageProcessor._run_prediction_loop
    if getattr(loop, "_marks_reply", False):
        return

    @wraps(loop)
    async def loop_then_mark_reply(
        self: MessageProcessor, output_channel: Any, tracker: Any
    ) -> None:
        await loop(self, output_channel, tracker)
        if not isinstance(output_channel, CollectingOutputChannel):
            return
        answered = answered_last(tracker.events, information_responses(settings.kb_dir))
        mark_reply(output_channel, tracker.get_slot(LANGUAGE_SLOT), answered)

    loop_then_mark_reply._marks_reply = True  # type: ignore[attr-defined]
    MessageProcessor._run_prediction_loop = loop_then_mark_reply  # type: ignore[method-assign]
