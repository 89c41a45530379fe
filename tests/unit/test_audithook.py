"""adapter.audithook: every destination is in the log, on disk, before the socket reaches it.

Real sockets on loopback and a real disclosure log; the server side reads the log file at
the moment the connection (or datagram) arrives.
"""

import contextlib
import json
import socket
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar, Dict, Iterator, List, Optional, Tuple

import pytest

from certbot_privacy._internal.adapter import audithook, inflight
from certbot_privacy._internal.adapter.mode import RunLog
from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.adapter.wire import WirePolicy
from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log.writer import DisclosureLog

POLICY = WirePolicy(user_agent="CertbotACMEClient/5.8.0 python-requests/2.32.3")


def _records(path: Path) -> List[Dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "disclosure.jsonl"


@pytest.fixture
def private(log_path: Path) -> Iterator[Path]:
    """Privacy mode on, recording to *log_path*; off again after the test."""
    log = DisclosureLog(log_path)
    log.ensure_writable()
    RUN.activate(POLICY, None, DisclosureRecorder(RunLog(log, RUN.run_id)))
    yield log_path
    RUN.deactivate()


class _Listener:
    """A loopback TCP listener that reads the log when a connection arrives."""

    def __init__(self, log: Path, wait: float = 30) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(wait)
        self.port = self.sock.getsockname()[1]
        self.log = log
        self.seen_at_accept: Optional[List[Dict[str, Any]]] = None
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        self.seen_at_accept = _records(self.log)
        conn.close()

    def close(self) -> None:
        self.thread.join(30)
        self.sock.close()


def _connections(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [r for r in records if r["event"] == "connection"]


def test_the_record_is_on_disk_before_a_raw_connect_reaches_the_server(private: Path) -> None:
    """socket.connect on a plain socket: the server, as it accepts, finds the record."""
    listener = _Listener(private)
    with socket.socket() as sock:
        sock.connect(("127.0.0.1", listener.port))
    listener.close()
    assert listener.seen_at_accept is not None
    (record,) = _connections(listener.seen_at_accept)
    assert record["host"] == record["recipient"] == "127.0.0.1"
    assert (record["port"], record["address"], record["transport"]) == (
        listener.port,
        "127.0.0.1",
        "tcp",
    )
    assert (record["via"], record["seen"], record["own"]) == ("socket.connect", "connection", None)
    assert record["opened_by"] == {"module": __name__, "plugin": None}
    assert len(record["run"]) == 32


def test_a_destination_is_recorded_once_per_run(private: Path) -> None:
    """The second connect to the same destination writes nothing more."""
    listener = _Listener(private)
    for _ in range(2):
        with socket.socket() as sock:
            sock.settimeout(30)
            sock.connect(("127.0.0.1", listener.port))
    listener.close()
    assert len(_connections(_records(private))) == 1


def test_a_name_is_recorded_as_resolved_then_connected(private: Path) -> None:
    """create_connection("localhost"): getaddrinfo's record, then the connect's, by name."""
    listener = _Listener(private)
    with socket.create_connection(("localhost", listener.port), timeout=30):
        pass
    listener.close()
    records = [r for r in _connections(_records(private)) if r["port"] == listener.port]
    assert [r["via"] for r in records][:2] == ["socket.getaddrinfo", "socket.connect"]
    assert {r["host"] for r in records} == {"localhost"}
    assert records[0]["address"] is None and records[1]["address"] in ("127.0.0.1", "::1")


def test_a_datagram_is_recorded_before_it_is_sent(private: Path) -> None:
    """sendto on a UDP socket: the receiver finds the record when the datagram arrives."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(30)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"update", receiver.getsockname())
    receiver.recvfrom(100)
    seen = _connections(_records(private))
    receiver.close()
    (record,) = seen
    assert (record["transport"], record["via"]) == ("udp", "socket.sendto")


def test_a_connection_inside_a_recorded_request_is_seen_at_request_level(private: Path) -> None:
    """While a request-level adapter sends (inflight), the connection is ``seen: request``."""
    listener = _Listener(private)
    with inflight.sending(7), socket.socket() as sock:
        sock.connect(("127.0.0.1", listener.port))
    listener.close()
    (record,) = _connections(_records(private))
    assert record["seen"] == "request"


def test_the_logs_own_unix_socket_is_marked_own(private: Path, tmp_path: Path) -> None:
    """A connection to the syslog mirror's socket is recorded, marked ``own: syslog``."""
    path = str(tmp_path / "log.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    audithook.own(path, "syslog")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(path)
    server.close()
    (record,) = _connections(_records(private))
    assert (record["host"], record["port"], record["transport"], record["own"]) == (
        path,
        None,
        "unix",
        "syslog",
    )


def test_a_record_that_cannot_be_written_stops_the_connect(private: Path) -> None:
    """Fail closed: the log is unwritable, so connect raises and the server sees nothing."""
    private.unlink()
    private.mkdir()  # every append fails now
    listener = _Listener(private, wait=0.3)
    with socket.socket() as sock, pytest.raises(DisclosureLogError) as raised:
        sock.connect(("127.0.0.1", listener.port))
    listener.close()
    assert listener.seen_at_accept is None  # no connection arrived
    message = str(raised.value)
    assert "Nothing was sent: the connection to 127.0.0.1:" in message and "\n" not in message
    from certbot import errors

    assert isinstance(raised.value, errors.Error)  # certbot prints it as one sentence


def test_privacy_mode_off_records_nothing(private: Path) -> None:
    """The hook stays installed (it cannot be removed) but does nothing while mode is off."""
    RUN.deactivate()
    before = private.read_bytes()
    listener = _Listener(private)
    with socket.socket() as sock:
        sock.connect(("127.0.0.1", listener.port))
    listener.close()
    assert listener.seen_at_accept == []
    assert private.read_bytes() == before


def test_a_connection_to_the_standalone_listener_is_marked_own(private: Path) -> None:
    """acme's standalone HTTP-01 server (certbot's standalone authenticator) binds here: a
    connection to its port is recorded and marked ``own: standalone``."""
    from acme import standalone

    server = standalone.HTTP01Server(("127.0.0.1", 0), resources=set())
    try:
        port = server.socket.getsockname()[1]
        with socket.socket() as sock:
            sock.connect(("127.0.0.1", port))
    finally:
        server.server_close()
    (record,) = [r for r in _connections(_records(private)) if r["port"] == port]
    assert record["own"] == "standalone"


class _Resolving:
    """An audit hook added after the plugin's: what the log held when a lookup went on.

    CPython calls audit hooks in the order they were added, and a socket function asks the
    resolver only once every hook has returned: what this one reads is on disk before the
    lookup, and an event it never sees was stopped by the plugin's hook. (A hook cannot be
    removed: one per test process, idle unless a test arms it.)
    """

    EVENTS = ("socket.gethostbyname", "socket.gethostbyaddr")
    armed: ClassVar[Optional[Path]] = None
    seen: ClassVar[List[Tuple[str, Any, List[Dict[str, Any]]]]] = []
    installed: ClassVar[bool] = False

    @classmethod
    def arm(cls, log: Path) -> None:
        assert audithook.HOOK is not None  # the plugin's hook was added first
        if not cls.installed:
            sys.addaudithook(cls._event)
            cls.installed = True
        cls.armed, cls.seen[:] = log, []

    @classmethod
    def _event(cls, event: str, args: Tuple[Any, ...]) -> None:
        if cls.armed is not None and event in cls.EVENTS:
            cls.seen.append((event, args[0], _records(cls.armed)))

    @classmethod
    def disarm(cls) -> None:
        cls.armed = None


@pytest.fixture
def resolving(private: Path) -> Iterator[type]:
    _Resolving.arm(private)
    yield _Resolving
    _Resolving.disarm()


@pytest.mark.parametrize(
    ("lookup", "event"),
    [
        (socket.gethostbyname, "socket.gethostbyname"),
        (socket.gethostbyname_ex, "socket.gethostbyname"),
    ],
)
def test_gethostbyname_is_recorded_before_the_lookup(
    resolving: Any, private: Path, lookup: Any, event: str
) -> None:
    """gethostbyname and gethostbyname_ex: the name's record is on disk as the lookup goes
    on (port null, transport tcp, as getaddrinfo without a port), once per run."""
    lookup("localhost")
    lookup("localhost")
    ((seen_event, name, on_disk), _) = resolving.seen
    assert (seen_event, name) == (event, "localhost")
    (record,) = _connections(on_disk)
    assert (record["host"], record["recipient"], record["port"]) == ("localhost",) * 2 + (None,)
    assert (record["address"], record["transport"], record["via"]) == (None, "tcp", event)
    assert (record["seen"], record["own"]) == ("connection", None)
    assert record["opened_by"] == {"module": __name__, "plugin": None}
    assert len(_connections(_records(private))) == 1


def test_gethostbyaddr_is_recorded_with_the_address_it_reverses(
    resolving: Any, private: Path
) -> None:
    """gethostbyaddr sends the address to the resolver (a PTR query): recorded first."""
    with contextlib.suppress(OSError):  # no name for it here: the lookup was still made
        socket.gethostbyaddr("127.0.0.1")
    ((event, address, on_disk),) = resolving.seen
    assert (event, address) == ("socket.gethostbyaddr", "127.0.0.1")
    (record,) = _connections(on_disk)
    assert (record["host"], record["address"], record["port"]) == ("127.0.0.1", "127.0.0.1", None)
    assert record["via"] == "socket.gethostbyaddr"


def test_a_refused_lookup_shows_a_hostile_name_escaped(resolving: Any, private: Path) -> None:
    """The name in the refusal certbot prints comes from outside: no raw control character."""
    private.unlink()
    private.mkdir()  # every append fails now
    with pytest.raises(DisclosureLogError) as raised:
        socket.gethostbyname("evil\x1b[2J.example")
    message = str(raised.value)
    assert "\x1b" not in message
    assert message.endswith("the lookup of evil\\x1b[2J.example was not made.")


def test_a_numeric_gethostbyname_is_no_lookup(resolving: Any, private: Path) -> None:
    """gethostbyname of an address asks no resolver: nothing recorded."""
    assert socket.gethostbyname("127.0.0.1") == "127.0.0.1"
    assert _connections(_records(private)) == []


@pytest.mark.parametrize(
    "lookup", [socket.gethostbyname, socket.gethostbyname_ex, socket.gethostbyaddr]
)
def test_a_lookup_whose_record_cannot_be_written_is_not_made(
    resolving: Any, private: Path, lookup: Any
) -> None:
    """Fail closed: the log is unwritable, so the lookup raises before the resolver is asked."""
    private.unlink()
    private.mkdir()  # every append fails now
    with pytest.raises(DisclosureLogError) as raised:
        lookup("localhost")
    assert resolving.seen == []  # the hooks after the plugin's never ran: no lookup
    assert str(raised.value).endswith("Nothing was sent: the lookup of localhost was not made.")
