"""Where privacy mode is kept for a lineage and for an account, and how it is switched.

* A lineage is private when its renewal conf says ``privacy_minimal = True`` in
  ``[renewalparams]``: certbot writes it there itself when a certificate is obtained (or,
  on certbot 2.3 and later, reconfigured) with ``--privacy-minimal``, and writes it back on
  every renewal while the plugin is installed. Switched off, it says
  ``privacy_minimal = False``.
* An account is private when ``certbot-privacy.json`` in its directory (beside certbot's
  ``regr.json`` and ``meta.json``, in ``accounts/<server>/<id>/``) says
  ``"privacy_minimal": true``. Certbot never reads, rewrites or removes that file except
  when it deletes the whole account (``unregister``), and it moves with the directory
  when certbot links a server's accounts to another's; upgrading certbot keeps it.

Writes are atomic (a temporary file renamed over the old one, its mode kept), so a crash
leaves the old file or the new one. :func:`config_lock` takes certbot's own lock on the
configuration directory, so that the ``certbot-privacy switch`` command never edits a
file while certbot runs; inside a certbot run (the plugin) certbot holds it already.
"""

import contextlib
import errno
import json
import os
import stat
import tempfile
from typing import Any, Dict, Iterator, Optional

from certbot_privacy._internal.confdir import ACCOUNT_MARK, LINEAGE_OPTION
from certbot_privacy._internal.errors import InputError, UntrustedError, UsageError


def mark_account(
    directory: str,
    private: bool,
    *,
    since: str,
    log: Optional[str] = None,
    contact_withdrawn: str = "",
) -> None:
    """Write our mark in an account's directory: private (or switched off) since *since*.

    *log*: the disclosure log its commands write to; *contact_withdrawn*: when its contact
    was removed at the CA in privacy mode.
    """
    mark: Dict[str, Any] = {"privacy_minimal": private, "since": since}
    if private and log:
        mark["privacy_log"] = os.path.abspath(log)
    if contact_withdrawn:
        mark["contact_withdrawn"] = contact_withdrawn
    _write_atomic(
        os.path.join(directory, ACCOUNT_MARK),
        (json.dumps(mark, indent=2, sort_keys=True) + "\n").encode("utf-8"),
        mode=0o600,
    )


def cancel_eff_subscription(directory: str) -> Optional[str]:
    """Drop a pending EFF subscription from ``meta.json``; return the address it held.

    Certbot keeps ``register_to_eff`` until the next certificate is issued and then sends
    the address to the EFF; it removes the key itself once that is done. ``None``: there
    was nothing pending.
    """
    path = os.path.join(directory, "meta.json")
    try:
        with open(path, "rb") as handle:
            meta = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InputError(f"{path} cannot be read: {error}") from None
    if not isinstance(meta, dict) or not meta.get("register_to_eff"):
        return None
    address = str(meta.pop("register_to_eff"))
    _write_atomic(path, json.dumps(meta).encode("utf-8"))
    return address


def set_lineage(conf_path: str, private: bool) -> bool:
    """Write ``privacy_minimal = True`` (or ``False``) in a renewal conf; whether it changed.

    Everything else in the file (comments included) is kept as configobj reads it.
    """
    import configobj

    try:
        conf = configobj.ConfigObj(conf_path, encoding="utf-8", interpolation=False)
    except (OSError, configobj.ConfigObjError) as error:
        raise InputError(f"{conf_path} cannot be read as a renewal conf: {error}") from None
    params = conf.get("renewalparams")
    if not isinstance(params, configobj.Section):
        raise InputError(f"{conf_path} has no [renewalparams] section: it is not a renewal conf")
    value = "True" if private else "False"
    if params.get(LINEAGE_OPTION) == value:
        return False
    params[LINEAGE_OPTION] = value
    conf.filename = None
    lines = [
        line.decode("utf-8") if isinstance(line, bytes) else str(line) for line in conf.write()
    ]
    _write_atomic(conf_path, ("\n".join(lines) + "\n").encode("utf-8"))
    return True


@contextlib.contextmanager
def config_lock(config_dir: str) -> Iterator[None]:
    """Hold certbot's lock on *config_dir* (``.certbot.lock``, as certbot's ``lock_dir``).

    :class:`UsageError` if certbot holds it (a run in progress): nothing is changed.
    """
    import fcntl

    path = os.path.join(config_dir, ".certbot.lock")
    # Never through a link, never a FIFO or another user's file in the lock's place.
    flags = os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    while True:
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UntrustedError(
                    f"{path} is a symbolic link: certbot's lock is a plain file; remove the link"
                ) from None
            raise UsageError(f"cannot lock {config_dir}: {error.strerror}") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid not in (0, os.geteuid()):
            os.close(fd)
            raise UntrustedError(
                f"{path} is not a plain file of root or yours: remove it (certbot makes it anew)"
            )
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EACCES, errno.EAGAIN):
                raise UsageError(
                    f"certbot is running on {config_dir} (it holds {path}): run this "
                    "again when it has finished"
                ) from None
            raise UsageError(f"cannot lock {config_dir}: {error.strerror}") from None
        try:  # certbot removes the file when it unlocks: make sure ours is still the one
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)
        os.close(fd)


def _write_atomic(path: str, data: bytes, mode: Optional[int] = None) -> None:
    """Replace *path* with *data*: its mode and its owner kept (a new file: the directory's).

    Run as root in a user's directory, the file stays the user's: root never turns a
    user's file into its own. A link in *path*'s place is replaced, never followed.
    """
    directory = os.path.dirname(path) or "."
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        keep = 0o600 if mode is None else mode
        current = os.stat(directory)
    else:
        if not stat.S_ISREG(current.st_mode):
            raise UntrustedError(f"{path} is not a regular file: nothing was written; remove it")
        keep = current.st_mode & 0o7777
    root = os.geteuid() == 0
    uid = current.st_uid if current.st_uid != os.geteuid() else -1
    gid = current.st_gid if root and current.st_gid != os.getegid() else -1
    try:
        fd, temporary = tempfile.mkstemp(prefix=".certbot-privacy-", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    try:
        if (uid, gid) != (-1, -1):
            os.fchown(fd, uid, gid)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, keep if mode is None else mode)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
