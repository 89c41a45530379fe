"""Helpers shared by the packaging tests and their fixtures (see ``conftest.py``)."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import harness as harness  # noqa: E402 (after the path is set; re-exported for the tests)

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


def missing(reason: str) -> None:
    """Skip the test for a missing prerequisite, or fail it in CI."""
    if harness.in_ci():
        pytest.fail(f"{reason} (CI=true: every prerequisite must be present)")
    pytest.skip(reason)


#: One word of a command line: text, or a path (turned into text).
Arg = Union[str, "os.PathLike[str]"]


def run(
    command: Sequence[Arg],
    *,
    step: Optional[str] = None,
    cwd: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300,
    check: bool = True,
) -> "subprocess.CompletedProcess[str]":
    """Run *command*; time it as *step*; with *check*, fail with its output if it fails."""
    started = time.monotonic()
    completed = subprocess.run(
        [os.fspath(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
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


@dataclass(frozen=True)
class Built:
    """The two archives of one build."""

    sdist: Path
    wheel: Path


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
