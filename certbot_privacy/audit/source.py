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
from typing import Iterable, Iterator, List, Optional, Union

from certbot_privacy import errors
from certbot_privacy.log import reader
from certbot_privacy.log.reader import Line


@dataclass(frozen=True)
class ReadFailure:
    """Reading *source* stopped at line *number* (the lines before it were read)."""

    source: str
    number: int
    message: str


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
    """Raise a usage error for the first source that does not exist or is unreadable.

    Done before any output, so that a typo in a path is a usage error (exit 2) and not a
    half-printed report.
    """
    for name in sources:
        if name == "-":
            continue
        if not os.path.exists(name):
            raise errors.UsageError(f"{name}: no such file or directory")
        mode = os.R_OK | (os.X_OK if os.path.isdir(name) else 0)
        if not os.access(name, mode):
            raise errors.UsageError(
                f"{name}: permission denied (disclosure logs are private to "
                "their owner, usually root)"
            )
        if os.path.isdir(name) and not files([name]):
            raise errors.UsageError(
                f"{name}: no disclosure logs in this directory (*.jsonl and their rotations)"
            )


def files(sources: Iterable[str]) -> List[str]:
    """Return the files *sources* stand for: directories expanded (oldest log first)."""

    expanded: List[str] = []
    for name in sources:
        if name != "-" and os.path.isdir(name):
            expanded.extend(reader.log_files(name))
        else:
            expanded.append(name)
    return expanded


def read(sources: Iterable[str]) -> Iterator[Item]:
    """Yield every line of every source, in order, and a :class:`ReadFailure` for damage."""
    for name in files(sources):
        yield from _read_file(name)


def _read_file(name: str) -> Iterator[Item]:

    line: Optional[Line] = None
    try:
        for line in reader.iter_lines(name):
            yield line
    except errors.DisclosureLogError as error:
        source = line.source if line is not None else "<stdin>" if name == "-" else name
        yield ReadFailure(source, line.number + 1 if line is not None else 1, str(error))
