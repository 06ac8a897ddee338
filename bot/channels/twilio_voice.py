"""The phone line: Rasa's Twilio Voice channel, made safe and British (issue #6).

Same name and URL as Rasa's channel (``/webhooks/twilio_voice/webhook``). On top of it:

- every request must carry a valid ``X-Twilio-Signature`` for ``TWILIO_AUTH_TOKEN`` and
  the public URL (``TWILIO_PUBLIC_URL`` behind a proxy); anything else gets 403;
- the conversation id is a keyed hash of the caller's number (``CALLER_ID_SECRET``),
  never the number itself;
- speech is recognised as ``TWILIO_LANGUAGE`` (en-GB) and read by ``TWILIO_VOICE``;
- replies are the domain's ``twilio_voice`` variants, read without links or emoji, with
  references and phone numbers digit by digit; buttons become "Press 1 for ..." (never
  their payloads) and keypad digits choose them; after a yes/no question 1 is yes, 2 no;
- silence gets one reprompt, then a kind goodbye;
- urgent help transfers the call to the council's contact centre at once (out of hours:
  its emergency line); a completed hand-off first offers the text message below, then
  transfers (silence transfers too);
- before any transfer the contact centre's opening hours (the council profile) are
  checked: when it is closed the caller hears when it opens and is offered their
  reference by text, or hears it slowly; a call that is put through never hears "Goodbye";
- "repeat", "say that again", "pardon" (and the same in the other languages,
  ``kb/phone_line.yml``) or key 9 say the last thing again without telling the assistant;
  the greeting says so once a call;
- a caller who says goodbye is offered a text message with a link to carry on online and
  their reference, sent through the SMS gateway (``integrations/sms``);
- a caller told where to go for a service the assistant does not handle (a signpost) is
  offered the page's link by text, and the call goes on;
- after an information answer (``lib/information_answers.py``, as the web chat) the caller
  is asked "Did that answer your question?": 1 or yes, 2 or no is kept with the council
  services' answer feedback (channel ``ivr``); anything else is their next message, and
  silence moves on without asking again.

Every sentence said comes from the domain (``domain/voice.yml`` for the channel's own).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.channels.repeat import RepeatRequests, cached_repeat_requests
from bot.channels.rest import clean_message
from bot.channels.voice_text import (
    caller_conversation_id,
    dial_number,
    fill,
    keypad_payload,
    spelled_slowly,
    spoken,
)
from bot.councils.profile import load_profile
from bot.settings import Settings
from bot.settings import settings as default_settings
from bot.text import clean_text
from bot.tracker_store import keep_saved
from integrations.insight import (
    InsightClient,
    InsightRejected,
    InsightUnavailable,
    get_insight_client,
)
from integrations.sms import SmsError, SmsGateway, SmsMessage, get_sms_gateway
from integrations.sms.models import uk_mobile_e164
from lib.conversation_hash import conversation_hash
from lib.information_answers import answered_last, information_responses
from lib.opening_hours import clock_time

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
#: What a call opens with (the greeting), as a payload so that NLU cannot mistake it.
CALL_START = "/greet"
OFFER_STAGE = "offer_text"
#: The text-message offer made before a completed hand-off puts the caller through.
TRANSFER_OFFER_STAGE = "offer_text_transfer"
#: The offer to text the link of a signpost (issue #14); the call goes on either way.
SIGNPOST_OFFER_STAGE = "offer_signpost_text"
#: The offer of a text with the reference when the contact centre is closed; the call ends.
CLOSED_OFFER_STAGE = "offer_text_closed"
#: "Did that answer your question?" after an information answer (issue #18).
FEEDBACK_STAGE = "ask_feedback"
#: What each stage asks, to say it again.
STAGE_QUESTIONS = {
    OFFER_STAGE: "utter_voice_offer_text",
    TRANSFER_OFFER_STAGE: "utter_voice_offer_text_before_transfer",
    SIGNPOST_OFFER_STAGE: "utter_voice_offer_signpost_text",
    CLOSED_OFFER_STAGE: "utter_voice_offer_text_closed",
    FEEDBACK_STAGE: "utter_voice_ask_feedback",
}
#: The contract's ``channel`` for every call.
IVR_CHANNEL = "ivr"
#: The slot that holds the link of a signpost given in this turn (actions/signpost.py).
SIGNPOST_LINK_SLOT = "signpost_link"
_VOICE = re.compile(r"^(?:man|woman|alice|(?:Polly|Google)\.[A-Za-z0-9._-]{1,64})$")
_LANGUAGE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
REFERENCE_SLOTS = ("triage_reference", "report_reference")
TRANSFER_INTENTS = {"urgent_help"}
#: Replies that say a member of staff now has the caller's case: the call is put through
#: (after the offer of a text with the reference).
HANDED_OVER = frozenset(
    {"utter_handoff_created", "utter_handoff_created_held", "utter_handoff_case_open"}
)
#: The phone line's own data (what asks for a repeat), under ``KB_DIR``.
PHONE_LINE_FILE = "phone_line.yml"
Clock = Callable[[], datetime]


class VoiceCollectingOutputChannel(CollectingOutputChannel):
    """Collects replies for the phone: text and buttons only (images and custom dropped)."""

    @classmethod
    def name(cls) -> str:
        """The channel the domain's ``twilio_voice`` variants are chosen for."""
        return "twilio_voice"

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Images cannot be heard: dropped."""

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Attachments cannot be heard: dropped."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Custom payloads are for screens: dropped."""


class FrontDoorVoiceInput(TwilioVoiceInput):
    """Twilio Voice webhook with signature checks, hashed callers and British speech."""

    def __init__(
        self,
        settings: Settings,
        speech_timeout: str = "3",
        speech_model: str = "phone_call",
        enhanced: str = "false",
        sms_gateway: SmsGateway | None = None,
        clock: Clock | None = None,
        insight: InsightClient | None = None,
    ) -> None:
        if not _VOICE.match(settings.twilio_voice):
            raise InvalidConfigException(f"TWILIO_VOICE {settings.twilio_voice!r} is not valid")
        if not _LANGUAGE.match(settings.twilio_language):
            raise InvalidConfigException("TWILIO_LANGUAGE must look like en-GB")
        # Rasa's own check knows only its list of voices; ours is checked above.
        super().__init__(None, None, "Polly.Amy", speech_timeout, speech_model, enhanced)
        self.assistant_voice = settings.twilio_voice
        self.language = settings.twilio_language
        self.settings = settings
        self.validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
        profile = load_profile(settings.council_dir)
        self.contact_centre = profile.phone
        self.out_of_hours = profile.emergency_phone
        self.opening_hours = profile.opening_hours
        self.sms_gateway = sms_gateway or get_sms_gateway(
            settings.sms_gateway, settings.client_endpoint("sms")
        )
        self.repeat: RepeatRequests = cached_repeat_requests(settings.kb_dir / PHONE_LINE_FILE)
        self.clock: Clock = clock or (lambda: datetime.now().astimezone())
        self.insight = insight or get_insight_client(settings.client_endpoint("insight"))
        self.information_answers = information_responses(settings.kb_dir)

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's URL: ``/webhooks/twilio_voice/webhook``."""
        return "twilio_voice"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FrontDoorVoiceInput:
        """Build from ``credentials.yml`` (speech options) and the settings (the rest)."""
        credentials = credentials or {}
        default_settings.check_secrets()
        return cls(
            default_settings,
            speech_timeout=str(credentials.get("speech_timeout", "3")),
            speech_model=str(credentials.get("speech_model", "phone_call")),
            enhanced=str(credentials.get("enhanced", "false")),
        )

    def get_metadata(self, request: Request) -> dict[str, Any]:
        """Every call is on the contract's ``ivr`` channel."""
        return {"channel": IVR_CHANNEL}

    # --- Signatures ---------------------------------------------------------------------

    def public_url(self, request: Request) -> str:
        """The URL Twilio called, as Twilio saw it (``TWILIO_PUBLIC_URL`` behind a proxy)."""
        if not self.settings.twilio_public_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return self.settings.twilio_public_url.rstrip("/") + request.path + query

    def is_signed(self, request: Request) -> bool:
        """Whether ``X-Twilio-Signature`` matches the URL and the form for our auth token."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        params = request.form if request.form is not None else {}
        return bool(self.validator.validate(self.public_url(request), params, signature))

    # --- Domain wording -----------------------------------------------------------------

    def say_response(self, domain: Any, name: str, **values: Any) -> str:
        """The voice variant of one of the domain's responses, filled in."""
        variants = (domain.responses or {}).get(name) or []
        chosen = [v for v in variants if v.get("channel") == self.name()] or [
            v for v in variants if not v.get("channel")
        ]
        if not chosen:
            logger.error("response %s has no voice form", name)
            return ""
        return fill(str(chosen[0].get("text", "")), values)

    def lines(self, domain: Any, messages: list[Mapping[str, Any]]) -> list[str]:
        """What to say for the collected replies, keypad options included."""
        said: list[str] = []
        for message in messages:
            text = spoken(str(message.get("text") or ""))
            if text:
                said.append(text)
            for digit, button in enumerate(message.get("buttons") or [], start=1):
                option = spoken(str(button.get("title") or ""))
                if option and digit < int(self.repeat.key):
                    said.append(
                        self.say_response(
                            domain, "utter_voice_keypad_option", digit=digit, option=option
                        )
                    )
        return said

    # --- TwiML --------------------------------------------------------------------------

    def _action(self, silence: int = 0, stage: str = "") -> str:
        query = {"s": str(silence)}
        if stage:
            query["stage"] = stage
        return f"{WEBHOOK_PATH}?{urlencode(query)}"

    def _say(self, target: VoiceResponse | Gather, text: str) -> None:
        target.say(text, voice=self.assistant_voice, language=self.language)

    def gather(self, lines: list[str], silence: int = 0, stage: str = "") -> VoiceResponse:
        """Say the lines and listen for speech or keys."""
        twiml = VoiceResponse()
        gather = Gather(
            input="speech dtmf",
            action=self._action(silence, stage),
            method="POST",
            actionOnEmptyResult=True,
            language=self.language,
            speechTimeout=self.speech_timeout,
            speechModel=self.speech_model,
            timeout=6,
            finishOnKey="#",
        )
        if self.enhanced.lower() == "true":
            gather.setdefault("enhanced", "true")
        for line in lines:
            self._say(gather, line)
        twiml.append(gather)
        return twiml

    def hang_up(self, lines: list[str]) -> VoiceResponse:
        """Say the lines and end the call."""
        twiml = VoiceResponse()
        for line in lines:
            self._say(twiml, line)
        twiml.hangup()
        return twiml

    def transfer(self, domain: Any, lines: list[str], urgent: bool = False) -> VoiceResponse:
        """Say the lines, then put the caller through to the contact centre.

        Out of its opening hours someone at risk (``urgent``) goes to the emergency line.
        """
        number, line = self.contact_centre, "utter_voice_transfer"
        if urgent and not self.contact_centre_open():
            number, line = self.out_of_hours, "utter_voice_transfer_out_of_hours"
        twiml = VoiceResponse()
        for said in [*lines, self.say_response(domain, line)]:
            self._say(twiml, said)
        twiml.dial(dial_number(number))
        return twiml

    def end_call(self, domain: Any, lines: list[str]) -> VoiceResponse:
        """Say the lines, thank the caller, say goodbye and hang up."""
        return self.hang_up([*lines, self.say_response(domain, "utter_voice_call_end")])

    # --- Opening hours ------------------------------------------------------------------

    def contact_centre_open(self) -> bool:
        """Whether the contact centre answers calls now (the council profile's hours)."""
        return self.opening_hours.is_open(self.clock())

    def closed_lines(self, domain: Any) -> list[str]:
        """Why the call is not put through, and when the contact centre opens."""
        now = self.opening_hours.local(self.clock())
        opening = self.opening_hours.next_opening(now)
        if opening is None:
            return [self.say_response(domain, "utter_voice_closed_no_date")]
        time = clock_time(opening)
        if opening.date() == now.date():
            opens = self.say_response(domain, "utter_voice_opens_today", time=time)
        elif opening.date() == now.date() + timedelta(days=1):
            opens = self.say_response(domain, "utter_voice_opens_tomorrow", time=time)
        else:
            day = f"{opening:%A} {opening.day} {opening:%B}"
            opens = self.say_response(domain, "utter_voice_opens_on", day=day, time=time)
        return [self.say_response(domain, "utter_voice_closed", opens=opens)]

    def reference_lines(self, domain: Any, reference: str | None) -> list[str]:
        """The reference read slowly, twice, so the caller can note it (none without one)."""
        if not reference:
            return []
        slowly = spelled_slowly(reference)
        return [self.say_response(domain, "utter_voice_reference_slowly", reference=slowly)]

    async def put_through(self, request: Request, sender: str, lines: list[str]) -> VoiceResponse:
        """Transfer after a hand-off if the contact centre is open; else say when it opens.

        When closed, the caller hears their reference slowly and the call ends.
        """
        domain = request.app.ctx.agent.domain
        if self.contact_centre_open():
            return self.transfer(domain, lines)
        reference = self._reference(await self._tracker(request, sender))
        closed = self.closed_lines(domain)
        return self.end_call(domain, [*lines, *closed, *self.reference_lines(domain, reference)])

    # --- The conversation ---------------------------------------------------------------

    @staticmethod
    async def _tracker(request: Request, sender: str) -> Any:
        return await request.app.ctx.agent.tracker_store.retrieve(sender)

    @staticmethod
    def _last_bot(tracker: Any) -> list[BotUttered]:
        """The assistant's messages since the caller last spoke, oldest first."""
        said: list[BotUttered] = []
        for event in reversed(tracker.events if tracker else []):
            if isinstance(event, BotUttered):
                said.append(event)
            elif said and getattr(event, "type_name", "") == "user":
                break
        return list(reversed(said))

    @staticmethod
    def _reference(tracker: Any) -> str | None:
        for event in reversed(tracker.events if tracker else []):
            if isinstance(event, SlotSet) and event.key in REFERENCE_SLOTS and event.value:
                return str(event.value)
        return None

    async def _offer_answer(
        self, request: Request, sender: str, caller: str, transfer: bool = False
    ) -> VoiceResponse:
        """The caller's answer to "would you like a text message?".

        At the end of a call the call then ends (a reference not sent by text is read out
        slowly first); before a hand-off (``transfer``) the caller is put through to the
        contact centre either way, if it is still open.
        """
        agent = request.app.ctx.agent
        domain = agent.domain
        tracker = await self._tracker(request, sender)
        reference = self._reference(tracker)

        async def finish(line: str) -> VoiceResponse:
            said = [self.say_response(domain, line)]
            if transfer:
                return await self.put_through(request, sender, said)
            if line != "utter_voice_text_sent":
                said += self.reference_lines(domain, reference)
            return self.end_call(domain, said)

        form = request.form or {}
        digits = (form.get("Digits") or "").strip()
        speech = clean_message(form.get("SpeechResult") or "", self.settings.max_message_chars)
        wants = digits == "1"
        if not digits and form.get("SpeechResult"):
            parsed = await agent.parse_message(speech)
            wants = (parsed.get("intent") or {}).get("name") == "affirm"
        if not wants:
            return await finish("utter_voice_no_text")
        values = {
            "council_name": tracker.get_slot("council_name") if tracker else "",
            "reference": reference or "",
            "link": self.settings.continue_online_url,
        }
        name = "utter_sms_continue_online_reference" if reference else "utter_sms_continue_online"
        body = fill(self._screen_text(domain, name), values)
        if not await self._send_text(caller, sender, body):
            return await finish("utter_voice_text_failed")
        return await finish("utter_voice_text_sent")

    async def _send_text(self, caller: str, sender: str, body: str) -> bool:
        """Text the caller through the SMS gateway; False when it cannot be sent."""
        number = uk_mobile_e164(caller)
        try:
            if number is None:
                raise SmsError("not a UK mobile number")
            message = SmsMessage(to=number, body=body, conversation_id=sender)
            await asyncio.to_thread(self.sms_gateway.send, message)
        except (SmsError, ValidationError) as error:
            logger.warning("no text message to the caller: %s", type(error).__name__)
            return False
        return True

    @staticmethod
    def _handed_over(tracker: Any) -> bool:
        """Whether the assistant handed the case to staff since the caller last spoke."""
        for event in reversed(tracker.events if tracker else []):
            if getattr(event, "type_name", "") == "user":
                return False
            if isinstance(event, BotUttered) and (
                (event.metadata or {}).get("utter_action") in HANDED_OVER
            ):
                return True
        return False

    @staticmethod
    def _signpost_link(tracker: Any) -> str | None:
        """The link of a signpost given since the caller last spoke, if any."""
        for event in reversed(tracker.events if tracker else []):
            if getattr(event, "type_name", "") == "user":
                return None
            if isinstance(event, SlotSet) and event.key == SIGNPOST_LINK_SLOT and event.value:
                return str(event.value)
        return None

    async def _signpost_answer(
        self,
        request: Request,
        sender: str,
        caller: str,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
    ) -> VoiceResponse:
        """The caller's answer to "would you like me to text you the link?".

        Yes texts the link of the signpost just given, no says so; either way the call goes
        on. Anything else is a new question and goes to the assistant as usual.
        """
        domain = request.app.ctx.agent.domain
        answer, said = await self._yes_or_no(request)
        if answer is None:
            return await self._turn(request, sender, said, on_new_message)
        if answer == "deny":
            return self.gather([self.say_response(domain, "utter_voice_signpost_no_text")])
        tracker = await self._tracker(request, sender)
        values = {
            "council_name": tracker.get_slot("council_name") if tracker else "",
            "link": tracker.get_slot(SIGNPOST_LINK_SLOT) if tracker else "",
        }
        body = fill(self._screen_text(domain, "utter_sms_signpost"), values)
        sent = bool(values["link"]) and await self._send_text(caller, sender, body)
        line = "utter_voice_signpost_text_sent" if sent else "utter_voice_signpost_text_failed"
        return self.gather([self.say_response(domain, line)])

    async def _yes_or_no(self, request: Request) -> tuple[str | None, str]:
        """The answer to a yes/no question of the phone line, and what the caller said.

        Key 1 or 2, or speech the assistant's NLU reads as ``affirm`` or ``deny``; None
        for anything else, which is then the caller's next message.
        """
        form = request.form or {}
        digits = (form.get("Digits") or "").strip()
        speech = clean_message(form.get("SpeechResult") or "", self.settings.max_message_chars)
        answer = {"1": "affirm", "2": "deny"}.get(digits)
        if not digits:
            parsed = await request.app.ctx.agent.parse_message(speech)
            answer = (parsed.get("intent") or {}).get("name")
        return (answer if answer in ("affirm", "deny") else None), digits or speech

    # --- "Did that answer your question?" ----------------------------------------------

    def _answered(self, tracker: Any, messages: list[Mapping[str, Any]]) -> bool:
        """Whether this turn's reply was an information answer the caller may be asked about.

        Not while a form waits for an answer or the reply offers keypad options: 1 and 2
        are theirs then.
        """
        if not tracker or tracker.active_loop_name or any(m.get("buttons") for m in messages):
            return False
        return answered_last(tracker.events, self.information_answers)

    async def _feedback_answer(
        self,
        request: Request,
        sender: str,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
    ) -> VoiceResponse:
        """The caller's answer to "Did that answer your question?".

        Yes or no is kept and the call goes on (after no: ask again or ask for a person,
        as the web chat offers); anything else goes to the assistant as their next message.
        """
        domain = request.app.ctx.agent.domain
        answer, said = await self._yes_or_no(request)
        if answer is None:
            return await self._turn(request, sender, said, on_new_message)
        await self._record_feedback(sender, answered=answer == "affirm")
        line = "utter_voice_feedback_thanks" if answer == "affirm" else "utter_voice_feedback_sorry"
        return self.gather([self.say_response(domain, line)])

    async def _record_feedback(self, sender: str, answered: bool) -> None:
        """Keep the answer with the council services, by the call's one-way id only.

        A failure is logged and the call goes on (after at most the client's timeouts).
        """
        digest = conversation_hash(self.settings.insight_hash_secret.get_secret_value(), sender)
        try:
            await self.insight.post_feedback(digest, answered, IVR_CHANNEL)
        except (InsightUnavailable, InsightRejected) as error:
            logger.warning("phone line: answer feedback not kept: %s", type(error).__name__)

    @staticmethod
    def _screen_text(domain: Any, name: str) -> str:
        variants = (domain.responses or {}).get(name) or []
        plain = [v for v in variants if not v.get("channel")]
        return str(plain[0].get("text", "")) if plain else ""

    async def _silence(
        self, request: Request, sender: str, silence: int, stage: str
    ) -> VoiceResponse:
        domain = request.app.ctx.agent.domain
        if stage == TRANSFER_OFFER_STAGE:  # no answer: don't keep them from a person
            return await self.put_through(request, sender, [])
        if stage == FEEDBACK_STAGE:  # no answer: nothing kept, not asked again
            return self.gather([self.say_response(domain, "utter_anything_else")], 1)
        if silence >= 1:
            return self.hang_up([self.say_response(domain, "utter_voice_no_input_goodbye")])
        again = await self._said_last(request, sender, stage)
        return self.gather(
            [self.say_response(domain, "utter_voice_no_input"), *again], 1, stage=stage
        )

    async def _said_last(self, request: Request, sender: str, stage: str) -> list[str]:
        """The last thing said: the assistant's last messages and the stage's question.

        At the end of a call (``offer_text``) only the question: the goodbye before it
        is no news.
        """
        domain = request.app.ctx.agent.domain
        question = [self.say_response(domain, STAGE_QUESTIONS[stage])] if stage else []
        if stage == OFFER_STAGE:
            return question
        last = self._last_bot(await self._tracker(request, sender))
        said = self.lines(domain, [{"text": e.text, **(e.data or {})} for e in last])
        if stage == CLOSED_OFFER_STAGE:
            said += self.closed_lines(domain)
        return [*said, *question]

    def _asks_to_repeat(self, speech: str | None, digits: str) -> bool:
        if digits:
            return self.repeat.asked_by_keys(digits)
        return bool(speech) and self.repeat.asked_by_speech(speech or "")

    async def _turn(
        self,
        request: Request,
        sender: str,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
    ) -> VoiceResponse:
        agent = request.app.ctx.agent
        collector = VoiceCollectingOutputChannel()
        with keep_saved() as saved:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=self.get_metadata(request),
                )
            )
        lines = self.lines(agent.domain, collector.messages)
        # The tracker the turn just saved; read back only from a store that keeps none.
        tracker = saved.get(sender) or await self._tracker(request, sender)
        intent = (tracker.latest_message.intent or {}).get("name") if tracker else None
        if intent in TRANSFER_INTENTS:  # someone at risk is put through at once
            return self.transfer(agent.domain, lines, urgent=True)
        if self._handed_over(tracker) and not self.contact_centre_open():
            closed = self.closed_lines(agent.domain)
            offer = self.say_response(agent.domain, "utter_voice_offer_text_closed")
            return self.gather([*lines, *closed, offer], stage=CLOSED_OFFER_STAGE)
        if self._handed_over(tracker):
            offer = self.say_response(agent.domain, "utter_voice_offer_text_before_transfer")
            return self.gather([*lines, offer], stage=TRANSFER_OFFER_STAGE)
        if intent == "goodbye":
            offer = self.say_response(agent.domain, "utter_voice_offer_text")
            return self.gather([*lines, offer], stage=OFFER_STAGE)
        if self._signpost_link(tracker):  # a link can't be heard: offer it by text
            offer = self.say_response(agent.domain, "utter_voice_offer_signpost_text")
            return self.gather([*lines, offer], stage=SIGNPOST_OFFER_STAGE)
        if self._answered(tracker, collector.messages):
            ask = self.say_response(agent.domain, "utter_voice_ask_feedback")
            return self.gather([*lines, ask], stage=FEEDBACK_STAGE)
        if text == CALL_START:  # once a call: how to hear something again
            hint = self.say_response(
                agent.domain, "utter_voice_repeat_hint", repeat_key=self.repeat.key
            )
            return self.gather([*lines, hint])
        return self.gather(lines)

    async def respond(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> VoiceResponse | None:
        """The TwiML for one signed webhook request, or None for a malformed one."""
        form = request.form or {}
        caller = clean_text(form.get("From") or "", None)
        if not caller or len(caller) > 32:
            return None
        sender = caller_conversation_id(caller, self.settings.caller_id_secret.get_secret_value())
        stage = request.args.get("stage", "")
        silence_arg = request.args.get("s")
        silence = int(silence_arg) if silence_arg and silence_arg.isdigit() else 0
        speech = form.get("SpeechResult")
        digits = (form.get("Digits") or "").strip()

        if self._asks_to_repeat(speech, digits):  # said again; the assistant never hears it
            again = await self._said_last(request, sender, stage)
            return self.gather(again, stage=stage)
        if stage in (OFFER_STAGE, CLOSED_OFFER_STAGE) and (speech or digits):
            return await self._offer_answer(request, sender, caller)
        if stage == TRANSFER_OFFER_STAGE and (speech or digits):
            return await self._offer_answer(request, sender, caller, transfer=True)
        if stage == SIGNPOST_OFFER_STAGE and (speech or digits):
            return await self._signpost_answer(request, sender, caller, on_new_message)
        if stage == FEEDBACK_STAGE and (speech or digits):
            return await self._feedback_answer(request, sender, on_new_message)
        if not speech and not digits:
            if silence_arg is None and not stage:
                return await self._turn(request, sender, CALL_START, on_new_message)
            return await self._silence(request, sender, silence, stage)
        text = None
        if digits:
            last = self._last_bot(await self._tracker(request, sender))
            buttons = [b for e in last for b in (e.data or {}).get("buttons") or []]
            text = keypad_payload(digits, buttons) or clean_message(digits, 32)
        else:
            text = clean_message(speech, self.settings.max_message_chars)
        return await self._turn(request, sender, text, on_new_message)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """The webhook: signed requests only."""
        webhook = Blueprint("frontdoor_twilio_voice_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                logger.warning("phone line: refused a request without a valid signature")
                return response.text("Forbidden", status=403)
            twiml = await self.respond(request, on_new_message)
            if twiml is None:
                return response.text("Bad request", status=400)
            return response.text(str(twiml), content_type="text/xml")

        return webhook
