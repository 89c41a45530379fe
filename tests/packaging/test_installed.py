"""The wheel, installed fresh beside certbot 5.x from PyPI and beside Debian's certbot.

Each test runs against both installations (see ``conftest.py``): the entry points work
from the installed wheel (not from this checkout), and a real ``certbot certonly
--privacy-minimal`` against Pebble sends only the minimal User-Agent and leaves a log
that ``certbot-privacy verify`` accepts.
"""

import json
from pathlib import Path

import pytest
from packaging_support import (
    ISSUANCE_PATHS,
    Install,
    assert_sent_privately,
    certbot_dirs,
    clean_env,
    harness,
    run,
)

import certbot_privacy

pytestmark = pytest.mark.packaging


def test_package_is_imported_from_the_installed_wheel(install: Install, tmp_path: Path) -> None:
    """The environment imports certbot_privacy from its own site-packages, at our version."""
    probe = run(
        [
            install.python,
            "-c",
            "import certbot, certbot_privacy; "
            "print(certbot_privacy.__file__); print(certbot_privacy.__version__); "
            "print(certbot.__version__)",
        ],
        cwd=tmp_path,
        env=clean_env(),
    )
    module_file, version, certbot_version = probe.stdout.split()
    assert install.holds(module_file), module_file
    assert version == certbot_privacy.__version__
    assert (
        certbot_version.startswith("5.") if install.name == "pypi" else (certbot_version == "2.1.0")
    )


def test_certbot_plugins_lists_privacy(install: Install, tmp_path: Path) -> None:
    """``certbot plugins`` lists the plugin as ``privacy``, from its entry point."""
    result = run(
        [install.certbot, "plugins", *certbot_dirs(tmp_path)], cwd=tmp_path, env=clean_env()
    )
    assert "* privacy" in result.stdout, result.stdout
    assert "certbot_privacy._internal.adapter.plugin:PrivacyPlugin" in result.stdout


def test_certbot_help_shows_the_privacy_options(install: Install, tmp_path: Path) -> None:
    """``certbot --help privacy`` documents --privacy-minimal and the other options."""
    result = run(
        [install.certbot, "--help", "privacy", *certbot_dirs(tmp_path)],
        cwd=tmp_path,
        env=clean_env(),
    )
    for option in (
        "--privacy-minimal",
        "--privacy-log",
        "--privacy-share-email",
        "--privacy-withdraw-email",
        "--privacy-syslog",
    ):
        assert option in result.stdout, option


def test_console_script_runs(install: Install, tmp_path: Path) -> None:
    """``certbot-privacy --help`` and ``--version`` work from the installed console script."""
    help_text = run([install.tool, "--help"], cwd=tmp_path, env=clean_env()).stdout
    assert all(command in help_text for command in ("report", "verify", "export"))
    version = run([install.tool, "--version"], cwd=tmp_path, env=clean_env()).stdout
    assert version.strip() == f"certbot-privacy {certbot_privacy.__version__}"


def test_private_issuance_end_to_end(
    install: Install, acme: harness.AcmeStack, tls: harness.TestCA, tmp_path: Path
) -> None:
    """certonly --privacy-minimal from the install: minimal UA at Pebble, a log that verifies."""
    target = harness.load_target(install.name, install.certbot)
    runner = harness.CertbotRunner(target, acme.proxy, tls, tmp_path / "certbot")
    result = harness.require_success(runner.run(*runner.certonly_args(runner.domain())))

    assert_sent_privately(result, target, {"dir", "sign-me-up"} | ISSUANCE_PATHS)

    log = runner.logs_dir / "disclosure.jsonl"
    verify = run([install.tool, "verify", log], cwd=tmp_path, env=clean_env(), check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    sent = [r for r in records if r["event"] == "request"]
    assert [(r["method"], r["url"].split("/")[3]) for r in sent] == [
        (r.method, r.path.split("/")[1]) for r in result.requests
    ]
    assert {r["headers"]["User-Agent"] for r in sent} == {target.minimal_user_agent}
