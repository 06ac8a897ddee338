"""Loads and validates a council's signposts (``kb/councils/<slug>/signposts.yml``).

A signpost is where the assistant sends a resident for a council service it does not
handle itself (bins, parking, planning, ...): a web page, a phone number and its opening
hours, per topic. The wording is shared (``domain/signpost.yml``); only these values differ
between councils, so a council with other pages changes this one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lib.yaml_files import load_yaml

_TOPIC = re.compile(r"^[a-z][a-z0-9_]*$")
_LINK = re.compile(r"^https://[^\s/]+\.[^\s]+$")
#: A UK number as people write it: 0 then 9 or 10 more digits, spaces between groups.
_PHONE = re.compile(r"^0\d{2,5}(?: ?\d{2,4}){1,3}$")
_KEYS = {"link", "phone", "phone_spoken", "hours"}
_FILE_KEYS = {"sample_data", "checked", "signposts"}


class SignpostError(ValueError):
    """A signposts file is missing or malformed; the message names the file and topic."""


@dataclass(frozen=True)
class Signpost:
    """Where to send a resident for one topic."""

    topic: str
    link: str
    phone: str
    phone_spoken: str
    hours: str


@dataclass(frozen=True)
class ContactDefaults:
    """The council's main contact details, used where a topic gives none of its own."""

    phone: str
    phone_spoken: str
    hours: str


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise SignpostError(f"{where}: '{key}' must be non-empty text")
    return str(value).strip()


def _signpost(topic: str, entry: Any, path: Path, defaults: ContactDefaults) -> Signpost:
    where = f"{path}: signpost '{topic}'"
    if not _TOPIC.match(topic):
        raise SignpostError(f"{path}: topic '{topic}' must be a snake_case name")
    if not isinstance(entry, dict):
        raise SignpostError(f"{where} must be a mapping")
    unknown = set(entry) - _KEYS
    if unknown:
        raise SignpostError(f"{where}: unknown key(s) {sorted(unknown)}")
    link = _text(entry, "link", where)
    if link is None:
        raise SignpostError(f"{where}: 'link' is required")
    if not _LINK.match(link):
        raise SignpostError(f"{where}: 'link' must be an https:// address, got {link!r}")
    phone = _text(entry, "phone", where)
    spoken = _text(entry, "phone_spoken", where)
    if phone is None:
        if spoken is not None:
            raise SignpostError(f"{where}: 'phone_spoken' without 'phone'")
        phone, spoken = defaults.phone, defaults.phone_spoken
    elif not _PHONE.match(phone) or len(_digits(phone)) not in (10, 11):
        raise SignpostError(f"{where}: 'phone' {phone!r} is not a UK phone number")
    elif spoken is None:
        raise SignpostError(f"{where}: 'phone_spoken' is required with 'phone'")
    elif _digits(spoken) != _digits(phone):
        raise SignpostError(f"{where}: 'phone_spoken' does not read out the digits of 'phone'")
    return Signpost(
        topic=topic,
        link=link,
        phone=phone,
        phone_spoken=spoken,
        hours=_text(entry, "hours", where) or defaults.hours,
    )


def load_signposts(path: Path, defaults: ContactDefaults) -> dict[str, Signpost]:
    """Read and check a council's signposts.

    Args:
        path: the council's ``signposts.yml``.
        defaults: the profile's contact phone, its spoken form and hours, used for
            topics that give no phone or hours of their own.

    Returns:
        The signposts by topic (``bins``, ``parking``, ...).

    Raises:
        SignpostError: naming the file and the topic when something is missing or wrong.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SignpostError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        raise SignpostError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise SignpostError(f"{path}: expected a mapping at the top level")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise SignpostError(f"{path}: unknown key(s) {sorted(unknown)}")
    entries = data.get("signposts")
    if not isinstance(entries, dict) or not entries:
        raise SignpostError(f"{path}: 'signposts' must map each topic to its link")
    return {
        str(topic): _signpost(str(topic), entry, path, defaults) for topic, entry in entries.items()
    }
