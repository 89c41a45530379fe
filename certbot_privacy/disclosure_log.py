"""Appending to and reading disclosure logs: locked, hash-chained, write-ahead JSON Lines.

Writing
=======

:meth:`DisclosureLog.append` writes one record as one line and returns only once the line
is on disk (``fdatasync``), so a caller that sends its request after ``append`` returns
never discloses anything the log does not show (write-ahead). Each append:

1. opens the path afresh (``O_NOFOLLOW``, mode 0600; missing parent directories are
   created 0700), so that after logrotate renamed the file the record goes to the new one;
2. takes an exclusive ``flock`` on it and checks that the path still names the file it
   locked (a rotation between open and lock), reopening if not; several processes (several
   certbot runs with different config directories, one log) thus append one at a time and
   lines never interleave;
3. reads the file's tail, not the whole file: ``seq`` is the last complete record's
   ``seq`` + 1 (0 for an empty file; the count of complete lines when the last one cannot
   be parsed) and ``prev`` is :func:`certbot_privacy.chain.digest` of that line's bytes
   (:data:`certbot_privacy.chain.GENESIS` for the first line);
4. writes the line with a single ``write()``, then ``fdatasync``; on failure the file is
   cut back to where it was and :class:`DisclosureLogError` is raised.

The file is never world- or group-readable whatever the umask (it is created 0600 and an
existing looser file is ``fchmod``-ed to 0600), and the writer refuses a symbolic link at
the log path (root runs certbot: a link could redirect the write to any file), a file with
other hard links, a file owned by another user (who could read it), a directory and
anything that is not a regular file. Every failure is one :class:`DisclosureLogError`
whose message is one sentence naming the path, what is wrong and the fix.

A crashed writer's half line
----------------------------

A line is written with one ``write()`` and ``append`` returns after ``fdatasync``; so a last
line without its ``\\n`` can only be left by a writer that died (or lost power) before its
``append`` returned, whose request was therefore never sent. The rule:

* a reader yields such a tail as a line with ``complete=False``: the verifier reports a
  *truncated tail*, not tampering, because only the last line of a file can be incomplete
  and every complete line before it still chains;
* the next writer, holding the lock, cuts the fragment off (``ftruncate`` to the end of
  the last complete line), so the file stays pure JSON Lines that any tool can parse, and
  records what it removed in its own record as ``"truncated_tail": {"bytes": n, "sha256":
  "sha256:<hex of the fragment>", "data_b64": <the fragment, if at most 64 KiB>}``. Its
  ``prev`` chains to the last complete line and its ``seq`` follows that line's.

So the evidence of a crash survives inside the chain (editing it breaks the next line's
``prev``), and a verifier never meets a broken line in the middle of a file.

Rotation
--------

Use logrotate with ``create 0600`` (or none: the writer creates the file) and
``delaycompress``, never ``copytruncate`` (it loses lines written while it copies)::

    /var/log/letsencrypt/disclosure.jsonl {
        monthly
        rotate 24
        compress
        delaycompress
        missingok
        notifempty
        create 0600 root root
    }

``delaycompress`` matters: a writer that opened the file just before the rename may still
append its line to the rotated file; it is compressed only at the next rotation. A new
file is a new chain (``seq`` 0, ``prev`` = GENESIS): each file verifies on its own, and the
reader takes a directory's files oldest first.

Limits of the chain: it proves the order and integrity of the lines *before* the last one.
Dropping or rewriting the last lines, or rewriting the whole file with fresh digests, is
visible only against a copy kept elsewhere: the syslog mirror (:class:`SyslogMirror`),
which also suits fleets, or a backup.

Reading
=======

:func:`iter_lines` streams the lines of a file, a gzip file, a directory of rotated logs or
standard input, one line in memory at a time; :func:`parse_line` turns one into a record.
"""

import errno
import fcntl
import gzip
import io
import json
import logging
import os
import re
import stat
import sys
import zlib
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator, Mapping, Optional, Protocol, Union

from certbot_privacy import chain
from certbot_privacy.keyguard import PrivateKeyError, ensure_no_private_key

logger = logging.getLogger(__name__)

SCHEMA = 1
#: A crash fragment up to this size is kept, base64, in the next record.
MAX_KEPT_FRAGMENT = 64 * 1024
_BLOCK = 64 * 1024
_REOPEN_ATTEMPTS = 10
_FIX = "choose another path with --privacy-log"

PathLike = Union[str, "os.PathLike[str]"]


class DisclosureLogError(Exception):
    """The disclosure log cannot be written or read; the message says where, why and the fix."""


class LogFormatError(ValueError):
    """A line of a disclosure log is not a record (not UTF-8, not JSON, not an object)."""


class Mirror(Protocol):
    """Receives a copy of each line once it is on disk (see :class:`SyslogMirror`)."""

    def mirror(self, line: str) -> None:
        """Pass *line* (one record, without its newline) on; may raise, never blocks issuance."""


# --- writing ------------------------------------------------------------------------------

class DisclosureLog:
    """An append-only, hash-chained disclosure log file (see the module documentation)."""

    def __init__(self, path: PathLike, mirror: Optional[Mirror] = None) -> None:
        self.path = os.fspath(path)
        self.mirror = mirror

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Append *record* durably and return it as written, with ``seq`` and ``prev``.

        Fields ``seq``, ``prev`` and ``truncated_tail`` of *record* are the log's to set
        and are replaced. Raises :class:`DisclosureLogError`; then nothing was added.
        """
        try:
            ensure_no_private_key(record)
        except PrivateKeyError as error:
            raise DisclosureLogError(
                f"Refused to write a record to the disclosure log {self.path}: {error}, "
                "which must never be logged (nothing was sent); please report this bug "
                "to certbot-privacy.") from None
        fd = self._open_locked()
        try:
            entry, line = self._append_locked(fd, record)
        finally:
            os.close(fd)  # also releases the lock
        if self.mirror is not None:
            try:
                self.mirror.mirror(line)
            except Exception as error:  # the file is the record of truth: never block on it
                logger.warning("Could not mirror disclosure record %s to syslog (%s); it is "
                               "in %s.", entry["seq"], error, self.path)
        return entry

    def ensure_writable(self) -> None:
        """Check, before anything is sent, that records can be appended; raise if not.

        Creates the file (0600) and missing directories (0700) and runs every check of
        :meth:`append` (symlink, directory, owner, links, lock), writing nothing. A full
        disk can only show when a record is written.
        """
        os.close(self._open_locked())

    def _open_locked(self) -> int:
        for _ in range(_REOPEN_ATTEMPTS):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                opened = os.fstat(fd)
                try:
                    current = os.lstat(self.path)
                except FileNotFoundError:
                    current = None
            except OSError as error:
                os.close(fd)
                raise _os_error(self.path, error) from None
            if current is not None and (current.st_dev, current.st_ino) == (
                    opened.st_dev, opened.st_ino):
                return fd
            os.close(fd)  # rotated (renamed) between open and lock: open the new file
        raise DisclosureLogError(
            f"Cannot write the disclosure log {self.path}: it was replaced "
            f"{_REOPEN_ATTEMPTS} times while being opened; stop whatever keeps renaming it "
            f"or {_FIX}.")

    def _open(self) -> int:
        _make_parents(self.path)
        flags = (os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                 | os.O_NONBLOCK)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as error:
            raise _os_error(self.path, error) from None
        try:
            _check_opened(self.path, fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _append_locked(self, fd: int, record: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        try:
            size = os.fstat(fd).st_size
            last_newline = _rfind_newline(fd, size)
            base = last_newline + 1  # the end of the last complete line
            fragment = os.pread(fd, size - base, base) if size > base else b""
            previous: Optional[bytes] = None
            if last_newline >= 0:
                start = _rfind_newline(fd, last_newline) + 1
                previous = os.pread(fd, last_newline - start, start)
            seq = _next_seq(fd, previous, base)
        except OSError as error:
            raise _os_error(self.path, error) from None
        entry: dict[str, Any] = {"schema": record.get("schema", SCHEMA), "seq": seq}
        entry.update((k, v) for k, v in record.items()
                     if k not in ("schema", "seq", "prev", "truncated_tail"))
        if fragment:
            entry["truncated_tail"] = _describe_fragment(fragment)
        entry["prev"] = chain.GENESIS if previous is None else chain.digest(previous)
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=True)
        data = line.encode("ascii") + b"\n"
        try:
            if fragment:
                os.ftruncate(fd, base)
            written = os.write(fd, data)  # one write: the lock keeps others out meanwhile
            if written != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            _datasync(fd)
            if base == 0:
                _sync_directory(os.path.dirname(os.path.abspath(self.path)))
        except OSError as error:
            _restore(fd, base, fragment)
            raise _os_error(self.path, error) from None
        return entry, line


def _make_parents(path: str) -> None:
    """Create the missing parent directories of *path*, each 0700 whatever the umask."""
    missing = []
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(parent):
        missing.append(parent)
        parent = os.path.dirname(parent)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
            os.chmod(directory, 0o700)  # the umask may have narrowed it
        except FileExistsError:
            continue
        except OSError as error:
            raise _os_error(path, error, doing=f"create the directory {directory} for "
                            "the disclosure log") from None


def _check_opened(path: str, fd: int) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it is not a regular file; remove it "
            f"or {_FIX}.")
    if st.st_uid != os.geteuid():
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it belongs to another user (uid "
            f"{st.st_uid}), who could read it; remove it, chown it to the user running "
            f"certbot, or {_FIX}.")
    if st.st_nlink > 1:
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it has {st.st_nlink} hard links, "
            "which is refused so that the log cannot be redirected into another file; "
            f"remove this link or {_FIX}.")
    if stat.S_IMODE(st.st_mode) != 0o600:
        try:
            os.fchmod(fd, 0o600)
        except OSError as error:
            raise _os_error(path, error) from None


def _rfind_newline(fd: int, end: int) -> int:
    """Return the offset of the last ``\\n`` before *end*, or -1; reads backwards in blocks."""
    while end > 0:
        start = max(0, end - _BLOCK)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            return start + found
        end = start
    return -1


def _next_seq(fd: int, previous: Optional[bytes], end: int) -> int:
    if previous is None:
        return 0
    try:
        seq = parse_line(previous).get("seq")
    except LogFormatError:
        seq = None
    if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
        return seq + 1
    count, offset = 0, 0  # the last line is no record: count the complete lines instead
    while offset < end:
        block = os.pread(fd, min(_BLOCK, end - offset), offset)
        count += block.count(b"\n")
        offset += len(block)
    return count


def _describe_fragment(fragment: bytes) -> dict[str, Any]:
    described: dict[str, Any] = {"bytes": len(fragment), "sha256": chain.digest(fragment)}
    if len(fragment) <= MAX_KEPT_FRAGMENT:
        import base64

        described["data_b64"] = base64.b64encode(fragment).decode("ascii")
    return described


def _datasync(fd: int) -> None:
    sync = getattr(os, "fdatasync", os.fsync)  # fdatasync: the size, not the timestamps
    sync(fd)


def _sync_directory(directory: str) -> None:
    """Make a new file's directory entry durable (best effort: not every FS allows it)."""
    try:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _restore(fd: int, base: int, fragment: bytes) -> None:
    """After a failed append, put the file back as it was (best effort)."""
    try:
        os.ftruncate(fd, base)
        if fragment:
            os.write(fd, fragment)
    except OSError:
        logger.warning("Could not restore the disclosure log after a failed write",
                       exc_info=True)


_REASONS = {
    errno.EROFS: ("it is on a read-only file system",
                  f"make that file system writable or {_FIX}"),
    errno.EACCES: ("permission was denied",
                   f"run certbot as a user that may write there (usually root) or {_FIX}"),
    errno.ENOSPC: ("the disk is full", f"free some space on it or {_FIX}"),
    errno.EDQUOT: ("the disk quota is exceeded", f"free some space or {_FIX}"),
    errno.EISDIR: ("it is a directory", "remove it or give --privacy-log the path of a file"),
    errno.ENOTDIR: ("a part of its path is not a directory", "fix the --privacy-log path"),
    errno.ENXIO: ("it is not a regular file", f"remove it or {_FIX}"),
    errno.ENOLCK: ("the file system does not support locking", f"{_FIX} on a local disk"),
}
_REASONS[errno.EPERM] = _REASONS[errno.EACCES]


def _os_error(path: str, error: OSError, doing: str = "") -> DisclosureLogError:
    """Turn an :class:`OSError` on *path* into one sentence: where, why, and the fix."""
    if error.errno == errno.ELOOP and os.path.islink(path):
        reason, fix = ("it is a symbolic link, which is refused so that the log cannot be "
                       "redirected to another file",
                       "replace it with a regular file or give --privacy-log the real path")
    else:
        reason, fix = _REASONS.get(error.errno or 0, (
            (error.strerror or str(error)).lower(), f"fix that or {_FIX}"))
    doing = doing or f"write the disclosure log {path}"
    return DisclosureLogError(f"Cannot {doing}: {reason}; {fix}.")


# --- the syslog mirror --------------------------------------------------------------------

class SyslogMirror:
    """Mirror each record to the local syslog/journal, for fleets' log pipelines.

    The message is the record's JSON line itself, under the ident (``SYSLOG_IDENTIFIER``)
    ``certbot-privacy``, at priority ``info``, so ``journalctl -t certbot-privacy -o cat``
    or an rsyslog rule can parse it as JSON. The facility is ``authpriv`` by default:
    records hold personal data, and authpriv is the facility that syslog daemons keep in a
    restricted file (Debian: ``/var/log/auth.log``, excluded from ``/var/log/syslog``).

    A record longer than *max_bytes* (syslog daemons truncate long messages; rsyslog's
    default limit is 8 KiB) is sent without its ``body``, ``body_b64`` and ``jws``, with
    ``mirror_omitted`` naming them and ``line_sha256`` (the digest of the full line) to
    find it in the file. Failing to mirror never blocks issuance: the file is the record
    of truth; failures are logged as warnings.
    """

    def __init__(self, facility: Optional[int] = None, ident: str = "certbot-privacy",
                 max_bytes: int = 7680,
                 send: Optional[Callable[[int, str], None]] = None) -> None:
        import syslog

        self.facility = syslog.LOG_AUTHPRIV if facility is None else facility
        self.priority = self.facility | syslog.LOG_INFO
        self.max_bytes = max_bytes
        if send is None:
            syslog.openlog(ident, syslog.LOG_PID, self.facility)
            send = syslog.syslog
        self._send = send

    def mirror(self, line: str) -> None:
        """Send *line*, shortened as described if it is too long."""
        if len(line.encode("utf-8")) > self.max_bytes:
            line = _shortened(line)
        self._send(self.priority, line)


def _shortened(line: str) -> str:
    record = json.loads(line)
    omitted = [name for name in ("body", "body_b64", "jws") if name in record]
    for name in omitted:
        del record[name]
    record["mirror_omitted"] = omitted
    record["line_sha256"] = chain.digest(line.encode("utf-8"))
    return json.dumps(record, separators=(",", ":"), ensure_ascii=True)


# --- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One line of a log: where it is, its bytes without the newline, and whether it ended.

    Only a file's last line can be incomplete (no ``\\n``): a writer's crash tail.
    """

    source: str
    number: int
    raw: bytes
    complete: bool

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


_LOG_NAME = re.compile(r"(?P<base>.+\.jsonl)(?:(?P<sep>[.-])(?P<suffix>[0-9][0-9._-]*?))?"
                       r"(?P<gz>\.gz)?")


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
        names = [entry.name for entry in os.scandir(root)
                 if _LOG_NAME.fullmatch(entry.name) and entry.is_file()]
    except OSError as error:
        raise _read_error(root, error) from None
    return [os.path.join(root, name) for name in sorted(names, key=age)]


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
            f"{number} ({error}); restore it from a backup or read the part before.") from None


def _read_error(path: str, error: OSError) -> DisclosureLogError:
    reason = (error.strerror or str(error)).lower()
    return DisclosureLogError(f"Cannot read the disclosure log {path}: {reason}; check the "
                              "path and that you may read it (logs are private to root).")


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
