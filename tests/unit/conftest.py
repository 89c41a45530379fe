"""Fixtures the unit tests share.

* ``local_server``: a real HTTP server on 127.0.0.1 that remembers every request exactly
  as it arrived and answers from a route table (:mod:`tests.helpers.http`); the tests of
  the wire and the recorder send real ``requests`` to it.
* every test ends with the run state reset (privacy mode off, no wire policy, no email
  gate) and every patch of the package stopped (``requests.Session.send`` and certbot's
  functions are their originals again), so that a test cannot leak into the next.
* in CI (``CI=true``) the property tests draw the same examples on every run (hypothesis's
  ``derandomize``, seeded by each test): a run that passed passes again, and CI cannot fail
  on a chance draw; local runs go on drawing new examples each time, to find what a fixed
  draw would not.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from certbot_privacy._internal.adapter import coverage, patching
from certbot_privacy._internal.adapter.state import RUN
from tests.helpers.http import LocalServer, running_server

settings.register_profile(
    "ci", derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # as harness.in_ci
    settings.load_profile("ci")


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A real HTTP/1.1 server on a free loopback port, stopped after the test."""
    with running_server() as server:
        yield server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback TCP port where nothing listens, for as long as the test runs: bound, not
    listening, so a connection is refused (a port merely closed again could be taken by
    another worker's server before the test connects)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _privacy_mode_off_after_each_test() -> Iterator[None]:
    yield
    RUN.reset()
    patching.stop_all()
    coverage.reset()  # no coverage end record at exit to a test's (removed) log


@pytest.fixture
def plugin_installed() -> None:
    """Skip (fail in CI) unless certbot here loads this checkout's plugin: see helpers.installed."""
    from tests.helpers.installed import require_plugin

    require_plugin()


@pytest.fixture
def script_installed() -> None:
    """Skip (fail in CI) unless the certbot-privacy script is installed beside this Python."""
    from tests.helpers.installed import require_script

    require_script()
