"""Writes Rasa's ``endpoints.yml`` from settings, so configuration has one home."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.settings import Settings


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


def write_endpoints(settings: Settings, path: Path) -> Path:
    """Write ``endpoints.yml`` for these settings and return its path."""
    endpoints: dict[str, Any] = {
        "action_endpoint": {"url": settings.action_endpoint},
        "tracker_store": tracker_store_config(settings.tracker_store),
    }
    lock_store = lock_store_config(settings.redis_url)
    if lock_store:
        endpoints["lock_store"] = lock_store
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return path
