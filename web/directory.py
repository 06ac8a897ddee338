"""Searching the location directory: nearest places to a postcode or a named place.

This module owns "near" (a postcode inside the council's area, or a place in the
directory), the filters (type, facilities, services, open now) and the ordering (nearest
first by straight-line distance on the OS National Grid, in whole metres). Times are the
council's local time (``timezone`` in its profile, Europe/London for the sample council).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from lib.postcodes.client import PostcodeDirectory, grid_distance_m
from lib.postcodes.errors import PostcodeDataUnavailable, PostcodeNotFound
from lib.postcodes.normalise import find_postcodes, normalise_postcode
from lib.yaml_files import load_yaml
from web.places import FEATURES, Directory, Place

logger = logging.getLogger(__name__)


class NearError(Exception):
    """The ``near`` of a search cannot be used; carries an HTTP status, a code and a reason."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Area:
    """Where the council is and what time it keeps, from its profile."""

    local_authority_codes: tuple[str, ...]
    timezone: ZoneInfo
    postcode_areas: tuple[str, ...]


def load_area(council_dir: Path) -> Area:
    """Read the council's area codes and timezone from ``profile.yml``.

    Args:
        council_dir: the council's profile folder.

    Returns:
        The area.

    Raises:
        ValueError: when the profile is missing or has no local authority codes.
    """
    path = council_dir / "profile.yml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the council profile ({error})") from error
    codes = tuple(str(code) for code in data.get("local_authority_codes") or ())
    if not codes:
        raise ValueError(f"{path}: 'local_authority_codes' is required")
    return Area(
        local_authority_codes=codes,
        timezone=ZoneInfo(str(data.get("timezone") or "Europe/London")),
        postcode_areas=tuple(str(a).upper() for a in data.get("postcode_areas") or ()),
    )


@dataclass(frozen=True)
class Origin:
    """Where a search measures from."""

    query: str
    postcode: str | None
    place_id: str | None
    easting: float
    northing: float


@dataclass(frozen=True)
class Found:
    """One place in a search result, as seen at a moment in local time."""

    place: Place
    distance_m: int | None
    open_now: bool
    open_until: datetime | None
    next_opening: datetime | None


class PlaceFinder:
    """Finds places near a point, with filters; safe to share between threads."""

    def __init__(self, directory: Directory, area: Area, postcodes: PostcodeDirectory) -> None:
        self.directory = directory
        self.area = area
        self._postcodes = postcodes
        self._grid: dict[str, tuple[float, float] | None] = {}

    def now(self) -> datetime:
        """The council's local time now, naive (what the hours in the file mean)."""
        return datetime.now(self.area.timezone).replace(tzinfo=None)

    def local(self, at: datetime) -> datetime:
        """A moment as naive local time (a naive ``at`` is already local)."""
        if at.tzinfo is None:
            return at
        return at.astimezone(self.area.timezone).replace(tzinfo=None)

    def grid(self, place: Place) -> tuple[float, float] | None:
        """The grid reference of a place's postcode (None if the directory lacks it)."""
        if place.id not in self._grid:
            try:
                found = self._postcodes.lookup(place.postcode)
                self._grid[place.id] = (found.easting, found.northing)
            except (PostcodeNotFound, PostcodeDataUnavailable, ValueError) as error:
                logger.error("place %s has no location: %s", place.id, error)
                self._grid[place.id] = None
        return self._grid[place.id]

    def warm_up(self) -> int:
        """Locate every place now (loads the postcode data), so no request waits for it.

        Returns:
            How many places have a location.
        """
        try:
            self._postcodes.preload(
                self.area.postcode_areas or [p.postcode for p in self.directory.places]
            )
        except PostcodeDataUnavailable as error:
            logger.error("postcode data unavailable: %s", error)
            return 0
        return sum(1 for place in self.directory.places if self.grid(place) is not None)

    def origin(self, near: str) -> Origin:
        """Turn ``near`` (a postcode, or the name of a place in the directory) into a point.

        Raises:
            NearError: 400 if it is neither, 404 for an unknown postcode, 422 for a
                postcode outside the council's area, 503 without postcode data.
        """
        text = near.strip()[:100]
        matches = find_postcodes(text)
        postcode = normalise_postcode(text) or (matches[0].postcode if matches else None)
        if postcode is None:
            place = self.directory.get(text.lower()) or self.directory.find_by_name(text)
            point = self.grid(place) if place else None
            if place is None or point is None:
                raise NearError(
                    400,
                    "near_not_understood",
                    "near must be a full UK postcode (like ST4 2DX) or the name of a place "
                    "in the directory",
                )
            return Origin(text, place.postcode, place.id, point[0], point[1])
        try:
            found = self._postcodes.lookup(postcode)
        except PostcodeNotFound as error:
            raise NearError(404, "postcode_not_found", f"postcode {postcode} not found") from error
        except PostcodeDataUnavailable as error:
            raise NearError(503, "postcodes_unavailable", "postcode data unavailable") from error
        if found.local_authority_code not in self.area.local_authority_codes:
            raise NearError(
                422,
                "outside_area",
                f"postcode {postcode} is outside the council's area "
                f"(local authority {found.local_authority_code or 'unknown'})",
            )
        return Origin(text, postcode, None, found.easting, found.northing)

    def describe(self, place: Place, at: datetime, origin: Origin | None = None) -> Found:
        """A place's distance and opening state at a naive local moment."""
        distance = None
        point = self.grid(place) if origin else None
        if origin and point:
            distance = round(grid_distance_m((origin.easting, origin.northing), point))
        until = place.open_until(at)
        return Found(
            place=place,
            distance_m=distance,
            open_now=until is not None,
            open_until=until,
            next_opening=place.next_opening(at),
        )

    def search(
        self,
        *,
        origin: Origin | None,
        at: datetime,
        types: Collection[str] = (),
        features: Collection[str] = (),
        services: Collection[str] = (),
        open_now: bool | None = None,
        limit: int = 10,
    ) -> list[Found]:
        """Places that pass every filter, nearest first (by name without an origin).

        Args:
            origin: where to measure from, or None for no distances.
            at: the naive local moment for "open now" and next opening.
            types: keep places of any of these types (all when empty).
            features: keep places that have every one of these facilities.
            services: keep places that offer every one of these services.
            open_now: True keeps open places, False closed ones, None both.
            limit: at most this many.

        Returns:
            The places found.
        """
        results = []
        for place in self.directory.places:
            if types and place.type not in types:
                continue
            if any(not has_feature(place, feature) for feature in features):
                continue
            if any(service not in place.services for service in services):
                continue
            found = self.describe(place, at, origin)
            if open_now is not None and found.open_now != open_now:
                continue
            if origin and found.distance_m is None:
                continue
            results.append(found)
        if origin:
            results.sort(key=lambda f: (f.distance_m, f.place.name))
        else:
            results.sort(key=lambda f: f.place.name)
        return results[:limit]


#: What ``feature=`` may ask for: the facilities, PCs of either kind, and staff on hand.
FILTER_FEATURES = (*FEATURES, "public_pcs", "bookable_pcs", "staff_help")


def has_feature(place: Place, feature: str) -> bool:
    """Whether a place has one of ``FILTER_FEATURES``."""
    if feature == "staff_help":
        return place.staff_help
    return place.facilities.has(feature)
