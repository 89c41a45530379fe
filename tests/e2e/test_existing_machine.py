"""Issue 12: an existing certbot machine, its privacy posture, the switch, and every command after.

A machine prepared the old way, without the plugin: an account registered with an email,
an EFF subscription recorded (``update_account --eff-email``: certbot keeps it pending in
``meta.json`` until the next certificate), two lineages. ``certbot-privacy status`` shows
it (exit 1); the documented switch follows (the account with ``update_account
--privacy-minimal --privacy-withdraw-email``; the lineages with ``reconfigure
--privacy-minimal`` on certbot 5.x and ``certbot-privacy switch on`` on any certbot);
``status`` exits 0; then each certbot command runs **without a privacy flag** and must
go out private (minimal User-Agent, every request in the log written ahead, the email
gate in force), asserted on what the recording proxy received and on the log.
"""

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from harness import (
    AcmeStack,
    CertbotRunner,
    CertbotTarget,
    TestCA,
    require_success,
    target_specs,
)
from tests.helpers.prerequisites import certbot_target

from .log_checks import LogCursor, assert_log_sound, read_log
from .wire_checks import assert_no_outside, assert_private, paths

pytestmark = pytest.mark.e2e

EMAIL = "admin@example.org"


def _privacy(certbot: CertbotRunner, *args: str) -> "subprocess.CompletedProcess[str]":
    """Run the target's ``certbot-privacy`` with the runner's environment (its cli.ini)."""
    return subprocess.run(
        [str(certbot.target.certbot.parent / "certbot-privacy"), *args],
        capture_output=True,
        text=True,
        env=certbot.environment(),
        timeout=60,
        check=False,
    )


def _status(certbot: CertbotRunner) -> "tuple[int, Dict[str, Any]]":
    done = _privacy(certbot, "status", "--config-dir", str(certbot.config_dir), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _old_machine(certbot: CertbotRunner) -> List[str]:
    """Prepare the machine as it was before the plugin; return the two lineage names."""
    names = [certbot.domain("old"), certbot.domain("older")]
    first = certbot.certonly_args(names[0], privacy=False)
    first.remove("--register-unsafely-without-email")
    require_success(
        certbot.run(
            *first, "-m", EMAIL, "--no-eff-email", "--cert-name", names[0], without_plugin=True
        )
    )
    require_success(
        certbot.run(
            *certbot.certonly_args(names[1], privacy=False),
            "--cert-name",
            names[1],
            without_plugin=True,
        )
    )
    require_success(certbot.run("update_account", "-m", EMAIL, "--eff-email", without_plugin=True))
    return names


def _account_dirs(certbot: CertbotRunner) -> List[Path]:
    return sorted(p.parent for p in (certbot.config_dir / "accounts").rglob("regr.json"))


def _notices(records: List[Dict[str, Any]], kind: str) -> List[Dict[str, Any]]:
    return [r for r in records if r["event"] == "notice" and r["kind"] == kind]


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def test_existing_machine_switched_then_private_in_every_command(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """Old machine: status 1; the documented switch; status 0; every command private."""
    one, two = _old_machine(certbot)

    code, before = _status(certbot)
    assert code == 1, before
    [account] = before["accounts"]
    assert account["private"] is False and account["register_to_eff"] == EMAIL
    assert account["fix"]["argv"][:4] == [
        "certbot",
        "update_account",
        "--privacy-minimal",
        "--privacy-withdraw-email",
    ]
    for lineage in before["lineages"]:
        assert lineage["private"] is False, lineage
        assert lineage["user_agent"]["kind"] == "full"
        assert lineage["user_agent"]["value"].startswith(
            f"CertbotACMEClient/{target.certbot_version} (certbot;"
        ), lineage
        assert lineage["fix"]["argv"][:4] == ["certbot-privacy", "switch", "on", "--cert-name"]

    # The documented switch, step 1: the account (contact withdrawn, EFF opt-in cancelled).
    cursor = LogCursor(_log(certbot))
    switched = require_success(
        certbot.run("update_account", "--privacy-minimal", "--privacy-withdraw-email")
    )
    assert_private(switched, target)
    updates = [
        r for r in switched.requests if (r.jws() or {}).get("payload", {}) == {"contact": []}
    ]
    assert updates, switched.describe()
    records = cursor.new_records()
    assert [n["name"] for n in _notices(records, "privacy_on")] == [_account_dirs(certbot)[0].name]
    assert _notices(records, "eff_subscription_cancelled")[0]["values"] == [EMAIL]
    meta = json.loads((_account_dirs(certbot)[0] / "meta.json").read_text())
    assert not meta.get("register_to_eff"), meta

    # Step 2: the lineages. 5.x: reconfigure (a private dry run) for one; ours for the other.
    if target.ari:  # certbot 3+: has reconfigure
        reconfigured = require_success(
            certbot.run("reconfigure", "--cert-name", one, "--privacy-minimal")
        )
        assert_private(reconfigured, target)
        ours = _privacy(
            certbot, "switch", "on", "--cert-name", two, "--config-dir", str(certbot.config_dir)
        )
    else:
        ours = _privacy(certbot, "switch", "on", "--all", "--config-dir", str(certbot.config_dir))
    assert ours.returncode == 0, ours.stderr
    assert not ours.stderr
    for name in (one, two):
        conf = certbot.renewal_conf(name).read_text(encoding="utf-8")
        assert "privacy_minimal = True" in conf, conf
    assert {n["name"] for n in _notices(read_log(_log(certbot)), "privacy_on")} >= {two}

    code, after = _status(certbot)
    assert code == 0, after
    assert all(line["user_agent"]["kind"] == "minimal" for line in after["lineages"])
    assert all(
        line["user_agent"]["value"] == target.minimal_user_agent for line in after["lineages"]
    )

    # Every command, no flag. certificates: each lineage's OCSP request, private and logged.
    listed = require_success(certbot.run("certificates"))
    assert_private(listed, target, min_requests=2)
    assert [r.role for r in listed.requests] == ["ocsp", "ocsp"], listed.describe()

    if not target.ari:
        for name in (one, two):
            certbot.renew_before_expiry(name)
    renewed = require_success(certbot.run("renew", server=None))
    assert_private(renewed, target)
    assert certbot.cert_versions(one) == ["cert1.pem", "cert2.pem"]
    assert certbot.cert_versions(two) == ["cert1.pem", "cert2.pem"]

    shown = require_success(certbot.run("show_account"))
    assert_private(shown, target)

    # The email gate holds for the private account: no consent, nothing sent (exit 2).
    refused = certbot.run("update_account", "-m", "new@example.org")
    assert refused.returncode == 2, refused.describe()
    assert refused.requests == [], refused.describe()
    consented = require_success(
        certbot.run("update_account", "-m", "new@example.org", "--privacy-share-email")
    )
    assert_private(consented, target)
    contacts = [(r.jws() or {}).get("payload", {}) for r in consented.requests]
    assert {"contact": ["mailto:new@example.org"]} in contacts, consented.describe()

    if target.ari:
        again = require_success(certbot.run("reconfigure", "--cert-name", one))
        assert_private(again, target)

    revoked = require_success(certbot.run("revoke", "--cert-name", one, "--no-delete-after-revoke"))
    assert_private(revoked, target)
    assert "/revoke-cert" in paths(revoked.requests), revoked.describe()
    by_path = require_success(
        certbot.run(
            "revoke",
            "--cert-path",
            str(certbot.config_dir / "live" / two / "cert.pem"),
            "--no-delete-after-revoke",
        )
    )
    assert_private(by_path, target)

    for name in (one, two):
        deleted = require_success(certbot.run("delete", "--cert-name", name))
        assert deleted.requests == [], deleted.describe()
        assert_no_outside(deleted)

    unregistered = require_success(certbot.run("unregister"))
    assert_private(unregistered, target)
    assert _account_dirs(certbot) == []
    assert_log_sound(_log(certbot))


def test_switch_off_is_explicit_and_recorded(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """switch off: recorded in the log, status exit 1, renew goes out unprivate; on again."""
    name = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(name), "--cert-name", name))
    [account] = _account_dirs(certbot)
    assert json.loads((account / "certbot-privacy.json").read_text())["privacy_minimal"] is True
    assert _status(certbot)[0] == 0

    cursor = LogCursor(_log(certbot))
    off = _privacy(certbot, "switch", "off", "--all", "--config-dir", str(certbot.config_dir))
    assert off.returncode == 0, off.stderr
    notices = _notices(cursor.new_records(), "privacy_off")
    assert sorted(n["scope"] for n in notices) == ["account", "lineage"], notices
    assert all(n["by"] == "certbot-privacy switch" for n in notices)
    code, status = _status(certbot)
    assert code == 1
    assert "switched off" in status["lineages"][0]["reason"]

    if not target.ari:
        certbot.renew_before_expiry(name)
    cursor = LogCursor(_log(certbot))
    public = require_success(certbot.run("renew", server=None))
    acme = [r for r in public.requests if r.role == "acme"]
    full = f"CertbotACMEClient/{target.certbot_version} (certbot;"
    assert acme and all((r.user_agent or "").startswith(full) for r in acme), public.describe()
    assert cursor.new_records() == [], "a run out of privacy mode wrote to the log"
    # what a DPO reads says so: the log does not hold that renewal
    said = _privacy(certbot, "report", "--format", "json", str(_log(certbot)))
    assert said.returncode == 0, said.stderr
    coverage = json.loads(said.stdout)["coverage"]
    assert sorted((scope, n) for scope, n, _ in coverage["switched_off"]) == [
        ("account", account.name),
        ("lineage", name),
    ]
    assert any(
        f"certificate {name}" in s and "is not in this log" in s for s in coverage["sentences"]
    ), coverage["sentences"]

    on = _privacy(certbot, "switch", "on", "--all", "--config-dir", str(certbot.config_dir))
    assert on.returncode == 0, on.stderr
    assert _status(certbot)[0] == 0
    said = _privacy(certbot, "report", "--format", "json", str(_log(certbot)))
    assert json.loads(said.stdout)["coverage"]["switched_off"] == []  # on again: the last
    private = require_success(certbot.run("renew", "--force-renewal", server=None))
    assert_private(private, target)


def test_status_and_switch_usage_errors(certbot: CertbotRunner) -> None:
    """Unknown names and a missing directory are usage errors (exit 2), nothing changed."""
    missing = _privacy(certbot, "status", "--config-dir", str(certbot.base / "nowhere"))
    assert missing.returncode == 2 and "not a directory" in missing.stderr
    unknown = _privacy(
        certbot, "switch", "on", "--cert-name", "nope", "--config-dir", str(certbot.config_dir)
    )
    assert unknown.returncode == 2 and "no certificate named nope" in unknown.stderr
    nothing = _privacy(certbot, "switch", "on", "--config-dir", str(certbot.config_dir))
    assert nothing.returncode == 2


def test_private_state_survives_an_upgrade_from_2_1_to_5(
    tls: TestCA, acme: AcmeStack, tmp_path: Path
) -> None:
    """Lineage and account made private by Debian's 2.1.0 stay private under certbot 5.x."""
    targets = {}
    for name in ("debian", "pypi"):
        targets[name] = certbot_target(name, target_specs())
    old = CertbotRunner(targets["debian"], acme.proxy, tls, tmp_path / "machine")
    domain = old.domain()
    require_success(old.run(*old.certonly_args(domain), "--cert-name", domain))
    new = CertbotRunner(targets["pypi"], acme.proxy, tls, tmp_path / "machine")
    assert _status(new)[0] == 0
    renewed = require_success(new.run("renew", "--force-renewal", server=None))
    assert_private(renewed, new.target)
    assert "privacy_minimal = True" in new.renewal_conf(domain).read_text(encoding="utf-8")
    shown = require_success(new.run("show_account"))
    assert_private(shown, new.target)
    assert _status(new)[0] == 0
