"""The one typed settings object of Front Door's web service (and its stand-in).

Every environment read of the web service happens here. Tests build their own ``Settings``
(keyword arguments win over the environment) instead of patching ``os.environ``.

Each setting names its variable and says what it does in its ``Field``; ``.env.example`` is
generated from them (``make env-example``). ``ENVIRONMENT`` has one vocabulary with the
assistant's (``lib/environments.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, root_validator, validator

from lib.environments import PLACEHOLDERS_ALLOWED
from lib.rate_limit import Limit
from lib.shared_settings import (
    DEV_INSIGHT_HASH_SECRET,
    DEV_LIBRARY_ASSIST_SECRET,
    DEV_OPEN311_API_KEY,
    DEV_STAFF_API_TOKEN,
    SharedSettings,
)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent
DEFAULT_DATABASE_PATH = REPO_ROOT / "var" / "council_services.db"
DEFAULT_CATALOGUE_PATH = PACKAGE_DIR / "stand_in" / "data" / "services.yml"
DEFAULT_INSIGHT_COSTS_PATH = REPO_ROOT / "kb" / "insight" / "contact_costs.yml"

# Development defaults, documented in .env.example. They are refused outside development.
DEV_STAFF_SESSION_SECRET = "dev-staff-session-secret"
# A site that may show the chat widget: https, or http on this machine; a leading "*." for
# every subdomain; a port (or ":*") allowed; nothing after the host.
WIDGET_ORIGIN = re.compile(
    r"^(?:https://(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|http://(?:localhost|127\.0\.0\.1))"
    r"(?::(?:\d{1,5}|\*))?$",
    re.IGNORECASE,
)
#: Who may show the widget in development and test when WIDGET_ALLOWED_ORIGINS is empty.
DEV_WIDGET_ORIGINS = "http://localhost:* http://127.0.0.1:*"
# Outside development the session key must be long enough not to be guessed offline.
MIN_SESSION_SECRET_LENGTH = 32
# PLACEHOLDERS_ALLOWED (lib/environments.py) holds "test" as well: the end-to-end stack
# runs with the documented placeholders and ENVIRONMENT=test.


class Settings(SharedSettings):
    """Configuration of Front Door's web service, read from the environment.

    The variables the assistant reads with the same meaning (``ENVIRONMENT``, ``COUNCIL``,
    ``KB_DIR``, ``PURGE_INTERVAL_HOURS`` and the shared secrets ``OPEN311_API_KEY``,
    ``STAFF_API_TOKEN``, ``INSIGHT_HASH_SECRET``, ``LIBRARY_ASSIST_SECRET``) come from
    ``SharedSettings``.
    """

    database_url: str = Field(
        f"sqlite:///{DEFAULT_DATABASE_PATH}",
        env=["COUNCIL_SERVICES_DATABASE_URL", "DATABASE_URL"],
        description=(
            "Database of the council services: COUNCIL_SERVICES_DATABASE_URL, else "
            "DATABASE_URL, else SQLite var/council_services.db."
        ),
    )
    # Accepted and ignored on every call (one jurisdiction per endpoint); kept for display.
    open311_jurisdiction_id: str = Field(
        "",
        env="OPEN311_JURISDICTION_ID",
        description=(
            "The jurisdiction this Open311 endpoint serves, for display (every call's is accepted)."
        ),
    )
    # The assistant's own variable: where its Open311 client files reports.
    open311_url: str = Field(
        "",
        env="OPEN311_URL",
        description=(
            "Base URL of the council's Open311 system, as the assistant reaches it. The "
            "staff console links street reports to <OPEN311_URL>/open311/v2/requests/<id>"
            ".json. Empty: linked here while the stand-in is mounted, else shown unlinked."
        ),
    )
    host: str = Field(
        "127.0.0.1",
        env="COUNCIL_SERVICES_HOST",
        description="Interface the council services bind (python -m web).",
    )
    port: int = Field(
        8000,
        ge=1,
        le=65535,
        env="COUNCIL_SERVICES_PORT",
        description="Port of the council services.",
    )
    # The council's own systems faked for development (stand_in/), mounted only when on.
    # None until _stand_in_only_in_development decides from ENVIRONMENT; a bool after.
    stand_in: bool = Field(  # type: ignore[assignment]
        None,
        env="STAND_IN",
        description=(
            "Mount the stand-ins of the council's own systems (web/stand_in/: Open311 CRM, "
            "council tax and broadband CRM, SMS gateway) in the council services. Unset: "
            "mounted in development and test only, never in staging or production. false once"
            " the council's real systems are connected (their paths then answer 404)."
        ),
    )
    stand_in_port: int = Field(
        8100,
        ge=1,
        le=65535,
        env="STAND_IN_PORT",
        description="Port of the stand-in alone (python -m web.stand_in, make stand-in).",
    )
    catalogue_path: Path = Field(
        DEFAULT_CATALOGUE_PATH,
        env="COUNCIL_SERVICES_CATALOGUE",
        description="The stand-in's Open311 service catalogue (YAML).",
    )
    staff_session_secret: SecretStr = Field(
        SecretStr(DEV_STAFF_SESSION_SECRET),
        env="STAFF_SESSION_SECRET",
        description="Signs staff session cookies: at least 32 characters outside development.",
    )
    staff_session_minutes: int = Field(
        60,
        ge=1,
        le=24 * 60,
        env="STAFF_SESSION_MINUTES",
        description="Staff sessions end after this many minutes.",
    )
    # The assistant's Rasa server: a resolved hand-off resumes the paused conversation.
    # Empty: no call (the conversation resumes at its next session).
    assistant_rasa_url: str = Field(
        "",
        env="ASSISTANT_RASA_URL",
        description=(
            "The assistant's Rasa server: a resolved hand-off resumes the paused conversation"
            " there. Empty: no call (the conversation resumes at its next session)."
        ),
    )
    assistant_api_token: SecretStr = Field(
        SecretStr(""),
        env="RASA_API_TOKEN",
        description=(
            "Token the council services send to the assistant's Rasa HTTP API to resume a "
            "conversation."
        ),
    )
    transcript_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        env="TRANSCRIPT_RETENTION_DAYS",
        description="Triage transcripts and unanswered questions are deleted after this many days.",
    )
    insight_event_retention_days: int = Field(
        730,
        ge=1,
        le=3650,
        env="INSIGHT_EVENT_RETENTION_DAYS",
        description="Outcome events (no personal data) are kept this many days (two years).",
    )
    # Retention of personal data (retention.py), each kind with its own lifetime in days.
    triage_contact_retention_days: int = Field(
        90,
        ge=1,
        le=3650,
        env="TRIAGE_CONTACT_RETENTION_DAYS",
        description=(
            "A triage record's contact details are deleted this many days after the record "
            "last changed."
        ),
    )
    open311_contact_retention_days: int = Field(
        90,
        ge=1,
        le=3650,
        env="OPEN311_CONTACT_RETENTION_DAYS",
        description=(
            "The reporter's contact details on an Open311 report are deleted this many days "
            "after it last changed."
        ),
    )
    open311_description_retention_days: int = Field(
        365,
        ge=1,
        le=3650,
        env="OPEN311_DESCRIPTION_RETENTION_DAYS",
        description=(
            "An Open311 report's description (already redacted) is deleted this many days "
            "after it last changed."
        ),
    )
    sms_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        env="SMS_RETENTION_DAYS",
        description=(
            "Text messages and the numbers they were sent to are deleted after this many days."
        ),
    )
    insight_costs_path: Path = Field(
        DEFAULT_INSIGHT_COSTS_PATH,
        env="INSIGHT_COSTS_FILE",
        description=(
            "Per-contact costs and their source, for the dashboard's estimate of cost avoided."
        ),
    )
    # The assistant's insight worker counts a conversation once it has been quiet this long
    # (the same setting); the dashboard says so beside its figures.
    insight_idle_s: float = Field(
        900.0,
        gt=0,
        le=7 * 86400,
        env="INSIGHT_IDLE_SECONDS",
        description=(
            "How long a conversation is quiet before the assistant's insight worker counts "
            "it; the dashboard says so."
        ),
    )
    # The location directory (issue #5): its own file, else the council profile's.
    places_file: Path | None = Field(
        None,
        env="PLACES_FILE",
        description=(
            "Location directory file of the council services. Unset: places.yml of the "
            "council's profile."
        ),
    )
    council_tax_max_failed_verifications: int = Field(
        5,
        ge=1,
        le=100,
        env="COUNCIL_TAX_MAX_FAILED_VERIFICATIONS",
        description=(
            "Failed verifications of one council tax account by one conversation before that "
            "conversation is locked out of it; other callers are not affected."
        ),
    )
    council_tax_lock_minutes: int = Field(
        30,
        ge=1,
        le=24 * 60,
        env="COUNCIL_TAX_LOCK_MINUTES",
        description="How long such a conversation stays locked out, in minutes.",
    )
    # The resident web chat at "/" (issue #6).
    web_chat_idle_minutes: int = Field(
        30,
        ge=2,
        le=24 * 60,
        env="WEB_CHAT_IDLE_MINUTES",
        description="A web chat idle this long is wiped from the browser (after a warning).",
    )
    web_chat_frame_ancestors: str = Field(
        "'self'",
        env="WEB_CHAT_FRAME_ANCESTORS",
        description=(
            "CSP frame-ancestors: the sites allowed to embed the chat, space-separated, e.g. "
            "'self' https://www.example.gov.uk."
        ),
    )
    # The chat widget a council adds to its own site (issue #18): who may frame it.
    widget_allowed_origins: str = Field(
        "",
        env="WIDGET_ALLOWED_ORIGINS",
        description=(
            "The council's own sites whose pages show the chat widget (/widget.js), "
            "space-separated origins such as https://www.example.gov.uk. Empty: any localhost"
            " page, in development and test only."
        ),
    )
    web_chat_timeout_seconds: float = Field(
        30.0,
        gt=0,
        le=120,
        env="WEB_CHAT_TIMEOUT_SECONDS",
        description="How long the web chat waits for the assistant before apologising, in seconds.",
    )
    # The cookie that binds a web chat conversation to the browser (issue #15).
    web_chat_cookie_samesite: Literal["lax", "strict", "none"] = Field(
        "lax",
        env="WEB_CHAT_COOKIE_SAMESITE",
        description=(
            "SameSite of the chat's HttpOnly cookie that binds a conversation to the browser:"
            " lax or strict; none (always Secure) only when the chat is embedded in an iframe"
            " on another site."
        ),
    )
    max_message_chars: int = Field(
        1000,
        ge=1,
        le=10000,
        env="MAX_MESSAGE_CHARS",
        description="The longest message the web chat passes on.",
    )
    # Rate limits ("<requests>/<seconds>", "0" off; lib/rate_limit.py), per process.
    web_chat_rate_limit: str = Field(
        "60/60",
        env="WEB_CHAT_RATE_LIMIT",
        description="Web chat messages per client address (<requests>/<seconds>; 0: no limit).",
    )
    booking_rate_limit: str = Field(
        "120/60",
        env="BOOKING_RATE_LIMIT",
        description=(
            "PC booking and cancelling calls per client address (the action server books for "
            "every resident from its own address)."
        ),
    )
    booking_conversation_rate_limit: str = Field(
        "10/60",
        env="BOOKING_CONVERSATION_RATE_LIMIT",
        description="PC booking and cancelling calls per conversation.",
    )

    class Config:
        """Read only the process environment; no ``.env`` file is loaded implicitly."""

        case_sensitive = False

    @validator("database_url")
    def _normalise_database_url(cls, value: str) -> str:
        """Accept the ``postgres://`` spelling some hosts use and pick the psycopg2 driver."""
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql+psycopg2://" + value[len("postgres://") :]
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg2://" + value[len("postgresql://") :]
        return value

    @validator("open311_url")
    def _open311_base_url(cls, value: str) -> str:
        """An http(s) base URL, or empty; kept without a trailing slash."""
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"OPEN311_URL: {value!r} is not an http(s) URL")
        return value

    @validator("web_chat_frame_ancestors")
    def _plain_frame_ancestors(cls, value: str) -> str:
        """Keep the value to CSP source expressions: no ``;`` or line breaks to inject."""
        if any(char in value for char in ";,\r\n"):
            raise ValueError("WEB_CHAT_FRAME_ANCESTORS takes space-separated CSP sources")
        return value.strip() or "'self'"

    @validator("widget_allowed_origins")
    def _widget_origins(cls, value: str) -> str:
        """Each entry an origin: https (http only for localhost), no path, no CSP syntax."""
        origins = value.replace(",", " ").split()
        for origin in origins:
            if not WIDGET_ORIGIN.match(origin):
                raise ValueError(
                    f"WIDGET_ALLOWED_ORIGINS: {origin!r} is not an origin such as "
                    "https://www.example.gov.uk (http only for localhost)"
                )
        return " ".join(origins)

    @validator("web_chat_rate_limit", "booking_rate_limit", "booking_conversation_rate_limit")
    def _rate_limit(cls, value: str) -> str:
        """A rate limit must read as ``<requests>/<seconds>`` (or ``0`` for none)."""
        Limit.parse(value)
        return value.strip()

    @root_validator(skip_on_failure=True)
    def _stand_in_only_in_development(cls, values: dict[str, Any]) -> dict[str, Any]:
        """STAND_IN unset: the stand-ins are mounted in development and test only."""
        if values.get("stand_in") is None:
            values["stand_in"] = values["environment"] in PLACEHOLDERS_ALLOWED
        return values

    @root_validator(skip_on_failure=True)
    def _refuse_placeholder_secrets(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Refuse the development placeholder secrets outside development and test."""
        if values["environment"] in PLACEHOLDERS_ALLOWED:
            return values
        placeholders = {
            "OPEN311_API_KEY": (values["open311_api_key"], DEV_OPEN311_API_KEY),
            "STAFF_API_TOKEN": (values["staff_api_token"], DEV_STAFF_API_TOKEN),
            "STAFF_SESSION_SECRET": (values["staff_session_secret"], DEV_STAFF_SESSION_SECRET),
            "LIBRARY_ASSIST_SECRET": (
                values["library_assist_secret"],
                DEV_LIBRARY_ASSIST_SECRET,
            ),
            "INSIGHT_HASH_SECRET": (values["insight_hash_secret"], DEV_INSIGHT_HASH_SECRET),
        }
        for name, (secret, placeholder) in placeholders.items():
            if not secret.get_secret_value() or secret.get_secret_value() == placeholder:
                raise ValueError(
                    f"{name} is unset or still the development placeholder, which is refused "
                    f"when ENVIRONMENT={values['environment']}; set a real secret"
                )
        if len(values["staff_session_secret"].get_secret_value()) < MIN_SESSION_SECRET_LENGTH:
            raise ValueError(
                f"STAFF_SESSION_SECRET must be at least {MIN_SESSION_SECRET_LENGTH} characters "
                f"when ENVIRONMENT={values['environment']}"
            )
        return values

    def secret_values(self) -> list[str]:
        """The values of every secret setting, which no log line may show."""
        secrets = [
            self.open311_api_key,
            self.staff_api_token,
            self.staff_session_secret,
            self.assistant_api_token,
            self.library_assist_secret,
            self.insight_hash_secret,
        ]
        values = [secret.get_secret_value() for secret in secrets]
        password = sa_url_password(self.database_url)
        return [value for value in [*values, password] if value]

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (file or memory)."""
        return self.database_url.startswith("sqlite")

    @property
    def places_path(self) -> Path:
        """The location directory file: ``PLACES_FILE`` or the profile's ``places.yml``."""
        return self.places_file or self.council_dir / "places.yml"

    @property
    def widget_frame_ancestors(self) -> str:
        """CSP ``frame-ancestors`` of the widget's chat page: the chat's own plus the sites."""
        sites = self.widget_allowed_origins
        if not sites and self.is_development:
            sites = DEV_WIDGET_ORIGINS
        return " ".join(dict.fromkeys(f"{self.web_chat_frame_ancestors} {sites}".split()))

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies carry ``Secure`` (staging and production run behind HTTPS)."""
        return not self.is_development


def sa_url_password(url: str) -> str:
    """The password in a database URL, or ``""``."""
    return (urlsplit(url).password or "") if "@" in url else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use.

    Returns:
        The cached ``Settings`` instance.
    """
    return Settings()
