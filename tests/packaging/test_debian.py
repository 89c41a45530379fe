"""The Debian package: built from the sdist, installed beside Debian's certbot, purged.

``deb`` (conftest.py) builds ``python3-certbot-privacy`` once per run as a packager would.
The tests here check the build (lintian, the unit tests at build time, the contents),
then install it with ``apt-get install ./...deb``, run the unmodified ``/usr/bin/certbot``
(``certbot plugins``, a private issuance against Pebble), remove it (the logrotate
conffile stays) and purge it (nothing stays).

While the package is installed, the system Python imports ``certbot_privacy`` from it, and
so would every other certbot run on this machine (``.venv-debian`` sees the system's
site-packages): the ``installed`` fixture holds it for this module only and purges it
whatever happens. The tests run in file order; the last one purges.
"""

import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest
from packaging_support import (
    ISSUANCE_PATHS,
    SYSTEM_PATH,
    Built,
    DebBuild,
    assert_sent_privately,
    certbot_dirs,
    clean_env,
    documented_logrotate_snippet,
    harness,
    missing,
    run,
    wheel_entry_points,
)

import certbot_privacy

pytestmark = pytest.mark.packaging

PACKAGE = "python3-certbot-privacy"
SYSTEM_CERTBOT = Path("/usr/bin/certbot")
DIST_PACKAGES = Path("/usr/lib/python3/dist-packages")
LOGROTATE = Path("/etc/logrotate.d/certbot-privacy")
MAN_PAGE = Path("/usr/share/man/man1/certbot-privacy.1.gz")
TOOL = Path("/usr/bin/certbot-privacy")

#: lintian warnings we leave, and why (docs/packaging.rst repeats this).
ACCEPTED_LINTIAN_TAGS = {
    # Debian asks a first upload to close its "intent to package" bug; this recipe is for
    # packagers and admins who build their own package, and there is no such bug.
    "initial-upload-closes-no-bugs",
}

APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def _system_env() -> dict[str, str]:
    return clean_env(PATH=SYSTEM_PATH, DEBIAN_FRONTEND="noninteractive", LC_ALL="C.UTF-8")


def _dpkg_status() -> str:
    """The package's dpkg status (``install ok installed``, ...), or ``""`` if unknown."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status}", PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    known = status.returncode == 0 and not status.stdout.endswith("not-installed")
    return status.stdout.strip() if known else ""


def _leftover_files() -> List[str]:
    """The package's files still on the system (byte-compiled ones included)."""
    found = [str(p) for p in DIST_PACKAGES.glob("certbot_privacy*")]
    return found + [str(p) for p in (TOOL, MAN_PAGE, LOGROTATE) if p.exists()]


def _dpkg_files() -> List[str]:
    """The files (not directories) dpkg lists for the package; none once it is purged."""
    listed = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        return []
    return [line for line in listed.stdout.splitlines() if not Path(line).is_dir()]


def _purge() -> None:
    if _dpkg_status():
        run([*APT, "purge", PACKAGE], step="Debian package: purge", env=_system_env(), timeout=600)


def test_lintian_finds_no_errors(deb: DebBuild) -> None:
    """lintian reports no error on the .deb and the build, and no warning we did not accept."""
    if subprocess.run(["which", "lintian"], capture_output=True, check=False).returncode:
        missing("lintian is not installed (run scripts/bootstrap)")
    result = run(
        ["lintian", "--pedantic", deb.deb, deb.changes],
        step="lintian",
        env=_system_env(),
        check=False,
    )
    tags = re.findall(r"^([EWIP]): \S+: (\S+)", result.stdout, re.M)
    errors = [tag for level, tag in tags if level == "E"]
    assert not errors, result.stdout
    warnings = {tag for level, tag in tags if level == "W"}
    assert warnings <= ACCEPTED_LINTIAN_TAGS, result.stdout


def test_the_build_ran_the_unit_tests(deb: DebBuild) -> None:
    """dpkg-buildpackage ran the unit tests from the sdist with Debian's pytest; all passed."""
    # pytest adds "(0:01:23)" after a run of a minute or more.
    summary = re.findall(r"^=+ (.*) in [\d.]+s(?: \([\d:]+\))? =+$", deb.log, re.M)
    assert summary, deb.log[-3000:]
    counts = dict((word, int(n)) for n, word in re.findall(r"(\d+) (\w+)", summary[-1]))
    assert counts.get("passed", 0) > 100, summary
    assert not {"failed", "error", "errors"} & set(counts), summary


def _unpacked(deb: DebBuild, into: Path) -> Path:
    """The package's files and control files (in ``DEBIAN/``) under *into*."""
    run(["dpkg-deb", "-R", deb.deb, into])
    return into


def test_the_package_holds_the_plugin_the_tool_the_man_page_and_logrotate(
    deb: DebBuild, built: Built, tmp_path: Path
) -> None:
    """Contents: the wheel's package files and entry points, the tool, man page, logrotate."""
    root = _unpacked(deb, tmp_path / "deb")
    paths = {"/" + p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    dist_info = f"{DIST_PACKAGES}/certbot_privacy-{certbot_privacy.__version__}.dist-info"
    for path in (f"{dist_info}/entry_points.txt", str(TOOL), str(MAN_PAGE), str(LOGROTATE)):
        assert path in paths, f"{path} not in the package: {sorted(paths)}"
    # Every module and data file of the wheel (schema, translations, py.typed).
    with zipfile.ZipFile(built.wheel) as wheel:
        package = {
            f"{DIST_PACKAGES}/{n}" for n in wheel.namelist() if n.startswith("certbot_privacy/")
        }
    assert f"{DIST_PACKAGES}/certbot_privacy/py.typed" in package
    assert package <= paths, sorted(package - paths)
    junk = [
        p
        for p in paths
        if re.search(r"/(tests|\.hypothesis|\.pytest_cache|__pycache__)/|\.pyc$", p)
    ]
    assert not junk, junk

    # The entry points are setup.py's, as the wheel has them.
    shipped = (root / dist_info.lstrip("/") / "entry_points.txt").read_text(encoding="utf-8")
    for group, entries in wheel_entry_points(built.wheel).items():
        for name, value in entries.items():
            assert re.search(
                rf"^\[{re.escape(group)}\]\n(?:.+\n)*?{re.escape(name)} = "
                rf"{re.escape(value)}$",
                shipped,
                re.M,
            ), shipped
    control = (root / "DEBIAN" / "control").read_text(encoding="utf-8")
    assert re.search(r"^Depends: (.*, )?certbot(,|$)", control, re.M), control
    assert "python3-certbot (>= 2.1.0)" in control, control
    assert re.search(r"^Enhances: certbot$", control, re.M), control
    conffiles = (root / "DEBIAN" / "conffiles").read_text(encoding="utf-8").split()
    assert conffiles == [str(LOGROTATE)]


def test_the_logrotate_snippet_is_the_documented_one(deb: DebBuild, tmp_path: Path) -> None:
    """The package's /etc/logrotate.d/certbot-privacy is the snippet docs/rotation.rst shows."""
    root = _unpacked(deb, tmp_path / "deb")
    shipped = (root / str(LOGROTATE).lstrip("/")).read_text(encoding="utf-8")
    snippet = documented_logrotate_snippet()
    assert "\n/var/log/letsencrypt/disclosure.jsonl {\n" in f"\n{snippet}", snippet
    assert shipped == snippet


@dataclass(frozen=True)
class Installed:
    """The package, installed on this machine by apt for the tests of this module."""

    deb: DebBuild


@pytest.fixture(scope="module")
def installed(deb: DebBuild) -> Iterator[Installed]:
    """``apt-get install ./...deb``; purged at the end of the module, whatever happened."""
    if not SYSTEM_CERTBOT.exists():
        missing(f"{SYSTEM_CERTBOT} is missing (apt-get install certbot; scripts/bootstrap)")
    if (
        subprocess.run(["id", "-u"], capture_output=True, text=True, check=False).stdout.strip()
        != "0"
    ):
        missing("installing a .deb needs root")
    _purge()  # a run that was killed may have left it installed
    try:
        run(
            [*APT, "install", "--no-install-recommends", deb.deb.resolve()],
            step="Debian package: apt-get install",
            env=_system_env(),
            timeout=600,
        )
        yield Installed(deb)
    finally:
        _purge()


def test_system_python_imports_the_plugin_from_the_package(
    installed: Installed, tmp_path: Path
) -> None:
    """/usr/bin/python3 imports certbot_privacy from /usr/lib/python3/dist-packages."""
    probe = run(
        [
            "/usr/bin/python3",
            "-c",
            "import certbot_privacy as m; print(m.__file__); print(m.__version__)",
        ],
        cwd=tmp_path,
        env=_system_env(),
    )
    module_file, version = probe.stdout.split()
    assert Path(module_file).is_relative_to(DIST_PACKAGES), module_file
    assert version == certbot_privacy.__version__
    assert _dpkg_status() == "install ok installed"


def test_system_certbot_lists_the_plugin(
    installed: Installed, built: Built, tmp_path: Path
) -> None:
    """The unmodified /usr/bin/certbot lists ``privacy``, from the entry point setup.py defines."""
    result = run(
        [SYSTEM_CERTBOT, "plugins", *certbot_dirs(tmp_path)], cwd=tmp_path, env=_system_env()
    )
    ((name, value),) = wheel_entry_points(built.wheel)["certbot.plugins"].items()
    assert f"* {name}" in result.stdout, result.stdout
    assert value in result.stdout, result.stdout
    # What the unit test of the same name checks (left out at build time: no plugin yet).
    helped = run(
        [SYSTEM_CERTBOT, "--help", "privacy", *certbot_dirs(tmp_path)],
        cwd=tmp_path,
        env=_system_env(),
    )
    shown = " ".join(helped.stdout.split()).replace("certbot- privacy", "certbot-privacy")
    assert "certbot-privacy status" in shown, helped.stdout


def test_private_issuance_with_the_system_certbot(
    installed: Installed, acme: harness.AcmeStack, tls: harness.TestCA, tmp_path: Path
) -> None:
    """/usr/bin/certbot certonly --privacy-minimal: Pebble gets the minimal UA; the log verifies."""
    target = harness.load_target("debian-package", SYSTEM_CERTBOT)
    assert target.certbot_version == "2.1.0", target
    runner = harness.CertbotRunner(target, acme.proxy, tls, tmp_path / "certbot")
    result = harness.require_success(runner.run(*runner.certonly_args(runner.domain())))
    assert_sent_privately(result, target, {"dir", "sign-me-up"} | ISSUANCE_PATHS)
    story = result.describe()

    # The installed console script (the one unit test the build cannot run).
    log = runner.logs_dir / "disclosure.jsonl"
    verify = run([TOOL, "verify", log], cwd=tmp_path, env=_system_env(), check=False)
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr
    lines = log.read_bytes().splitlines(keepends=True)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"".join(lines[:1] + lines[2:]))
    bad = run([TOOL, "verify", tampered], cwd=tmp_path, env=_system_env(), check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    sent = [json.loads(line) for line in lines if json.loads(line)["event"] == "request"]
    assert len(sent) == len(result.requests), story


def test_remove_keeps_only_the_logrotate_conffile_and_purge_removes_everything(
    installed: Installed, tmp_path: Path
) -> None:
    """remove: only the conffile stays and certbot no longer lists privacy; purge: nothing."""
    assert LOGROTATE.read_text(encoding="utf-8") == documented_logrotate_snippet()
    removed = run(
        [*APT, "remove", PACKAGE], step="Debian package: remove", env=_system_env(), timeout=600
    )
    # The prerm says what removing changes (its own unit test covers the lineages counted).
    said = removed.stdout + removed.stderr  # apt-get passes the script's output on as its own
    assert "removing the plugin turns certbot's privacy mode off" in said, said
    assert _dpkg_status() == "deinstall ok config-files"
    assert _leftover_files() == [str(LOGROTATE)], "remove keeps the conffile, only it"
    assert _dpkg_files() == [str(LOGROTATE)]
    plugins = run(
        [SYSTEM_CERTBOT, "plugins", *certbot_dirs(tmp_path)], cwd=tmp_path, env=_system_env()
    )
    assert "* privacy" not in plugins.stdout, plugins.stdout

    run([*APT, "purge", PACKAGE], step="Debian package: purge", env=_system_env(), timeout=600)
    assert _dpkg_status() == ""
    assert _leftover_files() == []
    assert _dpkg_files() == []
