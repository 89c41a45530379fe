"""Helpers for the fleet tests: the syslog mirror's messages, as journald and rsyslog keep them.

:func:`mirrored_log` writes a log with the real writer and the real
:class:`~certbot_privacy._internal.log.syslog.SyslogMirror`, capturing what it would send.
:func:`journal_entry` turns a datagram that glibc's ``syslog(3)`` sends to ``/dev/log``
(``<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE``) into the entry ``journalctl -o json``
prints for it: the field names are journald's (``man systemd.journal-fields``):
``__CURSOR``, ``__REALTIME_TIMESTAMP``, ``__MONOTONIC_TIMESTAMP``, ``_BOOT_ID``,
``_MACHINE_ID``, ``_HOSTNAME``, ``_TRANSPORT`` (``syslog``), ``PRIORITY``,
``SYSLOG_FACILITY``, ``SYSLOG_IDENTIFIER``, ``SYSLOG_PID``, ``SYSLOG_TIMESTAMP``, ``_PID``,
``_UID``, ``_GID``, ``_COMM``, ``_EXE`` (certbot is a Python script: journald names the
script in ``_COMM`` and the interpreter in ``_EXE``), ``MESSAGE``; values are strings, as
journalctl prints them.
No journald runs in the test environment, so this is how journal input is made from real
runs (the e2e tests capture the datagrams on a socket they bind at ``/dev/log``).
:func:`rfc3164_line` and :func:`rfc5424_line` write what rsyslog's file templates write.
"""

import json
import re
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, List

from certbot_privacy._internal.log.syslog import SyslogMirror
from certbot_privacy._internal.log.writer import DisclosureLog

_DATAGRAM = re.compile(
    rb"<(?P<pri>[0-9]+)>(?P<ts>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) "
    rb"(?P<ident>[^\[:]+)\[(?P<pid>[0-9]+)\]: (?P<msg>.*)\Z",
    re.DOTALL,
)


def mirrored_log(path: Path, entries: Iterable[Dict[str, Any]], max_bytes: int = 7680) -> List[str]:
    """Write *entries* to *path* with the syslog mirror on; return the messages it sent."""
    sent: List[str] = []
    log = DisclosureLog(
        path, mirror=SyslogMirror(send=lambda _, m: sent.append(m), max_bytes=max_bytes)
    )
    for entry in entries:
        log.append(entry)
    return sent


def datagram(message: str, pid: int = 4242, when: str = "Dec  1 14:33:07") -> bytes:
    """What glibc's syslog(3) sends to /dev/log for *message* (authpriv.info, LOG_PID)."""
    return f"<86>{when} certbot-privacy[{pid}]: {message}".encode()


def journal_entry(
    raw: bytes, host: str, index: int = 0, realtime_us: int = 1_764_599_587_000_000
) -> Dict[str, Any]:
    """The ``journalctl -o json`` entry journald makes of one syslog datagram."""
    match = _DATAGRAM.match(raw)
    assert match is not None, raw[:120]
    pri = int(match["pri"])
    boot, machine = uuid.UUID(int=1).hex, uuid.UUID(int=2).hex
    realtime = realtime_us + index * 1000
    return {
        "__CURSOR": f"s={uuid.UUID(int=3).hex};i={index + 1:x};b={boot};m={index:x};"
        f"t={realtime:x};x={index:x}",
        "__REALTIME_TIMESTAMP": str(realtime),
        "__MONOTONIC_TIMESTAMP": str(5_000_000 + index * 1000),
        "_BOOT_ID": boot,
        "_MACHINE_ID": machine,
        "_HOSTNAME": host,
        "_TRANSPORT": "syslog",
        "PRIORITY": str(pri & 7),
        "SYSLOG_FACILITY": str(pri >> 3),
        "SYSLOG_IDENTIFIER": match["ident"].decode(),
        "SYSLOG_PID": match["pid"].decode(),
        "SYSLOG_TIMESTAMP": match["ts"].decode() + " ",
        "_PID": match["pid"].decode(),
        "_UID": "0",
        "_GID": "0",
        "_COMM": "certbot",
        "_EXE": "/usr/bin/python3.11",
        "MESSAGE": match["msg"].decode("utf-8"),
    }


def journal_export(entries: Iterable[Dict[str, Any]]) -> bytes:
    """Entries as ``journalctl -o json`` prints them: one compact object per line."""
    return b"".join(json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in entries)


def rfc3164_line(message: str, host: str, when: str = "Dec  1 14:33:07", pid: int = 4242) -> str:
    """A line of an rsyslog file in RSYSLOG_TraditionalFileFormat."""
    return f"{when} {host} certbot-privacy[{pid}]: {message}"


def rfc5424_line(
    message: str, host: str, when: str = "2026-12-01T14:33:07.123456+00:00", pid: int = 4242
) -> str:
    """A line of an rsyslog file in RSYSLOG_SyslogProtocol23Format (RFC 5424), as rsyslog
    writes it: the message keeps the space that followed the tag (two spaces after SD)."""
    return f"<86>1 {when} {host} certbot-privacy {pid} - -  {message}"


def write_lines(path: Path, lines: Iterable[str]) -> Path:
    """Write *lines*, each with a newline; return *path*."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def host_logs(root: Path, logs: Dict[str, Path]) -> Path:
    """Lay out *logs* as a fleet directory: ``root/HOST/disclosure.jsonl``."""
    for host, log in logs.items():
        (root / host).mkdir(parents=True, exist_ok=True)
        (root / host / "disclosure.jsonl").write_bytes(log.read_bytes())
    return root


def other_program(host: str) -> str:
    """A line of another program in the same syslog file (to be passed over)."""
    return f"Dec  1 14:33:08 {host} sshd[99]: Accepted publickey for root from 192.0.2.1"
