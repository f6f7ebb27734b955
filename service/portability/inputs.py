"""Opening import files: gzip is detected by its magic bytes, reading is counted for progress."""

from __future__ import annotations

import codecs
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from service.portability.records import ImportFormatError

GZIP_MAGIC = b"\x1f\x8b"
SQLITE_MAGIC = b"SQLite format 3\x00"


class CountingReader(io.RawIOBase):
    """Passes reads through and reports how many bytes of the file were read so far."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if self.on_read is not None and size:
            self.on_read(size)
        return size


def head(path: Path, size: int = 16) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


@contextmanager
def open_bytes(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed if it is gzipped."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise ImportFormatError("", f"cannot read the file ({error.strerror})") from None
    with raw:
        counted = io.BufferedReader(CountingReader(raw, on_read), buffer_size=256 * 1024)
        if counted.peek(2)[:2] == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=counted) as unzipped:
                yield io.BufferedReader(_GzipErrors(unzipped), buffer_size=256 * 1024)
        else:
            yield counted


@contextmanager
def open_text(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[IO[str]]:
    """The file as UTF-8 text (a byte-order mark is dropped).

    Bytes that are not UTF-8 are an ImportFormatError naming their line and byte offset (of the
    uncompressed data), raised before the parser sees any text from them.
    """
    with open_bytes(path, on_read) as binary:
        checked = io.BufferedReader(_Utf8Checked(binary), buffer_size=256 * 1024)
        yield io.TextIOWrapper(checked, encoding="utf-8-sig", errors="strict", newline="")


class _Utf8Checked(io.RawIOBase):
    """Passes bytes through once they are known to be UTF-8, counting lines and bytes."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.offset = 0  # bytes passed through
        self.line = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        pending = self.decoder.getstate()[0]
        try:
            self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            bad = error.start - len(pending)  # index in `data` (negative: in the pending bytes)
            offset = self.offset + bad
            line = self.line + data[: max(bad, 0)].count(b"\n")
            raise ImportFormatError(
                f"line {line}, byte {offset}",
                f"the file is not valid UTF-8 (byte 0x{error.object[error.start]:02x}); "
                "save it as UTF-8 and import it again",
            ) from None
        self.offset += len(data)
        self.line += data.count(b"\n")
        buffer[: len(data)] = data
        return len(data)


class _GzipErrors(io.RawIOBase):
    """A truncated or corrupt gzip file is an ImportFormatError, not an OSError traceback."""

    def __init__(self, inner: gzip.GzipFile) -> None:
        self.inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self.inner.read(len(buffer))
        except (OSError, EOFError) as error:
            raise ImportFormatError("gzip", f"the compressed file is damaged ({error})") from None
        buffer[: len(data)] = data
        return len(data)
