"""The syslog mirror writes to the socket itself, so that it can tell when it fails."""

import re
import socket
import syslog
from pathlib import Path

import pytest

from certbot_privacy._internal.log import syslog as mirror_module
from certbot_privacy._internal.log.syslog import SyslogMirror


def test_a_socket_is_needed(tmp_path: Path) -> None:
    """available() is true for a Unix socket only."""
    path = tmp_path / "log"
    assert not mirror_module.available(str(path))
    path.write_text("")
    assert not mirror_module.available(str(path))
    path.unlink()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as daemon:
        daemon.bind(str(path))
        assert mirror_module.available(str(path))


def test_messages_are_what_syslog3_sends(tmp_path: Path) -> None:
    """<authpriv.info>, a timestamp, certbot-privacy[pid]: and the JSON line."""
    path = str(tmp_path / "log")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as daemon:
        daemon.bind(path)
        mirror = SyslogMirror(path=path)
        mirror.mirror('{"schema":1}')
        message = daemon.recv(65536).decode()
        mirror.close()
    match = re.fullmatch(
        r"<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d certbot-privacy\[\d+\]: (.*)", message
    )
    assert match is not None, message
    assert int(match.group(1)) == syslog.LOG_AUTHPRIV | syslog.LOG_INFO
    assert match.group(2) == '{"schema":1}'


def test_a_daemon_that_went_away_is_an_error(tmp_path: Path) -> None:
    """When the socket's reader is gone, mirror() raises instead of dropping the record."""
    path = str(tmp_path / "log")
    daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    daemon.bind(path)
    mirror = SyslogMirror(path=path)
    mirror.mirror("{}")
    daemon.close()
    with pytest.raises(OSError):
        mirror.mirror("{}")
