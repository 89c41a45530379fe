"""In privacy mode every request reaching the CA carries only the minimal User-Agent.

Each test runs a real certbot (both targets) against Pebble and asserts on what the
recording proxy in front of Pebble received.
"""

from typing import Callable

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget, require_success

from .wire_checks import (
    assert_no_outside,
    assert_private,
    full_user_agent_pattern,
    paths,
    shape,
)

pytestmark = pytest.mark.e2e

#: The ACME resources a certonly touches, in Pebble's paths.
CERTONLY_PATHS = {
    "/dir",
    "/nonce-plz",
    "/sign-me-up",
    "/order-plz",
    "/authZ",
    "/chalZ",
    "/finalize-order",
    "/my-order",
    "/certZ",
}


def test_certonly_sends_only_the_minimal_user_agent(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """certonly --privacy-minimal: every request, from directory to download, is minimal."""
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert_private(result, target)
    assert set(paths(result.requests)) >= CERTONLY_PATHS, result.describe()


def test_mode_off_behaves_like_certbot_without_the_plugin(
    certbot_on: Callable[..., CertbotRunner], acme: AcmeStack, target: CertbotTarget
) -> None:
    """Without --privacy-minimal the installed plugin changes nothing: same requests, same UA."""
    first, second = certbot_on(acme, "with-plugin"), certbot_on(acme, "without-plugin")
    with_plugin = require_success(first.run(*first.certonly_args(first.domain(), privacy=False)))
    without = require_success(
        second.run(*second.certonly_args(second.domain(), privacy=False), without_plugin=True)
    )

    assert shape(with_plugin.requests) == shape(without.requests), (
        with_plugin.describe() + "\n\n" + without.describe()
    )
    agents = {r.user_agent for r in with_plugin.requests}
    assert agents == {r.user_agent for r in without.requests}
    (agent,) = agents
    assert agent is not None
    assert full_user_agent_pattern(target, "certonly").fullmatch(agent), agent
    assert set(paths(with_plugin.requests)) >= CERTONLY_PATHS


def test_hidden_plugin_launcher_really_hides_the_plugin(certbot: CertbotRunner) -> None:
    """The "without the plugin" baseline is real: that certbot does not know the flag."""
    result = certbot.run(*certbot.certonly_args(certbot.domain()), without_plugin=True)
    assert result.returncode == 2, result.describe()
    assert "--privacy-minimal" in result.stderr
    assert result.requests == []


def test_user_agent_option_wins_in_privacy_mode(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """--user-agent "custom/1" with --privacy-minimal: every request carries "custom/1"."""
    result = require_success(
        certbot.run(*certbot.certonly_args(certbot.domain()), "--user-agent", "custom/1")
    )
    assert_private(result, target, user_agent="custom/1")


def test_user_agent_comment_is_not_sent_in_privacy_mode(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """--user-agent-comment adds nothing to the minimal User-Agent in privacy mode."""
    result = require_success(
        certbot.run(
            *certbot.certonly_args(certbot.domain()), "--user-agent-comment", "hostname-xyz"
        )
    )
    assert_private(result, target)
    assert all("hostname-xyz" not in r.raw_text() for r in result.requests)


def test_empty_user_agent_is_a_usage_error_before_any_request(certbot: CertbotRunner) -> None:
    """--user-agent "" with --privacy-minimal: exit 2 and nothing reaches the server."""
    result = certbot.run(*certbot.certonly_args(certbot.domain()), "--user-agent", "")
    assert result.returncode == 2, result.describe()
    assert result.requests == []
    assert_no_outside(result)
    assert "User-Agent" in result.stderr


def test_config_file_turns_privacy_mode_on(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """privacy-minimal = true in a --config file works like the flag."""
    config = certbot.base / "privacy.ini"
    config.write_text("privacy-minimal = true\n", encoding="utf-8")
    result = require_success(
        certbot.run(
            "--config", str(config), *certbot.certonly_args(certbot.domain(), privacy=False)
        )
    )
    assert_private(result, target)


def test_user_cli_ini_turns_privacy_mode_on_for_every_run(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """privacy-minimal = true in the cli.ini certbot always reads makes every run private."""
    certbot.user_cli_ini.parent.mkdir(parents=True, exist_ok=True)
    certbot.user_cli_ini.write_text("privacy-minimal = true\n", encoding="utf-8")
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain(), privacy=False)))
    assert_private(result, target)


def test_privacy_mode_never_contacts_the_eff(certbot: CertbotRunner, target: CertbotTarget) -> None:
    """With an email and --privacy-minimal nothing tries to reach the EFF (or beyond)."""
    result = require_success(
        certbot.run(
            "certonly",
            "--webroot",
            "-w",
            str(certbot.webroot),
            "--agree-tos",
            "-m",
            "admin@example.org",
            "--privacy-share-email",
            "--privacy-minimal",
            "-d",
            certbot.domain(),
        )
    )
    assert_private(result, target)


def test_trap_catches_the_eff_subscription_without_privacy_mode(certbot: CertbotRunner) -> None:
    """Control: certbot's own --eff-email POST is caught by the trap, so the check is real.

    Certbot then stops with an unexpected ProxyError (exit 1, after the certificate was
    saved): it does not expect the subscription to be refused by a proxy.
    """
    result = certbot.run(
        "certonly",
        "--webroot",
        "-w",
        str(certbot.webroot),
        "--agree-tos",
        "-m",
        "admin@example.org",
        "--eff-email",
        "-d",
        certbot.domain(),
    )
    assert [(a.method, a.target) for a in result.outside] == [
        ("CONNECT", "supporters.eff.org:443")
    ], result.describe()


def test_certificates_sends_ocsp_with_the_minimal_user_agent(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """certbot certificates --privacy-minimal: its OCSP requests carry the minimal UA."""
    require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    result = require_success(certbot.run("certificates", "--privacy-minimal", server=None))
    assert_private(result, target)
    assert [r.role for r in result.requests] == ["ocsp"], result.describe()
    assert result.requests[0].header_values("Content-Type") == ["application/ocsp-request"]
