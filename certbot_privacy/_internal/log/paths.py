"""Where a disclosure log may be written: its parent directories, its file, and errors.

:func:`check_parents` refuses a path whose directories someone else could swap for a
link; :func:`make_parents` creates missing ones 0700; :func:`check_opened` refuses a file
that is not a regular file of this user with one link; :func:`os_error` turns an
:class:`OSError` into one sentence (where, why, the fix). Used by :mod:`.writer`.
"""

from __future__ import annotations

import errno
import os
import stat

from certbot_privacy._internal.errors import DisclosureLogError

FIX = "choose another path with --privacy-log"
_FIX = FIX

#: Groups below this GID are the system's (Debian's and Ubuntu's SYS_GID_MAX is 999): a
#: directory writable by one of them (Ubuntu's /var/log is root:syslog 0775) is writable
#: by system daemons only, which could rewrite the logs anyway.
SYSTEM_GID_LIMIT = 1000
_MAX_SYMLINKS = 40


def check_parents(path: str) -> None:
    """Refuse a log whose existing parent directories someone else could change.

    Walks the absolute path from ``/`` as the kernel resolves it, symbolic links included,
    and raises :class:`DisclosureLogError` (one sentence: where, why, the fix) if a
    directory on the way is not owned by root or the user running certbot, or is
    writable by others, or by a group that is not a system group, without the sticky
    bit; or if a symbolic link on the way belongs to another user. Then nobody but root
    and this user can redirect the log by swapping a directory for a link (root could
    anyway). Directories that do not exist yet are left: they are created 0700.
    """
    trusted = {0, os.geteuid()}
    pending = os.path.dirname(os.path.abspath(path)).split("/")
    current, links = "/", 0
    _check_directory(path, "/", os.lstat("/"), trusted)
    while pending:
        name = pending.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, name)
        try:
            st = os.lstat(candidate)
        except FileNotFoundError:
            return
        except OSError as error:
            raise os_error(path, error) from None
        if stat.S_ISLNK(st.st_mode):
            links += 1
            if st.st_uid not in trusted:
                raise _unsafe(path, candidate, f"is a symbolic link owned by uid {st.st_uid}")
            if links > _MAX_SYMLINKS:
                raise os_error(path, OSError(errno.ELOOP, os.strerror(errno.ELOOP)))
            target = os.readlink(candidate)
            if target.startswith("/"):
                current = "/"
            pending[:0] = target.split("/")
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise os_error(path, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
        _check_directory(path, candidate, st, trusted)
        current = candidate


def _check_directory(path: str, directory: str, st: os.stat_result, trusted: set[int]) -> None:
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid not in trusted:
        raise _unsafe(path, directory, f"belongs to another user (uid {st.st_uid})")
    if mode & stat.S_ISVTX:
        return
    if mode & stat.S_IWOTH:
        raise _unsafe(path, directory, f"is writable by every user (mode {mode:04o})")
    if mode & stat.S_IWGRP and st.st_gid >= SYSTEM_GID_LIMIT:
        raise _unsafe(path, directory, f"is writable by group {st.st_gid} (mode {mode:04o})")


def _unsafe(path: str, directory: str, why: str) -> DisclosureLogError:
    return DisclosureLogError(
        f"Cannot write the disclosure log {path}: {directory} {why}, who could swap a "
        "directory on its path for a link and redirect the log; make that directory "
        f"root's (or yours) and writable by its owner only, or {_FIX}."
    )


def make_parents(path: str) -> None:
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
            raise os_error(
                path, error, doing=f"create the directory {directory} for the disclosure log"
            ) from None


def check_opened(path: str, fd: int) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it is not a regular file; remove it "
            f"or {_FIX}."
        )
    if st.st_uid != os.geteuid():
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it belongs to another user (uid "
            f"{st.st_uid}), who could read it; remove it, chown it to the user running "
            f"certbot, or {_FIX}."
        )
    if st.st_nlink > 1:
        raise DisclosureLogError(
            f"Cannot write the disclosure log {path}: it has {st.st_nlink} hard links, "
            "which is refused so that the log cannot be redirected into another file; "
            f"remove this link or {_FIX}."
        )
    if stat.S_IMODE(st.st_mode) != 0o600:
        try:
            os.fchmod(fd, 0o600)
        except OSError as error:
            raise os_error(path, error) from None


_REASONS = {
    errno.EROFS: ("it is on a read-only file system", f"make that file system writable or {_FIX}"),
    errno.EACCES: (
        "permission was denied",
        f"run certbot as a user that may write there (usually root) or {_FIX}",
    ),
    errno.ENOSPC: ("the disk is full", f"free some space on it or {_FIX}"),
    errno.EDQUOT: ("the disk quota is exceeded", f"free some space or {_FIX}"),
    errno.EISDIR: ("it is a directory", "remove it or give --privacy-log the path of a file"),
    errno.ENOTDIR: ("a part of its path is not a directory", "fix the --privacy-log path"),
    errno.ENXIO: ("it is not a regular file", f"remove it or {_FIX}"),
    errno.ENOLCK: ("the file system does not support locking", f"{_FIX} on a local disk"),
}
_REASONS[errno.EPERM] = _REASONS[errno.EACCES]


def os_error(path: str, error: OSError, doing: str = "") -> DisclosureLogError:
    """Turn an :class:`OSError` on *path* into one sentence: where, why, and the fix."""
    if error.errno == errno.ELOOP and os.path.islink(path):
        reason, fix = (
            "it is a symbolic link, which is refused so that the log cannot be "
            "redirected to another file",
            "replace it with a regular file or give --privacy-log the real path",
        )
    else:
        reason, fix = _REASONS.get(
            error.errno or 0, ((error.strerror or str(error)).lower(), f"fix that or {_FIX}")
        )
    doing = doing or f"write the disclosure log {path}"
    return DisclosureLogError(f"Cannot {doing}: {reason}; {fix}.")
