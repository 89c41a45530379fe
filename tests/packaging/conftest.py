"""Fixtures for the packaging tests: built archives, fresh installs, a Pebble to issue from.

* ``built``: the sdist, built with ``setup.py sdist`` from a clean copy of the checkout,
  and the wheel, built with ``pip wheel --no-deps --no-build-isolation`` from the unpacked
  sdist (so the sdist is proven to build), both with the network shut off and a fixed
  ``SOURCE_DATE_EPOCH`` (session).
* ``deb``: ``python3-certbot-privacy`` built from that sdist as a packager would
  (``packaging/debian`` copied to ``debian/``, ``dpkg-buildpackage -us -uc -b``, the unit
  tests run at build time), once per run (session).
* ``pypi_install``: a fresh virtual environment with the wheel and ``certbot>=5,<6``
  from PyPI (session).
* ``debian_install``: a fresh virtual environment on ``/usr/bin/python3`` with
  ``--system-site-packages`` (Debian's certbot 2.1.0), the wheel installed with
  ``--no-deps``, and a ``bin/certbot`` wrapper, as the installation docs describe (session).
* ``tls``, ``acme``: a test CA, and Pebble behind the e2e suite's recording proxy (session).

A missing prerequisite (no ``/usr/bin/python3`` with certbot, no Pebble, no PyPI) skips
the tests that need it, and fails them when ``CI=true``. How long each step took is
printed at the end of the run.

This directory has no ``__init__.py`` on purpose: a package named ``packaging`` would
shadow the PyPI library of that name.
"""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from packaging_support import (
    COPY_IGNORE,
    OFFLINE,
    REPO,
    TIMINGS,
    Built,
    DebBuild,
    Install,
    build_archives,
    build_deb,
    clean_env,
    harness,
    missing,
    run,
)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("build")
    source = base / "checkout"
    shutil.copytree(REPO, source, ignore=COPY_IGNORE, symlinks=True)
    return build_archives(source, base / "dist")


@pytest.fixture(scope="session")
def deb(built: Built, tmp_path_factory: pytest.TempPathFactory) -> DebBuild:
    return build_deb(
        built.sdist,
        tmp_path_factory.mktemp("deb"),
        step="Debian package (dpkg-buildpackage, unit tests at build time)",
    )


def _wrapper(root: Path) -> Path:
    """Write ``bin/certbot`` that runs certbot with this environment's Python."""
    script = root / "bin" / "certbot"
    script.write_text(
        f"#!{root / 'bin' / 'python'}\nimport sys\nfrom certbot.main import "
        "main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.fixture(scope="session")
def pypi_install(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Install:
    root = tmp_path_factory.mktemp("venv-pypi") / "venv"
    run([sys.executable, "-m", "venv", root], step="venv with certbot from PyPI", env=clean_env())
    python = root / "bin" / "python"
    completed = run(
        [python, "-m", "pip", "install", "-q", built.wheel, "certbot>=5,<6"],
        step="venv with certbot from PyPI",
        env=clean_env(),
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        missing(f"could not install certbot 5.x from PyPI:\n{completed.stderr[-2000:]}")
    return Install("pypi", root, python, root / "bin" / "certbot", root / "bin" / "certbot-privacy")


DEBIAN_PYTHON = Path("/usr/bin/python3")


@pytest.fixture(scope="session")
def debian_install(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Install:
    probe = subprocess.run(
        [str(DEBIAN_PYTHON), "-c", "import certbot, venv"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        missing(
            f"{DEBIAN_PYTHON} cannot import certbot (apt-get install python3-certbot "
            f"python3-venv): {probe.stderr.strip()}"
        )
    root = tmp_path_factory.mktemp("venv-debian") / "venv"
    step = "venv beside Debian's certbot"
    run([DEBIAN_PYTHON, "-m", "venv", "--system-site-packages", root], step=step, env=clean_env())
    python = root / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "-q", "--no-deps", built.wheel],
        step=step,
        env=clean_env(**OFFLINE),
    )
    return Install("debian", root, python, _wrapper(root), root / "bin" / "certbot-privacy")


@pytest.fixture(params=["pypi", "debian"])
def install(request: pytest.FixtureRequest) -> Install:
    """Each installation of the wheel: beside certbot 5.x from PyPI, beside Debian's."""
    result: Install = request.getfixturevalue(f"{request.param}_install")
    return result


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> harness.TestCA:
    return harness.make_test_ca(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def acme(
    tmp_path_factory: pytest.TempPathFactory, tls: harness.TestCA
) -> Iterator[harness.AcmeStack]:
    if not Path("/usr/bin/pebble").exists():
        missing("Pebble is not installed (apt-get install pebble)")
    stack = harness.AcmeStack.start(tmp_path_factory.mktemp("pebble"), tls)
    try:
        yield stack
    finally:
        stack.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("packaging timings")
        for step, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{seconds:7.1f} s  {step}")
