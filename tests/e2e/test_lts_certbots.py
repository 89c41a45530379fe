"""The supported range between its ends: certbot 2.9.0 (Ubuntu 24.04) and 4.0.0 (Debian 13).

The suite's targets are the range's ends (``pypi``, the newest 5.x; ``debian``, 2.1.0).
This smoke test runs the LTS certbots between, each from PyPI with its own acme and the
josepy, pyOpenSSL, cryptography and requests its distribution ships
(``scripts/bootstrap`` pins them; ``harness.LTS_TARGETS``), against the same real Pebble:
a private ``certonly``, a plain ``renew`` (no flag, as the distribution's timer runs it)
that stays private, and ``certbot-privacy status`` on the config dir. What the server
received is asserted, as everywhere. The module's ``target`` fixture replaces the
suite's: every fixture built on it (``certbot``) runs these certbots.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import (
    LTS_TARGETS,
    CertbotRunner,
    CertbotTarget,
    require_success,
)
from tests.helpers.prerequisites import certbot_target

from .wire_checks import assert_private, ordered_names

pytestmark = pytest.mark.e2e

#: The certbot each LTS target must be (what bootstrap pinned).
VERSIONS = {"ubuntu-24.04": "2.9.0", "debian-13": "4.0.0"}


@pytest.fixture(scope="module", params=sorted(LTS_TARGETS))
def target(request: pytest.FixtureRequest) -> CertbotTarget:
    """certbot 2.9.0 and 4.0.0 (skipped where scripts/bootstrap has not made them)."""
    name: str = request.param
    return certbot_target(name, LTS_TARGETS)


def test_lts_certbot_issues_renews_and_shows_status_privately(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """certonly in privacy mode, then a plain renew that stays private, then status: private."""
    assert target.certbot_version == VERSIONS[target.name]
    domain = certbot.domain()
    issued = require_success(certbot.run(*certbot.certonly_args(domain), "--cert-name", domain))
    assert_private(issued, target)
    assert ordered_names(issued.requests) == [[domain]], issued.describe()

    if not target.ari:
        certbot.renew_before_expiry(domain)
    renewed = require_success(certbot.run("renew", server=None))
    assert_private(renewed, target)
    assert ordered_names(renewed.requests) == [[domain]], renewed.describe()
    assert certbot.cert_versions(domain) == ["cert1.pem", "cert2.pem"]
    conf = certbot.renewal_conf(domain).read_text(encoding="utf-8")
    assert "privacy_minimal = True" in conf, conf

    tool = Path(sys.executable).parent / "certbot-privacy"
    status = subprocess.run(
        [str(tool), "status", "--format", "json", "--config-dir", str(certbot.config_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, HOME=str(certbot.home), XDG_CONFIG_HOME=str(certbot.home / ".config")),
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert domain in status.stdout, status.stdout
    json.loads(status.stdout)
