"""Typed shapes of postcode results: a match found in text and a located postcode."""

from __future__ import annotations

from dataclasses import dataclass


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
        latitude: WGS84 latitude in degrees, converted without the OSTN15 grid (about 2 m).
        longitude: WGS84 longitude in degrees.
        local_authority_code: ONS local authority district code (``laua``); None when
            the directory has none.
    """

    postcode: str
    easting: float
    northing: float
    latitude: float
    longitude: float
    local_authority_code: str | None
