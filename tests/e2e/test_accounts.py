"""Account and revocation commands send only the minimal User-Agent.

Each test runs a real certbot (both targets) against Pebble and asserts on what the
recording proxy in front of Pebble received.
"""

import pytest

from harness import CertbotResult, CertbotRunner, CertbotTarget, require_success

from .wire_checks import assert_private, paths

pytestmark = pytest.mark.e2e

EMAIL = "admin@example.org"


def _register(certbot: CertbotRunner) -> CertbotResult:
    return require_success(
        certbot.run(
            "register", "--privacy-minimal", "--register-unsafely-without-email", "--agree-tos"
        )
    )


def _account_posts(result: CertbotResult) -> list[str]:
    return [p for p in paths(result.requests) if p in ("/sign-me-up", "/my-account")]


def test_register(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """register --privacy-minimal: the new-account request and all others are minimal."""
    result = _register(certbot)
    assert_private(result, target)
    assert "/sign-me-up" in paths(result.requests), result.describe()


def test_update_account(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """update_account -m with consent: the contact update goes out with the minimal UA."""
    _register(certbot)
    result = require_success(
        certbot.run("update_account", "--privacy-minimal", "-m", EMAIL, "--privacy-share-email")
    )
    assert_private(result, target)
    updates = [r for r in result.requests if r.path.startswith("/my-account/")]
    contacts = [(r.jws() or {}).get("payload", {}) for r in updates]
    assert any(isinstance(c, dict) and c.get("contact") == [f"mailto:{EMAIL}"] for c in contacts), (
        result.describe()
    )


def test_show_account(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """show_account --privacy-minimal: the account lookup is minimal."""
    _register(certbot)
    result = require_success(certbot.run("show_account", "--privacy-minimal"))
    assert_private(result, target)
    assert _account_posts(result), result.describe()


def test_unregister(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """unregister --privacy-minimal: the deactivation request is minimal."""
    _register(certbot)
    result = require_success(certbot.run("unregister", "--privacy-minimal"))
    assert_private(result, target)
    deactivations = [
        r
        for r in result.requests
        if r.path.startswith("/my-account/")
        and (r.jws() or {}).get("payload", {}) == {"status": "deactivated"}
    ]
    assert deactivations, result.describe()


def test_revoke(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """revoke --privacy-minimal: the revocation request is minimal."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain), "--cert-name", domain))
    result = require_success(
        certbot.run(
            "revoke", "--privacy-minimal", "--cert-name", domain, "--no-delete-after-revoke"
        )
    )
    assert_private(result, target)
    assert "/revoke-cert" in paths(result.requests), result.describe()
