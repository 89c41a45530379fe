"""What the plugin costs certbot: import cost on every run, and a whole issuance.

Measured side by side in one run, interleaved (A, B, A, B, ...) so that drift in the
machine's load hits both sides alike, and reported as the ratio of medians:

* import cost: ``certbot --version`` and ``certbot plugins`` with the plugin installed vs
  the same certbot without it. For certbot 5.x from PyPI the "without" side is a venv with
  the same certbot version and no plugin (made once, in ``.venv-bench-noplugin``); for
  Debian's 2.1.0 it is ``/usr/bin/certbot`` beside ``.venv-debian`` (the same files).
* issuance: a full ``certbot certonly`` against a local Pebble with ``--privacy-minimal``
  vs without (``--issuance``), with the disclosure log written when the plugin has one.

    .venv/bin/python benchmarks/bench_plugin.py [--rounds N] [--issuance]

Targets from the issue: import ratio <= 1.03, issuance ratio <= 1.05.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
NOPLUGIN = REPO / ".venv-bench-noplugin"


def _certbot_version(python: str) -> str:
    return subprocess.run([python, "-c", "import certbot; print(certbot.__version__)"],
                          check=True, capture_output=True, text=True).stdout.strip()


def _ensure_noplugin_venv(version: str) -> Path:
    certbot = NOPLUGIN / "bin" / "certbot"
    if certbot.exists() and _certbot_version(str(NOPLUGIN / "bin" / "python")) == version:
        return certbot
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(NOPLUGIN)], check=True)
    subprocess.run([str(NOPLUGIN / "bin" / "pip"), "install", "-q", f"certbot=={version}"],
                   check=True)
    return certbot


def _time(argv: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def side_by_side(run_a: Callable[[], float], run_b: Callable[[], float],
                 rounds: int) -> Tuple[float, float, float]:
    """Run A and B alternately; return (median A, median B, median A / median B)."""
    run_a()
    run_b()  # warm the page cache for both before measuring
    a: List[float] = []
    b: List[float] = []
    for i in range(rounds):
        if i % 2:
            b.append(run_b())
            a.append(run_a())
        else:
            a.append(run_a())
            b.append(run_b())
    ma, mb = statistics.median(a), statistics.median(b)
    return ma, mb, ma / mb


def bench_import(rounds: int) -> None:
    """Print the import-cost ratios for both certbot versions that are set up."""
    tmp = REPO / ".venv-bench-noplugin-dirs"
    dirs = ["--config-dir", str(tmp / "c"), "--work-dir", str(tmp / "w"),
            "--logs-dir", str(tmp / "l")]
    pairs = []
    with_5 = REPO / ".venv" / "bin" / "certbot"
    if with_5.exists():
        version = _certbot_version(str(REPO / ".venv" / "bin" / "python"))
        pairs.append((f"certbot {version} (PyPI)", str(with_5),
                      str(_ensure_noplugin_venv(version))))
    with_2 = REPO / ".venv-debian" / "bin" / "certbot"
    if with_2.exists() and Path("/usr/bin/certbot").exists():
        pairs.append(("certbot 2.1.0 (Debian)", str(with_2), "/usr/bin/certbot"))
    print(f"import cost: median wall time over {rounds} interleaved runs")
    for label, with_plugin, without in pairs:
        for verb in (["--version"], ["plugins"]):
            ma, mb, ratio = side_by_side(lambda w=with_plugin, v=verb: _time([w, *v, *dirs]),
                                         lambda w=without, v=verb: _time([w, *v, *dirs]),
                                         rounds)
            print(f"  {label:24} certbot {' '.join(verb):10} with plugin {ma * 1000:7.1f} ms"
                  f"  without {mb * 1000:7.1f} ms  ratio {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--issuance", action="store_true",
                        help="also benchmark a full certonly against a local Pebble")
    args = parser.parse_args()
    bench_import(args.rounds)
    if args.issuance:
        from bench_issuance import bench_issuance  # needs the test harness

        bench_issuance(args.rounds)


if __name__ == "__main__":
    main()
