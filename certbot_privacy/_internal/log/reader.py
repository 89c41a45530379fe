"""Reading disclosure logs back: files, gzip files, directories, fleets, stdin, syslog copies.

:func:`iter_lines` streams the lines of a log in bounded memory: it reads in blocks of
:data:`BLOCK` bytes (gzip members too, decompressed block by block), and a line longer
than :data:`MAX_LINE` (16 MiB) is never held: it comes as a :class:`Line` with no bytes,
its size and its digest, to be reported as not a record. :func:`parse_line` turns a line
into a record, more strictly than ``json.loads``.

Besides the log files themselves, the reader takes the copies of a log that fleets
collect centrally (see :mod:`.syslog` for what the mirror sends): ``journalctl -o json``
output and rsyslog files. They are recognised by their first line; each mirrored record
comes as a :class:`Line` whose ``raw`` is the record line as mirrored, with the host that
sent it and ``copy`` set to ``"journal"`` or ``"syslog"``. A directory given on the
command line holds logs (read oldest first) and may hold one directory per host, each
named by its host.
"""

import hashlib
import itertools
import json
import json.scanner
import os
import re
import sys
import zlib
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Union,
    cast,
)

from certbot_privacy._internal.errors import DisclosureLogError, LogFormatError

if TYPE_CHECKING:
    from certbot_privacy._internal.log.syslog import Trust

PathLike = Union[str, "os.PathLike[str]"]

#: The longest line read as a possible record (16 MiB): a longer one is reported as not a
#: record, with its size, and never held in memory whole. The writer's records are a few
#: KiB (a request body is bounded by what an ACME or DNS API accepts).
MAX_LINE = 16 * 1024 * 1024
#: How much is read (or decompressed) at a time.
BLOCK = 1024 * 1024

#: What a line is a copy of: ``None`` for a log file's own line.
JOURNAL = "journal"
SYSLOG = "syslog"


class Line(NamedTuple):
    """One line of a log: where it is, its bytes without the newline, and whether it ended.

    Only a file's last line can be incomplete (no ``\\n``): a writer's crash tail. A line
    over :data:`MAX_LINE` has ``raw == b""``, its length in ``size`` and its digest
    (``sha256:...``, as :mod:`.chain` computes it) in ``digest``; ``problem`` says why a
    line yields no record before it is parsed (too long; a journal entry without its
    message). ``host`` names the host
    the line came from, where the input says (a directory per host, a journal's
    ``_HOSTNAME``, a syslog header); ``copy`` is ``"journal"`` or ``"syslog"`` for a
    record mirrored there (``raw`` is then the record's line as mirrored), ``None`` for a
    log file's own line. ``rejected`` marks a journal entry under the mirror's ident that
    journald's trusted fields do not show the certbot process wrote (``problem`` says why;
    :class:`~.syslog.Trust`).
    """

    source: str
    number: int
    raw: bytes
    complete: bool = True
    size: Optional[int] = None
    digest: Optional[str] = None
    host: Optional[str] = None
    copy: Optional[str] = None
    problem: Optional[str] = None
    rejected: bool = False

    def record(self) -> dict[str, Any]:
        """Parse this line (:func:`parse_line`)."""
        return parse_line(self.raw)


def too_long(size: int) -> str:
    """What is wrong with a line of *size* bytes, over :data:`MAX_LINE`."""
    limit = f"{MAX_LINE // 2**20} MiB" if MAX_LINE % 2**20 == 0 else f"{MAX_LINE:,} bytes"
    return (
        f"not a record: the line is {size:,} bytes long, over the limit of {limit} for a "
        "line (not read)"
    )


def iter_lines(
    source: PathLike, host: Optional[str] = None, trust: Optional["Trust"] = None
) -> Iterator[Line]:
    """Yield the lines of a log, one at a time, in bounded memory.

    *source* is a file (gzip-compressed or not, told by its content), ``"-"`` for standard
    input, or a directory, read as :func:`log_sources` lists it. A file or stream whose
    first line is ``journalctl -o json`` output or an rsyslog line yields the mirrored
    records in it (see the module documentation). Line numbers start at 1 in each file.
    *host* names the host of a plain log; *trust* says which journal entries are taken as
    records (:class:`~.syslog.Trust`, root's by default). Raises :class:`DisclosureLogError`.
    """
    name = os.fspath(source)
    if name == "-":
        yield from _iter_stream("<stdin>", sys.stdin.buffer, host, trust)
    elif os.path.isdir(name):
        for path, path_host in log_sources(name):
            yield from _iter_file(path, path_host if path_host is not None else host, trust)
    else:
        yield from _iter_file(name, host, trust)


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
        raise read_error(root, error) from None
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


def log_sources(directory: PathLike) -> List[Tuple[str, Optional[str]]]:
    """Return ``(file, host)`` for every log a directory stands for.

    Its own logs (:func:`log_files`, host unnamed), then those of each subdirectory that
    holds logs, in name order, with the subdirectory's name as their host: a fleet's logs
    collected as ``hosts/web1/disclosure.jsonl``, ``hosts/web2/...``.
    """
    root = os.fspath(directory)
    found: List[Tuple[str, Optional[str]]] = [(path, None) for path in log_files(root)]
    try:
        subdirectories = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
    except OSError as error:
        raise read_error(root, error) from None
    for name in subdirectories:
        found.extend((path, name) for path in log_files(os.path.join(root, name)))
    return found


def iter_range(path: str, start: int, end: int, host: Optional[str] = None) -> Iterator[Line]:
    """Yield the lines of bytes *start* to *end* of a plain (uncompressed) log, numbered
    from 1 (for reading parts of a big file in parallel; *start* and *end* are at line
    starts, see :func:`line_start`)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, in a generator
    except OSError as error:
        raise read_error(path, error) from None
    with handle:
        handle.seek(start)
        yield from _iter_stream(path, _Bounded(handle, end - start), host)


def line_start(path: str, offset: int) -> int:
    """The offset of the first line that starts at or after *offset* in the file at *path*."""
    if offset <= 0:
        return 0
    with open(path, "rb") as handle:
        handle.seek(offset - 1)
        skipped = 0
        while True:
            block = handle.read(BLOCK)
            if not block:
                return offset - 1 + skipped
            found = block.find(b"\n")
            if found >= 0:
                return offset + skipped + found
            skipped += len(block)


class _Bounded:
    """At most *left* bytes of *stream* (a part of a file)."""

    def __init__(self, stream: IO[bytes], left: int) -> None:
        self._stream = stream
        self._left = left

    def read(self, size: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data

    def seek(self, offset: int, /) -> int:
        raise OSError("a log is read from start to end")


def _iter_file(path: str, host: Optional[str], trust: Optional["Trust"] = None) -> Iterator[Line]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, in a generator
    except OSError as error:
        raise read_error(path, error) from None
    with handle:
        yield from _iter_stream(path, handle, host, trust)


def _open_stream(stream: Any) -> Tuple[Any, bytes]:
    """The stream to read (decompressing gzip) and its first block."""
    first = _read_some(stream)
    if first[:2] == b"\x1f\x8b":
        import gzip  # here, not at the top: the writer imports this module on every run

        unpacked = gzip.GzipFile(fileobj=_Prefixed(first, stream), mode="rb")
        return unpacked, _read_some(unpacked)
    return stream, first


def _read_some(stream: Any) -> bytes:
    """Up to :data:`BLOCK` bytes, as soon as some are there (``read1``: a damaged gzip gives
    what was decompressed before the damage, then the error)."""
    read1 = getattr(stream, "read1", None)
    data: bytes = read1(BLOCK) if read1 is not None else stream.read(BLOCK)
    return data


class _Prefixed:
    """A read-only file object: *head*, then the rest of *stream* (for gzip after a peek)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                head, self._head = self._head, b""
                rest = self._stream.read(-1 if size < 0 else size - len(head))
                return head + rest
            head, self._head = self._head[:size], self._head[size:]
            return head
        return self._stream.read(size)

    def seek(self, offset: int, /) -> int:
        raise OSError("a log is read from start to end")


def _iter_stream(
    name: str, stream: Any, host: Optional[str], trust: Optional["Trust"] = None
) -> Iterator[Line]:
    number = 0
    try:
        readable, first = _open_stream(stream)
        lines = _split(readable, first)
        kind = _kind(first)
        if kind is None:
            # A whole line is the common case: its Line made by tuple.__new__ (a NamedTuple's
            # own __new__ is a Python function: a tenth of reading a big log).
            make, rest = tuple.__new__, (True, None, None, host, None, None, False)
            for number, piece in enumerate(lines, 1):
                if isinstance(piece, bytes):
                    yield make(Line, (name, number, piece, *rest))
                    continue
                raw, complete, size, digest = piece
                if size is None:
                    yield Line(name, number, raw, complete, None, None, host)
                else:
                    yield Line(
                        name, number, b"", complete, size, digest, host, None, too_long(size)
                    )
            return
        from certbot_privacy._internal.log import syslog as mirror

        journal = kind == JOURNAL
        for number, piece in enumerate(lines, 1):
            raw, complete, size, digest = (
                (piece, True, None, None) if isinstance(piece, bytes) else piece
            )
            if size is not None:
                yield Line(name, number, b"", complete, size, digest, host, kind, too_long(size))
                continue
            copied = mirror.from_journal(raw, trust) if journal else mirror.from_syslog(raw)
            if copied is None:
                continue  # another program's line
            yield Line(
                name,
                number,
                copied.message,
                complete,
                None,
                None,
                copied.host,
                kind,
                copied.problem,
                copied.rejected,
            )
    except (EOFError, OSError, zlib.error) as error:
        damaged = DisclosureLogError(
            f"Cannot read the disclosure log {name}: it is damaged or cut short after line "
            f"{number} ({error}); restore it from a backup or read the part before."
        )
        damaged.lines_read = number
        raise damaged from None


#: How a record's line begins: a file that begins so is a log, neither a journal export
#: (its entries have no "schema") nor a syslog file (its lines begin with a priority or a
#: time), and :func:`kind` says so without reading on (a fleet has thousands of files).
_RECORD_START = b'{"schema":'


def kind(path: str) -> Optional[str]:
    """What the file at *path* holds: ``"journal"`` or ``"syslog"`` (copies of records), or
    ``None`` (a log, or a file that cannot be read: reading it will say)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_RECORD_START)) == _RECORD_START:
                return None
            handle.seek(0)
            _, first = _open_stream(handle)
    except (EOFError, OSError, zlib.error):
        return None
    return _kind(first)


def _kind(first: bytes) -> Optional[str]:
    """What the input is, from its first block: a journal export, a syslog file, or a log."""
    line = first.split(b"\n", 1)[0]
    from certbot_privacy._internal.log import (
        syslog as mirror,  # here: the writer imports this module
    )

    if mirror.is_journal_export(line):
        return JOURNAL
    if mirror.is_syslog_line(line):
        return SYSLOG
    return None


_Split = Tuple[bytes, bool, Optional[int], Optional[str]]


def _split(stream: Any, block: bytes) -> Iterator[Union[bytes, _Split]]:
    """Yield each line: its bytes alone for a whole line (the common case, no tuple made),
    else ``(bytes, complete, size, digest)``, with size and digest only past the cap."""
    pending: List[bytes] = []  # the start of a line that goes on in the next block
    pending_size = 0
    skipping: Optional[Any] = None  # the digest of a line over the cap, as it goes by
    skipped = 0
    while block:
        parts = block.split(b"\n")
        last = parts.pop()
        if parts:
            head = parts[0]
            if skipping is not None:
                skipping.update(head)
                yield b"", True, skipped + len(head), "sha256:" + skipping.hexdigest()
                skipping, skipped = None, 0
            elif pending:
                pending.append(head)
                whole = b"".join(pending)
                pending, pending_size = [], 0
                yield _checked(whole, True)
            else:
                yield _checked(head, True)
            if len(block) <= MAX_LINE:  # so is every line within it
                yield from itertools.islice(parts, 1, None)
            else:
                for raw in itertools.islice(parts, 1, None):
                    yield _checked(raw, True)
        if last:
            if skipping is not None:
                skipping.update(last)
                skipped += len(last)
            else:
                pending.append(last)
                pending_size += len(last)
                if pending_size > MAX_LINE:
                    skipping = hashlib.sha256()
                    for piece in pending:
                        skipping.update(piece)
                    skipped, pending, pending_size = pending_size, [], 0
        block = _read_some(stream)
    if skipping is not None:
        yield b"", False, skipped, "sha256:" + skipping.hexdigest()
    elif pending:
        yield _checked(b"".join(pending), False)


def _checked(raw: bytes, complete: bool) -> Union[bytes, _Split]:
    if len(raw) > MAX_LINE:
        return b"", complete, len(raw), "sha256:" + hashlib.sha256(raw).hexdigest()
    return raw if complete else (raw, complete, None, None)


def read_error(path: str, error: OSError) -> DisclosureLogError:
    """The error for a log that cannot be opened or listed: the same wherever it was found."""
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
    # The strict decoder's own scanner, called directly (what JSONDecoder.decode does,
    # without its two whitespace matches and two frames: 5% of a report's instructions); any
    # line it does not take whole as an object is decoded again the usual way, for the
    # usual result or message. A repeated key or NaN is refused by either.
    try:
        value, end = _SCAN(text, 0)
    except LogFormatError:
        raise
    except (StopIteration, ValueError, RecursionError):
        end = -1
    if end != len(text) or value.__class__ is not dict:
        return _decode(text)
    record: dict[str, Any] = value
    return record


def _decode(text: str) -> dict[str, Any]:
    """:func:`parse_line` of a line that is not one whole object: its value, or why not."""
    try:
        value = _DECODER.decode(text)
    except LogFormatError:
        raise
    except (ValueError, RecursionError) as error:
        raise LogFormatError(f"not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise LogFormatError("not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise LogFormatError(f"the key {key!r} appears twice")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise LogFormatError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)
#: The strict decoder's scanner (as the decoder makes its own): the value at an index of a
#: string, and where it ends. (typeshed types its argument as a scanner: its own TODO.)
_SCAN = json.scanner.make_scanner(cast(Any, _DECODER))
