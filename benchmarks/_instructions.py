"""Counting the instructions a command executes, with valgrind's callgrind.

Instruction counts do not change with the machine's load (the machine is shared), so they
are the figure to trust for ratios of a few percent. They still vary a little from run to
run with Python's string hashing (dict layouts, and so the garbage collector's work): each
side of a comparison gets the same ``PYTHONHASHSEED`` in a round, and the rounds use
different seeds, so that the median is not one seed's accident.
"""

import os
import re
import shutil
import subprocess
import tempfile
from typing import Dict, List, Optional, Sequence


def available() -> bool:
    """Whether valgrind is installed (``apt-get install valgrind``)."""
    return shutil.which("valgrind") is not None


def count(
    argv: Sequence[str],
    *,
    seed: int,
    env: Optional[Dict[str, str]] = None,
    cwd: Optional[str] = None,
    timeout: float = 1800,
) -> int:
    """The instructions *argv* executes (it must exit 0), with ``PYTHONHASHSEED`` *seed*."""
    environment = dict(os.environ if env is None else env, PYTHONHASHSEED=str(seed))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            capture_output=True,
            text=True,
            env=environment,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    match = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or match is None:
        raise RuntimeError(f"{argv[0]} under callgrind failed:\n{run.stderr[-3000:]}")
    return int(match.group(1))


def ratios(a: List[int], b: List[int]) -> List[float]:
    """The per-round ratios a/b (same seed in each round)."""
    return [x / y for x, y in zip(a, b)]
