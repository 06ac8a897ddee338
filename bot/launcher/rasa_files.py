"""Writes Rasa's ``endpoints.yml`` from settings, so configuration has one home.

The action endpoint carries the action server's shared secret as an ``Authorization:
Bearer`` header (Rasa's ``token`` key would put it in every URL). The file names the
environment variable, which Rasa expands when it reads the file, so the secret itself is
never written to disk; the file is owner-only all the same (it may hold a database
password).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.settings import Settings
from lib.private_files import FILE_MODE, FOLDER_MODE


def tracker_store_config(url: str) -> dict[str, Any]:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (SQLite or PostgreSQL)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return {"type": "SQL", "dialect": "sqlite", "db": parsed.database}
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": parsed.drivername,
        "url": parsed.host or "localhost",
        "db": parsed.database,
    }
    if parsed.port:
        config["port"] = parsed.port
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password:
        config["password"] = parsed.password
    return config


def lock_store_config(redis_url: str) -> dict[str, Any] | None:
    """Rasa's Redis lock store settings, or None for the in-memory default."""
    if not redis_url:
        return None
    parsed = urlsplit(redis_url)
    config: dict[str, Any] = {
        "type": "redis",
        "url": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
        "db": int((parsed.path or "/0").lstrip("/") or 0),
    }
    if parsed.password:
        config["password"] = parsed.password
    return config


#: Rasa expands ``${...}`` in endpoints.yml from the environment of its own process.
ACTION_TOKEN_HEADER = "Bearer ${ACTION_SERVER_TOKEN}"


def action_endpoint_config(settings: Settings) -> dict[str, Any]:
    """Rasa's action endpoint: the webhook URL and the shared secret as a bearer header."""
    return {"url": settings.action_endpoint, "headers": {"Authorization": ACTION_TOKEN_HEADER}}


def write_endpoints(settings: Settings, path: Path) -> Path:
    """Write ``endpoints.yml`` (owner-only) for these settings and return its path."""
    endpoints: dict[str, Any] = {
        "action_endpoint": action_endpoint_config(settings),
        "tracker_store": tracker_store_config(settings.tracker_store),
    }
    lock_store = lock_store_config(settings.redis_url)
    if lock_store:
        endpoints["lock_store"] = lock_store
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(yaml.safe_dump(endpoints, sort_keys=False))
    return path
