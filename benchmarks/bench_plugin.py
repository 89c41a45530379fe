"""What the plugin costs certbot: import cost on every run, and a whole issuance.

Measured side by side in one run, interleaved (A, B, A, B, ...) so that drift in the
machine's load hits both sides alike, and reported as the ratio of medians:

* import cost: ``certbot --version`` and ``certbot plugins`` with the plugin installed vs
  the same certbot without it, in twin environments that differ only in the plugin
  (``benchmarks/_venvs.py``, made once under ``.venv-bench/``).
* issuance: a full ``certbot certonly`` against a local Pebble with ``--privacy-minimal``
  vs without (``--issuance``), with the disclosure log written when the plugin has one.

    .venv/bin/python benchmarks/bench_plugin.py [--rounds N] [--issuance]
        [--instructions | --instructions-only] [--instruction-rounds N]

Targets: instructions executed with/without the plugin <= 1.01 (the figure to trust:
machine load cannot change it; ``--instructions``: interleaved rounds, one hash seed per
round for both sides, the median); CPU time <= 1.03; issuance ratio <= 1.05.
"""

import argparse
import functools
import os
import statistics
import subprocess
from typing import Callable, Dict, List, Sequence, Tuple

import _instructions
from _venvs import REPO, twins


def _time(argv: Sequence[str]) -> float:
    """Run *argv*; return the CPU time (user + system) the process used.

    CPU time, not wall time: what the plugin adds is work done by the certbot process,
    and CPU time is much less disturbed by whatever else the machine runs meanwhile.
    """
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, list(argv))
    return usage.ru_utime + usage.ru_stime


def side_by_side(
    run_a: Callable[[], float], run_b: Callable[[], float], rounds: int
) -> Tuple[float, float, float]:
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
    """Print the import-cost ratios for each certbot, with vs without the plugin."""
    tmp = REPO / ".venv-bench" / "dirs"
    dirs = [
        "--config-dir",
        str(tmp / "c"),
        "--work-dir",
        str(tmp / "w"),
        "--logs-dir",
        str(tmp / "l"),
    ]
    print(f"import cost: median CPU time (user+sys) over {rounds} interleaved runs")
    for twin in twins():
        for verb in (["--version"], ["plugins"]):
            ma, mb, ratio = side_by_side(
                functools.partial(_time, [str(twin.with_plugin), *verb, *dirs]),
                functools.partial(_time, [str(twin.without), *verb, *dirs]),
                rounds,
            )
            print(
                f"  {twin.label:24} certbot {' '.join(verb):10} with plugin "
                f"{ma * 1000:7.1f} ms  without {mb * 1000:7.1f} ms  ratio {ratio:.3f}"
                "   (target <= 1.03)"
            )


def bench_instructions(rounds: int) -> None:
    """Print instruction-count ratios, with vs without the plugin (machine load cannot skew
    them: the same program and input execute the same instructions, up to the hash seed).

    *rounds* rounds, interleaved (with, without; then without, with), each round one seed
    for both sides; the medians of the counts and their ratio, and each round's ratio.
    """
    if not _instructions.available():
        print("instructions: valgrind is not installed (apt-get install valgrind); skipped")
        return
    tmp = REPO / ".venv-bench" / "dirs"
    dirs = [
        "--config-dir",
        str(tmp / "c"),
        "--work-dir",
        str(tmp / "w"),
        "--logs-dir",
        str(tmp / "l"),
    ]
    print(
        f"import cost: instructions executed (valgrind callgrind), median of {rounds} "
        "interleaved rounds, one hash seed per round"
    )
    for twin in twins():
        for verb in (["--version"], ["plugins"]):
            python_with = twin.with_plugin.read_text().split("\n", 1)[0][2:]
            python_without = twin.without.read_text().split("\n", 1)[0][2:]
            sides = {
                "with": [python_with, str(twin.with_plugin), *verb, *dirs],
                "without": [python_without, str(twin.without), *verb, *dirs],
            }
            counts: Dict[str, List[int]] = {"with": [], "without": []}
            for seed in range(rounds):
                for name in ("with", "without") if seed % 2 == 0 else ("without", "with"):
                    counts[name].append(_instructions.count(sides[name], seed=seed))
            a, b = statistics.median(counts["with"]), statistics.median(counts["without"])
            per_round = ", ".join(
                f"{r:.4f}" for r in _instructions.ratios(counts["with"], counts["without"])
            )
            print(
                f"  {twin.label:24} certbot {' '.join(verb):10} with plugin {a / 1e6:8.1f} M"
                f"  without {b / 1e6:8.1f} M  ratio {a / b:.4f}   (target <= 1.01; "
                f"per round {per_round})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument(
        "--issuance",
        action="store_true",
        help="also benchmark a full certonly against a local Pebble",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind (load-independent)",
    )
    parser.add_argument(
        "--instruction-rounds",
        type=int,
        default=3,
        help="rounds of instruction counts (each about 10 s per run under valgrind)",
    )
    parser.add_argument(
        "--instructions-only", action="store_true", help="count instructions, skip CPU times"
    )
    args = parser.parse_args()
    if not args.instructions_only:
        bench_import(args.rounds)
    if args.instructions or args.instructions_only:
        bench_instructions(args.instruction_rounds)
    if args.issuance:
        from bench_issuance import bench_issuance  # needs the test harness

        bench_issuance(args.rounds)


if __name__ == "__main__":
    main()
