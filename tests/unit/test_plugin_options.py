"""Privacy options as certbot parses them: checked before anything could be sent.

These run certbot's real argument parser in-process (the plugin is installed in the test
environment), so the parse hook runs exactly as in a certbot process.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, List

import pytest
from certbot._internal import cli
from certbot._internal.plugins import disco

from certbot_privacy._internal.adapter import mode
from certbot_privacy._internal.adapter.state import RUN
from harness import target_specs
from tests.helpers.prerequisites import certbot_target

#: certbot finds the plugin through its entry point: the package must be installed here.
pytestmark = pytest.mark.usefixtures("plugin_installed")


@pytest.fixture(autouse=True)
def _mode_off() -> Iterator[None]:
    yield
    mode.switch_off()


def _parse(tmp_path: Path, *args: str) -> Any:
    dirs = [
        "--config-dir",
        str(tmp_path / "c"),
        "--work-dir",
        str(tmp_path / "w"),
        "--logs-dir",
        str(tmp_path / "l"),
        "--server",
        "https://127.0.0.1:1/dir",
    ]
    return cli.prepare_and_parse_args(disco.PluginsRegistry.find_all(), [*args, *dirs])


def _usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        _parse(tmp_path, *args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one sentence, no traceback
    return err


def test_privacy_mode_switches_on_at_parse_time(tmp_path: Path) -> None:
    """--privacy-minimal sets the minimal User-Agent policy before any request."""
    config = _parse(tmp_path, "certonly", "--privacy-minimal", "-n", "-d", "a.example")
    policy = RUN.policy
    assert policy is not None and policy.user_agent.startswith("CertbotACMEClient/")
    assert config.eff_email is False
    assert config.register_unsafely_without_email is True


def test_mode_off_leaves_requests_alone(tmp_path: Path) -> None:
    """Without the flag nothing is switched on and certbot's options are untouched."""
    config = _parse(tmp_path, "certonly", "-n", "-d", "a.example")
    assert RUN.policy is None
    assert config.eff_email is None


def test_explicit_eff_email_is_kept(tmp_path: Path) -> None:
    """--eff-email is an explicit opt-in and survives privacy mode."""
    config = _parse(
        tmp_path,
        "certonly",
        "--privacy-minimal",
        "-n",
        "--eff-email",
        "-m",
        "a@example.org",
        "--privacy-share-email",
        "-d",
        "a.example",
    )
    assert config.eff_email is True


def test_email_without_consent_flag_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-n --email without --privacy-share-email stops with exit 2."""
    err = _usage_error(
        tmp_path,
        capsys,
        "certonly",
        "--privacy-minimal",
        "-n",
        "-m",
        "a@example.org",
        "-d",
        "a.example",
    )
    assert "--privacy-share-email" in err
    assert RUN.policy is None


@pytest.mark.parametrize(
    "contact", ["a@example.org,b@example.org", "mailto:a@example.org?subject=hi", "not-an-email"]
)
def test_bad_contacts_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], contact: str
) -> None:
    """A second contact, mailto: extras or a malformed address: exit 2."""
    _usage_error(
        tmp_path,
        capsys,
        "register",
        "--privacy-minimal",
        "-n",
        "--privacy-share-email",
        "-m",
        contact,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["certonly", "--privacy-log", "/tmp/x.jsonl", "-d", "a.example"],
            "--privacy-log only takes effect in privacy mode",
        ),
        (
            ["certonly", "--privacy-share-email", "-d", "a.example"],
            "--privacy-share-email only takes effect in privacy mode",
        ),
        (
            ["certonly", "--privacy-minimal", "--privacy-withdraw-email", "-d", "a.example"],
            "--privacy-withdraw-email works with update_account only",
        ),
        (
            ["update_account", "--privacy-minimal", "--privacy-withdraw-email", "-m", "a@b.org"],
            "--privacy-withdraw-email removes the contact, and --email sets one",
        ),
        (
            ["update_account", "--privacy-minimal", "--register-unsafely-without-email"],
            "as a side effect of --register-unsafely-without-email",
        ),
        (
            ["certonly", "--privacy-minimal", "--user-agent", "", "-d", "a.example"],
            "--user-agent",
        ),
    ],
)
def test_conflicting_options_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: List[str], message: str
) -> None:
    """Options that cannot work together stop with their own sentence and exit 2."""
    assert message in _usage_error(tmp_path, capsys, "-n", *args)


def test_log_path_that_is_a_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--privacy-log naming a directory stops before anything is sent."""
    err = _usage_error(
        tmp_path,
        capsys,
        "certonly",
        "--privacy-minimal",
        "-n",
        "--privacy-log",
        str(tmp_path),
        "-d",
        "a.example",
    )
    assert str(tmp_path) in err


def test_renew_accepts_log_options_without_the_mode(tmp_path: Path) -> None:
    """On renew, --privacy-log applies to the lineages that are private."""
    _parse(tmp_path, "renew", "--privacy-log", str(tmp_path / "d.jsonl"))
    assert RUN.policy is None


def test_withdrawal_sends_no_email(tmp_path: Path) -> None:
    """--privacy-withdraw-email makes update_account send an empty contact list."""
    config = _parse(
        tmp_path, "update_account", "--privacy-minimal", "-n", "--privacy-withdraw-email"
    )
    assert config.email is None and config.register_unsafely_without_email is True


def test_plugin_is_listed_but_never_offered_as_authenticator_or_installer() -> None:
    """`certbot plugins` shows it; the authenticator and installer menus never do."""
    from certbot import interfaces

    visible = disco.PluginsRegistry.find_all().visible()
    assert "privacy" in visible
    assert "privacy" not in visible.ifaces((interfaces.Authenticator,))
    assert "privacy" not in visible.ifaces((interfaces.Installer,))


def test_renew_is_not_stopped_by_an_email_in_cli_ini(tmp_path: Path) -> None:
    """A distro timer's `renew` with email = ... in cli.ini still runs (it sends no email)."""
    config = _parse(tmp_path, "renew", "--privacy-minimal", "-n", "-m", "a@example.org")
    assert RUN.policy is not None
    assert config.email == "a@example.org"


@pytest.mark.parametrize("flag", ["--privacy-share-email", "--privacy-share", "--privacy-sh"])
def test_share_email_typed_for_this_run_is_consent(tmp_path: Path, flag: str) -> None:
    """--privacy-share-email (or an abbreviation argparse accepts) on the command line counts."""
    config = _parse(tmp_path, "register", "--privacy-minimal", "-n", "-m", "a@example.org", flag)
    assert config.privacy_share_email is True


@pytest.mark.parametrize("how", ["-n", "-q"])
def test_update_account_without_a_terminal_needs_email_and_consent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """update_account -n/-q without --email: exit 2 before anything, nothing is asked."""
    err = _usage_error(tmp_path, capsys, "update_account", "--privacy-minimal", how)
    assert "--email ADDRESS --privacy-share-email" in err
    assert RUN.policy is None


@pytest.mark.parametrize("name", sorted(target_specs()))
def test_help_privacy_names_the_audit_tool_commands(tmp_path: Path, name: str) -> None:
    """`certbot --help privacy` (5.x and Debian's 2.1.0) points at status, switch and report."""
    target = certbot_target(name, target_specs())
    dirs = [f"--{d}-dir={tmp_path / d}" for d in ("config", "work", "logs")]
    completed = subprocess.run(
        [str(target.certbot), "--help", "privacy", *dirs],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # argparse wraps at hyphens: "certbot-\n  privacy status" is one name again.
    shown = " ".join(completed.stdout.split()).replace("certbot- privacy", "certbot-privacy")
    for command in ("certbot-privacy status", "certbot-privacy switch", "certbot-privacy report"):
        assert command in shown, completed.stdout


def test_share_email_in_a_config_file_is_ignored_without_the_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """privacy-share-email = true in a cli.ini is not consent: off, one warning, no exit 2."""
    ini = tmp_path / "cli.ini"
    ini.write_text("privacy-share-email = true\n", encoding="utf-8")
    config = _parse(tmp_path, "certonly", "-c", str(ini), "-n", "-d", "a.example")
    assert config.privacy_share_email is False and RUN.policy is None
    assert [r.getMessage() for r in caplog.records if "is not consent" in r.getMessage()] == [
        mode_warning("privacy-share-email")
    ]


def test_eff_email_in_a_config_file_is_off_in_privacy_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """eff-email and privacy-share-email in a cli.ini, privacy mode on: both off, and one
    warning names both."""
    ini = tmp_path / "cli.ini"
    ini.write_text("privacy-share-email = true\neff-email = true\n", encoding="utf-8")
    config = _parse(tmp_path, "certonly", "-c", str(ini), "--privacy-minimal", "-n", "-d", "a.x")
    assert config.privacy_share_email is False and config.eff_email is False
    assert [r.getMessage() for r in caplog.records if "is not consent" in r.getMessage()] == [
        mode_warning("privacy-share-email", "eff-email")
    ]


def mode_warning(*names: str) -> str:
    from certbot_privacy._internal.rules import options

    return options.ignored_consent_warning(names)
