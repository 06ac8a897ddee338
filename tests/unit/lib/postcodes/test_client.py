"""Looking postcodes up in the offline ONS Postcode Directory."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping

import pytest

from lib.postcodes.client import (
    Entry,
    PostcodeDirectory,
    grid_distance_m,
    grid_to_wgs84,
    haversine_m,
    wgs84_to_grid,
)
from lib.postcodes.errors import PostcodeDataUnavailable, PostcodeNotFound

NAN = float("nan")


@pytest.fixture(scope="module")
def directory() -> PostcodeDirectory:
    """The real directory; loading the S letter once takes about a second."""
    loaded = PostcodeDirectory()
    loaded.preload(["ST"])
    return loaded


@pytest.mark.parametrize(
    ("postcode", "code", "lat", "lon"),
    [
        ("ST4 2DX", "E06000021", 53.01191, -2.17825),
        ("ST6 3JJ", "E06000021", 53.03773, -2.19288),
        ("ST1 1HP", "E06000021", 53.02380, -2.17631),
    ],
)
def test_reference_points(
    directory: PostcodeDirectory, postcode: str, code: str, lat: float, lon: float
) -> None:
    place = directory.lookup(postcode)
    assert place.postcode == postcode
    assert place.local_authority_code == code
    assert place.latitude == pytest.approx(lat, abs=1e-4)
    assert place.longitude == pytest.approx(lon, abs=1e-4)


def test_neighbouring_council(directory: PostcodeDirectory) -> None:
    assert directory.lookup("ST5 2SX").local_authority_code == "E07000195"


def test_lookup_accepts_any_common_form(directory: PostcodeDirectory) -> None:
    place = directory.lookup(" st42dx ")
    assert place.postcode == "ST4 2DX"
    assert (place.easting, place.northing) == (388138.0, 346082.0)


def test_unknown_postcode_is_not_found(directory: PostcodeDirectory) -> None:
    with pytest.raises(PostcodeNotFound) as caught:
        directory.lookup("ST4 2XX")
    assert caught.value.postcode == "ST4 2XX"
    assert caught.value.local_authority_code is None


def test_postcode_without_coordinates_is_not_found(directory: PostcodeDirectory) -> None:
    # The directory lists ST10 9AB but has no coordinates or council for it.
    with pytest.raises(PostcodeNotFound, match="no coordinates"):
        directory.lookup("ST10 9AB")


@pytest.mark.parametrize("text", ["", "hello", "ST4", "A1 2BC", "ST4 2CX"])
def test_badly_formed_postcode_is_a_value_error(directory: PostcodeDirectory, text: str) -> None:
    with pytest.raises(ValueError):
        directory.lookup(text)


class FakeLoader:
    """Counts loads; holds a few rows per letter."""

    def __init__(self, tables: dict[str, dict[str, Entry]]) -> None:
        self.tables = tables
        self.calls: list[str] = []

    def __call__(self, letter: str) -> Mapping[str, Entry]:
        self.calls.append(letter)
        return self.tables.get(letter, {})


def _fake() -> FakeLoader:
    return FakeLoader(
        {
            "S": {"ST42DX": (388138.0, 346082.0, "E06000021")},
            "B": {"B11BB": (406731.0, 286867.0, "E08000025")},
            "J": {"JE10BD": (NAN, NAN, "L99999999")},
        }
    )


def test_letters_load_lazily_once_each() -> None:
    loader = _fake()
    directory = PostcodeDirectory(loader=loader)
    assert directory.loaded_letters == frozenset()
    assert loader.calls == []

    directory.lookup("ST4 2DX")
    directory.lookup("st42dx")
    with pytest.raises(PostcodeNotFound):
        directory.lookup("SW1A 1AA")  # same letter: no new load
    assert loader.calls == ["S"]

    directory.lookup("B1 1BB")
    assert loader.calls == ["S", "B"]
    assert directory.loaded_letters == frozenset({"S", "B"})


def test_preload_takes_areas_or_letters() -> None:
    loader = _fake()
    directory = PostcodeDirectory(loader=loader)
    directory.preload("ST")  # one area, not the letters S and T
    directory.preload(["st", "B", " "])
    assert loader.calls == ["S", "B"]


def test_concurrent_first_lookups_load_once() -> None:
    loader = _fake()
    directory = PostcodeDirectory(loader=loader)
    threads = [threading.Thread(target=directory.lookup, args=("ST4 2DX",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loader.calls == ["S"]


def test_channel_islands_are_not_locatable() -> None:
    directory = PostcodeDirectory(loader=_fake())
    with pytest.raises(PostcodeNotFound, match="Channel Islands") as caught:
        directory.lookup("JE1 0BD")
    assert caught.value.local_authority_code == "L99999999"


def test_missing_data_is_unavailable_and_not_cached() -> None:
    loader = _fake()
    directory = PostcodeDirectory(loader=loader)
    with pytest.raises(PostcodeDataUnavailable):
        directory.lookup("M1 1AE")  # the fake has no M data
    with pytest.raises(PostcodeDataUnavailable):
        directory.lookup("M1 1AE")
    assert loader.calls == ["M", "M"]
    assert "M" not in directory.loaded_letters


def test_unreadable_data_dir_is_unavailable(tmp_path) -> None:
    (tmp_path / "postcodes_S.msgpack.br").write_bytes(b"not brotli")
    with pytest.raises(PostcodeDataUnavailable):
        PostcodeDirectory(data_dir=tmp_path).lookup("ST4 2DX")
    with pytest.raises(PostcodeDataUnavailable):
        PostcodeDirectory(data_dir=tmp_path).lookup("B1 1BB")  # no file at all


def test_grid_round_trip_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lat, lon = grid_to_wgs84(388138.0, 346082.0)
        easting, northing = wgs84_to_grid(lat, lon)
    assert (lat, lon) == pytest.approx((53.01191, -2.17825), abs=1e-5)
    assert grid_distance_m((easting, northing), (388138.0, 346082.0)) < 0.01


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (NAN, 0.0)])
def test_wgs84_to_grid_rejects_impossible_points(lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        wgs84_to_grid(lat, lon)


def test_distances_agree(directory: PostcodeDirectory) -> None:
    a = directory.lookup("ST4 2DX")
    b = directory.lookup("ST1 1HP")
    on_grid = grid_distance_m((a.easting, a.northing), (b.easting, b.northing))
    assert on_grid == pytest.approx(1328.7, abs=0.1)  # hypot(133, 1322)
    # The OS grid's scale factor near Stoke is about 0.9996-0.9997, so the two
    # measures differ by well under 1 %.
    great_circle = haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
    assert great_circle == pytest.approx(on_grid, rel=0.005)


def test_haversine_basics() -> None:
    assert haversine_m(53.0, -2.0, 53.0, -2.0) == 0.0
    # One degree of latitude is about 111.2 km.
    assert haversine_m(53.0, -2.0, 54.0, -2.0) == pytest.approx(111_195, rel=1e-3)
