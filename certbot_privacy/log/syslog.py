"""Mirroring each record to the local syslog/journal (``--privacy-syslog``)."""

import json
from typing import Callable, Optional

from certbot_privacy.log import chain, schema


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

    def __init__(
        self,
        facility: Optional[int] = None,
        ident: str = "certbot-privacy",
        max_bytes: int = 7680,
        send: Optional[Callable[[int, str], None]] = None,
    ) -> None:
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
    return schema.serialise(record)
