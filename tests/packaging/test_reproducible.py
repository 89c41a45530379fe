"""Reproducible artefacts: the same files and SOURCE_DATE_EPOCH give the same bytes.

The sdist and the wheel of ``built`` (conftest.py) are rebuilt from a second copy of the
checkout, at another path and with fresh file times; the Debian package is rebuilt from
the sdist in another directory, without the build-time tests (``nocheck``), so that
anything the tests or the path leave in the package would show.
"""

import hashlib
import shutil
import sys
import tarfile
from pathlib import Path
from typing import Dict, Tuple

import pytest
from packaging_support import (
    COPY_IGNORE,
    OFFLINE,
    REPO,
    Built,
    DebBuild,
    build_archives,
    build_deb,
    clean_env,
    run,
)

pytestmark = pytest.mark.packaging


def _fresh_copy(into: Path) -> Path:
    """A copy of the checkout whose files all have new modification times."""
    shutil.copytree(REPO, into, ignore=COPY_IGNORE, symlinks=True, copy_function=shutil.copy)
    return into


def test_sdist_and_wheel_rebuild_to_identical_bytes(built: Built, tmp_path: Path) -> None:
    """A second build elsewhere, with other file times and the same epoch: the same bytes."""
    again = build_archives(
        _fresh_copy(tmp_path / "elsewhere" / "checkout"), tmp_path / "dist", label=" (rebuild)"
    )
    assert again.sdist.name == built.sdist.name
    assert again.sdist.read_bytes() == built.sdist.read_bytes(), "the sdist differs"
    assert again.wheel.name == built.wheel.name
    assert again.wheel.read_bytes() == built.wheel.read_bytes(), "the wheel differs"


def _members(sdist: Path) -> Dict[str, Tuple[str, bool, str]]:
    """Each member: its kind, whether it is executable, and its content's digest."""
    found = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            data = archive.extractfile(member) if member.isfile() else None
            digest = hashlib.sha256(data.read()).hexdigest() if data else ""
            kind = "dir" if member.isdir() else "file" if member.isfile() else "other"
            found[member.name.rstrip("/")] = (kind, bool(member.mode & 0o100), digest)
    return found


def test_the_reproducible_sdist_holds_what_setuptools_would(built: Built, tmp_path: Path) -> None:
    """Same files, contents and executable bits as setuptools' own sdist (no epoch set)."""
    source = _fresh_copy(tmp_path / "checkout")
    run(
        [sys.executable, "setup.py", "-q", "sdist", "-d", tmp_path / "dist"],
        cwd=source,
        env=clean_env(**OFFLINE),
        step="sdist (setuptools' own archive)",
    )
    (plain,) = (tmp_path / "dist").glob("*.tar.gz")
    ours, theirs = _members(built.sdist), _members(plain)
    assert sorted(ours) == sorted(theirs)
    assert ours == theirs
    assert ours[f"{built.sdist.name[: -len('.tar.gz')]}/.ci/run"][1], "scripts stay executable"
    with tarfile.open(built.sdist) as archive:
        assert {(m.uid, m.gid, m.uname, m.gname) for m in archive.getmembers()} == {(0, 0, "", "")}


def test_the_debian_package_rebuilds_to_identical_bytes(
    deb: DebBuild, built: Built, tmp_path: Path
) -> None:
    """dpkg-buildpackage elsewhere, without the build-time tests: the same .deb, byte for byte."""
    again = build_deb(
        built.sdist, tmp_path / "elsewhere", nocheck=True, step="Debian package (rebuild, nocheck)"
    )
    assert again.deb.name == deb.deb.name
    assert again.deb.read_bytes() == deb.deb.read_bytes(), (
        "the .deb differs: compare `dpkg-deb -c` of both, then the files (diffoscope)"
    )
