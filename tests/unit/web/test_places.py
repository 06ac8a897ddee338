"""The location directory file: loader validation, real postcodes, opening hours."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from lib.postcodes.client import PostcodeDirectory
from web.core.config import REPO_ROOT, Settings
from web.directory import load_area
from web.places import (
    PLACE_TYPES,
    Directory,
    PlacesError,
    load_directory,
)

SAMPLE = REPO_ROOT / "kb" / "councils" / "stoke-on-trent" / "places.yml"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


@pytest.fixture(scope="module")
def postcodes() -> PostcodeDirectory:
    return PostcodeDirectory()


def test_the_sample_file_is_marked_and_big_enough(directory: Directory) -> None:
    assert directory.sample_data is True
    assert len(directory.places) >= 30
    assert {place.type for place in directory.places} == set(PLACE_TYPES)
    names = {place.name for place in directory.places}
    for library in ("City Central Library", "Bentilee Library", "Longton Library"):
        assert library in names
    assert "confirmed by the council" in SAMPLE.read_text()


def test_every_place_has_a_real_postcode_inside_the_council_area(
    directory: Directory, postcodes: PostcodeDirectory
) -> None:
    area = load_area(SAMPLE.parent)
    for place in directory.places:
        found = postcodes.lookup(place.postcode)
        assert found.local_authority_code in area.local_authority_codes, place.id
        assert found.easting > 0 and found.northing > 0, place.id


def test_settings_pick_the_councils_file(tmp_path: Path) -> None:
    settings = Settings(environment="test", council="stoke-on-trent")
    assert settings.places_path == SAMPLE
    swapped = Settings(environment="test", places_file=tmp_path / "mine.yml")
    assert swapped.places_path == tmp_path / "mine.yml"
    assert Settings(environment="test", council="", kb_dir=REPO_ROOT / "kb").places_path == SAMPLE


def _write(tmp_path: Path, places: list[dict], **top: object) -> Path:
    path = tmp_path / "places.yml"
    path.write_text(yaml.safe_dump({"places": places, **top}), encoding="utf-8")
    return path


def _place(**changes: object) -> dict:
    place = {
        "id": "test-library",
        "name": "Test Library",
        "type": "library",
        "address": "1 High Street",
        "postcode": "ST4 2DX",
        "hours": {"monday": ["09:00-17:00"]},
        "facilities": {
            "public_pcs": 4,
            "bookable_pcs": 2,
            "wifi": True,
            "printing": True,
            "screen_reader": False,
            "large_key_keyboard": False,
            "hearing_loop": False,
            "step_free": True,
        },
        "staff_help": True,
        "services": ["universal_credit_support"],
        "how_to_book": "Ask at the desk.",
    }
    place.update(changes)
    return place


def test_a_good_minimal_file_loads(tmp_path: Path) -> None:
    loaded = load_directory(_write(tmp_path, [_place(postcode="st42dx")]))
    assert loaded.places[0].postcode == "ST4 2DX"
    assert loaded.slot_minutes == 30


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"type": "pub"}, "type", "not one of"),
        ({"postcode": "not a postcode"}, "postcode", "well-formed"),
        ({"name": ""}, "name", "required"),
        ({"hours": {"monday": ["9am to 5pm"]}}, "hours.monday", "time range"),
        ({"hours": {"funday": ["09:00-17:00"]}}, "hours", "unknown weekday"),
        ({"hours": {"monday": ["09:00-13:00", "12:00-17:00"]}}, "hours.monday", "overlap"),
        ({"hours": {"monday": ["25:00-26:00"]}}, "hours.monday", "does not exist"),
        ({"closures": [{"date": "soon"}]}, "closures", "needs a date"),
        ({"services": ["karaoke"]}, "services", "unknown service"),
        ({"staff_help": "yes"}, "staff_help", "true or false"),
        ({"how_to_book": None}, "how_to_book", "required"),
    ],
)
def test_a_bad_place_is_refused_naming_file_place_and_field(
    tmp_path: Path, changes: dict, field: str, problem: str
) -> None:
    path = _write(tmp_path, [_place(**changes)])
    with pytest.raises(PlacesError) as caught:
        load_directory(path)
    message = str(caught.value)
    assert str(path) in message
    assert "'test-library'" in message
    assert f"'{field}'" in message
    assert problem in message


@pytest.mark.parametrize(
    ("facilities", "field"),
    [
        ({"public_pcs": 2, "bookable_pcs": 3}, "facilities.bookable_pcs"),
        ({"public_pcs": -1}, "facilities.public_pcs"),
        ({"wifi": "maybe"}, "facilities.wifi"),
        ({"jacuzzi": True}, "facilities.jacuzzi"),
    ],
)
def test_bad_facilities_are_refused(tmp_path: Path, facilities: dict, field: str) -> None:
    merged = {**_place()["facilities"], **facilities}
    with pytest.raises(PlacesError, match=rf"'{field}'"):
        load_directory(_write(tmp_path, [_place(facilities=merged)]))


def test_duplicate_ids_missing_file_and_bad_yaml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlacesError, match="used twice"):
        load_directory(_write(tmp_path, [_place(), _place()]))
    with pytest.raises(PlacesError, match="file not found"):
        load_directory(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("places: [unclosed", encoding="utf-8")
    with pytest.raises(PlacesError, match="not valid YAML"):
        load_directory(bad)
    with pytest.raises(PlacesError, match="'places' is empty"):
        load_directory(_write(tmp_path, []))
    with pytest.raises(PlacesError, match="place number 1, field 'id'"):
        load_directory(_write(tmp_path, [_place(id="Bad Id")]))
    with pytest.raises(PlacesError, match="slot_minutes"):
        load_directory(_write(tmp_path, [_place()], booking={"slot_minutes": 7}))


# --- Opening hours --------------------------------------------------------------------------
# 2026-12-07 is a Monday.


def test_open_between_ranges_and_closed_over_lunch(directory: Directory) -> None:
    bentilee = directory.get("bentilee-library")
    assert bentilee is not None
    assert bentilee.is_open(datetime(2026, 12, 7, 9, 0))  # opening minute counts
    assert not bentilee.is_open(datetime(2026, 12, 7, 8, 59))
    assert not bentilee.is_open(datetime(2026, 12, 7, 12, 30))  # closing minute does not
    assert bentilee.next_opening(datetime(2026, 12, 7, 12, 45)) == datetime(2026, 12, 7, 13, 30)
    assert bentilee.open_until(datetime(2026, 12, 7, 14, 0)) == datetime(2026, 12, 7, 17, 0)


def test_closed_weekday_and_sunday_move_the_next_opening(directory: Directory) -> None:
    bentilee = directory.get("bentilee-library")
    assert bentilee is not None
    # Closed all Wednesday: Tuesday evening's next opening is Thursday morning.
    assert bentilee.next_opening(datetime(2026, 12, 8, 18, 0)) == datetime(2026, 12, 10, 9, 0)
    # Saturday afternoon: shut Sunday, opens Monday.
    assert bentilee.next_opening(datetime(2026, 12, 12, 13, 0)) == datetime(2026, 12, 14, 9, 0)


def test_closures_shut_the_whole_day(directory: Directory) -> None:
    central = directory.get("city-central-library")
    assert central is not None
    assert not central.is_open(datetime(2026, 12, 24, 11, 0))  # a Thursday, Christmas Eve
    assert central.is_closed_on(date(2026, 12, 25))
    # Christmas Eve to Boxing Day shut, Sunday shut, Monday 28th a bank holiday.
    assert central.next_opening(datetime(2026, 12, 23, 18, 0)) == datetime(2026, 12, 29, 9, 0)


def test_overnight_hours_run_past_midnight(directory: Directory) -> None:
    late = directory.get("payzone-burslem")
    assert late is not None
    # Friday 07:00-01:00: open at half past midnight on Saturday, shut at 01:00.
    assert late.is_open(datetime(2026, 12, 12, 0, 30))
    assert late.open_until(datetime(2026, 12, 12, 0, 30)) == datetime(2026, 12, 12, 1, 0)
    assert not late.is_open(datetime(2026, 12, 12, 1, 0))
    # Thursday closes at 23:00, so Friday 00:30 is shut.
    assert not late.is_open(datetime(2026, 12, 11, 0, 30))
    assert late.next_opening(datetime(2026, 12, 12, 2, 0)) == datetime(2026, 12, 12, 8, 0)


def test_all_day_places_and_a_booking_that_fits(directory: Directory) -> None:
    wifi = directory.get("stoke-town-centre-wifi")
    assert wifi is not None
    assert wifi.is_open(datetime(2026, 12, 13, 23, 59))
    assert wifi.is_open(datetime(2026, 12, 14, 0, 0))
    central = directory.get("city-central-library")
    assert central is not None
    assert central.fits_opening(datetime(2026, 12, 7, 16, 0), datetime(2026, 12, 7, 17, 0))
    assert not central.fits_opening(datetime(2026, 12, 7, 16, 30), datetime(2026, 12, 7, 17, 30))
    bentilee = directory.get("bentilee-library")
    assert bentilee is not None
    # Across the lunch break is not one opening period.
    assert not bentilee.fits_opening(datetime(2026, 12, 7, 12, 0), datetime(2026, 12, 7, 14, 0))


def test_find_by_name(directory: Directory) -> None:
    found = directory.find_by_name("tunstall library")
    assert found is not None and found.id == "tunstall-library"
    assert directory.find_by_name("library") is None  # ambiguous
    assert directory.find_by_name("  ") is None
