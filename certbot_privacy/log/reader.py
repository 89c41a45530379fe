"""Reading disclosure logs back: files, gzip files, directories of rotations, stdin.

:func:`iter_lines` streams the lines of a log, one line in memory at a time;
:func:`parse_line` turns one into a record, more strictly than ``json.loads``.
"""

import gzip
import io
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass
from typing import IO, Any, Iterator, Union

from certbot_privacy.errors import DisclosureLogError, LogFormatError

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Line:
    """One line of a log: where it is, its bytes without the newline, and whether it ended.

    Only a file's last line can be incomplete (no ``\\n``): a writer's crash tail.
    """

    source: str
    number: int
    raw: bytes
    complete: bool = True

    def record(self) -> dict[str, Any]:
        """Parse this line (:func:`parse_line`)."""
        return parse_line(self.raw)


def iter_lines(source: PathLike) -> Iterator[Line]:
    """Yield the lines of a log, one at a time, in constant memory (per line).

    *source* is a file (gzip-compressed or not, told by its content), ``"-"`` for standard
    input, or a directory, whose logs (``*.jsonl``, their rotations ``*.jsonl.1``,
    ``*.jsonl-20261122`` and those ``.gz``) are read oldest first (:func:`log_files`).
    Line numbers start at 1 in each file. Raises :class:`DisclosureLogError`.
    """
    name = os.fspath(source)
    if name == "-":
        yield from _iter_stream("<stdin>", sys.stdin.buffer)
    elif os.path.isdir(name):
        for path in log_files(name):
            yield from _iter_file(path)
    else:
        yield from _iter_file(name)


_LOG_NAME = re.compile(
    r"(?P<base>.+\.jsonl)(?:(?P<sep>[.-])(?P<suffix>[0-9][0-9._-]*?))?"
    r"(?P<gz>\.gz)?"
)


def log_files(directory: PathLike) -> list[str]:
    """Return the logs in *directory*, each base name's rotations oldest first, live file last.

    logrotate numbers rotations with ``.1`` as the newest (so ``.3`` comes before ``.2``),
    or with ``dateext`` suffixes that sort by date.
    """

    def age(name: str) -> tuple[str, int, int, str]:
        match = _LOG_NAME.fullmatch(name)
        if match is None:  # not reached: only matching names are listed
            return (name, 3, 0, "")
        suffix = match["suffix"]
        if suffix is None:
            return (match["base"], 2 if match["gz"] is None else 1, 0, "")
        if match["sep"] == "." and suffix.isdigit():
            return (match["base"], 0, -int(suffix), "")
        return (match["base"], 0, 0, suffix)

    root = os.fspath(directory)
    try:
        names = [
            entry.name
            for entry in os.scandir(root)
            if _LOG_NAME.fullmatch(entry.name) and entry.is_file()
        ]
    except OSError as error:
        raise _read_error(root, error) from None
    return [os.path.join(root, name) for name in sorted(names, key=age)]


def series(path: PathLike) -> "tuple[str, str] | None":
    """The log a file belongs to: its directory and live file name, or ``None``.

    ``/var/log/letsencrypt/disclosure.jsonl.2.gz`` belongs to
    ``("/var/log/letsencrypt", "disclosure.jsonl")``, as the live file itself does.
    """
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    match = _LOG_NAME.fullmatch(name)
    return None if match is None else (directory, match["base"])


def rotations(path: PathLike) -> list[str]:
    """The rotated files of the live log at *path* (not itself), oldest first."""
    live = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(live)
    try:
        files = log_files(directory)
    except DisclosureLogError:
        return []
    return [f for f in files if f != live and series(f) == (directory, name)]


def _iter_file(path: str) -> Iterator[Line]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, in a generator
    except OSError as error:
        raise _read_error(path, error) from None
    with handle:
        yield from _iter_stream(path, handle)


def _iter_stream(name: str, stream: IO[bytes]) -> Iterator[Line]:
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        buffered = gzip.GzipFile(fileobj=buffered, mode="rb")
    number = 0
    try:
        for chunk in buffered:
            number += 1
            complete = chunk.endswith(b"\n")
            yield Line(name, number, chunk[:-1] if complete else chunk, complete)
    except (EOFError, OSError, zlib.error) as error:
        raise DisclosureLogError(
            f"Cannot read the disclosure log {name}: it is damaged or cut short after line "
            f"{number} ({error}); restore it from a backup or read the part before."
        ) from None


def _read_error(path: str, error: OSError) -> DisclosureLogError:
    reason = (error.strerror or str(error)).lower()
    return DisclosureLogError(
        f"Cannot read the disclosure log {path}: {reason}; check the "
        "path and that you may read it (logs are private to root)."
    )


def parse_line(raw: bytes) -> dict[str, Any]:
    """Return the record in *raw* (a line without its newline), or raise :class:`LogFormatError`.

    Stricter than ``json.loads``: a repeated key (which parsers resolve differently, so a
    line could show one thing to one tool and another to the next), NaN and Infinity are
    refused.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LogFormatError(f"not UTF-8 text (byte {error.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except LogFormatError:
        raise
    except (ValueError, RecursionError) as error:
        raise LogFormatError(f"not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise LogFormatError("not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise LogFormatError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise LogFormatError(f"{name} is not a JSON value")
