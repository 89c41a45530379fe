"""The writer's own state in certbot's config dir: the log's head, and the sealing key.

Both live in ``<config-dir>/certbot-privacy/`` (0700, root's), beside certbot's account
data, where the users and groups that may write the logs directory (``adm`` on Ubuntu)
cannot: ``head.json`` says where each log ended when this host last wrote it (so that a
log moved aside, cut short, replaced or deleted is noticed), ``seal.json`` holds the
current sealing epoch and key (:mod:`.seal`). Reads are bounded (regular files only, no
FIFO, at most :data:`MAX_BYTES`); writes are atomic and synced, files 0600.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from typing import Any, Dict, Optional

from certbot_privacy._internal.errors import DisclosureLogError

#: The directory's name in certbot's configuration directory.
DIRECTORY = "certbot-privacy"
#: The head file and the sealing state, in :data:`DIRECTORY`.
HEAD = "head.json"
SEAL = "seal.json"
#: The largest state file read.
MAX_BYTES = 64 * 1024
#: The sealing state's format.
SEAL_FORMAT = "certbot-privacy-seal/1"


def directory(config_dir: str) -> str:
    """The state directory of certbot's configuration directory *config_dir*."""
    return os.path.join(os.path.abspath(config_dir), DIRECTORY)


def read(path: str) -> Optional[Dict[str, Any]]:
    """The JSON object in the state file *path*, or ``None`` if there is none.

    Raises :class:`DisclosureLogError` (one sentence) for anything else than a regular
    file of at most :data:`MAX_BYTES` holding a JSON object, owned by this user.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _error(path, error.strerror or str(error)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _error(path, "it is not a regular file")
        if st.st_uid != os.geteuid():
            raise _error(path, f"it belongs to another user (uid {st.st_uid})")
        if st.st_size > MAX_BYTES:
            raise _error(path, f"it is larger than {MAX_BYTES} bytes")
        data = os.read(fd, MAX_BYTES + 1)
    except OSError as error:
        raise _error(path, error.strerror or str(error)) from None
    finally:
        os.close(fd)
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError:
        raise _error(path, "it is not JSON") from None
    if not isinstance(value, dict):
        raise _error(path, "it is not a JSON object")
    return value


def write(path: str, value: Dict[str, Any]) -> None:
    """Replace the state file *path* with *value*, atomically and durably (0600).

    Its directory is created 0700 if missing. Raises :class:`DisclosureLogError`.
    """
    parent = os.path.dirname(path)
    data = (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("ascii")
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        make_directory(parent)
        fd = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
        )
        try:
            os.fchmod(fd, 0o600)
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
        dfd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _error(path, error.strerror or str(error), doing="write") from None


def make_directory(path: str) -> None:
    """Create the state directory *path* (0700) if missing; refuse one others may change."""
    try:
        os.mkdir(path, 0o700)
        os.chmod(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise _error(path, "it is not a directory of the user running certbot", doing="use")
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, 0o700)


def _error(path: str, why: str, doing: str = "read") -> DisclosureLogError:
    return DisclosureLogError(
        f"Cannot {doing} certbot-privacy's state file {path}: {why.rstrip('.').lower()}; "
        "it must be a file of its own, 0600, of the user running certbot (root)."
    )
