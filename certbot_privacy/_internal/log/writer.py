"""Appending to a disclosure log: locked, hash-chained, write-ahead JSON Lines.

:meth:`DisclosureLog.append` writes one record as one line and returns only once the line
is on disk (``fdatasync``): a caller that sends its request after ``append`` returns never
discloses anything the log does not show. Appends are serialised with ``flock``, survive
logrotate's renames, cut a crashed writer's half line (recording it in
``truncated_tail``), and refuse paths that could redirect or expose the log. How and why
is in ``docs/how-it-works.rst``; every failure is one :class:`DisclosureLogError`
sentence naming the path, what is wrong and the fix.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import logging
import os
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Union

from certbot_privacy._internal.errors import DisclosureLogError, LogFormatError, PrivateKeyError
from certbot_privacy._internal.log import chain, evidence, schema
from certbot_privacy._internal.log.paths import FIX as _FIX
from certbot_privacy._internal.log.paths import SYSTEM_GID_LIMIT as SYSTEM_GID_LIMIT
from certbot_privacy._internal.log.paths import check_opened as _check_opened
from certbot_privacy._internal.log.paths import check_parents as check_parents
from certbot_privacy._internal.log.paths import make_parents as _make_parents
from certbot_privacy._internal.log.paths import os_error as _os_error
from certbot_privacy._internal.log.schema import SCHEMA_VERSION
from certbot_privacy._internal.rules.keyguard import ensure_no_private_key

logger = logging.getLogger(__name__)

#: A crash fragment up to this size is kept, base64, in the next record.
MAX_KEPT_FRAGMENT = 64 * 1024
_BLOCK = 64 * 1024
_REOPEN_ATTEMPTS = 10

#: The longest a writer waits for another process's lock on a log file, in seconds. A
#: record takes milliseconds to append, so a lock held this long belongs to a stuck
#: process: the append fails (and its request is not sent) rather than hang certbot.
LOCK_TIMEOUT = 10.0
_LOCK_POLL_MAX = 0.05


def hook(point: str, path: str) -> None:
    """Test hook (replaced by tests): called at *point* of an append to the log at *path*.

    ``"opened"``: the path is open, not locked yet; ``"created"``: a new file is locked,
    its predecessor not read yet. Tests rename the log there instead of racing.
    """


if TYPE_CHECKING:  # typing aliases and a Protocol cost every private run import time
    from typing import Protocol

    PathLike = Union[str, "os.PathLike[str]"]

    class Mirror(Protocol):
        """Receives a copy of each line once it is on disk (see :class:`SyslogMirror`)."""

        def mirror(self, line: str) -> None:
            """Pass *line* (one record, without its newline) on; may raise, never blocks
            issuance."""


#: The logs with a state directory this process wrote to: each is closed (sealed) at exit.
_AT_EXIT: list[DisclosureLog] = []


def close_all() -> None:
    """Close (seal) every log this process wrote to, newest first; run at exit.

    Registered when this module is imported, so before any exit handler registered later
    (those run first, and what they append is sealed too).
    """
    while _AT_EXIT:
        _AT_EXIT.pop().close()


atexit.register(close_all)


class DisclosureLog:
    """An append-only, hash-chained disclosure log file (see the module documentation)."""

    def __init__(
        self,
        path: PathLike,
        mirror: Optional[Mirror] = None,
        lock_timeout: float = LOCK_TIMEOUT,
        state_dir: Optional[str] = None,
    ) -> None:
        self.path = os.fspath(path)
        self.mirror = mirror
        #: Seconds to wait for another process's lock before failing (:data:`LOCK_TIMEOUT`).
        self.lock_timeout = lock_timeout
        #: Where the head and the sealing state are kept (:mod:`.state`; ``None``: neither).
        self.state_dir = state_dir
        self._head_checked = False
        #: Whether :func:`check_parents` passed: once is enough. The directories it let
        #: through are root's or this user's and writable by nobody else, so nobody else
        #: can swap or loosen one of them afterwards (and ones made later are made 0700).
        self._parents_checked = False
        self._unsealed = False
        #: How many records could not be mirrored (the first one is a warning).
        self.mirror_failures = 0
        #: The last line this log object appended (without its newline) and its seq: when
        #: it is still the file's last line, the next seq is known without parsing it.
        self._last_written: Optional[tuple[bytes, int]] = None

    def append(self, record: Mapping[str, Any], durable: bool = True) -> dict[str, Any]:
        """Append *record* and return it as written, with ``seq`` and ``prev``.

        *durable*: return only once the line is on disk (``fdatasync``), as every record
        that must precede a request needs. A record of what already happened (a response)
        may pass ``False``: it reaches the disk with the next durable append, or when the
        system writes it back. Fields ``seq``, ``prev`` and ``truncated_tail`` of *record*
        are the log's to set and are replaced. Raises :class:`DisclosureLogError`; then
        nothing was added.
        """
        try:
            ensure_no_private_key(record)
        except PrivateKeyError as error:
            raise DisclosureLogError(
                f"Refused to write a record to the disclosure log {self.path}: {error}, "
                "which must never be logged (nothing was sent); please report this bug "
                "to certbot-privacy."
            ) from None
        fd = self._open_locked()
        lines = []
        try:
            if self.state_dir is not None and not self._head_checked:
                lines.extend(self._check_head(fd))
            entry, line = self._append_locked(fd, record, durable)
            lines.append((entry["seq"], line))
            if self.state_dir is not None:
                self._unsealed = True
        finally:
            os.close(fd)  # also releases the lock
        for seq, line in lines:
            self._mirror(seq, line)
        return entry

    def close(self) -> None:
        """End of the run: seal what it wrote (if sealing is set up) and record the head.

        Called at exit (registered by the first append with a state directory); best
        effort, warning loudly on standard error: the records are already on disk.
        """
        if self.state_dir is None or not self._unsealed:
            return
        self._unsealed = False
        state_dir = self.state_dir
        line: Optional[tuple[int, str]] = None
        try:
            fd = self._open_locked()
            try:
                line = self._seal(fd, state_dir)
                evidence.record_head(state_dir, self.path, fd, self._tail, self._last_written)
            finally:
                os.close(fd)
        except DisclosureLogError as error:
            evidence.warn(f"{error} This run's records are not sealed.")
            return
        if line is not None:
            self._mirror(*line)

    def _check_head(self, fd: int) -> list[tuple[int, str]]:
        """At the run's first append: a ``discontinuity`` notice if the log does not hold
        the head this host last wrote (:func:`.evidence.check_head`)."""
        from certbot_privacy._internal.log import records

        assert self.state_dir is not None
        self._head_checked = True
        _AT_EXIT.append(self)
        fields, known = evidence.check_head(self.state_dir, self.path, fd)
        if fields is None:
            if known is not None and self._last_written is None:
                self._last_written = known  # the next seq without parsing the line
            return []
        notice = records.notice_record(recipient="local", when=time.time(), **fields)
        entry, line = self._append_locked(fd, notice, True)
        evidence.warn(str(fields["message"]))
        evidence.record_head(self.state_dir, self.path, fd, self._tail, self._last_written)
        return [(entry["seq"], line)]

    def _seal(self, fd: int, state_dir: str) -> Optional[tuple[int, str]]:
        """Append a ``seal`` record under the current epoch's key and evolve the key."""
        current = evidence.seal_state(state_dir, self.path)
        if current is None:
            return None
        _, previous, seq = self._tail(fd)
        if previous is None or evidence.is_seal(previous):
            return None  # nothing written since the last seal
        fields = {"time": schema.rfc3339(time.time())}
        fields.update(evidence.seal_fields(state_dir, current, fd, seq))

        def finish(entry: dict[str, Any]) -> None:
            prev = entry.pop("prev")
            entry["mac"] = evidence.evolve_state(state_dir, current, {**entry, "prev": prev}, fd)
            entry["prev"] = prev

        entry, line = self._append_locked(fd, fields, True, finish)
        return entry["seq"], line

    def _tail(self, fd: int) -> tuple[int, Optional[bytes], int]:
        """The end of the last complete line, that line, and the next record's seq."""
        try:
            last_newline = _rfind_newline(fd, os.fstat(fd).st_size)
            previous: Optional[bytes] = None
            if last_newline >= 0:
                start = _rfind_newline(fd, last_newline) + 1
                previous = os.pread(fd, last_newline - start, start)
            last = self._last_written
            if previous is not None and last is not None and previous == last[0]:
                return last_newline + 1, previous, last[1] + 1  # what parsing it would say
            return last_newline + 1, previous, _next_seq(fd, previous, last_newline + 1)
        except OSError as error:
            raise _os_error(self.path, error) from None

    def _mirror(self, seq: int, line: str) -> None:
        if self.mirror is None:
            return
        try:
            self.mirror.mirror(line)
        except Exception as error:  # the file is the record of truth: never block on it
            self.mirror_failures += 1
            (logger.warning if self.mirror_failures == 1 else logger.debug)(
                "Could not mirror disclosure record %s to syslog (%s); it is in %s. "
                "Check that the syslog daemon or journald is running; further "
                "failures in this run are in certbot's debug log only.",
                seq,
                error,
                self.path,
            )

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
                hook("opened", self.path)
                lock(fd, fcntl.LOCK_EX, self.path, self.lock_timeout)
                opened = os.fstat(fd)
                try:
                    current = os.lstat(self.path)
                except FileNotFoundError:
                    current = None
            except OSError as error:
                os.close(fd)
                raise _os_error(self.path, error) from None
            if current is not None and (current.st_dev, current.st_ino) == (
                opened.st_dev,
                opened.st_ino,
            ):
                return fd
            os.close(fd)  # rotated (renamed) between open and lock: open the new file
        raise DisclosureLogError(
            f"Cannot write the disclosure log {self.path}: it was replaced "
            f"{_REOPEN_ATTEMPTS} times while being opened; stop whatever keeps renaming it "
            f"or {_FIX}."
        )

    def _open(self) -> int:
        if not self._parents_checked:
            check_parents(self.path)
            self._parents_checked = True
        _make_parents(self.path)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
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

    def _append_locked(
        self,
        fd: int,
        record: Mapping[str, Any],
        durable: bool,
        finish: Optional[Callable[[dict[str, Any]], None]] = None,
    ) -> tuple[dict[str, Any], str]:
        base, previous, seq = self._tail(fd)  # base: the end of the last complete line
        try:
            size = os.fstat(fd).st_size
            fragment = os.pread(fd, size - base, base) if size > base else b""
        except OSError as error:
            raise _os_error(self.path, error) from None
        entry: dict[str, Any] = {"schema": record.get("schema", SCHEMA_VERSION), "seq": seq}
        entry.update(
            (k, v)
            for k, v in record.items()
            if k not in ("schema", "seq", "prev", "truncated_tail")
        )
        if base == 0:  # a new file: name the rotated file it follows, if there is one
            hook("created", self.path)
            predecessor = _predecessor(self.path, fd, self.lock_timeout)
            if predecessor is not None:
                entry["predecessor"] = predecessor
        if fragment:
            entry["truncated_tail"] = _describe_fragment(fragment)
        entry["prev"] = chain.GENESIS if previous is None else chain.digest(previous)
        if finish is not None:  # a seal: its MAC covers the fields above
            finish(entry)
        line = schema.serialise(entry)
        data = line.encode("ascii") + b"\n"
        try:
            if fragment:
                os.ftruncate(fd, base)
            written = os.write(fd, data)  # one write: the lock keeps others out meanwhile
            if written != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if durable or base == 0:
                _datasync(fd)
            if base == 0:
                _sync_directory(os.path.dirname(os.path.abspath(self.path)))
        except OSError as error:
            _restore(fd, base, fragment)
            raise _os_error(self.path, error) from None
        self._last_written = (data[:-1], entry["seq"])
        return entry, line


def lock(fd: int, operation: int, path: str, timeout: float) -> None:
    """``flock`` *fd* (``LOCK_EX`` or ``LOCK_SH``), waiting at most *timeout* seconds.

    Raises :class:`DisclosureLogError` (one sentence naming *path* and the wait) when
    another process holds the lock longer, :class:`OSError` for any other failure. Never
    call it on a file this process already holds locked through another descriptor: that
    waits for itself (the writer skips its own file, see :func:`_predecessor`).
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        left = deadline - time.monotonic()
        if left <= 0:
            raise DisclosureLogError(
                f"Cannot write the disclosure log {path}: another process has held its lock "
                f"for more than {timeout:g} seconds; find and stop the stuck process (see "
                f"fuser {path}) and run certbot again, or {_FIX}."
            )
        time.sleep(min(pause, left))
        pause = min(pause * 2, _LOCK_POLL_MAX)


def _predecessor(path: str, fd: int, timeout: float) -> Optional[dict[str, Any]]:
    """Describe the newest rotated file of the log at *path*: name, head digest, lines.

    Its head is the digest of its last complete line, what ``verify`` prints as its head;
    a writer still appending to it (it held the lock before the rename) is waited for, at
    most *timeout* seconds. The file this writer holds locked (*fd*) is never its own
    predecessor: if a rotation renamed it since it was created, it is skipped (a shared
    lock on it would wait for this very process). Best effort: a predecessor that cannot
    be read is not named.
    """
    from certbot_privacy._internal.log import reader  # a new file only

    own = os.fstat(fd)
    rotated = [f for f in reader.rotations(path) if not _same_file(f, own)]
    if not rotated:
        return None
    newest = rotated[-1]
    try:
        if newest.endswith(".gz"):
            last, lines = None, 0
            for line in reader.iter_lines(newest):
                if line.complete:
                    last, lines = line.raw, lines + 1
        else:
            last, lines = _last_line(newest, timeout)
    except (OSError, DisclosureLogError) as error:
        logger.warning("Could not read the rotated disclosure log %s: %s", newest, error)
        return None
    head = chain.GENESIS if last is None else chain.digest(last)
    return {"file": os.path.basename(newest), "head": head, "lines": lines}


def _same_file(path: str, st: os.stat_result) -> bool:
    try:
        other = os.lstat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)


def _last_line(path: str, timeout: float) -> tuple[Optional[bytes], int]:
    """The last complete line of a plain log file and how many complete lines it has."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        lock(fd, fcntl.LOCK_SH, path, timeout)
        end = _rfind_newline(fd, os.fstat(fd).st_size)
        if end < 0:
            return None, 0
        start = _rfind_newline(fd, end) + 1
        lines, offset = 0, 0
        while offset < end + 1:
            block = os.pread(fd, min(_BLOCK, end + 1 - offset), offset)
            lines += block.count(b"\n")
            offset += len(block)
        return os.pread(fd, end - start, start), lines
    finally:
        os.close(fd)


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
    """The seq after the line *previous* (ending at *end*): parsed, as the writer does not
    know it (the head check usually does: :meth:`DisclosureLog._check_head`)."""
    if previous is None:
        return 0
    from certbot_privacy._internal.log.reader import parse_line

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
        logger.warning("Could not restore the disclosure log after a failed write", exc_info=True)
