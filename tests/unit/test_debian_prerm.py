"""The Debian package's prerm: on removal it says what changes, from what /etc/letsencrypt holds.

Run as dpkg runs it (``sh prerm remove``), with ``LETSENCRYPT_DIR`` pointing at a
directory of the test's: the lineages set to renew privately are counted, privacy options
in cli.ini (which make every certbot run fail once the plugin is gone) are named, and an
upgrade says nothing. ``tests/e2e/test_plugin_removed.py`` checks the sentence about
renewals against real runs; ``tests/packaging/test_debian.py`` sees it from apt-get.
"""

import os
import subprocess
from pathlib import Path

import pytest

PRERM = (
    Path(__file__).resolve().parents[2] / "packaging" / "debian" / "python3-certbot-privacy.prerm"
)


def _prerm(etc: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        ["sh", str(PRERM), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(os.environ, LETSENCRYPT_DIR=str(etc)),
    )


def _lineage(etc: Path, name: str, private: bool) -> None:
    (etc / "renewal").mkdir(parents=True, exist_ok=True)
    flag = "privacy_minimal = True\n" if private else ""
    (etc / "renewal" / f"{name}.conf").write_text(
        f"version = 2.1.0\n[renewalparams]\nauthenticator = webroot\n{flag}", encoding="utf-8"
    )


def test_remove_counts_the_private_lineages_and_names_cli_ini(tmp_path: Path) -> None:
    """Two private lineages of three, privacy-minimal in cli.ini: both said, exit 0."""
    _lineage(tmp_path, "a.example.org", True)
    _lineage(tmp_path, "b.example.org", True)
    _lineage(tmp_path, "c.example.org", False)
    (tmp_path / "cli.ini").write_text("privacy-minimal = true\n", encoding="utf-8")
    done = _prerm(tmp_path, "remove")
    assert (done.returncode, done.stdout) == (0, "")
    assert "removing the plugin turns certbot's privacy mode off" in done.stderr
    assert f"2 certificate(s) in {tmp_path}/renewal/ were set to renew privately" in done.stderr
    assert "full User-Agent" in done.stderr
    assert f"{tmp_path}/cli.ini sets privacy-* options" in done.stderr
    assert '"unrecognized arguments"' in done.stderr


def test_remove_on_a_machine_without_private_lineages_says_only_the_general_part(
    tmp_path: Path,
) -> None:
    """No renewal conf, no cli.ini: the general sentence, no count, no cli.ini line."""
    done = _prerm(tmp_path, "remove")
    assert done.returncode == 0
    assert "privacy mode off" in done.stderr
    assert "certificate(s)" not in done.stderr and "cli.ini" not in done.stderr


@pytest.mark.parametrize("action", ["upgrade", "deconfigure", "failed-upgrade"])
def test_other_actions_say_nothing(tmp_path: Path, action: str) -> None:
    """An upgrade (or dpkg's other prerm calls) keeps the plugin: nothing to say."""
    _lineage(tmp_path, "a.example.org", True)
    done = _prerm(tmp_path, action, "0.1.0")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
