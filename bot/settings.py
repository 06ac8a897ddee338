"""The one typed settings object of the assistant's runtime.

Every environment read of ``bot/``, ``workers/`` and ``actions/`` happens here. Variable
names follow ``shared/contracts.md`` (``RASA_API_TOKEN``, ``STAFF_API_TOKEN``,
``DATABASE_URL``...).
Each setting names its variable and says what it does in its ``Field``; ``.env.example`` is
generated from them (``make env-example``). Outside development the placeholder secrets are
refused at start-up. Tests build their own ``Settings`` instead of
patching the environment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, validator
from pydantic.fields import ModelField

from bot.cors import exact_patterns, split_origins
from integrations.endpoint import Endpoint
from lib.rate_limit import Limit
from lib.shared_settings import (
    DEV_INSIGHT_HASH_SECRET,
    DEV_LIBRARY_ASSIST_SECRET,
    DEV_OPEN311_API_KEY,
    DEV_STAFF_API_TOKEN,
    SharedSettings,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Secrets shipped as development defaults; refused outside development and test. Each is a
#: ``SecretStr``: no repr, ``str()`` or log line shows it; use sites ask for the value.
DEVELOPMENT_SECRETS = {
    "rasa_api_token": "dev-rasa-token",
    "staff_api_token": DEV_STAFF_API_TOKEN,
    "open311_api_key": DEV_OPEN311_API_KEY,
    "caller_id_secret": "dev-caller-id-secret",
    "insight_hash_secret": DEV_INSIGHT_HASH_SECRET,
    "twilio_auth_token": "dev-twilio-auth-token",
    "library_assist_secret": DEV_LIBRARY_ASSIST_SECRET,
    "action_server_token": "dev-action-server-token",
}

#: The assistant's clients of outside systems, each with its own base URL setting
#: (``<CLIENT>_URL``, contract section 3); an empty one means ``COUNCIL_SERVICES_URL``.
Client = Literal["open311", "crm", "triage", "directory", "sms", "insight"]
CLIENTS: tuple[Client, ...] = get_args(Client)


class Settings(SharedSettings):
    """Runtime configuration, read from the environment (and an optional ``.env`` file).

    The variables the council services read with the same meaning (``ENVIRONMENT``,
    ``COUNCIL``, ``KB_DIR``, ``PURGE_INTERVAL_HOURS`` and the shared secrets
    ``OPEN311_API_KEY``, ``STAFF_API_TOKEN``, ``INSIGHT_HASH_SECRET``,
    ``LIBRARY_ASSIST_SECRET``) come from ``SharedSettings``.
    """

    var_dir: Path = Field(
        REPO_ROOT / "var",
        env="VAR_DIR",
        description="Where local databases, logs and generated files go.",
    )
    models_dir: Path = Field(
        REPO_ROOT / "models", env="MODELS_DIR", description="Where trained Rasa models are kept."
    )

    # Rasa server
    rasa_host: str = Field(
        "127.0.0.1", env="RASA_HOST", description="Interface the Rasa server binds."
    )
    rasa_port: int = Field(5005, env="RASA_PORT", description="Port of the Rasa server.")
    rasa_api_token: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRETS["rasa_api_token"]),
        env="RASA_API_TOKEN",
        description=(
            "Token for Rasa's HTTP API (/status, /conversations/...). Development default only."
        ),
    )
    tracker_store_url: str = Field(
        "",
        env="TRACKER_STORE_URL",
        description="Rasa's tracker store, a SQLAlchemy URL. Empty: SQLite file var/tracker.db.",
    )
    redis_url: str = Field(
        "",
        env="REDIS_URL",
        description=(
            "Redis lock store for several Rasa processes, e.g. redis://127.0.0.1:6379/0. "
            "Empty: in memory."
        ),
    )

    # Action server
    action_server_host: str = Field(
        "127.0.0.1",
        env="ACTION_SERVER_HOST",
        description=(
            "Interface the action server binds. Loopback: only Rasa on this machine can call "
            "it. Set 0.0.0.0 only where a firewall or network policy lets nothing but Rasa "
            "reach the port."
        ),
    )
    action_server_port: int = Field(
        5055, env="ACTION_SERVER_PORT", description="Port of the action server."
    )
    action_server_url: str = Field(
        "",
        env="ACTION_SERVER_URL",
        description=(
            "Full webhook URL if the action server runs elsewhere. Empty: "
            "http://127.0.0.1:$ACTION_SERVER_PORT/webhook."
        ),
    )
    action_server_token: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRETS["action_server_token"]),
        env="ACTION_SERVER_TOKEN",
        description=(
            "Shared secret Rasa sends with every action call (Authorization: Bearer ...); a "
            "call without it gets 401 and runs nothing. Development default only: set a long "
            "random value."
        ),
    )

    # Council services (CRM stand-in, directory, triage queue)
    council_services_url: str = Field(
        "http://localhost:8000",
        env="COUNCIL_SERVICES_URL",
        description=(
            "Base URL of the council services (web/): triage queue, directory, web pages, and"
            " the stand-ins of the council's systems when STAND_IN is on."
        ),
    )
    # Each client's own base URL; empty: COUNCIL_SERVICES_URL (see ``client_endpoint``).
    open311_url: str = Field(
        "",
        env="OPEN311_URL",
        description=(
            "Root of the council's Open311 system (GeoReport v2 at <url>/open311/v2/): street"
            " problem reports and their status. Empty: COUNCIL_SERVICES_URL."
        ),
    )
    crm_url: str = Field(
        "",
        env="CRM_URL",
        description=(
            "Root of the CRM (<url>/api/v1/): council tax accounts and cases, broadband "
            "applications. Empty: COUNCIL_SERVICES_URL."
        ),
    )
    triage_url: str = Field(
        "",
        env="TRIAGE_URL",
        description=(
            "Root of the triage queue (<url>/api/v1/triage): hand-offs to a person. Empty: "
            "COUNCIL_SERVICES_URL."
        ),
    )
    directory_url: str = Field(
        "",
        env="DIRECTORY_URL",
        description=(
            "Root of the location directory and PC bookings (<url>/api/v1/places, /bookings)."
            " Empty: COUNCIL_SERVICES_URL."
        ),
    )
    sms_url: str = Field(
        "",
        env="SMS_URL",
        description=(
            "Root of the SMS gateway (<url>/api/v1/sms), when SMS_GATEWAY=outbox. Empty: "
            "COUNCIL_SERVICES_URL."
        ),
    )
    insight_url: str = Field(
        "",
        env="INSIGHT_URL",
        description=(
            "Where outcome events of ended conversations go (<url>/api/v1/insight/events). "
            "Empty: COUNCIL_SERVICES_URL."
        ),
    )
    open311_jurisdiction_id: str = Field(
        "",
        env="OPEN311_JURISDICTION_ID",
        description="Open311 jurisdiction_id. Empty: the council profile's.",
    )
    council_services_database_url: str = Field(
        "",
        env="COUNCIL_SERVICES_DATABASE_URL",
        description=(
            "Database of the council services (web/), a SQLAlchemy URL. Empty: DATABASE_URL, "
            "then SQLite var/council_services.db."
        ),
    )
    http_connect_timeout_s: float = Field(
        2.0,
        env="HTTP_CONNECT_TIMEOUT",
        description="Seconds a client waits to connect to the council services.",
    )
    http_read_timeout_s: float = Field(
        5.0,
        env="HTTP_READ_TIMEOUT",
        description="Seconds a client waits for the council services to answer.",
    )
    crm_fake: bool = Field(
        False,
        env="CRM_FAKE",
        description=(
            "true: council tax and broadband use an in-memory sample CRM instead of the "
            "council services."
        ),
    )

    # The assistant's own storage (outbox of reports waiting for the council services)
    database_url: str = Field(
        "",
        env="DATABASE_URL",
        description=(
            "The assistant's own storage (the outbox of reports waiting for the council "
            "services), a SQLAlchemy URL such as "
            "postgresql+psycopg2://frontdoor@127.0.0.1:5432/frontdoor. Empty: SQLite "
            "var/frontdoor.db."
        ),
    )
    outbox_retry_base_s: float = Field(
        2.0,
        env="OUTBOX_RETRY_BASE_SECONDS",
        description=(
            "First retry of an undelivered report after this many seconds, doubling up to "
            "OUTBOX_RETRY_MAX_SECONDS."
        ),
    )
    outbox_retry_max_s: float = Field(
        300.0,
        env="OUTBOX_RETRY_MAX_SECONDS",
        description="Longest wait between two delivery attempts, in seconds.",
    )
    outbox_poll_s: float = Field(
        1.0,
        env="OUTBOX_POLL_SECONDS",
        description="How often the outbox worker looks for reports to deliver, in seconds.",
    )

    # Retention: conversations (tracker events), delivered outbox items and insight delivery
    # keys are removed after this many days (workers/retention.py), by the retention worker every
    # PURGE_INTERVAL_HOURS and by `python -m bot purge`.
    transcript_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        env="TRANSCRIPT_RETENTION_DAYS",
        description=(
            "Conversations, delivered outbox items, triage transcripts and unanswered "
            "questions are deleted after this many days."
        ),
    )

    # Conversation limits
    max_message_chars: int = Field(
        1000,
        ge=1,
        le=10000,
        env="MAX_MESSAGE_CHARS",
        description="Longer messages are cut to this many characters before NLU.",
    )
    rest_rate_limit: str = Field(
        "30/60",
        env="REST_RATE_LIMIT",
        description=(
            "REST channel messages one conversation may send (<requests>/<seconds>; 0 "
            "switches it off). More gets 429 and Retry-After."
        ),
    )
    rest_address_rate_limit: str = Field(
        "600/60",
        env="REST_ADDRESS_RATE_LIMIT",
        description=(
            "REST channel messages from one client address. The web chat relay names each "
            "resident's own address (with RASA_API_TOKEN), so each web resident counts alone."
        ),
    )
    rasa_cors_origins: str = Field(
        "",
        env="RASA_CORS_ORIGINS",
        description=(
            "Browser origins Rasa's HTTP API answers with CORS headers, comma-separated, each"
            " exactly scheme://host[:port] (no wildcards). Empty: none (the web chat goes "
            "through the relay)."
        ),
    )
    council_tax_verified_minutes: float = Field(
        10.0,
        gt=0,
        le=24 * 60,
        env="COUNCIL_TAX_VERIFIED_MINUTES",
        description=(
            "A resident's council tax verification lasts this many minutes in a conversation;"
            ' after that (or "Finish and clear") they are asked for their details again.'
        ),
    )
    duplicate_radius_m: float = Field(
        250.0,
        env="DUPLICATE_RADIUS_METRES",
        description=(
            "Open reports of the same kind within this distance are offered instead of a duplicate."
        ),
    )
    stack_start_timeout_s: float = Field(
        600.0,
        env="STACK_START_TIMEOUT",
        description=(
            "Seconds make run and the end-to-end tests wait for every service to be ready "
            "(raise it on a busy machine)."
        ),
    )
    rasa_allocator: Literal["jemalloc", "system"] = Field(
        "jemalloc",
        env="RASA_ALLOCATOR",
        description=(
            "Memory allocator of the Rasa server: jemalloc (when the system has "
            "libjemalloc2; less memory) or system."
        ),
    )
    caller_id_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRETS["caller_id_secret"]),
        env="CALLER_ID_SECRET",
        description=(
            "Key for hashing callers' phone numbers into conversation ids. Development "
            "default only."
        ),
    )

    # Service insight (issue #10): one outcome event per ended conversation session.
    insight_idle_s: float = Field(
        900.0,
        env="INSIGHT_IDLE_SECONDS",
        description=(
            "A conversation with no event for this long has ended, and its outcome is recorded."
        ),
    )
    insight_poll_s: float = Field(
        30.0,
        env="INSIGHT_POLL_SECONDS",
        description="How often the insight worker looks for ended conversations, in seconds.",
    )
    insight_lookback_hours: float = Field(
        48.0,
        env="INSIGHT_LOOKBACK_HOURS",
        description="Only conversations active in the last this many hours are looked at.",
    )
    # Phone line (issue #6): Twilio Voice webhook at /webhooks/twilio_voice/webhook
    twilio_auth_token: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRETS["twilio_auth_token"]),
        env="TWILIO_AUTH_TOKEN",
        description=(
            "Checks X-Twilio-Signature on every phone line request. Development default only:"
            " set the real token."
        ),
    )
    twilio_public_url: str = Field(
        "",
        env="TWILIO_PUBLIC_URL",
        description=(
            "The public base URL Twilio calls when Rasa runs behind a proxy, e.g. "
            "https://phone.example.gov.uk (signatures are computed over it). Empty: the URL "
            "as Rasa receives it."
        ),
    )
    twilio_voice: str = Field(
        "Polly.Amy",
        env="TWILIO_VOICE",
        description=(
            "A British voice (Polly.Amy, Polly.Brian, Polly.Emma, or a Google.en-GB-... voice)."
        ),
    )
    twilio_language: str = Field(
        "en-GB", env="TWILIO_LANGUAGE", description="Speech recognition language of the phone line."
    )
    web_chat_url: str = Field(
        "",
        env="WEB_CHAT_URL",
        description="The link texted to callers to carry on online. Empty: $COUNCIL_SERVICES_URL/.",
    )
    sms_gateway: str = Field(
        "outbox",
        env="SMS_GATEWAY",
        description=(
            "Text messages: outbox (the council services' SMS outbox, shown at /staff/sms) or"
            " fake (in memory, for tests)."
        ),
    )

    class Config:  # noqa: D106 - pydantic's settings hook
        env_file = ".env"
        env_file_encoding = "utf-8"
        keep_untouched = (cached_property,)

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
            token = self.open311_api_key.get_secret_value()
        elif client == "directory":
            token = ""
        else:
            token = self.staff_api_token.get_secret_value()
        return Endpoint(
            self.client_url(client),
            token,
            connect_timeout_s=self.http_connect_timeout_s,
            read_timeout_s=self.http_read_timeout_s,
        )

    def secret(self, name: str) -> str:
        """The plain value of one secret setting (each is a ``SecretStr``), by field name."""
        value: SecretStr = getattr(self, name)
        return value.get_secret_value()

    def secret_values(self) -> list[str]:
        """The values of every secret setting, which no log line may show."""
        values = [self.secret(name) for name in DEVELOPMENT_SECRETS]
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
        weak = [name for name, value in DEVELOPMENT_SECRETS.items() if self.secret(name) == value]
        if weak:
            names = ", ".join(name.upper() for name in weak)
            raise ValueError(f"Set real values for {names} outside development.")


settings = Settings()
