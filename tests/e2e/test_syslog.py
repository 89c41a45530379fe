"""--privacy-syslog mirrors every record to the local syslog, through glibc.

The test plays the syslog daemon (the ``syslog_socket`` fixture): it binds the datagram
socket ``/dev/log`` when no daemon holds it, and reads what certbot sent.
"""

import json
import re
import syslog
from pathlib import Path

import pytest

from harness import CertbotRunner, require_success

from .conftest import SyslogDaemon as _Daemon
from .log_checks import read_log

pytestmark = pytest.mark.e2e


def test_every_record_is_mirrored_to_authpriv(
    certbot: CertbotRunner, syslog_socket: _Daemon
) -> None:
    """Each record in the file also reached syslog as JSON, ident certbot-privacy, authpriv."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-syslog"))
    messages = syslog_socket.received()
    records = read_log(certbot.logs_dir / "disclosure.jsonl")
    mirrored = []
    for message in messages:
        match = re.match(rb"<(\d+)>.*?certbot-privacy\[\d+\]: (.*)$", message, re.DOTALL)
        assert match, message[:200]
        assert int(match.group(1)) == syslog.LOG_AUTHPRIV | syslog.LOG_INFO
        mirrored.append(json.loads(match.group(2)))
    assert [m["seq"] for m in mirrored] == [r["seq"] for r in records]
    assert [m["prev"] for m in mirrored] == [r["prev"] for r in records]


def test_without_the_flag_nothing_goes_to_syslog(
    certbot: CertbotRunner, syslog_socket: _Daemon
) -> None:
    """Mirroring is opt-in: without --privacy-syslog syslog hears nothing."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert syslog_socket.received() == []
    assert Path(certbot.logs_dir / "disclosure.jsonl").exists()
