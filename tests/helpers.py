"""Small helpers for tests that talk to running servers."""

from __future__ import annotations

import re
import socket
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx

from bot.settings import REPO_ROOT, Settings
from lib.yaml_files import load_yaml


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_settings(var_dir: Path, **overrides: Any) -> Settings:
    """Settings of a stack of its own: no env file, its own folder and free ports."""
    return Settings(
        _env_file=None,
        environment="test",
        var_dir=var_dir,
        rasa_port=free_port(),
        action_server_port=free_port(),
        council_services_url=f"http://127.0.0.1:{free_port()}",
        **overrides,
    )


@dataclass
class Resident:
    """One conversation over the REST channel."""

    rasa_url: str
    sender: str = ""
    channel: str = "web"

    def __post_init__(self) -> None:
        self.sender = self.sender or f"test-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> list[dict]:
        """Send a message and return the bot's replies."""
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": {"channel": self.channel}},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def say_text(self, text: str) -> str:
        """Send a message and return the replies' text joined by newlines."""
        return "\n".join(reply.get("text", "") for reply in self.say(text))


def nearest_places(council: httpx.Client, params: list[tuple[str, str]]) -> list[dict]:
    """The directory's three nearest places for a ``/api/v1/places`` query."""
    response = council.get("/api/v1/places", params=[*params, ("limit", "3")])
    assert response.status_code == 200, response.text
    return response.json()["places"]


def assert_listed_in_order(reply: str, places: list[dict]) -> None:
    """Every place is named in the reply, nearest first."""
    positions = [reply.find(place["name"]) for place in places]
    assert all(p >= 0 for p in positions), (reply, [p["name"] for p in places])
    assert positions == sorted(positions), reply


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, or None when it has none."""
    import subprocess

    found = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False)
    for address in found.stdout.split():
        if "." in address and not address.startswith("127."):
            return address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def can_connect(host: str, port: int, timeout_s: float = 2.0) -> bool:
    """Whether a TCP connection to ``host:port`` is accepted."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def staff_sign_in(
    client: httpx.Client, username: str, password: str, **options: object
) -> httpx.Response:
    """Sign in to the staff console as a browser does: fetch the form, post it with its token.

    Works with an ``httpx.Client`` or a ``TestClient`` (their cookie jars keep the sign-in
    form's cookie between the two requests).
    """
    form = client.get("/staff/login", follow_redirects=False)
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    token = match.group(1) if match else ""
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
        **options,
    )


@lru_cache(maxsize=1)
def domain_documents() -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Each file of ``domain/`` as parsed YAML, read once per test process.

    For building test parameters when the tests are collected: the project's loader
    (libyaml's parser) reads the folder in a fraction of the time Rasa's own loader takes
    (``load_domain`` in ``tests/unit/actions/trackers.py``, for tests that need the domain
    as Rasa merges it).
    """
    return tuple(
        (path, load_yaml(path.read_text(encoding="utf-8")) or {})
        for path in sorted((REPO_ROOT / "domain").glob("*.yml"))
    )


def domain_section(section: str) -> dict[str, Any]:
    """One top-level section (``responses``, ``forms``...) of every domain file, merged.

    The variants of a response named in several files are joined, as Rasa joins them.
    """
    merged: dict[str, Any] = {}
    for _, document in domain_documents():
        for name, value in (document.get(section) or {}).items():
            if isinstance(value, list) and isinstance(merged.get(name), list):
                merged[name] = merged[name] + value
            else:
                merged[name] = value
    return merged
