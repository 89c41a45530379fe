"""Mirroring each record to the local syslog/journal (``--privacy-syslog``)."""

import json
import os
import socket
import stat
import time
from typing import Callable, Optional

from certbot_privacy.log import chain, schema

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
