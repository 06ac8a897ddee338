"""The settings both processes read with one meaning: declared once, inherited by both.

The assistant's settings (``bot/settings.py``) and the council services' settings
(``web/core/config.py``) each subclass :class:`SharedSettings`. A variable both read belongs
here when its type, default and meaning are the same for both; a variable each process uses
in its own way stays in that process's model. Each subclass keeps its own ``Config``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseSettings, Field, validator

from lib.environments import PLACEHOLDERS_ALLOWED, Environment, check_environment

REPO_ROOT = Path(__file__).resolve().parent.parent


class SharedSettings(BaseSettings):
    """The environment, the council profile and the retention schedule of every process."""

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
        default = yaml.safe_load((self.kb_dir / "councils" / "default.yml").read_text())
        return str(default["council"])

    @property
    def council_dir(self) -> Path:
        """The folder of the selected council's profile."""
        return self.kb_dir / "councils" / self.council_slug
