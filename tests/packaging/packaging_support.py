"""Helpers shared by the packaging tests and their fixtures (see ``conftest.py``)."""

import ast
import configparser
import contextlib
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import harness as harness  # noqa: E402 (after the path is set; re-exported for the tests)
from tests.helpers.prerequisites import missing as missing  # noqa: E402 (re-exported)

#: Seconds each packaging step took, printed by conftest's pytest_terminal_summary.
TIMINGS: Dict[str, float] = {}

#: What a clean copy of the checkout leaves out: local environments, caches, builds.
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "*.pyc",
    "build",
    "dist",
    "*.egg-info",
    "_build",
    ".demo",
)

#: An environment in which any attempt to use the network fails fast.
_NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
OFFLINE = {
    "PIP_NO_INDEX": "1",
    "HTTP_PROXY": _NOWHERE,
    "HTTPS_PROXY": _NOWHERE,
    "http_proxy": _NOWHERE,
    "https_proxy": _NOWHERE,
    "NO_PROXY": "",
    "no_proxy": "",
}


#: One word of a command line: text, or a path (turned into text).
Arg = Union[str, "os.PathLike[str]"]


def _kill_session(pid: int) -> None:
    """Kill every process of the session *pid* leads (gone already: nothing to do)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run(
    command: Sequence[Arg],
    *,
    step: Optional[str] = None,
    cwd: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300,
    check: bool = True,
) -> "subprocess.CompletedProcess[str]":
    """Run *command*; time it as *step*; with *check*, fail with its output if it fails.

    The command runs in a session of its own: after *timeout* seconds the whole session
    is killed, grandchildren included (``subprocess.run`` kills only the child, then waits
    for ever on a pipe a stuck grandchild, such as the build's pytest, keeps open), and
    the test fails with what it printed.
    """
    started = time.monotonic()
    argv = [os.fspath(part) for part in command]
    with subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_session(child.pid)
            stdout, stderr = child.communicate(timeout=30)
            raise AssertionError(
                f"{' '.join(argv)} did not end within {timeout:g} s (killed, with every "
                f"process it started)\n--- stdout\n{stdout[-3000:]}\n--- stderr\n"
                f"{stderr[-3000:]}"
            ) from None
        finally:
            if child.poll() is None:
                _kill_session(child.pid)
    completed = subprocess.CompletedProcess(argv, child.returncode, stdout, stderr)
    if step is not None:
        TIMINGS[step] = TIMINGS.get(step, 0.0) + time.monotonic() - started
    if check and completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} -> exit {completed.returncode}\n"
            f"--- stdout\n{completed.stdout[-3000:]}\n"
            f"--- stderr\n{completed.stderr[-3000:]}"
        )
    return completed


def clean_env(**extra: str) -> Dict[str, str]:
    """The test process's environment without what points at a venv or this checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


#: A PATH with Debian's own tools first (dpkg-buildpackage, /usr/bin/python3): a Python
#: earlier on the developer's PATH (pyenv, a venv) must not build or run the package.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

#: The SOURCE_DATE_EPOCH the packaging tests build with (2026-01-01T00:00:00Z): archives
#: built from the same files with it are identical (tests/packaging/test_reproducible.py).
SOURCE_DATE_EPOCH = "1767225600"


@dataclass(frozen=True)
class Built:
    """The two archives of one build."""

    sdist: Path
    wheel: Path


def unpack_sdist(sdist: Path, into: Path) -> Path:
    """Unpack *sdist* under *into*; return its top directory."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.9.17+, 3.11.4+
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - older Pythons: our own archive, just built
            archive.extractall(into)
    (top,) = into.iterdir()
    return top


def build_archives(source: Path, dist: Path, *, label: str = "") -> Built:
    """Build the sdist in *source* and the wheel from the unpacked sdist, offline, into *dist*.

    Both with :data:`SOURCE_DATE_EPOCH`; *label* names the timing steps of a second build.
    """
    env = clean_env(SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, **OFFLINE)
    run(
        [sys.executable, "setup.py", "-q", "sdist", "-d", dist],
        step=f"sdist{label}",
        cwd=source,
        env=env,
    )
    (sdist,) = dist.glob("*.tar.gz")
    unpacked = unpack_sdist(sdist, dist.parent / f"unpacked{label.replace(' ', '-')}")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            dist,
            ".",
        ],
        step=f"wheel (from the sdist){label}",
        cwd=unpacked,
        env=env,
    )
    (wheel,) = dist.glob("*.whl")
    return Built(sdist, wheel)


def setup_py_entry_points() -> Dict[str, Dict[str, str]]:
    """The entry points setup.py defines (the one place they are written): group -> name -> value.

    Read from the ``entry_points=`` argument of its ``setup()`` call, without running it.
    """
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    (value,) = [
        keyword.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup"
        for keyword in node.keywords
        if keyword.arg == "entry_points"
    ]
    groups: Dict[str, List[str]] = ast.literal_eval(value)
    found: Dict[str, Dict[str, str]] = {}
    for group, entries in groups.items():
        for entry in entries:
            name, _, target = entry.partition("=")
            found.setdefault(group, {})[name.strip()] = target.strip()
    return found


def wheel_entry_points(wheel: Path) -> Dict[str, Dict[str, str]]:
    """The wheel's entry points: group -> name -> ``module:attr`` (setup.py defines them)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(name).decode("utf-8")
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {group: dict(parser[group]) for group in parser.sections()}


def documented_logrotate_snippet() -> str:
    """The logrotate configuration that docs/rotation.rst shows, as text.

    The page either shows a module docstring's literal block (``docstring-literal``, with
    the line it starts with) or includes a file (``literalinclude``); either way this is
    what admins are told to install, so the Debian package must ship the same.
    """
    page = (REPO / "docs" / "rotation.rst").read_text(encoding="utf-8")
    include = re.search(r"^\.\. literalinclude:: (\S+)", page, re.M)
    if include:
        return (REPO / "docs" / include.group(1)).resolve().read_text(encoding="utf-8")
    directive = re.search(r"^\.\. docstring-literal:: (\S+)\n\s+:startswith: (.+)$", page, re.M)
    assert directive, "docs/rotation.rst shows no logrotate snippet this test can find"
    doc = importlib.import_module(directive.group(1)).__doc__ or ""
    lines = doc.splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.strip() == directive.group(2)]
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        block.append(line)
    while not block[-1].strip():
        block.pop()
    return textwrap.dedent("\n".join(block)) + "\n"


@dataclass(frozen=True)
class Install:
    """A virtual environment with the wheel installed."""

    name: str
    root: Path
    python: Path
    certbot: Path
    tool: Path  #: bin/certbot-privacy

    def holds(self, path: str) -> bool:
        """Whether *path* is inside this environment."""
        return Path(path).resolve().is_relative_to(self.root.resolve())


#: Paths (first segment) every issuance sends to Pebble, a first one with "dir".
ISSUANCE_PATHS = {"nonce-plz", "order-plz", "finalize-order", "certZ"}


def assert_sent_privately(
    result: harness.CertbotResult, target: harness.CertbotTarget, paths: "set[str]"
) -> None:
    """The run reached Pebble at *paths* (and nothing beyond loopback), every request with
    the minimal User-Agent."""
    story = result.describe()
    assert result.outside == [], story
    assert {r.path.split("/")[1] for r in result.requests} >= paths, story
    assert {r.user_agent for r in result.requests} == {target.minimal_user_agent}, story


def certbot_dirs(base: Path) -> List[str]:
    """``--config-dir``/``--work-dir``/``--logs-dir`` under *base*, for runs off the stack."""
    return [
        "--config-dir",
        str(base / "config"),
        "--work-dir",
        str(base / "work"),
        "--logs-dir",
        str(base / "logs"),
    ]


@dataclass(frozen=True)
class DebBuild:
    """One ``dpkg-buildpackage -b`` of the sdist: the package, the .changes and the log."""

    deb: Path
    changes: Path
    log: str


def build_deb(
    sdist: Path, base: Path, *, nocheck: bool = False, step: str = "Debian package"
) -> DebBuild:
    """Build ``python3-certbot-privacy`` as a packager would, from *sdist*, under *base*.

    Unpack the sdist, copy its ``packaging/debian`` to ``debian/``, ``dpkg-buildpackage
    -us -uc -b`` with Debian's tools and Python first on PATH (the unit tests run unless
    *nocheck*). A missing tool or build dependency skips (fails in CI).
    """
    if shutil.which("dpkg-buildpackage", path=SYSTEM_PATH) is None:
        missing("dpkg-buildpackage is not installed (run scripts/bootstrap)")
    source = unpack_sdist(sdist, base)
    shutil.copytree(source / "packaging" / "debian", source / "debian")
    env = clean_env(PATH=SYSTEM_PATH, LC_ALL="C.UTF-8")
    if nocheck:
        env["DEB_BUILD_OPTIONS"] = "nocheck"
    deps = run(["dpkg-checkbuilddeps"], cwd=source, env=env, check=False)
    if deps.returncode != 0:
        missing(f"build dependencies are missing (run scripts/bootstrap): {deps.stderr}")
    result = run(
        ["dpkg-buildpackage", "-us", "-uc", "-b"], step=step, cwd=source, env=env, timeout=900
    )
    (deb,) = base.glob("python3-certbot-privacy_*_all.deb")
    (changes,) = base.glob("certbot-privacy_*.changes")
    return DebBuild(deb, changes, result.stdout + result.stderr)
