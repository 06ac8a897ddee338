"""Typed shapes of postcode results: a match found in text and a located postcode."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class PostcodeMatch:
    """A postcode found inside free text.

    Attributes:
        start: offset of the first character of the match in the original text.
        end: offset just past the last character (``text[start:end] == original``).
        original: the substring exactly as the resident typed it.
        postcode: the canonical ``AA9A 9AA`` form.
    """

    start: int
    end: int
    original: str
    postcode: str


@dataclass(frozen=True)
class PostcodeLocation:
    """Where a postcode is, from the ONS Postcode Directory.

    Attributes:
        postcode: canonical ``AA9A 9AA`` form.
        easting: OS National Grid easting in metres (EPSG:27700).
        northing: OS National Grid northing in metres (EPSG:27700).
        local_authority_code: ONS local authority district code (``laua``); None when
            the directory has none.
        latitude: WGS84 latitude in degrees, converted without the OSTN15 grid (about 2 m).
        longitude: WGS84 longitude in degrees.

    Latitude and longitude are worked out from the grid reference on first use, so a
    process that never asks for them (the web service measures on the grid) never loads
    pyproj. Every located postcode of the directory converts (checked on all of them).
    """

    postcode: str
    easting: float
    northing: float
    local_authority_code: str | None

    @cached_property
    def _wgs84(self) -> tuple[float, float]:
        from lib.postcodes.client import grid_to_wgs84  # imports pyproj

        latitude, longitude = grid_to_wgs84(self.easting, self.northing)
        return round(latitude, 6), round(longitude, 6)

    @property
    def latitude(self) -> float:
        """WGS84 latitude in degrees, to 6 decimal places."""
        return self._wgs84[0]

    @property
    def longitude(self) -> float:
        """WGS84 longitude in degrees, to 6 decimal places."""
        return self._wgs84[1]
