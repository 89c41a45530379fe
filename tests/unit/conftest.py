"""Fixtures the unit tests share.

* ``local_server``: a real HTTP server on 127.0.0.1 that remembers every request exactly
  as it arrived and answers from a route table (:mod:`tests.helpers.http`); the tests of
  the wire and the recorder send real ``requests`` to it.
* every test ends with the run state reset (privacy mode off, no wire policy, no email
  gate) and every patch of the package stopped (``requests.Session.send`` and certbot's
  functions are their originals again), so that a test cannot leak into the next.
"""

from collections.abc import Iterator

import pytest

from certbot_privacy._internal.adapter import coverage, patching
from certbot_privacy._internal.adapter.state import RUN
from tests.helpers.http import LocalServer, running_server


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A real HTTP/1.1 server on a free loopback port, stopped after the test."""
    with running_server() as server:
        yield server


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
