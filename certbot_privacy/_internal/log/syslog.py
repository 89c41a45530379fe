"""Mirroring each record to the local syslog/journal (``--privacy-syslog``), and reading the
copies back from ``journalctl -o json`` output and rsyslog files."""

import json
import os
import re
import socket
import stat
import time
from typing import Any, Callable, Dict, FrozenSet, NamedTuple, Optional

from certbot_privacy._internal.log import chain, schema

#: Where syslog daemons and journald receive local messages (glibc's ``_PATH_LOG``).
DEV_LOG = "/dev/log"


def available(path: str = DEV_LOG) -> bool:
    """Whether a syslog socket is there to receive the mirror (checked before anything is sent)."""
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


class SyslogMirror:
    """Mirror each record to the local syslog/journal, for fleets' log pipelines.

    The message is the record's JSON line itself, under the ident (``SYSLOG_IDENTIFIER``)
    ``certbot-privacy``, at priority ``info``, so ``journalctl -t certbot-privacy -o cat``
    or an rsyslog rule can parse it as JSON. The facility is ``authpriv`` by default:
    records hold personal data, and authpriv is the facility that syslog daemons keep in a
    restricted file (Debian: ``/var/log/auth.log``, excluded from ``/var/log/syslog``).

    A record longer than *max_bytes* (syslog daemons truncate long messages; rsyslog's
    default limit is 8 KiB) is sent without its ``body``, ``body_b64``, ``body_redacted``
    and ``jws``, with ``mirror_omitted`` naming them and ``line_sha256`` (the digest of the
    full line) to find it in the file.

    Messages go to the datagram socket *path* (``/dev/log``) as glibc's ``syslog(3)`` would
    write them, but unlike ``syslog(3)``, which drops a message it cannot deliver without
    a word, :meth:`mirror` raises :class:`OSError` when it fails (no socket, no daemon, a
    full queue for a second): the writer turns that into a warning the admin sees. The
    file is the record of truth; mirroring never blocks issuance.
    """

    def __init__(
        self,
        facility: Optional[int] = None,
        ident: str = "certbot-privacy",
        max_bytes: int = 7680,
        send: Optional[Callable[[int, str], None]] = None,
        path: str = DEV_LOG,
        timeout: float = 1.0,
    ) -> None:
        import syslog

        self.facility = syslog.LOG_AUTHPRIV if facility is None else facility
        self.priority = self.facility | syslog.LOG_INFO
        self.max_bytes = max_bytes
        self.ident = ident
        self.path = path
        self.timeout = timeout
        self._socket: Optional[socket.socket] = None
        self._send = send or self._send_datagram

    def mirror(self, line: str) -> None:
        """Send *line*, shortened as described if it is too long; raise :class:`OSError`."""
        if len(line.encode("utf-8")) > self.max_bytes:
            line = _shortened(line)
        self._send(self.priority, line)

    def _send_datagram(self, priority: int, line: str) -> None:
        stamp = time.strftime("%b %e %H:%M:%S")
        message = f"<{priority}>{stamp} {self.ident}[{os.getpid()}]: {line}".encode()
        for attempt in (1, 2):  # a daemon restarted since: connect again, once
            try:
                if self._socket is None:
                    self._socket = self._connect()
                self._socket.send(message)
                return
            except OSError:
                self.close()
                if attempt == 2:
                    raise

    def open(self) -> None:
        """Connect now, if not connected yet (the next :meth:`mirror` would otherwise).

        Privacy mode opens the mirror as it switches on, so that the connection to the
        syslog socket is recorded before any record that is mirrored over it. That record
        is mirrored from inside this connect (a connection of its own): the socket opened
        there is kept, and this one closed.
        """
        if self._socket is None:
            self._adopt(self._connect())

    def _adopt(self, sock: socket.socket) -> None:
        if self._socket is None:
            self._socket = sock
        else:  # connected meanwhile, from inside the connect (see open)
            sock.close()

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        return sock

    def close(self) -> None:
        """Close the socket (it is opened again when needed)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _shortened(line: str) -> str:
    record = json.loads(line)
    omitted = [name for name in ("body", "body_b64", "body_redacted", "jws") if name in record]
    for name in omitted:
        del record[name]
    record["mirror_omitted"] = omitted
    record["line_sha256"] = chain.digest(line.encode("utf-8"))
    return schema.serialise(record)


# --- Reading the copies back (fleets collect them centrally) ------------------------------

#: The ident (``SYSLOG_IDENTIFIER``, the syslog tag) the mirror sends under.
IDENT = "certbot-privacy"


class Copied(NamedTuple):
    """A record as a central log holds it: the host that sent it and the mirrored line.

    ``problem`` says why no line could be taken from an entry of the mirror (the message
    left out by ``journalctl``, a message that is not text); ``message`` is then empty.
    ``rejected`` is set (and ``problem`` says why) for a journal entry under the mirror's
    ident that journald's trusted fields do not show the certbot process wrote.
    """

    host: Optional[str]
    message: bytes
    problem: Optional[str] = None
    rejected: bool = False


#: ``_COMM`` and ``_EXE`` (its base name) of a process that may have written the mirror:
#: certbot itself (the script's name, as the kernel names a process started from a ``#!``
#: script), or the Python interpreter running it (``python3 -m certbot``; journald's
#: ``_EXE`` is the interpreter for a script).
_WRITER = re.compile(r"certbot|python[0-9.]*")


class Trust(NamedTuple):
    """Which journal entries are the certbot process's: the users it runs as (``_UID``).

    journald sets the fields that begin with ``_`` itself, from the kernel's view of the
    sending process (``man systemd.journal-fields``: "trusted fields"); a client cannot set
    them. Any local user can send a message under the ident ``certbot-privacy``
    (``logger -t certbot-privacy``); only an entry whose ``_UID`` is one of :attr:`uids`
    and whose ``_COMM`` or ``_EXE`` is certbot or a Python interpreter is taken as a
    record. syslog files have no such fields: their records are never authenticated.
    """

    uids: FrozenSet[int] = frozenset({0})


#: The default: the certbot process runs as root.
ROOT = Trust()


def _untrusted(entry: Dict[str, Any], trust: Trust) -> Optional[str]:
    """Why journald's trusted fields do not show the certbot process wrote *entry*, or ``None``."""
    uid, comm, exe = entry.get("_UID"), entry.get("_COMM"), entry.get("_EXE")
    if isinstance(uid, str) and uid.isdigit() and int(uid) in trust.uids:
        if isinstance(comm, str) and _WRITER.fullmatch(comm):
            return None
        if isinstance(exe, str) and _WRITER.fullmatch(exe.rsplit("/", 1)[-1]):
            return None
    shown = ", ".join(
        f"{name} {value}"
        for name, value in (("_UID", uid), ("_COMM", comm), ("_EXE", exe))
        if isinstance(value, str)
    )
    allowed = ", ".join(str(u) for u in sorted(trust.uids))
    return (
        f"rejected: journald's trusted fields ({shown or 'none'}) do not show the certbot "
        f"process (_UID {allowed}, _COMM or _EXE certbot or python); any local user can "
        "log under the ident certbot-privacy"
    )


def is_journal_export(line: bytes) -> bool:
    """Whether *line* is an entry of ``journalctl -o json`` (and not a disclosure record)."""
    if not line.lstrip().startswith(b"{"):
        return False
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(entry, dict)
        and "schema" not in entry
        and ("MESSAGE" in entry or "__CURSOR" in entry)
    )


def from_journal(line: bytes, trust: Optional[Trust] = None) -> Optional[Copied]:
    """The mirrored record in one ``journalctl -o json`` entry, or ``None`` for another program.

    The fields are journald's: ``SYSLOG_IDENTIFIER`` (the ident), ``_HOSTNAME`` and
    ``MESSAGE``, which ``journalctl`` prints as a string, as an array of bytes (when it is
    not UTF-8 text) or as ``null`` when it is over 4096 bytes and ``--all`` was not given.
    A line that is not a journal entry at all is passed on as it is, to be reported. An
    entry under the ident that *trust* does not accept (:class:`Trust`) is ``rejected``.
    """
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):
        return Copied(None, line)
    if not isinstance(entry, dict):
        return Copied(None, line)
    if entry.get("SYSLOG_IDENTIFIER") != IDENT:
        return None
    host = entry.get("_HOSTNAME")
    host = host if isinstance(host, str) else None
    untrusted = _untrusted(entry, ROOT if trust is None else trust)
    if untrusted is not None:
        return Copied(host, b"", untrusted, rejected=True)
    message = entry.get("MESSAGE")
    if isinstance(message, str):
        return Copied(host, message.encode("utf-8", "surrogateescape"))
    if isinstance(message, list) and all(isinstance(b, int) and 0 <= b < 256 for b in message):
        return Copied(host, bytes(message))
    if message is None:
        return Copied(
            host,
            b"",
            "not a record: journalctl left this message out (it prints null for a field "
            "over 4096 bytes); export the journal with journalctl -o json --all",
        )
    return Copied(host, b"", "not a record: the journal entry's MESSAGE is not text")


# <PRI>, then RFC 5424 (VERSION TIMESTAMP HOST APP PROCID MSGID SD [BOM]MSG) or the
# BSD/RFC 3164 form rsyslog writes to files (TIMESTAMP HOST TAG[PID]: MSG), its timestamp
# either "Dec  1 14:33:07" or RFC 3339 (RSYSLOG_FileFormat).
_SYSLOG = re.compile(
    rb"(?:<[0-9]{1,3}>)?(?:"
    rb"1 (?:-|[0-9]{4}-[0-9]{2}-[0-9]{2}T\S+) (?P<host5424>\S+) (?P<app>\S+) \S+ \S+ "
    rb"(?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?:\xef\xbb\xbf)?|\Z)"
    rb"|"
    rb"(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T\S+) "
    rb"(?P<host>\S+) (?P<tag>[^\s\[:]+)(?:\[[0-9]+\])?: ?"
    rb")"
)


def is_syslog_line(line: bytes) -> bool:
    """Whether *line* looks like a line of a syslog file (RFC 5424 or RFC 3164 form)."""
    return _SYSLOG.match(line) is not None


def from_syslog(line: bytes) -> Optional[Copied]:
    """The mirrored record in one line of an rsyslog file, or ``None`` for another program."""
    match = _SYSLOG.match(line)
    if match is None:
        return Copied(None, line)  # not a syslog line: reported as not a record
    if match["host5424"] is not None:
        app, host = match["app"], match["host5424"]
    else:
        app, host = match["tag"], match["host"]
    if app != IDENT.encode("ascii"):
        return None
    # rsyslog keeps the space after the tag in the message (RFC 5424 output shows it); a
    # record line never begins with one.
    return Copied(host.decode("utf-8", "replace"), line[match.end() :].lstrip(b" "))
