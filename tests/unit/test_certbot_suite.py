"""Certbot's own tests, shipped in its wheel, pass with the plugin installed (issue 21.8).

Certbot's tests hand certbot ``MagicMock`` configurations; the plugin reads its options
strictly (only a real ``True`` is on), so a mock is "privacy mode off" and certbot goes
on as if the plugin were not there. Run in a subprocess: the plugin's hooks stay
installed in a process once certbot parsed a command line.
"""

import os
import subprocess
import sys
from pathlib import Path

import certbot
import pytest

#: Where certbot's wheel ships its tests (certbot >= 2.x on PyPI; Debian's package does not).
TESTS = Path(certbot.__file__).parent / "_internal" / "tests"

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("test", ["test_no_network_if_no_autorenew"])
def test_certbot_renewal_test_passes_with_the_plugin(tmp_path: Path, test: str) -> None:
    """renewal_test with a MagicMock config: no privacy mode, no network, certbot's pass."""
    renewal_test = TESTS / "renewal_test.py"
    if not renewal_test.is_file():
        pytest.skip(f"this certbot ({certbot.__version__}) ships no {renewal_test}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.helpers.parsed_renew",
            "-c",
            os.devnull,
            "--rootdir",
            str(TESTS),
            f"{renewal_test}::RenewalTest::{test}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    assert "1 passed" in completed.stdout, completed.stdout
