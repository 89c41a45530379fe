"""A pytest plugin for running certbot's own tests with this package installed.

Before certbot's tests run, certbot parses a ``renew`` command line here, as its own
``main_test`` and ``cli_test`` do somewhere in its suite: that installs the plugin's
hooks (the per-lineage one above all) in the process, so that one certbot test run alone
meets the plugin as the whole suite does. ``tests/unit/test_certbot_suite.py`` loads it
with ``-p tests.helpers.parsed_renew``.
"""

import tempfile
from typing import Any


def pytest_configure(config: Any) -> None:
    """Parse ``certbot renew`` once with every installed plugin, in throwaway directories."""
    from certbot._internal import cli
    from certbot._internal.plugins import disco

    base = tempfile.mkdtemp(prefix="certbot-suite-")
    dirs = ["--config-dir", base + "/c", "--work-dir", base + "/w", "--logs-dir", base + "/l"]
    cli.prepare_and_parse_args(disco.PluginsRegistry.find_all(), ["renew", *dirs])
