"""--privacy-syslog mirrors every record to the local syslog, through glibc.

The test plays the syslog daemon: it binds the datagram socket ``/dev/log`` (where
glibc's ``syslog(3)`` writes) when no daemon holds it, and reads what certbot sent.
"""

import json
import os
import re
import socket
import syslog
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import List

import pytest

from harness import CertbotRunner, require_success

from .log_checks import read_log

pytestmark = pytest.mark.e2e

DEV_LOG = "/dev/log"


class _Daemon:
    """Receives datagrams on /dev/log as they come (a full queue would block the sender)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.messages: List[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                self.messages.append(self.sock.recv(65536))
            except OSError:
                return

    def received(self) -> List[bytes]:
        time.sleep(0.2)  # let the last datagrams in
        return list(self.messages)


@pytest.fixture
def syslog_socket() -> Iterator[_Daemon]:
    if os.path.exists(DEV_LOG):
        pytest.skip("a syslog daemon owns /dev/log here; this test plays the daemon itself")
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(DEV_LOG)
    except OSError as error:
        pytest.skip(f"cannot bind {DEV_LOG}: {error}")
    try:
        yield _Daemon(sock)
    finally:
        sock.close()
        os.unlink(DEV_LOG)


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
