"""Process-wide clients and data the actions use, each built on first use.

Nothing here touches the network or a database at import time. The integration clients
read no settings themselves: their address, credentials and timeouts are passed in here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from actions.common.form_correction import CorrectionPhrases, cached_correction_phrases
from actions.common.place_words import Words, load_words
from actions.common.report_questions import Questions, cached_questions
from actions.common.stop_phrases import StopPhrases, cached_stop_phrases
from actions.common.triage import TriageRules, cached_rules
from bot.content.knowledge import ServiceKnowledge, cached_knowledge
from bot.content.next_steps import NextStep
from bot.content.next_steps import cached as cached_next_steps
from bot.councils.profile import CouncilProfile, cached_profile
from bot.settings import settings
from integrations.crm import CrmClient, FakeCrm, get_crm_client
from integrations.directory import DirectoryClient, get_directory_client
from integrations.open311 import Open311Client, get_open311_client
from integrations.outbox import Outbox
from integrations.sms import SmsGateway, get_sms_gateway
from integrations.triage import TriageClient, get_triage_client
from lib.postcodes.authorities import LocalAuthorities, load_authorities
from lib.postcodes.client import PostcodeDirectory
from lib.status_wording import StatusWordings
from lib.yaml_files import load_yaml


def profile() -> CouncilProfile:
    """The council the assistant speaks for."""
    return cached_profile(settings.council_dir)


def report_questions() -> Questions:
    """The questions the report form can ask about a problem (``kb/report_questions.yml``)."""
    return cached_questions(settings.kb_dir / "report_questions.yml")


@lru_cache(maxsize=1)
def open311() -> Open311Client:
    """The council's Open311 endpoint (jurisdiction: the setting, else the profile's)."""
    return get_open311_client(
        settings.client_endpoint("open311"),
        settings.open311_jurisdiction_id or profile().jurisdiction_id,
    )


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    """The durable store of reports waiting for delivery."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return Outbox(settings.database)


@lru_cache(maxsize=1)
def postcodes() -> PostcodeDirectory:
    """The offline postcode directory, preloaded with the council's postcode areas."""
    directory = PostcodeDirectory()
    directory.preload(profile().postcode_areas)
    return directory


@lru_cache(maxsize=1)
def authorities() -> LocalAuthorities:
    """Names and reporting links of local authorities, for "that's another council"."""
    return load_authorities(settings.kb_dir / "local_authorities.yml")


@lru_cache(maxsize=1)
def triage() -> TriageClient:
    """The council's triage queue."""
    return get_triage_client(settings.client_endpoint("triage"))


def triage_rules() -> TriageRules:
    """Priority, category and summary rules for hand-offs."""
    return cached_rules(settings.kb_dir / "triage" / "rules.yml")


@lru_cache(maxsize=1)
def safety_lines() -> dict[str, dict[str, str]]:
    """National crisis lines (``kb/facts/safety.yml``)."""
    data = load_yaml((settings.kb_dir / "facts" / "safety.yml").read_text(encoding="utf-8"))
    return {name: {k: str(v) for k, v in line.items()} for name, line in data["lines"].items()}


@lru_cache(maxsize=1)
def intent_labels() -> dict[str, str]:
    """Plain-English button titles for intents (``kb/intent_labels.yml``)."""
    data = load_yaml((settings.kb_dir / "intent_labels.yml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["labels"].items()}


@lru_cache(maxsize=1)
def directory() -> DirectoryClient:
    """The council's location directory and PC bookings."""
    return get_directory_client(settings.client_endpoint("directory"))


def place_words() -> Words:
    """Words for talking about places (``kb/directory/words.yml``)."""
    return load_words(settings.kb_dir / "directory" / "words.yml")


def settings_kb_dir() -> Path:
    """The knowledge-base folder in use."""
    return settings.kb_dir


def next_steps() -> dict[str, NextStep]:
    """What the council does after a case (``kb/next_steps.yml`` and the council's own)."""
    return cached_next_steps(settings.kb_dir, settings.council_dir)


def knowledge(service: str) -> ServiceKnowledge:
    """One service's knowledge (``kb/facts/<service>.yml`` with the council's overrides)."""
    return cached_knowledge(settings.kb_dir / "facts" / f"{service}.yml", settings.council_dir)


@lru_cache(maxsize=1)
def crm() -> CrmClient | FakeCrm:
    """The council's CRM: council tax accounts and cases, broadband applications.

    ``CRM_FAKE=true`` gives the in-memory fake, for running without the council services.
    """
    return get_crm_client(settings.client_endpoint("crm"), fake=settings.crm_fake)


@lru_cache(maxsize=1)
def status_wordings() -> StatusWordings:
    """Plain-English statuses and next steps (``kb/statuses.yml``)."""
    return StatusWordings.from_file(settings.kb_dir / "statuses.yml")


def stop_phrases() -> StopPhrases:
    """Ways to say "stop this form" (``kb/conversation/stop_phrases.yml``)."""
    return cached_stop_phrases(settings.kb_dir / "conversation" / "stop_phrases.yml")


def correction_phrases() -> CorrectionPhrases:
    """Ways to correct the answer just given (``kb/conversation/correction_phrases.yml``)."""
    return cached_correction_phrases(settings.kb_dir / "conversation" / "correction_phrases.yml")


@lru_cache(maxsize=1)
def sms() -> SmsGateway:
    """The gateway that sends text messages to residents (a report's reference)."""
    return get_sms_gateway(settings.sms_gateway, settings.client_endpoint("sms"))
