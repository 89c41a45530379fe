"""The docs build with warnings as errors, and the request tables match a fresh run."""

import difflib
import html
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Dict

import pytest
from packaging_support import REPO, TIMINGS, harness, missing, run

pytestmark = pytest.mark.packaging

GENERATOR = REPO / "scripts" / "gen_request_tables.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_request_tables", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_build_with_warnings_as_errors(tmp_path: Path) -> None:
    """sphinx-build -W -n --keep-going builds every page, generated parts included."""
    if importlib.util.find_spec("sphinx") is None:
        missing(f"Sphinx is not installed for {sys.executable} (pip install sphinx)")
    out = tmp_path / "html"
    result = run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-n",
            "--keep-going",
            "-q",
            "-b",
            "html",
            REPO / "docs",
            out,
        ],
        step="docs (sphinx -W)",
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sent = (out / "what-is-sent.html").read_text(encoding="utf-8")
    assert "newAccount" in sent and "python-requests/" in sent
    consent = html.unescape((out / "consent.html").read_text(encoding="utf-8"))
    assert "Send an email address to Let's Encrypt? [y/N]" in consent
    assert "是否向 Let's Encrypt 发送邮箱地址" in consent
    assert "truncated_tail" in (out / "disclosure-log.html").read_text(encoding="utf-8")


def test_request_tables_match_a_fresh_run(tmp_path: Path) -> None:
    """docs/_generated/requests.rst is what the generator renders from a new Pebble run.

    Versions of certbot, requests and Python are compared as placeholders, so a new
    release alone does not make the file stale; any other difference does.
    """
    generator = _generator()
    targets: Dict[str, Path] = {}
    for name, path in harness.DEFAULT_TARGETS.items():
        try:
            harness.load_target(name, path)
        except harness.TargetMissing as error:
            missing(str(error))
        targets[name] = path
    if not Path("/usr/bin/pebble").exists():
        missing("Pebble is not installed (apt-get install pebble)")
    started = time.monotonic()
    fresh, _runs = generator.generate(targets, tmp_path)
    TIMINGS["request tables (both certbots, in parallel)"] = time.monotonic() - started
    current = generator.OUTPUT.read_text(encoding="utf-8")
    want, got = (generator.normalise_versions(text) for text in (current, fresh))
    if want != got:
        diff = "".join(
            list(
                difflib.unified_diff(
                    want.splitlines(keepends=True),
                    got.splitlines(keepends=True),
                    "docs/_generated/requests.rst",
                    "fresh run",
                )
            )[:300]
        )
        pytest.fail(
            "docs/_generated/requests.rst is out of date; regenerate it with "
            f".venv/bin/python scripts/gen_request_tables.py\n{diff}"
        )


def test_generator_normalises_only_versions() -> None:
    """The version placeholders hide release numbers and the OS name, nothing else."""
    normalise = _generator().normalise_versions
    old = (
        "certbot 5.8.0 (PyPI), requests 2.34.2, Python 3.11.7\n"
        "CertbotACMEClient/5.8.0 (certbot; Debian GNU/Linux 12 (bookworm)) "
        "Authenticator/webroot Installer/None (certonly; flags: n) Py/3.11.7\n"
        "Pebble 2.4.0+ds1-2+b4 (Debian's ``pebble``)"
    )
    new = (
        "certbot 5.9.1 (PyPI), requests 2.35.0, Python 3.12.1\n"
        "CertbotACMEClient/5.9.1 (certbot; Ubuntu 24.04 LTS) "
        "Authenticator/webroot Installer/None (certonly; flags: n) Py/3.12.1\n"
        "Pebble 2.5.0-1 (Debian's ``pebble``)"
    )
    assert normalise(old) == normalise(new)
    assert normalise(old) != normalise(old.replace("webroot", "standalone"))
    assert normalise("POST /sign-me-up") != normalise("POST /sign-me-up2")
