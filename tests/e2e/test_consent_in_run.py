"""Consent is given in the run, for that run: on every path that turns privacy mode on.

Issue 21 item 1, end to end against Pebble on both certbots. A lineage private through
its renewal conf only (no ``--privacy-minimal`` for the whole run), its account lost, and
a cli.ini naming an address, ``privacy-share-email = true`` and ``eff-email = true``: the
timer's plain ``certbot renew -n`` must register again with no contact, send nothing to
the EFF, and record why. The same when a renewal conf edited by hand names the plugin as
installer with ``privacy_share_email = True`` (certbot's own plugin-config restore then
brings the flag back).
"""

import shutil
from pathlib import Path
from typing import List

import pytest

from harness import CertbotResult, CertbotRunner, CertbotTarget, require_success

from .log_checks import LogCursor, Record, assert_run_logged
from .wire_checks import new_accounts

pytestmark = pytest.mark.e2e

EMAIL = "admin@example.org"
WARNING = "is not consent"


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def _events(records: List[Record], event: str) -> List[Record]:
    return [r for r in records if r["event"] == event]


def _private_lineage_without_account(certbot: CertbotRunner, target: CertbotTarget) -> str:
    """A lineage obtained in privacy mode, due for renewal, whose account is gone."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain), "--cert-name", domain))
    if not target.ari:
        certbot.renew_before_expiry(domain)
    shutil.rmtree(certbot.config_dir / "accounts")
    conf = certbot.renewal_conf(domain)
    lines = conf.read_text(encoding="utf-8").splitlines(keepends=True)
    conf.write_text("".join(x for x in lines if not x.startswith("account =")), encoding="utf-8")
    return domain


def _cli_ini(certbot: CertbotRunner, text: str) -> None:
    certbot.user_cli_ini.parent.mkdir(parents=True, exist_ok=True)
    certbot.user_cli_ini.write_text(text, encoding="utf-8")


def test_renew_of_a_private_lineage_ignores_consent_in_cli_ini(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """cli.ini's email, privacy-share-email and eff-email: a lineage-private renew that
    registers again sends no contact and nothing to the EFF, and records a blocked."""
    domain = _private_lineage_without_account(certbot, target)
    _cli_ini(
        certbot,
        f"email = {EMAIL}\nagree-tos = true\nprivacy-share-email = true\neff-email = true\n",
    )
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run("renew", server=None))
    _check(certbot, result, cursor, domain)
    assert "privacy_share_email" not in certbot.renewal_conf(domain).read_text(encoding="utf-8")


def test_renewal_conf_naming_the_plugin_as_installer_is_not_consent(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """installer = privacy and privacy_share_email = True in a renewal conf (certbot itself
    restores the flag then): no address is sent, and the log keeps the evidence."""
    domain = _private_lineage_without_account(certbot, target)
    conf = certbot.renewal_conf(domain)
    lines = conf.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("[renewalparams]\n") + 1
    lines[at:at] = ["installer = privacy\n", "privacy_share_email = True\n"]
    conf.write_text("".join(lines), encoding="utf-8")
    _cli_ini(certbot, f"email = {EMAIL}\nagree-tos = true\n")
    cursor = LogCursor(_log(certbot))
    # Certbot 2.1.0 then fails to "restart" the plugin as an installer, after the renewal.
    result = certbot.run("renew", server=None)
    _check(certbot, result, cursor, domain)


def _check(certbot: CertbotRunner, result: CertbotResult, cursor: LogCursor, domain: str) -> None:
    (payload,) = new_accounts(result.requests)
    assert not payload.get("contact"), result.describe()
    assert EMAIL.encode() not in b"".join(r.body for r in result.requests), result.describe()
    assert result.outside == [], result.describe()
    assert certbot.cert_versions(domain) == ["cert1.pem", "cert2.pem"], result.describe()
    certbot_log = (certbot.logs_dir / "letsencrypt.log").read_text(encoding="utf-8")
    assert (result.stderr + certbot_log).count(WARNING) >= 1, result.describe()
    records = assert_run_logged(result, cursor)
    (blocked,) = _events(records, "blocked")
    assert EMAIL in blocked["reason"], blocked
    assert not [r for r in _events(records, "consent") if r["decision"] == "granted"], records
    (ignored,) = [r for r in _events(records, "notice") if r["kind"] == "saved_consent_ignored"]
    assert ignored["options"], ignored
