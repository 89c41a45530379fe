"""The sdist and the wheel build offline and carry what they must, and nothing else."""

import importlib
import re
import subprocess
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import List, Set

import pytest
from packaging_support import REPO, Built, setup_py_entry_points, wheel_entry_points

import certbot_privacy

pytestmark = pytest.mark.packaging

#: Files every source archive must have, beside every tracked file in SHIPPED_TREES.
REQUIRED_IN_SDIST = (
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "MANIFEST.in",
    "setup.py",
    "pyproject.toml",
    "docs/conf.py",
    "docs/index.rst",
    "docs/_generated/requests.rst",
    "docs/certbot-privacy.1",
    "certbot_privacy/_internal/log/record-1.json",
    "certbot_privacy/_internal/rules/cas.json",
    "certbot_privacy/_internal/rules/cas.schema.json",
    "tests/data/ca-sources/README.md",
    "certbot_privacy/_internal/rules/locale/zh_CN/LC_MESSAGES/certbot-privacy.po",
    "certbot_privacy/_internal/rules/locale/zh_CN/LC_MESSAGES/certbot-privacy.mo",
    "certbot_privacy/py.typed",
    "scripts/gen_request_tables.py",
)
#: Trees whose tracked files all go into the sdist.
SHIPPED_TREES = (
    "certbot_privacy",
    "harness",
    "packaging",
    "docs",
    "tests",
    "scripts",
    "benchmarks",
    "snap",
)
#: What no archive may contain.
JUNK = re.compile(
    r"(^|/)(__pycache__|\.venv[^/]*|\.git|\.hypothesis|\.mypy_cache|"
    r"\.pytest_cache|_build|build|dist|[^/]+\.egg-info)(/|$)|\.py[cod]$"
)

#: What the plugin may require at run time: certbot and what certbot itself depends on.
CERTBOT_BRINGS = {"certbot", "acme", "josepy", "cryptography", "requests"}


def _sdist_names(built: Built) -> List[str]:
    with tarfile.open(built.sdist) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
    top = f"certbot-privacy-{certbot_privacy.__version__}/"
    assert all(n.startswith(top) for n in names), names[:5]
    return [n[len(top) :] for n in names]


def _wheel_names(built: Built) -> List[str]:
    with zipfile.ZipFile(built.wheel) as archive:
        return archive.namelist()


def _wheel_text(built: Built, suffix: str) -> str:
    with zipfile.ZipFile(built.wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode("utf-8")


def _tracked(trees: tuple[str, ...]) -> Set[str]:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: cannot list the tracked files")
    out = subprocess.run(
        ["git", "ls-files", "--", *trees], cwd=REPO, capture_output=True, text=True, check=True
    )
    return {
        line
        for line in out.stdout.splitlines()
        if line and (REPO / line).is_file() and not JUNK.search(line)
    }


def test_sdist_carries_docs_tests_licence_changelog_and_man_page(built: Built) -> None:
    """The sdist has LICENSE, CHANGELOG, README, the man page, docs, tests, scripts, data."""
    names = set(_sdist_names(built))
    missing = [n for n in REQUIRED_IN_SDIST if n not in names]
    assert not missing, f"not in the sdist: {missing}"


def test_sdist_carries_every_tracked_file_of_the_shipped_trees(built: Built) -> None:
    """Every tracked top-level file, and every one under the shipped trees, is in it."""
    top_level = {n for n in _tracked((".",)) if "/" not in n and n != ".gitignore"}
    missing = sorted((_tracked(SHIPPED_TREES) | top_level) - set(_sdist_names(built)))
    assert not missing, f"tracked but not in the sdist (fix MANIFEST.in): {missing}"


def test_archives_hold_no_junk(built: Built) -> None:
    """No bytecode, caches, virtual environments, build trees or VCS data in either archive."""
    sdist = [
        n for n in _sdist_names(built) if not n.startswith("certbot_privacy.egg-info/")
    ]  # the sdist's own metadata
    junk = [n for n in sdist + _wheel_names(built) if JUNK.search(n)]
    assert not junk, junk


def test_wheel_holds_the_package_and_its_data(built: Built) -> None:
    """The wheel has every module of the sdist, the schema, translations, py.typed; no tests."""
    names = set(_wheel_names(built))
    modules = {
        n for n in _sdist_names(built) if n.startswith("certbot_privacy/") and n.endswith(".py")
    }
    plugin_module = setup_py_entry_points()["certbot.plugins"]["privacy"].split(":")[0]
    assert f"{plugin_module.replace('.', '/')}.py" in modules
    data = {
        "certbot_privacy/_internal/log/record-1.json",
        "certbot_privacy/_internal/rules/cas.json",
        "certbot_privacy/_internal/rules/cas.schema.json",
        "certbot_privacy/py.typed",
        "certbot_privacy/_internal/rules/locale/zh_CN/LC_MESSAGES/certbot-privacy.mo",
    }
    assert not (modules | data) - names, sorted((modules | data) - names)
    assert not [n for n in names if n.startswith(("tests/", "docs/", "scripts/"))]


def test_wheel_declares_both_entry_points(built: Built) -> None:
    """The wheel declares setup.py's 'privacy' plugin and 'certbot-privacy' script; both load."""
    declared = setup_py_entry_points()
    assert wheel_entry_points(built.wheel) == declared
    assert set(declared["certbot.plugins"]) == {"privacy"}
    assert set(declared["console_scripts"]) == {"certbot-privacy"}
    for group in ("certbot.plugins", "console_scripts"):
        (value,) = declared[group].values()
        module, _, attr = value.partition(":")
        assert callable(getattr(importlib.import_module(module), attr)), value


def test_wheel_requires_only_what_certbot_brings(built: Built) -> None:
    """Runtime requirements: certbot >= 2.1.0 and at most what it brings; no extras.

    Certbot 2.1.0 parses every plugin's Requires-Dist markers on every run, so an extra
    (a marker per line) costs every certbot run: there must be none.
    """
    metadata = HeaderParser().parsestr(_wheel_text(built, ".dist-info/METADATA"))
    requires = metadata.get_all("Requires-Dist") or []
    assert not metadata.get_all("Provides-Extra"), metadata.get_all("Provides-Extra")
    assert not [r for r in requires if ";" in r], requires
    runtime = {r.replace(" ", "") for r in requires}
    assert "certbot>=2.1.0" in runtime, runtime
    names = {re.split(r"[<>=!~;\[]", r, maxsplit=1)[0].lower() for r in runtime}
    assert names <= CERTBOT_BRINGS, names - CERTBOT_BRINGS


def test_version_lives_in_one_place(built: Built) -> None:
    """Both archives carry certbot_privacy.__version__, and setup.py does not repeat it."""
    version = certbot_privacy.__version__
    metadata = HeaderParser().parsestr(_wheel_text(built, ".dist-info/METADATA"))
    assert metadata["Version"] == version
    assert built.sdist.name == f"certbot-privacy-{version}.tar.gz"
    assert built.wheel.name == f"certbot_privacy-{version}-py3-none-any.whl"
    assert version not in (REPO / "setup.py").read_text(encoding="utf-8")
    assignments = [
        p
        for p in (REPO / "certbot_privacy").rglob("*.py")
        if re.search(r"^__version__ =", p.read_text(encoding="utf-8"), re.M)
    ]
    assert assignments == [REPO / "certbot_privacy" / "__init__.py"]


def test_sdist_man_page_is_the_checked_in_one(built: Built) -> None:
    """The man page in the sdist is byte for byte the one in docs/ (none is built on the fly)."""
    top = f"certbot-privacy-{certbot_privacy.__version__}"
    with tarfile.open(built.sdist) as archive:
        member = archive.extractfile(f"{top}/docs/certbot-privacy.1")
        assert member is not None
        shipped = member.read()
    assert shipped == Path(REPO / "docs" / "certbot-privacy.1").read_bytes()
