"""The settings both processes read with one meaning: declared once, inherited by both.

The assistant's settings (``bot/settings.py``) and the council services' settings
(``web/core/config.py``) each subclass :class:`SharedSettings`. A variable both read belongs
here when its type, default and meaning are the same for both; a variable each process uses
in its own way stays in that process's model. Each subclass keeps its own ``Config``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseSettings, Field, SecretStr, validator

from lib.environments import PLACEHOLDERS_ALLOWED, Environment, check_environment
from lib.yaml_files import load_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent

# Development defaults of the secrets both processes share; refused outside development.
DEV_OPEN311_API_KEY = "dev-open311-key"
DEV_STAFF_API_TOKEN = "dev-staff-token"
DEV_INSIGHT_HASH_SECRET = "dev-insight-hash-secret"
DEV_LIBRARY_ASSIST_SECRET = "dev-library-assist-secret"


class SharedSettings(BaseSettings):
    """The environment, the council profile, the retention schedule and the shared secrets.

    The secrets are ``SecretStr``: they never show in a repr, a ``str()`` or a log line, and
    each use site asks for ``.get_secret_value()``.
    """

    environment: Environment = Field(
        "development",
        env="ENVIRONMENT",
        description=(
            "development, test, staging or production: one vocabulary for every process "
            "(lib/environments.py). Outside development and test the development secrets are "
            "refused at start-up."
        ),
    )
    council: str = Field(
        "",
        env="COUNCIL",
        description=(
            "Which council profile to use: a folder under kb/councils/. Empty: the one named "
            "in kb/councils/default.yml (the sample council)."
        ),
    )
    kb_dir: Path = Field(
        REPO_ROOT / "kb",
        env="KB_DIR",
        description="The knowledge base folder: council profiles, facts, triage rules.",
    )
    purge_interval_hours: float = Field(
        24.0,
        gt=0,
        le=24 * 7,
        env="PURGE_INTERVAL_HOURS",
        description="How often the retention workers purge, in hours (make purge does it once).",
    )
    open311_api_key: SecretStr = Field(
        SecretStr(DEV_OPEN311_API_KEY),
        env="OPEN311_API_KEY",
        description=(
            "The Open311 api_key: the assistant posts reports with it, and the stand-in "
            "refuses a report without it. Development default only."
        ),
    )
    staff_api_token: SecretStr = Field(
        SecretStr(DEV_STAFF_API_TOKEN),
        env="STAFF_API_TOKEN",
        description="Bearer token of the staff endpoints (/api/v1/...). Development default only.",
    )
    insight_hash_secret: SecretStr = Field(
        SecretStr(DEV_INSIGHT_HASH_SECRET),
        env="INSIGHT_HASH_SECRET",
        description=(
            "Key of the HMAC that replaces conversation ids in outcome events. The assistant "
            "and the council services (for the web chat's answer feedback) must share it. "
            "Development default only."
        ),
    )
    library_assist_secret: SecretStr = Field(
        SecretStr(DEV_LIBRARY_ASSIST_SECRET),
        env="LIBRARY_ASSIST_SECRET",
        description=(
            "Shared by the council services (which sign) and the assistant (which checks) the"
            " mark of a library assisted session. Development default only: set a long random"
            " value."
        ),
    )

    @validator("environment", pre=True)
    def _known_environment(cls, value: object) -> str:  # noqa: N805
        """One vocabulary for every process, with an error naming every value."""
        return check_environment(value)

    @property
    def is_development(self) -> bool:
        """Whether the development placeholder secrets are acceptable (development, test)."""
        return self.environment in PLACEHOLDERS_ALLOWED

    @property
    def council_slug(self) -> str:
        """The selected council: ``COUNCIL``, or the default named in the knowledge base."""
        if self.council:
            return self.council
        default = load_yaml((self.kb_dir / "councils" / "default.yml").read_text())
        return str(default["council"])

    @property
    def council_dir(self) -> Path:
        """The folder of the selected council's profile."""
        return self.kb_dir / "councils" / self.council_slug
