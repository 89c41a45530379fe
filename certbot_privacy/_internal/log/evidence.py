"""What the writer keeps outside the log so that the log stays evidence: its head and seals.

With a state directory (:mod:`.state`, in certbot's config dir) the writer

* checks, at its first append, that the log still holds the line this host last wrote
  where it wrote it (``head.json``; in the live file or, after logrotate, a rotated one),
  and otherwise records a ``discontinuity`` notice naming the expected head, and warns;
* at the end of the run seals what it wrote (``seal.json``, set up by ``certbot-privacy
  seal setup``): a ``seal`` record whose MAC under the current epoch's key covers the
  chain head, then the key evolves and the old one is overwritten (:mod:`.seal`);
* records the new head.

``docs/sealing.rst`` explains the design and its limits.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

from certbot_privacy._internal.errors import DisclosureLogError, LogFormatError
from certbot_privacy._internal.log import chain, state
from certbot_privacy._internal.log.schema import rfc3339, written_head
from certbot_privacy._internal.rules.escape import printable

# The reader (rotated and compressed files, the strict parser) is imported where a check
# needs it: a run whose log holds its head where head.json says never does.

if TYPE_CHECKING:  # a typing alias costs every private run import time; it only types
    #: The tail of a log file as the writer reads it: size, last line's end, last line, seq.
    Tail = Callable[[int], "tuple[int, Optional[bytes], int]"]


def warn(message: str) -> None:
    """Say *message* on standard error, loudly (certbot's own log level cannot hide it)."""
    try:
        sys.stderr.write(f"certbot-privacy: WARNING: {printable(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _head_file(state_dir: str) -> str:
    return os.path.join(state_dir, state.HEAD)


def _line_ends_at(fd: int, offset: int, digest: str) -> bool:
    """Whether the file *fd* has a complete line ending at *offset* whose digest is *digest*."""
    line = _line_ending_at(fd, offset)
    return line is not None and chain.digest(line) == digest


def _line_ending_at(fd: int, offset: int) -> Optional[bytes]:
    """The complete line of the file *fd* that ends at *offset* (without its newline)."""
    if offset <= 0 or os.fstat(fd).st_size < offset or os.pread(fd, 1, offset - 1) != b"\n":
        return None
    start = offset - 1
    while start > 0:  # the line's start: the newline before it
        begin = max(0, start - 65536)
        found = os.pread(fd, start - begin, begin).rfind(b"\n")
        if found >= 0:
            start = begin + found + 1
            break
        start = begin
    return os.pread(fd, offset - 1 - start, start)


def _holds(path: str, expected: Dict[str, Any]) -> bool:
    """Whether the rotated file *path* holds the expected head line (best effort)."""
    from certbot_privacy._internal.log import reader

    try:
        if path.endswith(".gz"):
            wanted = expected.get("lines")
            for line in reader.iter_lines(path):
                if line.number == wanted:
                    return line.complete and chain.digest(line.raw) == expected.get("head")
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            return _line_ends_at(fd, int(expected.get("offset", 0)), str(expected.get("head")))
        finally:
            os.close(fd)
    except (OSError, DisclosureLogError, ValueError, TypeError):
        return False


#: What :func:`check_head` found: the ``discontinuity`` notice's fields (``None``: the log
#: holds its head), and the log's last line with its seq when that line is the head and
#: ``head.json`` knows its seq (``None`` otherwise).
Continuity = Tuple[Optional[Dict[str, Any]], Optional[Tuple[bytes, int]]]


def check_head(state_dir: str, path: str, fd: int) -> Continuity:
    """Whether the log at *path* (open as *fd*, locked) holds the head this host last
    recorded for it: the ``discontinuity`` notice's fields if not.

    When the log holds that head, its line and seq come back too: the line is byte for
    byte the one this host wrote with that seq (same SHA-256, and it begins with that
    seq), so while it is the log's last line the writer knows the next seq without
    parsing it.
    """
    try:
        heads = state.read(_head_file(state_dir)) or {}
    except DisclosureLogError as error:
        warn(f"{error} The disclosure log's continuity cannot be checked in this run.")
        return None, None
    logs = heads.get("logs")
    expected = logs.get(path) if isinstance(logs, dict) else None
    if not isinstance(expected, dict) or not expected.get("lines"):
        return None, None
    try:
        offset = int(expected.get("offset", 0))
        line = _line_ending_at(fd, offset)
        if line is not None and chain.digest(line) == str(expected.get("head")):
            seq = expected.get("seq")
            known = (
                (line, seq)
                if isinstance(seq, int)
                and not isinstance(seq, bool)
                and line.startswith(written_head(seq))
                else None
            )
            return None, known
    except (OSError, ValueError, TypeError):
        pass
    from certbot_privacy._internal.log import reader

    if any(_holds(rotated, expected) for rotated in reversed(reader.rotations(path))):
        return None, None  # logrotate moved it on: the rotated file's successor is this one
    size = os.fstat(fd).st_size
    name = os.path.basename(path)
    lines, head = expected.get("lines"), expected.get("head")
    message = (
        f"the disclosure log {path} does not hold the record this host last wrote to it "
        f"({name} line {lines}, head {head}), in it nor in a rotated file: it was moved "
        "aside, cut short, replaced or deleted since; a discontinuity notice is recorded "
        "and certbot-privacy verify reports it"
    )
    fields = {
        "kind": "discontinuity",
        "message": message,
        "found": {"file": name, "bytes": size},
        "expected_head": {
            "file": name,
            "lines": lines,
            "offset": expected.get("offset"),
            "time": expected.get("time"),
            "head": head,
        },
    }
    return fields, None


def record_head(
    state_dir: str,
    path: str,
    fd: int,
    tail: Tail,
    written: Optional[Tuple[bytes, int]] = None,
) -> None:
    """Record where the log at *path* (open as *fd*, locked) ends now, in ``head.json``.

    *written*: the last line this writer wrote and its seq; when the log ends with it, its
    seq is kept too (see :func:`check_head`).
    """
    size, previous, seq = tail(fd)
    head_file = _head_file(state_dir)
    try:
        heads = state.read(head_file) or {}
    except DisclosureLogError:
        heads = {}  # unreadable: start again (check_head warned about it)
    logs = heads.get("logs")
    if not isinstance(logs, dict):
        logs = heads["logs"] = {}
    if previous is None:
        logs.pop(path, None)
    else:
        st = os.fstat(fd)
        logs[path] = {
            "file_id": [st.st_dev, st.st_ino],
            "offset": size,
            "lines": seq,
            "head": chain.digest(previous),
            "time": rfc3339(time.time()),
        }
        if written is not None and written[0] == previous:
            logs[path]["seq"] = written[1]
    heads["format"] = "certbot-privacy-head/1"
    state.write(head_file, heads)


def is_seal(line: Optional[bytes]) -> bool:
    """Whether *line* is a ``seal`` record (then nothing was written since it)."""
    if line is None or b'"event":"seal"' not in line:
        return False
    from certbot_privacy._internal.log.reader import parse_line

    try:
        return parse_line(line).get("event") == "seal"
    except LogFormatError:
        return False


def seal_state(state_dir: str, path: str) -> Optional[Dict[str, Any]]:
    """The sealing state if it seals the log at *path*; raises :class:`DisclosureLogError`."""
    current = state.read(os.path.join(state_dir, state.SEAL))
    if current is None or current.get("log") != path:
        return None
    if current.get("format") != state.SEAL_FORMAT:
        raise DisclosureLogError(
            f"Cannot seal the disclosure log {path}: the sealing state in {state_dir} is of "
            "an unknown format; run certbot-privacy seal setup again after moving it aside."
        )
    return current


def seal_fields(state_dir: str, current: Dict[str, Any], fd: int, seq: int) -> Dict[str, Any]:
    """The fields of the next ``seal`` record (all but its MAC), from the sealing state."""
    st = os.fstat(fd)
    last = current.get("last_seq")
    same_file = current.get("file_id") == [st.st_dev, st.st_ino] and isinstance(last, int)
    return {
        "event": "seal",
        "recipient": "local",
        "epoch": int(current["epoch"]),
        "first": last + 1 if same_file and isinstance(last, int) else 0,
        "last": seq - 1,
        "previous_seal": current.get("last_mac"),
    }


def evolve_state(state_dir: str, current: Dict[str, Any], entry: Dict[str, Any], fd: int) -> str:
    """Compute *entry*'s MAC under the current key, then replace the state with the next
    epoch's key (synced: the old key is gone before the seal is written); return the MAC."""
    from certbot_privacy._internal.log import seal  # sealing is set up: not every host

    key = bytes.fromhex(str(current["key"]))
    value = seal.mac(key, entry)
    last_time = current.get("last_time")
    if isinstance(last_time, str) and entry["time"] <= last_time:
        warn(
            f"this seal's time {entry['time']} is not after the last seal's ({last_time}): "
            "the clock went back; certbot-privacy verify --verify-key will report it"
        )
    st = os.fstat(fd)
    nxt = dict(current)
    nxt.update(
        epoch=int(current["epoch"]) + 1,
        key=seal.evolve(key).hex(),
        last_mac=value,
        last_time=entry["time"],
        last_seq=entry["seq"],
        file_id=[st.st_dev, st.st_ino],
    )
    state.write(os.path.join(state_dir, state.SEAL), nxt)
    return value
