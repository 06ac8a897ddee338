"""Requests the security tests make: forged action calls and hostile messages."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bot.launcher.stack import Stack

COUNCIL_SLOTS = {
    "council_name": "Stoke-on-Trent City Council",
    "council_phone": "01782 234234",
    "council_phone_spoken": "0 1 7 8 2, 2 3 4, 2 3 4",
    "council_hours": "Monday to Friday, 8.30am to 5pm",
    "channel": "web",
    "language": "en",
}


def conversation(prefix: str) -> str:
    """A fresh conversation id."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def action_call(action: str, sender: str, text: str = "", **slots: Any) -> dict[str, Any]:
    """What Rasa posts to the action server: the action, a tracker, a domain."""
    message = {"text": text, "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {**COUNCIL_SLOTS, **slots},
            "latest_message": message,
            "events": [
                {"event": "action", "name": "action_listen", "timestamp": time.time()},
                {"event": "user", "text": text, "timestamp": time.time(), "parse_data": message},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.2",
    }


def post_action(
    stack: Stack, body: dict[str, Any], headers: dict[str, str] | None = None, **params: str
) -> httpx.Response:
    """POST a call to the running action server, as raw JSON with the given headers."""
    return httpx.post(
        f"http://127.0.0.1:{stack.settings.action_server_port}/webhook",
        content=json.dumps(body),
        headers={"Content-Type": "application/json", **(headers or {})},
        params=params,
        timeout=30,
    )


def with_secret(stack: Stack) -> dict[str, str]:
    """The header Rasa sends."""
    return {"Authorization": f"Bearer {stack.settings.action_server_token.get_secret_value()}"}


def say_raw(stack: Stack, sender: str, message: str) -> httpx.Response:
    """Send a message to the REST channel as JSON text with ``\\u`` escapes.

    ``json.dumps`` writes a lone surrogate as the escape ``\\ud800``, which is legal
    JSON (an HTTP client's own encoder would refuse to send it).
    """
    body = {"sender": sender, "message": message, "metadata": {"channel": "web"}}
    return httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=90,
    )


def reply_text(response: httpx.Response) -> str:
    """The REST channel's replies joined by newlines."""
    return "\n".join(message.get("text") or "" for message in response.json())


def staff_client(stack: Stack) -> httpx.Client:
    """The council services API with the service token."""
    return httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
        timeout=30,
    )


def outbox_rows(stack: Stack, containing: str) -> list[tuple[str, str, str]]:
    """``(reference, kind, status)`` of the assistant's outbox items mentioning a text."""
    engine = create_engine(stack.settings.database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT reference, kind, status FROM outbox_items "
                    "WHERE payload LIKE :pattern ORDER BY created_at"
                ),
                {"pattern": f"%{containing}%"},
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]


def wait_for(condition: Callable[[], Any], timeout_s: float = 30.0, step_s: float = 0.2) -> Any:
    """Poll until ``condition()`` is truthy and return it; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s: {condition}")
        time.sleep(step_s)


def triage_of(stack: Stack, sender: str) -> list[dict[str, Any]]:
    """The triage records of one conversation (newest 200 searched)."""
    with staff_client(stack) as staff:
        listed = staff.get("/triage", params={"limit": 200}).json()["data"]
    return [record for record in listed if record["conversation_id"] == sender]
