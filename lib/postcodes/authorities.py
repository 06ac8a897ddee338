"""Names and reporting links of local authorities, keyed by ONS code.

The data lives in ``kb/local_authorities.yml`` (see the comments there). This module loads
it into frozen objects and refuses a malformed file with an error that names the file and
the entry, so a typo fails at start-up rather than in front of a resident.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from lib.yaml_files import load_yaml

URL_STATUSES = ("verified", "best-known")

# E06/E07/E08/E09 (England), W06 (Wales), S12 (Scotland), N09 (Northern Ireland), and the
# ONS pseudo codes L99999999 / M99999999.
_CODE = re.compile(r"^[ENSWLM][0-9]{8}$")
_AUTHORITY_KEYS = {
    "name",
    "website",
    "report_street_problem_url",
    "highways_authority",
    "url_status",
    "sources",
    "notes",
}
_FALLBACK_KEYS = {"name", "website", "report_street_problem_url"}


class AuthorityDataError(ValueError):
    """The local authorities file is missing or malformed; the message names the place."""


@dataclass(frozen=True)
class LocalAuthority:
    """One council, as the assistant describes it to a resident.

    Attributes:
        code: ONS local authority district code (a letter and eight digits).
        name: the council's full name.
        website: the council's home page.
        report_street_problem_url: where to report a road or pavement problem there; in a
            two-tier area this is the county council's page.
        highways_authority: the name of the council that fixes the roads.
        url_status: ``verified`` or ``best-known`` (see the data file).
        sources: pages the entry was taken from.
        notes: anything a maintainer should know (not shown to residents).
    """

    code: str
    name: str
    website: str
    report_street_problem_url: str
    highways_authority: str
    url_status: str = "best-known"
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class FallbackAuthority:
    """What to offer for a council the file does not list (GOV.UK's council finder)."""

    name: str
    website: str
    report_street_problem_url: str


class LocalAuthorities(Mapping[str, LocalAuthority]):
    """The loaded table: a read-only mapping of ONS code to :class:`LocalAuthority`.

    Args:
        authorities: the entries keyed by ONS code.
        fallback: the links to use for an unknown code.
        checked: the date the file says it was checked.
        source: the file it came from (for messages).
    """

    def __init__(
        self,
        authorities: Mapping[str, LocalAuthority],
        fallback: FallbackAuthority,
        checked: dt.date,
        source: Path | None = None,
    ) -> None:
        self._authorities = dict(authorities)
        self.fallback = fallback
        self.checked = checked
        self.source = source

    def __getitem__(self, code: str) -> LocalAuthority:
        return self._authorities[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._authorities)

    def __len__(self) -> int:
        return len(self._authorities)

    def describe(self, code: str | None) -> LocalAuthority | None:
        """The authority for an ONS code, or None (then use :attr:`fallback`).

        Args:
            code: an ONS local authority code; None is allowed.

        Returns:
            The entry, or None when the code is unknown or None.
        """
        if not code:
            return None
        return self._authorities.get(code.strip().upper())

    @property
    def fallback_url(self) -> str:
        """GOV.UK's "find your local council" page, for codes the file does not list."""
        return self.fallback.website


def _fail(path: Path, where: str, problem: str) -> AuthorityDataError:
    return AuthorityDataError(f"{path}: {where}: {problem}")


def _text(path: Path, where: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"'{key}' must be a non-empty string")
    return value.strip()


def _url(path: Path, where: str, data: Mapping[str, Any], key: str) -> str:
    value = _text(path, where, data, key)
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or " " in value:
        raise _fail(path, where, f"'{key}' must be an https:// URL, got {value!r}")
    return value


def _check_keys(path: Path, where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(path, where, f"unknown field(s) {', '.join(unknown)}")


def _authority(path: Path, code: Any, entry: Any) -> LocalAuthority:
    where = f"authority {code!r}"
    if not isinstance(code, str) or not _CODE.match(code):
        raise _fail(path, where, "the key must be an ONS code: E, W, S, N, L or M and 8 digits")
    if not isinstance(entry, Mapping):
        raise _fail(path, where, "must be a mapping of fields")
    _check_keys(path, where, entry, _AUTHORITY_KEYS)
    status = entry.get("url_status", "best-known")
    if status not in URL_STATUSES:
        raise _fail(path, where, f"'url_status' must be one of {', '.join(URL_STATUSES)}")
    sources = entry.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise _fail(path, where, "'sources' must be a list of URLs or descriptions")
    notes = entry.get("notes") or ""
    if not isinstance(notes, str):
        raise _fail(path, where, "'notes' must be text")
    return LocalAuthority(
        code=code,
        name=_text(path, where, entry, "name"),
        website=_url(path, where, entry, "website"),
        report_street_problem_url=_url(path, where, entry, "report_street_problem_url"),
        highways_authority=_text(path, where, entry, "highways_authority"),
        url_status=status,
        sources=tuple(sources),
        notes=notes.strip(),
    )


def load_authorities(path: Path | str) -> LocalAuthorities:
    """Load and validate the local authorities file.

    Args:
        path: usually ``kb/local_authorities.yml``.

    Returns:
        The table, a read-only mapping of ONS code to :class:`LocalAuthority` with a
        ``describe(code)`` method and the ``fallback`` links.

    Raises:
        AuthorityDataError: naming the file and the entry when anything is missing or
            malformed (a subclass of ``ValueError``).
    """
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AuthorityDataError(f"{path}: file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise AuthorityDataError(f"{path}: cannot be read ({error})") from error
    except yaml.YAMLError as error:
        raise AuthorityDataError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, Mapping):
        raise AuthorityDataError(f"{path}: expected a mapping at the top level")

    checked = data.get("checked")
    if not isinstance(checked, dt.date):
        raise _fail(path, "checked", "must be a date (YYYY-MM-DD)")

    fallback_data = data.get("fallback")
    if not isinstance(fallback_data, Mapping):
        raise _fail(path, "fallback", "is required: name, website, report_street_problem_url")
    _check_keys(path, "fallback", fallback_data, _FALLBACK_KEYS)
    where = "fallback"
    fallback = FallbackAuthority(
        name=_text(path, where, fallback_data, "name"),
        website=_url(path, where, fallback_data, "website"),
        report_street_problem_url=_url(path, where, fallback_data, "report_street_problem_url"),
    )

    entries = data.get("authorities")
    if not isinstance(entries, Mapping) or not entries:
        raise _fail(path, "authorities", "must be a non-empty mapping of ONS code to entry")
    authorities = {code: _authority(path, code, entry) for code, entry in entries.items()}
    return LocalAuthorities(authorities, fallback, checked, source=path)
