"""Runs that fail on the CA's side stay private up to the last request.

Each test runs a real certbot (both targets) against its own Pebble and asserts on what
the recording proxy in front of it received.
"""

from typing import Callable

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget

from .wire_checks import assert_private, paths

pytestmark = pytest.mark.e2e

#: At most this many runs against the badNonce Pebble until one of them meets a badNonce.
NONCE_RUNS = 3


def test_failed_validation_stays_private(
    certbot_on: Callable[..., CertbotRunner], acme_validating: AcmeStack, target: CertbotTarget
) -> None:
    """A challenge the CA cannot validate: certbot fails, every request was minimal."""
    certbot = certbot_on(acme_validating)
    result = certbot.run(*certbot.certonly_args(certbot.domain()))
    assert result.returncode == 1, result.describe()
    assert_private(result, target)
    assert "/chalZ" in paths(result.requests), result.describe()
    assert "/finalize-order" not in paths(result.requests), result.describe()


def test_bad_nonce_retries_stay_private(
    certbot_on: Callable[..., CertbotRunner], acme_nonce: AcmeStack, target: CertbotTarget
) -> None:
    """PEBBLE_WFE_NONCEREJECT=60: rejected POSTs, fresh nonces and retries are all minimal.

    A run may fail when a retry is rejected again; what was sent must be minimal anyway.
    Runs repeat (at most NONCE_RUNS) until one of them was answered with a badNonce.
    """
    bad_nonces = 0
    for attempt in range(NONCE_RUNS):
        certbot = certbot_on(acme_nonce, f"attempt-{attempt}")
        result = certbot.run(*certbot.certonly_args(certbot.domain()))
        assert result.returncode in (0, 1), result.describe()
        assert_private(result, target)
        bad_nonces += sum(b"badNonce" in r.response_body for r in result.requests)
        if bad_nonces:
            break
    assert bad_nonces, "no badNonce in any run: is PEBBLE_WFE_NONCEREJECT in effect?"
