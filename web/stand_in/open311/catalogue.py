"""The service catalogue: loading ``data/services.yml`` and checking attribute values.

This module owns the list of services the stand-in offers and the rules an
``attribute[code]=value`` field must follow (required attributes, list keys, numbers and
datetimes), as set by each service definition.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

import yaml
from pydantic import ValidationError

from lib.yaml_files import load_yaml
from web.models import utc_isoformat
from web.stand_in.open311.models import (
    AttributeValue,
    CatalogueAttribute,
    CatalogueService,
    Datatype,
)

logger = logging.getLogger(__name__)

STRING_MAX_LENGTH = 255
TEXT_MAX_LENGTH = 4000


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed; the message names the file."""


class AttributeValidationError(ValueError):
    """Attribute values that do not fit the service definition.

    Attributes:
        problems: one readable sentence per problem.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Catalogue:
    """The services on offer, in catalogue order, looked up by service code."""

    def __init__(self, services: list[CatalogueService]) -> None:
        codes = [service.service_code for service in services]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise CatalogueError(f"duplicate service codes: {', '.join(duplicates)}")
        self._services = {service.service_code: service for service in services}

    def __iter__(self) -> Iterator[CatalogueService]:
        return iter(self._services.values())

    def __len__(self) -> int:
        return len(self._services)

    def get(self, service_code: str) -> CatalogueService | None:
        """Return the service with this code (case-insensitive), if there is one."""
        return self._services.get(service_code.strip().upper())


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate the catalogue file.

    Args:
        path: the YAML file with a top-level ``services`` list.

    Returns:
        The validated catalogue.

    Raises:
        CatalogueError: when the file cannot be read or a service is malformed.
    """
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read the service catalogue {path}: {exc}") from exc
    entries = document.get("services") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path}: expected a non-empty 'services' list")
    services = []
    for position, entry in enumerate(entries, start=1):
        try:
            services.append(CatalogueService.parse_obj(entry))
        except ValidationError as exc:
            raise CatalogueError(f"{path}: service #{position} is not valid: {exc}") from exc
    try:
        catalogue = Catalogue(services)
    except CatalogueError as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    logger.info("Loaded %d services from %s", len(catalogue), path)
    return catalogue


def parse_datetime(value: str) -> datetime:
    """Parse a W3C/ISO 8601 date or datetime; one without a time zone is taken as UTC.

    Args:
        value: e.g. ``2026-11-23``, ``2026-11-23T10:15:00Z`` or ``2026-11-23T10:15:00+01:00``.

    Returns:
        An aware datetime.

    Raises:
        ValueError: when the text is not an ISO 8601 date or datetime.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _check_value(attribute: CatalogueAttribute, raw: list[str]) -> AttributeValue:
    """Convert one attribute's raw values, raising ValueError with a readable reason."""
    keys = [option.key for option in attribute.values]
    if attribute.datatype == Datatype.MULTIVALUELIST:
        # Clients send attribute[code][]=a&attribute[code][]=b, or one comma-separated field.
        chosen = [part.strip() for value in raw for part in value.split(",") if part.strip()]
        unknown = [value for value in chosen if value not in keys]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not among {', '.join(keys)}")
        return list(dict.fromkeys(chosen))
    if len(raw) > 1:
        raise ValueError("only one value is allowed")
    value = raw[0]
    if attribute.datatype == Datatype.SINGLEVALUELIST:
        if value not in keys:
            raise ValueError(f"'{value}' is not one of {', '.join(keys)}")
        return value
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"'{value}' is not a number")
        return number
    if attribute.datatype == Datatype.DATETIME:
        try:
            return utc_isoformat(parse_datetime(value))
        except ValueError:
            raise ValueError(f"'{value}' is not an ISO 8601 date and time") from None
    limit = STRING_MAX_LENGTH if attribute.datatype == Datatype.STRING else TEXT_MAX_LENGTH
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return value


def validate_attributes(
    service: CatalogueService, raw: Mapping[str, list[str]]
) -> dict[str, AttributeValue]:
    """Check ``attribute[code]`` values against a service definition.

    Args:
        service: the service the request is for.
        raw: attribute code to the values sent (blank values already removed).

    Returns:
        Attribute code to the converted value: a key, text, a number, a datetime normalised to UTC
        or, for a multivaluelist, a list of keys.

    Raises:
        AttributeValidationError: listing every unknown attribute, missing required
            attribute and value that does not fit.
    """
    problems: list[str] = []
    for code in raw:
        if service.attribute(code) is None:
            known = ", ".join(attribute.code for attribute in service.attributes)
            problems.append(
                f"attribute[{code}] is not an attribute of {service.service_code} "
                f"(known attributes: {known})"
            )
    converted: dict[str, AttributeValue] = {}
    for attribute in service.attributes:
        values = [value.strip() for value in raw.get(attribute.code, []) if value.strip()]
        if not values:
            if attribute.required:
                problems.append(
                    f"attribute[{attribute.code}] is required for {service.service_code}"
                )
            continue
        try:
            converted[attribute.code] = _check_value(attribute, values)
        except ValueError as exc:
            problems.append(f"attribute[{attribute.code}]: {exc}")
    if problems:
        raise AttributeValidationError(problems)
    return converted
