"""Offline UK postcode handling: recognising, locating and naming the council.

* :mod:`~lib.postcodes.normalise`: pure functions that find and normalise
  postcodes in what residents type.
* :mod:`~lib.postcodes.client`: :class:`PostcodeDirectory`, which looks postcodes
  up in the ONS Postcode Directory (no network), plus grid and distance helpers.
* :mod:`~lib.postcodes.authorities`: council names and reporting links by ONS
  code, from ``kb/local_authorities.yml``.

Importing the package is cheap: the postcode data and pyproj load on first use; pandas never.
"""

from lib.postcodes.authorities import (
    AuthorityDataError,
    LocalAuthorities,
    LocalAuthority,
    load_authorities,
)
from lib.postcodes.client import (
    PostcodeDirectory,
    grid_distance_m,
    grid_to_wgs84,
    haversine_m,
    wgs84_to_grid,
)
from lib.postcodes.errors import (
    PostcodeDataUnavailable,
    PostcodeError,
    PostcodeNotFound,
)
from lib.postcodes.models import PostcodeLocation, PostcodeMatch
from lib.postcodes.normalise import (
    find_postcodes,
    normalise_postcode,
    outward_code_only,
    postcode_area,
)

__all__ = [
    "AuthorityDataError",
    "LocalAuthorities",
    "LocalAuthority",
    "PostcodeDataUnavailable",
    "PostcodeDirectory",
    "PostcodeError",
    "PostcodeLocation",
    "PostcodeMatch",
    "PostcodeNotFound",
    "find_postcodes",
    "grid_distance_m",
    "grid_to_wgs84",
    "haversine_m",
    "load_authorities",
    "normalise_postcode",
    "outward_code_only",
    "postcode_area",
    "wgs84_to_grid",
]
