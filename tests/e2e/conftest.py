"""Fixtures for the end-to-end tests: the test CA, Pebble stacks, certbot targets, runners.

* ``tls``: a CA and a server certificate for 127.0.0.1/localhost (session).
* ``acme``: Pebble (every challenge valid) behind the recording proxy, which also plays
  ARI and OCSP and traps traffic beyond loopback (session).
* ``acme_nonce``: the same with ``PEBBLE_WFE_NONCEREJECT=60`` (session, started on first use).
* ``acme_validating``: a Pebble whose VA really validates, and fails (session, on first use).
* ``target``: each certbot under test, ``pypi`` (newest 5.x) and ``debian`` (2.1.0); a
  missing one is skipped locally and fails the run when ``CI=true``.
* ``certbot``: a :class:`CertbotRunner` for the target against ``acme``, in fresh
  directories; ``certbot_on(stack)`` makes one against another stack.
* ``syslog_socket``: the test plays the syslog daemon on ``/dev/log`` (skipped where a
  real daemon holds it).
"""

import fcntl
import os
import re
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

from harness import (
    AcmeStack,
    AriSettings,
    CertbotRunner,
    CertbotTarget,
    TestCA,
    make_test_ca,
    target_specs,
)
from tests.helpers.prerequisites import certbot_target

TARGETS = target_specs()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return make_test_ca(tmp_path_factory.mktemp("tls"))


def _stack(
    tmp_path_factory: pytest.TempPathFactory,
    tls: TestCA,
    name: str,
    *,
    nonce_reject: int = 0,
    always_valid: bool = True,
) -> Iterator[AcmeStack]:
    stack = AcmeStack.start(
        tmp_path_factory.mktemp(name), tls, nonce_reject=nonce_reject, always_valid=always_valid
    )
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="session")
def acme(tmp_path_factory: pytest.TempPathFactory, tls: TestCA) -> Iterator[AcmeStack]:
    yield from _stack(tmp_path_factory, tls, "pebble")


@pytest.fixture(scope="session")
def acme_nonce(tmp_path_factory: pytest.TempPathFactory, tls: TestCA) -> Iterator[AcmeStack]:
    yield from _stack(tmp_path_factory, tls, "pebble-nonce", nonce_reject=60)


@pytest.fixture(scope="session")
def acme_validating(tmp_path_factory: pytest.TempPathFactory, tls: TestCA) -> Iterator[AcmeStack]:
    yield from _stack(tmp_path_factory, tls, "pebble-validating", always_valid=False)


@pytest.fixture(scope="session", params=sorted(TARGETS))
def target(request: pytest.FixtureRequest) -> CertbotTarget:
    name: str = request.param
    return certbot_target(name, TARGETS)


@pytest.fixture(autouse=True)
def _fresh_ari(acme: AcmeStack) -> Iterator[None]:
    """Each test starts with the default ARI answer (a window in the past), Pebble's own
    directory meta and no impersonated CA."""
    acme.proxy.ari = AriSettings()
    acme.proxy.directory_meta = {}
    acme.proxy.impersonate = {}
    acme.proxy.problems = {}
    yield


@pytest.fixture
def certbot_on(target: CertbotTarget, tls: TestCA, tmp_path: Path) -> Callable[..., CertbotRunner]:
    """Make a runner of the target against a given stack, in fresh directories."""

    def make(stack: AcmeStack, name: str = "certbot") -> CertbotRunner:
        return CertbotRunner(target, stack.proxy, tls, tmp_path / name)

    return make


@pytest.fixture
def certbot(certbot_on: Callable[..., CertbotRunner], acme: AcmeStack) -> CertbotRunner:
    return certbot_on(acme)


DEV_LOG = "/dev/log"


#: How glibc's syslog(3) frames a message of ours: <PRI>timestamp certbot-privacy[pid]: ...
_OURS = re.compile(rb"<\d+>[^<>]{0,64}?certbot-privacy\[\d+\]: ")


class SyslogDaemon:
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

    def received(self, timeout: float = 60) -> List[bytes]:
        """The datagrams certbot-privacy sent (tag ``certbot-privacy[pid]``), in order,
        once certbot has exited.

        A datagram socket's queue is first in, first out: a marker of the test's own, sent
        now, arrives after everything the finished certbot sent, so once the reading thread
        has it, it has all of theirs (a fixed sleep instead lost the last datagrams when a
        loaded machine left the thread waiting). Other programs on the machine log through
        /dev/log too (tmux's utempter, cron): what they send while a test holds the socket
        is not the test's to judge.
        """
        marker = f"<15>certbot-privacy-tests barrier {uuid.uuid4().hex}".encode()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.settimeout(timeout)
            sender.sendto(marker, self.sock.getsockname())
        deadline = time.monotonic() + timeout
        while marker not in self.messages:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError(f"the test's syslog socket did not read {marker!r}")
            time.sleep(0.01)
        return [m for m in self.messages if _OURS.match(m)]


#: Held (flock) by every test that binds /dev/log or needs it absent: /dev/log is one per
#: machine, and the tests run in several processes (pytest-xdist workers) at once.
DEV_LOG_LOCK = "/tmp/certbot-privacy-tests-dev-log.lock"


@pytest.fixture
def dev_log() -> Iterator[None]:
    """Wait until no other test process uses /dev/log, and keep it for this test."""
    with open(DEV_LOG_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def syslog_socket(dev_log: None) -> Iterator[SyslogDaemon]:
    if os.path.exists(DEV_LOG):
        pytest.skip("a syslog daemon owns /dev/log here; this test plays the daemon itself")
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(DEV_LOG)
    except OSError as error:
        pytest.skip(f"cannot bind {DEV_LOG}: {error}")
    try:
        yield SyslogDaemon(sock)
    finally:
        sock.close()
        os.unlink(DEV_LOG)
