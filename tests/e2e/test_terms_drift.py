"""Terms drift is checked and recorded on every registration (issue 21.4), on both certbots.

A registration agrees to the terms of service the CA's directory announces. When those
are not the terms the CA facts expect, privacy mode warns and writes a ``terms_changed``
notice record, also when no address is in play (``-n``, no ``--email``): the admin agrees
to those terms in that run all the same.
"""

import pytest

from harness import AcmeStack, CertbotRunner, require_success

from .log_checks import LogCursor, assert_run_logged
from .test_consent_text_terminal import LE_DIRECTORY, LE_TERMS, NEW_TERMS, _as_lets_encrypt
from .wire_checks import new_accounts

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("verb", ["register", "certonly"])
def test_other_terms_are_recorded_on_a_registration_without_an_address(
    certbot: CertbotRunner, acme: AcmeStack, verb: str
) -> None:
    """-n, no --email, a directory announcing other terms: one warning, a notice record."""
    _as_lets_encrypt(acme, NEW_TERMS)
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    args = ["register", "--privacy-minimal", "--agree-tos"]
    if verb == "certonly":
        args = certbot.certonly_args(certbot.domain())
    result = require_success(certbot.run(*args, server=LE_DIRECTORY))
    (payload,) = new_accounts(result.requests)
    assert not payload.get("contact") and payload["termsOfServiceAgreed"] is True
    certbot_log = (certbot.logs_dir / "letsencrypt.log").read_text(encoding="utf-8")
    assert "may be out of date" in result.stderr + certbot_log, result.describe()
    records = assert_run_logged(result, cursor)
    notices = [r for r in records if r["event"] == "notice" and r["kind"] == "terms_changed"]
    assert [(n["expected"], n["announced"]) for n in notices] == [(LE_TERMS, NEW_TERMS)]
    (new_account,) = [r for r in records if r["event"] == "request" and "sign-me-up" in r["url"]]
    assert notices[0]["seq"] < new_account["seq"]


def test_the_expected_terms_record_no_notice(certbot: CertbotRunner, acme: AcmeStack) -> None:
    """The terms the facts expect: no warning, no notice record."""
    _as_lets_encrypt(acme, LE_TERMS)
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    result = require_success(
        certbot.run("register", "--privacy-minimal", "--agree-tos", server=LE_DIRECTORY)
    )
    records = assert_run_logged(result, cursor)
    assert not [r for r in records if r["event"] == "notice" and r["kind"] == "terms_changed"]
    assert "may be out of date" not in result.stderr
