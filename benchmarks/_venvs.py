"""Twin environments for fair "with the plugin vs without" measurements.

For each certbot (the newest 5.x from PyPI, as in ``.venv``; Debian's 2.1.0 on the system
Python) two virtual environments are made under ``.venv-bench/`` that differ only in
this package being installed (``pip install --no-deps .``, as a user would install it),
so the comparison measures the plugin and nothing else. They are kept between runs.
"""

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / ".venv-bench"

_LAUNCHER = "#!{python}\nimport sys\nfrom certbot.main import main\nsys.exit(main())\n"


@dataclass(frozen=True)
class Twin:
    """One certbot, with and without the plugin."""

    label: str
    with_plugin: Path  #: the certbot command of the environment with the plugin
    without: Path


def _version(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import certbot; print(certbot.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _source_digest() -> str:
    """A digest of what ``pip install .`` installs: the package and its packaging files."""
    digest = hashlib.sha256()
    files = [*sorted((REPO / "certbot_privacy").rglob("*")), REPO / "setup.py"]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _make(venv: Path, base_python: str, system_site: bool, certbot: str, plugin: bool) -> Path:
    """Make (or reuse) one twin; the plugin is reinstalled whenever its source changed."""
    python = venv / "bin" / "python"
    launcher = venv / "bin" / "certbot-bench"
    stamp = venv / ".bench-stamp"
    wanted = f"{base_python} {system_site} {certbot} {plugin}"
    source = _source_digest() if plugin else ""
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    have = stamp.read_text().split("\n") if launcher.exists() and stamp.exists() else []
    if have[:1] == [wanted]:
        if have[1:] == [source]:
            return launcher
        if plugin:  # same certbot, new plugin source: reinstall the plugin only
            subprocess.run(
                [*pip, "--no-deps", "--no-build-isolation", "--force-reinstall", str(REPO)],
                check=True,
            )
            stamp.write_text(f"{wanted}\n{source}")
            return launcher
    args = [base_python, "-m", "venv", "--clear", str(venv)]
    if system_site:
        args.insert(3, "--system-site-packages")
    subprocess.run(args, check=True)
    if certbot:
        subprocess.run([*pip, certbot, "setuptools", "wheel"], check=True)  # both twins alike
    if plugin:
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(REPO)], check=True)
    launcher.write_text(_LAUNCHER.format(python=python))
    launcher.chmod(0o755)
    stamp.write_text(f"{wanted}\n{source}")
    return launcher


def twins() -> List[Twin]:
    """Make (or reuse) the twin environments for every certbot that is set up here."""
    found = []
    dev = REPO / ".venv" / "bin" / "python"
    if dev.exists():
        version = _version(dev)
        found.append(
            Twin(
                f"certbot {version} (PyPI)",
                _make(BENCH / "pypi-with", sys.executable, False, f"certbot=={version}", True),
                _make(BENCH / "pypi-without", sys.executable, False, f"certbot=={version}", False),
            )
        )
    if Path("/usr/lib/python3/dist-packages/certbot").exists():
        found.append(
            Twin(
                "certbot 2.1.0 (Debian)",
                _make(BENCH / "debian-with", "/usr/bin/python3", True, "", True),
                _make(BENCH / "debian-without", "/usr/bin/python3", True, "", False),
            )
        )
    return found
