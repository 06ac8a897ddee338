"""The one typed settings object of the assistant's runtime.

Every environment read of ``bot/`` and ``actions/`` happens here. Variable names follow
``shared/contracts.md`` (``RASA_API_TOKEN``, ``STAFF_API_TOKEN``, ``DATABASE_URL``...).
Development defaults live here and in ``.env.example``; outside development the
placeholder secrets are refused at start-up. Tests build their own ``Settings`` instead of
patching the environment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import BaseSettings, Field, validator
from pydantic.fields import ModelField

from bot.cors import exact_patterns, split_origins
from integrations.endpoint import Endpoint
from lib.environments import PLACEHOLDERS_ALLOWED, Environment, check_environment
from lib.rate_limit import Limit

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Secrets shipped as development defaults; refused outside development and test.
DEVELOPMENT_SECRETS = {
    "rasa_api_token": "dev-rasa-token",
    "staff_api_token": "dev-staff-token",
    "open311_api_key": "dev-open311-key",
    "caller_id_secret": "dev-caller-id-secret",
    "insight_hash_secret": "dev-insight-hash-secret",
    "twilio_auth_token": "dev-twilio-auth-token",
    "library_assist_secret": "dev-library-assist-secret",
    "action_server_token": "dev-action-server-token",
}

#: The assistant's clients of outside systems, each with its own base URL setting
#: (``<CLIENT>_URL``, contract section 3); an empty one means ``COUNCIL_SERVICES_URL``.
Client = Literal["open311", "crm", "triage", "directory", "sms", "insight"]
CLIENTS: tuple[Client, ...] = get_args(Client)


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (and an optional ``.env`` file)."""

    #: ``development``, ``test``, ``staging`` or ``production`` (``lib/environments.py``).
    environment: Environment = Field("development", env="ENVIRONMENT")
    #: Folder under kb/councils/; empty means the one named in kb/councils/default.yml.
    council: str = Field("", env="COUNCIL")
    kb_dir: Path = Field(REPO_ROOT / "kb", env="KB_DIR")
    var_dir: Path = Field(REPO_ROOT / "var", env="VAR_DIR")
    models_dir: Path = Field(REPO_ROOT / "models", env="MODELS_DIR")

    # Rasa server
    rasa_host: str = Field("127.0.0.1", env="RASA_HOST")
    rasa_port: int = Field(5005, env="RASA_PORT")
    rasa_api_token: str = Field(DEVELOPMENT_SECRETS["rasa_api_token"], env="RASA_API_TOKEN")
    tracker_store_url: str = Field("", env="TRACKER_STORE_URL")
    redis_url: str = Field("", env="REDIS_URL")

    # Action server
    #: The interface the action server binds: loopback, so only this machine's Rasa reaches it.
    action_server_host: str = Field("127.0.0.1", env="ACTION_SERVER_HOST")
    action_server_port: int = Field(5055, env="ACTION_SERVER_PORT")
    action_server_url: str = Field("", env="ACTION_SERVER_URL")
    #: The secret Rasa sends with every action call; the action server refuses calls without it.
    action_server_token: str = Field(
        DEVELOPMENT_SECRETS["action_server_token"], env="ACTION_SERVER_TOKEN"
    )

    # Council services (CRM stand-in, directory, triage queue)
    council_services_url: str = Field("http://localhost:8000", env="COUNCIL_SERVICES_URL")
    # Each client's own base URL; empty: COUNCIL_SERVICES_URL (see ``client_endpoint``).
    #: Open311 GeoReport v2 (``<url>/open311/v2/``): street problem reports and their status.
    open311_url: str = Field("", env="OPEN311_URL")
    #: The CRM API (``<url>/api/v1/``): council tax accounts and cases, broadband.
    crm_url: str = Field("", env="CRM_URL")
    #: The triage queue (``<url>/api/v1/triage``): hand-offs to a person.
    triage_url: str = Field("", env="TRIAGE_URL")
    #: The location directory and PC bookings (``<url>/api/v1/places``, ``/bookings``).
    directory_url: str = Field("", env="DIRECTORY_URL")
    #: The SMS gateway's outbox (``<url>/api/v1/sms``), when ``SMS_GATEWAY=outbox``.
    sms_url: str = Field("", env="SMS_URL")
    #: Service insight events (``<url>/api/v1/insight/events``).
    insight_url: str = Field("", env="INSIGHT_URL")
    open311_api_key: str = Field(DEVELOPMENT_SECRETS["open311_api_key"], env="OPEN311_API_KEY")
    open311_jurisdiction_id: str = Field("", env="OPEN311_JURISDICTION_ID")
    staff_api_token: str = Field(DEVELOPMENT_SECRETS["staff_api_token"], env="STAFF_API_TOKEN")
    #: The council services' own database, passed to the stand-in the launcher starts.
    council_services_database_url: str = Field("", env="COUNCIL_SERVICES_DATABASE_URL")
    http_connect_timeout_s: float = Field(2.0, env="HTTP_CONNECT_TIMEOUT")
    http_read_timeout_s: float = Field(5.0, env="HTTP_READ_TIMEOUT")
    #: Use the in-memory CRM (council tax, broadband) instead of the council services.
    crm_fake: bool = Field(False, env="CRM_FAKE")

    # The assistant's own storage (outbox of reports waiting for the council services)
    database_url: str = Field("", env="DATABASE_URL")
    outbox_retry_base_s: float = Field(2.0, env="OUTBOX_RETRY_BASE_SECONDS")
    outbox_retry_max_s: float = Field(300.0, env="OUTBOX_RETRY_MAX_SECONDS")
    outbox_poll_s: float = Field(1.0, env="OUTBOX_POLL_SECONDS")

    # Retention: conversations (tracker events), delivered outbox items and insight delivery
    # keys are removed after this many days (bot/retention.py), by the retention worker every
    # PURGE_INTERVAL_HOURS and by `python -m bot purge`.
    transcript_retention_days: int = Field(30, ge=1, le=3650, env="TRANSCRIPT_RETENTION_DAYS")
    purge_interval_hours: float = Field(24.0, gt=0, le=24 * 7, env="PURGE_INTERVAL_HOURS")

    # Conversation limits
    #: The longest message the REST channel and the phone line pass to NLU (longer: cut).
    max_message_chars: int = Field(1000, ge=1, le=10000, env="MAX_MESSAGE_CHARS")
    #: REST channel messages one conversation may send ("<requests>/<seconds>", "0": off).
    rest_rate_limit: str = Field("30/60", env="REST_RATE_LIMIT")
    #: REST channel messages from one client address. The web chat relay sends every web
    #: resident's messages from the council services' address, so this one is generous.
    rest_address_rate_limit: str = Field("600/60", env="REST_ADDRESS_RATE_LIMIT")
    #: Browser origins Rasa's HTTP API answers (CORS), exactly as written; comma-separated.
    rasa_cors_origins: str = Field("", env="RASA_CORS_ORIGINS")
    #: Minutes a resident's council tax verification lasts; then they verify again (#15).
    council_tax_verified_minutes: float = Field(
        10.0, gt=0, le=24 * 60, env="COUNCIL_TAX_VERIFIED_MINUTES"
    )
    duplicate_radius_m: float = Field(250.0, env="DUPLICATE_RADIUS_METRES")
    #: Seconds `make run` and the end-to-end tests wait for every service to be ready.
    stack_start_timeout_s: float = Field(600.0, env="STACK_START_TIMEOUT")
    caller_id_secret: str = Field(DEVELOPMENT_SECRETS["caller_id_secret"], env="CALLER_ID_SECRET")

    # Service insight (issue #10): one outcome event per ended conversation session.
    insight_hash_secret: str = Field(
        DEVELOPMENT_SECRETS["insight_hash_secret"], env="INSIGHT_HASH_SECRET"
    )
    insight_idle_s: float = Field(900.0, env="INSIGHT_IDLE_SECONDS")
    insight_poll_s: float = Field(30.0, env="INSIGHT_POLL_SECONDS")
    insight_lookback_hours: float = Field(48.0, env="INSIGHT_LOOKBACK_HOURS")
    # Phone line (issue #6): Twilio Voice webhook at /webhooks/twilio_voice/webhook
    twilio_auth_token: str = Field(
        DEVELOPMENT_SECRETS["twilio_auth_token"], env="TWILIO_AUTH_TOKEN"
    )
    #: The public base URL Twilio calls (behind a proxy); empty: the URL as received.
    twilio_public_url: str = Field("", env="TWILIO_PUBLIC_URL")
    twilio_voice: str = Field("Polly.Amy", env="TWILIO_VOICE")
    twilio_language: str = Field("en-GB", env="TWILIO_LANGUAGE")
    #: Where the text message at the end of a call sends residents; empty: the web chat.
    web_chat_url: str = Field("", env="WEB_CHAT_URL")
    #: ``outbox`` (the council services' SMS outbox) or ``fake`` (in memory, for tests).
    sms_gateway: str = Field("outbox", env="SMS_GATEWAY")
    #: Shared with the council services: signs the mark of a library assisted session.
    library_assist_secret: str = Field(
        DEVELOPMENT_SECRETS["library_assist_secret"], env="LIBRARY_ASSIST_SECRET"
    )

    class Config:  # noqa: D106 - pydantic's settings hook
        env_file = ".env"
        env_file_encoding = "utf-8"
        keep_untouched = (cached_property,)

    @validator("environment", pre=True)
    def _known_environment(cls, value: object) -> str:  # noqa: N805
        return check_environment(value)

    @validator("rasa_cors_origins")
    def _exact_origins(cls, value: str) -> str:  # noqa: N805
        exact_patterns(value)
        return value.strip()

    @validator("council_services_url", *(f"{client}_url" for client in CLIENTS))
    def _base_url(cls, value: str, field: ModelField) -> str:  # noqa: N805
        value = value.strip()
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValueError(f"{field.name.upper()} must be an http(s) URL, e.g. http://host:8000")
        return value

    @validator("rest_rate_limit", "rest_address_rate_limit")
    def _rate_limit(cls, value: str) -> str:  # noqa: N805
        Limit.parse(value)
        return value.strip()

    @property
    def is_development(self) -> bool:
        """True when the placeholder secrets are acceptable."""
        return self.environment in PLACEHOLDERS_ALLOWED

    @property
    def council_slug(self) -> str:
        """The selected council: ``COUNCIL``, or the default named in the knowledge base."""
        if self.council:
            return self.council
        default = yaml.safe_load((self.kb_dir / "councils" / "default.yml").read_text())
        return str(default["council"])

    @property
    def council_dir(self) -> Path:
        """The folder of the selected council's profile."""
        return self.kb_dir / "councils" / self.council_slug

    @property
    def database(self) -> str:
        """SQLAlchemy URL of the assistant's own database (SQLite file by default)."""
        return self.database_url or f"sqlite:///{self.var_dir / 'frontdoor.db'}"

    @property
    def tracker_store(self) -> str:
        """SQLAlchemy URL of Rasa's tracker store (SQLite file by default)."""
        return self.tracker_store_url or f"sqlite:///{self.var_dir / 'tracker.db'}"

    @property
    def action_endpoint(self) -> str:
        """URL Rasa calls for custom actions."""
        return self.action_server_url or f"http://127.0.0.1:{self.action_server_port}/webhook"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def cors_origins(self) -> list[str]:
        """The browser origins Rasa answers with CORS headers, each exactly."""
        return split_origins(self.rasa_cors_origins)

    @property
    def continue_online_url(self) -> str:
        """The link a caller is texted to carry on online (the web chat)."""
        return self.web_chat_url or f"{self.council_services_url.rstrip('/')}/"

    def client_url(self, client: Client) -> str:
        """The base URL of one client: its own setting, else ``COUNCIL_SERVICES_URL``.

        Args:
            client: which client (``open311``, ``crm``, ``triage``, ``directory``, ``sms``,
                ``insight``).
        """
        return getattr(self, f"{client}_url") or self.council_services_url

    def client_endpoint(self, client: Client) -> Endpoint:
        """Where one client connects: its base URL, its credential and the timeouts.

        The one source of the rule "own URL, else the council services" and of which
        credential each client sends: the Open311 API key for Open311, none for the
        directory, the staff API token for the rest.

        Args:
            client: which client, as for :meth:`client_url`.
        """
        if client == "open311":
            token = self.open311_api_key
        elif client == "directory":
            token = ""
        else:
            token = self.staff_api_token
        return Endpoint(
            self.client_url(client),
            token,
            connect_timeout_s=self.http_connect_timeout_s,
            read_timeout_s=self.http_read_timeout_s,
        )

    def secret_values(self) -> list[str]:
        """The values of every secret setting, which no log line may show."""
        values = [str(getattr(self, name)) for name in DEVELOPMENT_SECRETS]
        for url in (self.database, self.tracker_store, self.redis_url):
            password = urlsplit(url).password if url else None
            if password:
                values.append(password)
        return values

    def check_secrets(self) -> None:
        """Refuse the development placeholder secrets outside development.

        Raises:
            ValueError: when a production setting still holds a development default.
        """
        if self.is_development:
            return
        weak = [name for name, value in DEVELOPMENT_SECRETS.items() if getattr(self, name) == value]
        if weak:
            names = ", ".join(name.upper() for name in weak)
            raise ValueError(f"Set real values for {names} outside development.")


settings = Settings()
