"""Offline UK postcode handling: recognising, locating and naming the council.

* :mod:`~integrations.postcodes.normalise`: pure functions that find and normalise
  postcodes in what residents type.
* :mod:`~integrations.postcodes.client`: :class:`PostcodeDirectory`, which looks postcodes
  up in the ONS Postcode Directory (no network), plus grid and distance helpers.
* :mod:`~integrations.postcodes.authorities`: council names and reporting links by ONS
  code, from ``kb/local_authorities.yml``.

Importing the package is cheap: the postcode data, pandas and pyproj load on first use.
"""

from integrations.postcodes.authorities import (
    AuthorityDataError,
    LocalAuthorities,
    LocalAuthority,
    load_authorities,
)
from integrations.postcodes.client import (
    PostcodeDirectory,
    grid_distance_m,
    grid_to_wgs84,
    haversine_m,
    wgs84_to_grid,
)
from integrations.postcodes.errors import (
    PostcodeDataUnavailable,
    PostcodeError,
    PostcodeNotFound,
)
from integrations.postcodes.models import PostcodeLocation, PostcodeMatch
from integrations.postcodes.normalise import (
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
