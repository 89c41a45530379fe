"""Whether a configuration directory can be trusted before ``status`` or ``switch`` acts on it.

``switch`` usually runs as root, and what it writes (marks, renewal confs, notices in the
disclosure log a conf names, certbot's lock) is chosen by the files it reads. A config dir
that another user owns or can write could point root at any file. So, before anything
is read or written, :func:`check_config_dir` walks what they use (the directory and its
ancestors, ``accounts/``, ``renewal/``, ``.certbot.lock``, the cli.ini files) and raises
:class:`~certbot_privacy._internal.errors.UntrustedError` (one sentence, exit code 2) for:

* a directory or file not owned by root or the user running the command;
* one writable by every user, or by a group that is not a system group (without the
  sticky bit, for directories), so that someone else could change or swap it;
* a symbolic link that leaves the config dir (or, on the way to it, one owned by another
  user), and ``.certbot.lock`` as a symbolic link at all;
* anything but a regular file where certbot keeps files (a FIFO at ``renewal/x.conf``
  would block the reader forever) and files over :data:`~.reader.MAX_FILE`.

The walk is bounded: every directory is visited once by its real path (symlink loops end),
at most :data:`MAX_DEPTH` deep and :data:`MAX_ENTRIES` entries in all.
"""

import os
import stat
from typing import Iterable, List, Optional, Set

from certbot_privacy._internal.confdir.reader import MAX_FILE
from certbot_privacy._internal.errors import UntrustedError
from certbot_privacy._internal.log.paths import SYSTEM_GID_LIMIT  # the log's own rule, one owner

#: How deep the walk of ``accounts/`` goes (certbot's is 3 to 5 levels).
MAX_DEPTH = 12
#: How many entries the walk looks at in all.
MAX_ENTRIES = 100_000

_FIX = "make it root's (or yours) and writable by its owner only"


def trusted_uids() -> Set[int]:
    """Root and the user running the command."""
    return {0, os.geteuid()}


def check_config_dir(config_dir: str, cli_inis: Iterable[str] = ()) -> None:
    """Refuse *config_dir* (and the *cli_inis*) if another user could have chosen what is in it."""
    root = os.path.abspath(config_dir)
    check_ancestors(root)
    real_root = os.path.realpath(root)
    _check_node(root, os.stat(root), directory=True)
    lock = os.path.join(root, ".certbot.lock")
    try:
        st = os.lstat(lock)
    except FileNotFoundError:
        pass
    else:
        if stat.S_ISLNK(st.st_mode):
            raise UntrustedError(
                f"{lock} is a symbolic link: certbot's lock is a plain file; remove the link"
            )
        _check_node(lock, st, directory=False)
    budget = [MAX_ENTRIES]
    for name in ("accounts", "renewal"):
        path = os.path.join(root, name)
        if os.path.lexists(path):
            _walk(path, real_root, set(), 0, budget)
    for ini in cli_inis:
        if os.path.lexists(ini):
            check_ancestors(ini)
            _check_node(ini, _stat_following(ini), directory=False)


def check_ancestors(path: str) -> None:
    """Refuse *path* if a directory above it could be changed by another user."""
    chain = [os.path.dirname(os.path.abspath(path))]
    while chain[-1] != os.path.dirname(chain[-1]):
        chain.append(os.path.dirname(chain[-1]))
    for current in reversed(chain):
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(st.st_mode):
            if st.st_uid not in trusted_uids():
                raise UntrustedError(
                    f"{current} is a symbolic link owned by uid {st.st_uid}, who could point "
                    f"it elsewhere; {_FIX}"
                )
            st = os.stat(current)
        _check_node(current, st, directory=True)


def _stat_following(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        raise UntrustedError(f"{path} cannot be examined: {error.strerror}") from None


def _check_node(path: str, st: os.stat_result, *, directory: bool) -> None:
    mode = stat.S_IMODE(st.st_mode)
    what = "directory" if directory else "file"
    if directory and not stat.S_ISDIR(st.st_mode):
        raise UntrustedError(f"{path} is not a directory")
    if not directory and not stat.S_ISREG(st.st_mode):
        raise UntrustedError(
            f"{path} is not a regular file (certbot writes only regular files there); remove it"
        )
    if not directory and st.st_size > MAX_FILE:
        raise UntrustedError(f"{path} is larger than {MAX_FILE} bytes: not a certbot file")
    if st.st_uid not in trusted_uids():
        raise UntrustedError(
            f"the {what} {path} belongs to another user (uid {st.st_uid}), who could choose "
            f"what this command reads and writes; {_FIX}, or run it as that user"
        )
    if directory and mode & stat.S_ISVTX:
        return
    if mode & stat.S_IWOTH:
        raise UntrustedError(
            f"the {what} {path} is writable by every user (mode {mode:04o}); {_FIX}"
        )
    if mode & stat.S_IWGRP and st.st_gid >= SYSTEM_GID_LIMIT:
        raise UntrustedError(
            f"the {what} {path} is writable by group {st.st_gid} (mode {mode:04o}); {_FIX}"
        )


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")


def _walk(path: str, real_root: str, seen: Set[str], depth: int, budget: List[int]) -> None:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(path)
        if st.st_uid not in trusted_uids():
            raise UntrustedError(f"the symbolic link {path} belongs to uid {st.st_uid}; {_FIX}")
        if not _inside(real, real_root):
            raise UntrustedError(
                f"{path} is a symbolic link out of the configuration directory (to "
                f"{real}): certbot links only inside it; remove the link"
            )
        if not os.path.exists(path):
            return  # dangling: certbot ignores it, and so does the reader
        st = os.stat(path)
    else:
        real = os.path.realpath(path)
    if not stat.S_ISDIR(st.st_mode):
        _check_node(path, st, directory=False)
        return
    _check_node(path, st, directory=True)
    if real in seen:
        return  # a directory seen through another link (or a loop)
    seen.add(real)
    if depth >= MAX_DEPTH:
        raise UntrustedError(f"{path} is nested deeper than {MAX_DEPTH} levels: not certbot's")
    try:
        names = sorted(os.listdir(path))
    except PermissionError:
        return  # root's and closed to this user: the reader says it cannot tell
    except OSError as error:
        raise UntrustedError(f"{path} cannot be listed: {error.strerror}") from None
    budget[0] -= len(names)
    if budget[0] < 0:
        raise UntrustedError(f"{path}: more than {MAX_ENTRIES} entries: not certbot's")
    for name in names:
        _walk(os.path.join(path, name), real_root, seen, depth + 1, budget)


def check_log_target(path: str, reason: Optional[str] = None) -> None:
    """Refuse to append a notice to *path* unless it is a disclosure log or nothing yet.

    The log writer's own rules hold too (its parents, owner, links); here, a file that
    exists must be a regular file of this user whose first line is a disclosure record,
    so that a path named in a conf cannot make this command append to (and chmod) any
    other file.
    """
    from certbot_privacy._internal.errors import DisclosureLogError
    from certbot_privacy._internal.log import reader as log_reader
    from certbot_privacy._internal.log.paths import check_parents

    where = f" (named by {reason})" if reason else ""
    if not os.path.isabs(path):
        raise UntrustedError(f"the disclosure log {path}{where} is not an absolute path")
    try:
        check_parents(path)
    except DisclosureLogError as error:
        raise UntrustedError(f"{error}{where}") from None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    except OSError as error:
        raise UntrustedError(
            f"the disclosure log {path}{where} cannot be opened safely: {error.strerror}"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_nlink > 1:
            raise UntrustedError(
                f"{path}{where} is not a disclosure log of this user (a regular file of "
                f"uid {os.geteuid()} with one link): nothing was written to it"
            )
        head = os.read(fd, 1 << 16)
    finally:
        os.close(fd)
    if not head:
        return
    first = head.split(b"\n", 1)[0]
    try:
        log_reader.parse_line(first)
    except (ValueError, DisclosureLogError):
        raise UntrustedError(
            f"{path}{where} is not a disclosure log (its first line is not a record): "
            "nothing was written to it"
        ) from None
