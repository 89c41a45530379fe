"""Where the audit gets its lines: the one log reader (:mod:`certbot_privacy._internal.log.reader`),
adapted in one place to what the audit needs.

* :class:`ReadFailure` takes the place of the rest of a file that could not be read (a
  damaged ``.gz``, an I/O error), so the core reports it with file and line and goes on;
* :class:`LineProblem` is what the core reports about a line;
* :func:`check_readable` makes a mistyped path a usage error before any output;
* :func:`provenance` says where a record was read: a host's own log file, or a copy of
  it (the journal, whose trusted fields were checked; syslog, which authenticates no
  sender).

Directories are expanded here, file by file, so one damaged rotated file does not hide
the files after it. A record read both from a host's file and from a copy of it (or
from two copies) is yielded once, from the file (:func:`read`): so report, export and
the letters count it once.
"""

import hashlib
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

from certbot_privacy._internal import errors
from certbot_privacy._internal.log import chain, reader
from certbot_privacy._internal.log.reader import Line
from certbot_privacy._internal.log.syslog import Trust

#: Where a record was read (:func:`provenance`): the host's own log file, ...
FILE = "file"
#: ... a journal copy whose entries journald's trusted fields show the certbot process
#: wrote (:class:`~certbot_privacy._internal.log.syslog.Trust`), ...
JOURNAL = reader.JOURNAL
#: ... or a syslog copy (RFC 3164/5424): any sender can write one, the copy cannot say who.
SYSLOG = reader.SYSLOG
#: The provenances whose writer nothing authenticates.
UNAUTHENTICATED = frozenset({SYSLOG})


def provenance(line: Line) -> str:
    """Where *line* was read: :data:`FILE`, :data:`JOURNAL` or :data:`SYSLOG`."""
    return FILE if line.copy is None else line.copy


@dataclass(frozen=True)
class ReadFailure:
    """Reading *source* stopped at line *number* (the lines before it were read)."""

    source: str
    number: int
    message: str
    host: Optional[str] = None


Item = Union[Line, ReadFailure]


@dataclass(frozen=True)
class LineProblem:
    """Something wrong with line *lineno* of *source*, in one sentence."""

    source: str
    lineno: int
    message: str

    @property
    def where(self) -> str:
        """``file:line``, the way compilers and editors name a place."""
        return f"{self.source}:{self.lineno}"


def check_readable(sources: Iterable[str]) -> None:
    """Raise a usage error for the first log that does not exist or cannot be opened.

    Done before any output, so that a typo in a path is a usage error (exit 2) and not a
    half-printed report; every file a directory stands for is opened too, so that a log
    that cannot be read is the same error, in the same words, whether it was named or
    found in a directory (of rotations, or of a fleet's hosts).
    """
    for name in sources:
        if name == "-":
            continue
        if not os.path.exists(name):
            raise errors.UsageError(f"{name}: no such file or directory")
        if os.path.isdir(name):
            try:
                found = reader.log_sources(name)
            except errors.DisclosureLogError:
                raise _unreadable(name, PermissionError(13, "permission denied")) from None
            if not found:
                raise errors.UsageError(
                    f"{name}: no disclosure logs in this directory (*.jsonl and their "
                    "rotations, or one directory of them per host)"
                )
            for path, _ in found:
                _probe(path)
        else:
            _probe(name)


def _probe(path: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise _unreadable(path, error) from None


def _unreadable(path: str, error: OSError) -> errors.UsageError:
    if isinstance(error, PermissionError):
        return errors.UsageError(
            f"{path}: permission denied (disclosure logs are private to their owner, usually root)"
        )
    return errors.UsageError(f"{path}: {(error.strerror or str(error)).lower()}")


def files(sources: Iterable[str]) -> List[Tuple[str, Optional[str]]]:
    """Return ``(file, host)`` for what *sources* stand for: directories expanded (oldest log
    first, then one directory per host,
    :func:`certbot_privacy._internal.log.reader.log_sources`)."""
    expanded: List[Tuple[str, Optional[str]]] = []
    for name in sources:
        if name != "-" and os.path.isdir(name):
            expanded.extend(reader.log_sources(name))
        else:
            expanded.append((name, None))
    return expanded


def read(
    sources: Iterable[str], copies_first: bool = False, trust: Optional[Trust] = None
) -> Iterator[Item]:
    """Yield every line of every source, and a :class:`ReadFailure` for damage.

    For ``report``, ``export`` and the letters (the default): the logs first, in order,
    then the journal and syslog copies (and standard input), each record of a copy that
    was already read (from a file, or an earlier copy) left out: one record, counted once,
    and from the host's file where there is one. With *copies_first*, for ``verify``: the
    copies first, then the logs, every line as it is, so that each host's files can be
    compared with its copy as they are read. *trust* says which journal entries are
    records (:class:`~certbot_privacy._internal.log.syslog.Trust`).
    """
    expanded = files(sources)
    copies = [(n, h) for n, h in expanded if n == "-" or reader.kind(n) is not None]
    logs = [entry for entry in expanded if entry not in copies]
    if copies_first:
        for name, host in copies + logs:
            yield from read_file(name, host, trust)
        return
    if not copies:
        for name, host in logs:
            yield from read_file(name, host)
        return
    seen: Set[bytes] = set()
    for name, host in logs:
        for item in read_file(name, host):
            if isinstance(item, Line):
                seen.add(_key(item))
            yield item
    for name, host in copies:
        for item in read_file(name, host, trust):
            if isinstance(item, Line) and item.problem is None:
                key = _key(item)
                if key in seen:
                    continue
                seen.add(key)
            yield item


def _key(line: Line) -> bytes:
    """What identifies a record wherever it was read: the first 16 bytes of the digest of
    its line as the log file holds it."""
    if line.digest is not None:
        return bytes.fromhex(line.digest[7:39])
    if line.copy is not None and b'"mirror_omitted"' in line.raw:
        return bytes.fromhex(line_digest(line.raw)[7:39])
    return hashlib.sha256(line.raw).digest()[:16]


def line_digest(raw: bytes, record: Optional[Dict[str, Any]] = None) -> str:
    """The digest (``sha256:...``) of a record's line as the log file holds it: of *raw*,
    or, for a record the mirror shortened (``mirror_omitted``), the ``line_sha256`` it
    carries. *record* is *raw* parsed, if it was."""
    if record is None and b'"mirror_omitted"' in raw:
        try:
            record = reader.parse_line(raw)
        except errors.LogFormatError:
            record = None
    if record is not None and "mirror_omitted" in record:
        full = record.get("line_sha256")
        if isinstance(full, str) and len(full) == 71 and full.startswith(chain.PREFIX):
            return full
    return chain.PREFIX + hashlib.sha256(raw).hexdigest()


def read_file(
    name: str, host: Optional[str] = None, trust: Optional[Trust] = None
) -> Iterator[Item]:
    """Yield the lines of one file (a :class:`ReadFailure` for damage)."""
    line: Optional[Line] = None
    try:
        for line in reader.iter_lines(name, host, trust):
            yield line
    except errors.DisclosureLogError as error:
        source = line.source if line is not None else "<stdin>" if name == "-" else name
        yield ReadFailure(source, line.number + 1 if line is not None else 1, str(error), host)
