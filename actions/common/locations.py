"""Where a reported problem is: postcode look-up, area check and nearby duplicates.

Pure decisions over the postcode directory and the Open311 client, kept out of the
form so they can be tested without a tracker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from actions.common import deps, responses
from actions.common.place_words import PlacePhrases, load_place_phrases, place_mentioned
from actions.common.validators import looks_like_address
from bot.councils.profile import CouncilProfile
from bot.settings import settings
from bot.text import clean_number_text
from integrations.open311 import Open311Error, ServiceRequest
from lib.postcodes.client import haversine_m
from lib.postcodes.errors import PostcodeDataUnavailable, PostcodeNotFound
from lib.postcodes.normalise import find_postcodes, outward_code_only

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocationResult:
    """The outcome of reading a location from the resident's answer."""

    ok: bool
    display: str = ""
    postcode: str | None = None
    lat: float | None = None
    long: float | None = None
    problem_response: str = ""
    template_vars: dict[str, Any] = field(default_factory=dict)
    #: Whether this answer counts towards offering a person (a postcode in another
    #: council's area is a right answer, not a failed one).
    counts_as_failure: bool = True


def _looks_like_postcode_attempt(text: str) -> bool:
    compact = text.replace(" ", "")
    return (
        2 <= len(compact) <= 9
        and any(ch.isdigit() for ch in compact)
        and any(ch.isalpha() for ch in compact)
        and len(text.split()) <= 2
    )


def resolve_location(text: str, council: CouncilProfile) -> LocationResult:
    """Turn a resident's answer into a place the council can find.

    Args:
        text: what the resident typed or said.
        council: the council whose area the place must be in.

    Returns:
        ``ok`` with coordinates for a postcode in the area, ``ok`` without coordinates
        for a street and landmark, otherwise the response that explains the problem.
    """
    cleaned = clean_number_text(text, 300)  # a postcode in full-width digits still reads
    matches = find_postcodes(cleaned)
    if matches:
        postcode = matches[0].postcode
        try:
            place = deps.postcodes().lookup(postcode)
        except PostcodeDataUnavailable:
            # Without the postcode data the place is still a usable address for the CRM.
            logger.error("postcode data unavailable; keeping the address as typed")
            return LocationResult(ok=True, display=cleaned, postcode=postcode)
        except PostcodeNotFound:
            return LocationResult(
                ok=False,
                postcode=postcode,
                problem_response=responses.POSTCODE_NOT_FOUND,
                template_vars={"location_postcode": postcode},
            )
        if not council.covers(place.local_authority_code):
            table = deps.authorities()
            other = table.describe(place.local_authority_code)
            known = other is not None
            return LocationResult(
                ok=False,
                postcode=postcode,
                problem_response=responses.POSTCODE_OTHER_COUNCIL,
                template_vars={
                    "location_postcode": postcode,
                    "other_council": other.name if known else table.fallback.name,
                    "other_council_report_to": (
                        other.highways_authority if known else table.fallback.name
                    ),
                    "other_council_url": (
                        other.report_street_problem_url
                        if known
                        else table.fallback.report_street_problem_url
                    ),
                },
                counts_as_failure=False,
            )
        display = cleaned if len(cleaned) > len(matches[0].original) + 2 else postcode
        return LocationResult(
            ok=True, display=display, postcode=postcode, lat=place.latitude, long=place.longitude
        )
    if outward_code_only(cleaned):
        return LocationResult(ok=False, problem_response=responses.POSTCODE_PARTIAL)
    if _looks_like_postcode_attempt(cleaned):
        return LocationResult(ok=False, problem_response=responses.POSTCODE_NOT_VALID)
    if looks_like_address(cleaned):
        return LocationResult(ok=True, display=cleaned)
    return LocationResult(ok=False, problem_response=responses.LOCATION_TOO_VAGUE)


def place_phrases() -> PlacePhrases:
    """The place words of ``kb/conversation/remember.yml``, loaded once."""
    return load_place_phrases(deps.settings_kb_dir() / "conversation" / "remember.yml")


def place_already_given(texts: list[str], council: CouncilProfile) -> str | None:
    """The place named in the resident's earlier words, if one can be found, to confirm.

    Args:
        texts: what the resident said, most recent first.
        council: the council whose area the place must be in.

    Returns:
        The first place named that the council could find (a postcode in its area, or a
        named street), worded to offer back; None when there is none.
    """
    phrases = place_phrases()
    for text in texts:
        place = place_mentioned(text, phrases)
        if place and resolve_location(place, council).ok:
            return place
    return None


@dataclass(frozen=True)
class NearbyReport:
    """An open report close to the new one."""

    service_request_id: str
    distance_m: int


class _FindsRequests(Protocol):
    async def find_requests(
        self, service_code: str | None = None, status: str | None = None
    ) -> list[ServiceRequest]: ...


async def find_duplicate(
    client: _FindsRequests,
    service_code: str,
    lat: float,
    long: float,
    radius_m: float | None = None,
) -> NearbyReport | None:
    """The nearest open report of the same service within the radius, if any.

    A CRM that cannot be reached means no duplicate check, not a failed report.
    """
    radius = settings.duplicate_radius_m if radius_m is None else radius_m
    try:
        candidates = await client.find_requests(service_code=service_code, status="open")
    except Open311Error as error:
        logger.warning("duplicate check skipped", extra={"error": str(error)})
        return None
    nearest: NearbyReport | None = None
    for request in candidates:
        if request.lat is None or request.long is None:
            continue
        distance = haversine_m(lat, long, request.lat, request.long)
        if distance <= radius and (nearest is None or distance < nearest.distance_m):
            nearest = NearbyReport(request.service_request_id, round(distance))
    return nearest
