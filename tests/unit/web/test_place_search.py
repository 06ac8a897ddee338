"""Searching the directory: distance, ordering, filters, "near" and errors."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from lib.postcodes.client import PostcodeDirectory
from tests.unit.web.test_places import SAMPLE
from web.directory import (
    NearError,
    PlaceFinder,
    has_feature,
    load_area,
)
from web.places import load_directory

MONDAY_11 = datetime(2026, 12, 7, 11, 0)
SUNDAY_11 = datetime(2026, 12, 6, 11, 0)


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder(load_directory(SAMPLE), load_area(SAMPLE.parent), PostcodeDirectory())


def test_distance_is_whole_metres_on_the_grid(finder: PlaceFinder) -> None:
    origin = finder.origin("ST6 3JJ")
    central = finder.directory.get("city-central-library")
    assert central is not None
    found = finder.describe(central, MONDAY_11, origin)
    easting, northing = finder.grid(central) or (0, 0)
    expected = math.hypot(easting - origin.easting, northing - origin.northing)
    assert found.distance_m == round(expected)
    assert isinstance(found.distance_m, int)


def test_nearest_first_with_a_type_and_a_limit(finder: PlaceFinder) -> None:
    found = finder.search(origin=finder.origin("st63jj"), at=MONDAY_11, types=["library"], limit=3)
    assert [f.place.type for f in found] == ["library"] * 3
    distances = [f.distance_m for f in found]
    assert distances == sorted(distances)
    everything = finder.search(origin=finder.origin("ST6 3JJ"), at=MONDAY_11, limit=50)
    assert len(everything) == len(finder.directory.places)


def test_near_a_named_place_puts_it_first(finder: PlaceFinder) -> None:
    found = finder.search(origin=finder.origin("Longton Library"), at=MONDAY_11, limit=2)
    assert found[0].place.id == "longton-library"
    assert found[0].distance_m == 0


def test_facility_and_service_filters_need_every_one(finder: PlaceFinder) -> None:
    found = finder.search(
        origin=finder.origin("ST4 2DX"),
        at=MONDAY_11,
        features=["screen_reader", "step_free", "bookable_pcs"],
        services=["universal_credit_support"],
        limit=50,
    )
    assert found
    for item in found:
        place = item.place
        assert place.facilities.screen_reader and place.facilities.step_free
        assert place.facilities.bookable_pcs > 0
        assert "universal_credit_support" in place.services
    # Stoke Library has a screen reader but no step-free access: filtered out.
    assert "stoke-library" not in {f.place.id for f in found}


def test_staff_help_is_a_filter(finder: PlaceFinder) -> None:
    found = finder.search(origin=None, at=MONDAY_11, features=["staff_help"], limit=50)
    assert found and all(f.place.staff_help for f in found)
    assert not has_feature(finder.directory.get("hanley-market-wifi"), "staff_help")  # type: ignore[arg-type]


def test_open_now_filter_on_a_sunday(finder: PlaceFinder) -> None:
    open_places = finder.search(origin=None, at=SUNDAY_11, open_now=True, limit=50)
    assert open_places and all(f.open_now for f in open_places)
    assert "city-central-library" not in {f.place.id for f in open_places}
    closed = finder.search(origin=None, at=SUNDAY_11, open_now=False, types=["library"], limit=50)
    assert len(closed) == 6
    assert all(f.next_opening and f.next_opening.weekday() == 0 for f in closed)


@pytest.mark.parametrize(
    ("near", "status", "code"),
    [
        ("ST5 2SX", 422, "outside_area"),  # Newcastle-under-Lyme
        ("ST1 9XX", 404, "postcode_not_found"),
        ("the moon", 400, "near_not_understood"),
        ("library", 400, "near_not_understood"),  # more than one place
    ],
)
def test_bad_near(finder: PlaceFinder, near: str, status: int, code: str) -> None:
    with pytest.raises(NearError) as caught:
        finder.origin(near)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_local_time_is_europe_london(finder: PlaceFinder) -> None:
    from datetime import timezone

    # 10:30 UTC in June is 11:30 in London.
    assert finder.local(datetime(2026, 6, 1, 10, 30, tzinfo=timezone.utc)) == datetime(
        2026, 6, 1, 11, 30
    )
    assert finder.now().tzinfo is None
