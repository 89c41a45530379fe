"""Renewals stay private with no flag, per lineage, as a distro timer runs them.

How a lineage is made due differs by target, and both are what happens in the field:

* certbot 5.x asks the CA for ACME Renewal Info: the recording proxy answers with a
  suggested window in the past, so a plain ``certbot renew`` renews;
* certbot 2.1.0 has no ARI: the test writes ``renew_before_expiry = 3650 days`` into the
  lineage's renewal conf (Pebble's certificates last five years), as an admin could.

``renew`` runs with no ``--server`` and no privacy flag: the lineage's conf says where.
"""

import uuid

import pytest

from harness import CertbotResult, CertbotRunner, CertbotTarget, require_success

from .wire_checks import (
    assert_no_outside,
    assert_private,
    new_orders,
    ordered_names,
    user_agent_runs,
)

pytestmark = pytest.mark.e2e


def _private_lineage(
    certbot: CertbotRunner, target: CertbotTarget, *, privacy: bool = True, name: str = ""
) -> str:
    """Obtain a certificate (named after its one domain) and make it due for renewal."""
    domain = f"{name}-{uuid.uuid4().hex[:8]}.example.com" if name else certbot.domain()
    require_success(
        certbot.run(*certbot.certonly_args(domain, privacy=privacy), "--cert-name", domain)
    )
    if not target.ari:
        certbot.renew_before_expiry(domain)
    return domain


def _renewal_checks(result: CertbotResult) -> list[str]:
    return [r.role for r in result.requests if r.role in ("ari", "ocsp")]


@pytest.mark.parametrize("quiet", [False, True], ids=["renew", "quiet-renew"])
def test_plain_renew_of_a_private_lineage_stays_private(
    certbot: CertbotRunner, target: CertbotTarget, quiet: bool
) -> None:
    """certbot renew / certbot -q renew, no flag: the private lineage renews privately."""
    domain = _private_lineage(certbot, target)
    result = require_success(certbot.run(*(["-q"] if quiet else []), "renew", server=None))

    assert_private(result, target)
    assert ordered_names(result.requests) == [[domain]], result.describe()
    assert certbot.cert_versions(domain) == ["cert1.pem", "cert2.pem"]
    assert _renewal_checks(result)[:1] == (["ari"] if target.ari else ["ocsp"]), result.describe()
    if quiet:
        assert result.stdout == ""
    conf = certbot.renewal_conf(domain).read_text(encoding="utf-8")
    assert "privacy_minimal = True" in conf, conf


def test_renew_dry_run_of_a_private_lineage_stays_private(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """certbot renew --dry-run, no privacy flag: the simulated renewal is private too.

    ``--server`` is given: without it a dry run goes to Let's Encrypt's staging CA (the
    trap catches that on certbot 2.1.0).
    """
    domain = _private_lineage(certbot, target)
    result = require_success(certbot.run("renew", "--dry-run"))
    assert_private(result, target)
    assert ordered_names(result.requests) == [[domain]], result.describe()
    assert certbot.cert_versions(domain) == ["cert1.pem"]


def test_certonly_dry_run(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """certonly --dry-run --privacy-minimal: every request is minimal, nothing is saved."""
    domain = certbot.domain()
    result = require_success(certbot.run(*certbot.certonly_args(domain), "--dry-run"))
    assert_private(result, target)
    assert ordered_names(result.requests) == [[domain]], result.describe()
    assert not (certbot.config_dir / "live" / domain).exists()


def test_renewal_check_that_renews_nothing_stays_private(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """A renew run with nothing due still checks (ARI, OCSP) with the minimal UA only."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain), "--cert-name", domain))
    certbot.proxy.ari.window = "future"
    result = require_success(certbot.run("renew", server=None))

    assert_private(result, target)
    assert new_orders(result.requests) == []
    checks = _renewal_checks(result)
    assert "ocsp" in checks, result.describe()
    assert ("ari" in checks) == target.ari, result.describe()


def test_renew_switches_privacy_per_lineage(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """One renew over private, public, private lineages: each goes out as it was obtained."""
    first = _private_lineage(certbot, target, name="a-private")
    public = _private_lineage(certbot, target, name="b-public", privacy=False)
    last = _private_lineage(certbot, target, name="c-private")
    result = require_success(certbot.run("renew", server=None))
    assert_no_outside(result)

    runs = user_agent_runs(result.requests, target.minimal_user_agent)
    assert [minimal for minimal, _ in runs] == [True, False, True], result.describe()
    expected = [[first], [public], [last]]
    assert [ordered_names(run) for _, run in runs] == [[domains] for domains in expected], (
        result.describe()
    )

    # certbot's full UA; OCSP goes out with requests' own default UA.
    full = [r for r in runs[1][1] if r.role != "ocsp"]
    assert full, result.describe()
    for request in full:
        assert request.user_agent is not None
        assert "Authenticator/" in request.user_agent, result.describe()
    assert all(
        certbot.cert_versions(name) == ["cert1.pem", "cert2.pem"] for name in (first, public, last)
    )
