"""The domain's responses, read by the action server itself instead of sent with every call.

Rasa 3.6 sends its whole domain with every custom action call: about 600 KB of JSON here,
nearly all of it the responses in eight languages, encoded by Rasa and decoded by the
action server on each call (issue #19: about 18 ms a call on this machine). Actions read
only a few responses, so Rasa sends the domain without them, with their fingerprint
(``bot/rasa_server.py``), and the action server puts back the responses it read from the
same ``domain/`` folder at start (``bot/action_server.py``). A fingerprint that differs
(a Rasa model of another domain) is logged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lib.yaml_files import load_yaml

#: The key, in the domain Rasa sends, that holds its responses' fingerprint.
FINGERPRINT_KEY = "responses_fingerprint"
RESPONSES_KEY = "responses"


def load_responses(domain_dir: Path) -> dict[str, Any]:
    """Every response of the domain folder, as Rasa's ``Domain.as_dict()`` holds them."""
    found: dict[str, Any] = {}
    files = sorted(p for p in domain_dir.rglob("*") if p.suffix in {".yml", ".yaml"})
    for path in files:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        found.update(data.get(RESPONSES_KEY) or {})
    return found


def fingerprint(responses: Mapping[str, Any]) -> str:
    """A short hash of the responses, the same for the same content in any key order."""
    text = json.dumps(responses, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def without_responses(domain: Mapping[str, Any]) -> dict[str, Any]:
    """The domain as sent to the action server: no responses, their fingerprint instead."""
    sent = {key: value for key, value in domain.items() if key != RESPONSES_KEY}
    sent[FINGERPRINT_KEY] = fingerprint(domain.get(RESPONSES_KEY) or {})
    return sent
