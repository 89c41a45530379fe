"""Where the audit gets its lines: the one log reader (:mod:`certbot_privacy.log.reader`),
adapted in one place to what the audit needs.

* :class:`ReadFailure` takes the place of the rest of a file that could not be read (a
  damaged ``.gz``, an I/O error), so the core reports it with file and line and goes on;
* :class:`LineProblem` is what the core reports about a line;
* :func:`check_readable` makes a mistyped path a usage error before any output.

Directories are expanded here, file by file, so one damaged rotated file does not hide
the files after it.
"""

import os
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from certbot_privacy import errors
from certbot_privacy.log import reader
from certbot_privacy.log.reader import Line


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
    first, then one directory per host, :func:`certbot_privacy.log.reader.log_sources`)."""
    expanded: List[Tuple[str, Optional[str]]] = []
    for name in sources:
        if name != "-" and os.path.isdir(name):
            expanded.extend(reader.log_sources(name))
        else:
            expanded.append((name, None))
    return expanded


def read(sources: Iterable[str], copies_first: bool = False) -> Iterator[Item]:
    """Yield every line of every source, in order, and a :class:`ReadFailure` for damage.

    With *copies_first*, the journal and syslog copies among them (and standard input)
    are read before the logs, so that ``verify`` can compare each host's files with its
    copy as it reads them.
    """
    expanded = files(sources)
    if copies_first:
        copies = [(n, h) for n, h in expanded if n == "-" or reader.kind(n) is not None]
        expanded = copies + [entry for entry in expanded if entry not in copies]
    for name, host in expanded:
        yield from read_file(name, host)


def read_file(name: str, host: Optional[str] = None) -> Iterator[Item]:
    """Yield the lines of one file (a :class:`ReadFailure` for damage)."""
    line: Optional[Line] = None
    try:
        for line in reader.iter_lines(name, host):
            yield line
    except errors.DisclosureLogError as error:
        source = line.source if line is not None else "<stdin>" if name == "-" else name
        yield ReadFailure(source, line.number + 1 if line is not None else 1, str(error), host)
