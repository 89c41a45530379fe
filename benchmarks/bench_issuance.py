"""A whole issuance against a local Pebble: privacy mode (which writes the log) vs not.

Each round runs, in fresh directories (an account is registered first, untimed: the RSA
key generation of a registration varies by hundreds of milliseconds), a ``certbot
certonly --key-type ecdsa`` of a new name three ways, interleaved so that machine drift
hits all alike:

* ``privacy``: ``--privacy-minimal`` (minimal User-Agent, consent gate, every record
  written and fsync-ed to the disclosure log before its request leaves);
* ``plain``: the same certbot, plugin installed, privacy mode off;
* ``no-plugin``: the same certbot without this package (twin environments that differ
  only in the plugin, see ``_venvs.py``).

It prints the median CPU time (user + system) of the certbot process, which is what the
plugin adds to, and the ratios privacy/plain (target <= 1.03) and privacy/no-plugin (the
log's cost, target <= 1.03); and the same for wall time, which also holds certbot's polling
sleeps, whose timing against Pebble varies from run to run (target <= 1.05).

With ``--instructions`` it counts instead the instructions the certbot process executes
(valgrind callgrind: the machine's load cannot change them, so this is the figure issue 18's
target is set in), the three sides interleaved in each round with one hash seed per round
(``_instructions.py``), and prints the medians, the ratios and each round's privacy/plain.

    .venv/bin/python benchmarks/bench_issuance.py [--rounds N] [--only PyPI|Debian]
        [--instructions]
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import _instructions  # noqa: E402
from _venvs import twins  # noqa: E402

import harness  # noqa: E402 (after the path is set)


def bench_issuance(rounds: int, only: str = "", instructions: bool = False) -> None:
    """Print median issuance times (or instruction counts) and ratios for each certbot (or
    those matching *only*)."""
    with tempfile.TemporaryDirectory(prefix="bench-issuance-") as tmp:
        work = Path(tmp)
        tls = harness.make_test_ca(work / "tls")
        with harness.AcmeStack.start(work / "pebble", tls) as stack:
            for index, twin in enumerate(twins()):
                if only and only not in twin.label:
                    continue
                with_plugin = harness.load_target("with", twin.with_plugin)
                without = harness.load_target("without", twin.without)
                bench = _bench_instructions if instructions else _bench
                bench(stack, tls, twin.label, with_plugin, without, work / str(index), rounds)


def _registered(
    stack: harness.AcmeStack,
    tls: harness.TestCA,
    target: harness.CertbotTarget,
    privacy: bool,
    base: Path,
) -> Tuple[harness.CertbotRunner, List[str]]:
    """A runner in *base* whose account is registered (not measured: its RSA key generation
    takes anywhere from 50 to 500 ms of CPU, noise that would drown what is measured), and
    the arguments of the certonly that is."""
    runner = harness.CertbotRunner(target, stack.proxy, tls, base)
    register = ["register", "--agree-tos", "--register-unsafely-without-email"]
    harness.require_success(runner.run(*register, *(["--privacy-minimal"] if privacy else [])))
    args = [*runner.certonly_args(runner.domain(), privacy=privacy), "--key-type", "ecdsa"]
    return runner, args


def _bench(
    stack: harness.AcmeStack,
    tls: harness.TestCA,
    label: str,
    with_plugin: harness.CertbotTarget,
    without: harness.CertbotTarget,
    base: Path,
    rounds: int,
) -> None:
    counter = iter(range(10**6))

    def issue(target: harness.CertbotTarget, privacy: bool) -> Callable[[], Tuple[float, float]]:
        def run() -> Tuple[float, float]:
            runner, args = _registered(stack, tls, target, privacy, base / str(next(counter)))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            harness.require_success(runner.run(*args))
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return wall, cpu

        return run

    sides: Dict[str, Callable[[], Tuple[float, float]]] = {
        "privacy": issue(with_plugin, True),
        "plain": issue(with_plugin, False),
        "no-plugin": issue(without, False),
    }
    times: Dict[str, List[Tuple[float, float]]] = {name: [] for name in sides}
    for run in sides.values():
        run()  # warm-up
    order = list(sides)
    for i in range(rounds):
        for name in order[i % 3 :] + order[: i % 3]:  # rotate who goes first
            times[name].append(sides[name]())
    print(
        f"{label}, {rounds} rounds, a full certonly with an ECDSA key (the account was "
        "registered beforehand, untimed):"
    )
    for kind, index, target in (("CPU time of certbot", 1, "1.03"), ("wall time", 0, "1.05")):
        medians = {
            name: statistics.median(v[index] for v in values) for name, values in times.items()
        }
        print(
            f"  median {kind}: "
            + ", ".join(f"{name} {value * 1000:.1f} ms" for name, value in medians.items())
        )
        print(
            f"    ratio privacy/plain     {medians['privacy'] / medians['plain']:.3f}"
            f"   (target <= {target})"
        )
        print(
            f"    ratio privacy/no-plugin {medians['privacy'] / medians['no-plugin']:.3f}"
            f"   (target <= {target}: the log's cost)"
        )


def _bench_instructions(
    stack: harness.AcmeStack,
    tls: harness.TestCA,
    label: str,
    with_plugin: harness.CertbotTarget,
    without: harness.CertbotTarget,
    base: Path,
    rounds: int,
) -> None:
    counter = iter(range(10**6))

    def count(target: harness.CertbotTarget, privacy: bool, seed: int) -> int:
        runner, args = _registered(stack, tls, target, privacy, base / str(next(counter)))
        python = str(target.python)
        return _instructions.count(
            [python, *runner.argv(*args)],
            seed=seed,
            env=runner.environment(),
            cwd=str(runner.base),
        )

    sides = {
        "privacy": (with_plugin, True),
        "plain": (with_plugin, False),
        "no-plugin": (without, False),
    }
    counts: Dict[str, List[int]] = {name: [] for name in sides}
    order = list(sides)
    for seed in range(rounds):
        for name in order[seed % 3 :] + order[: seed % 3]:  # rotate who goes first
            counts[name].append(count(*sides[name], seed=seed))
    medians = {name: statistics.median(values) for name, values in counts.items()}
    print(
        f"{label}, {rounds} rounds, a full certonly with an ECDSA key (the account was "
        "registered beforehand, uncounted): instructions executed by certbot (callgrind)"
    )
    print("  median: " + ", ".join(f"{n} {v / 1e6:.1f} M" for n, v in medians.items()))
    per_round = ", ".join(
        f"{r:.4f}" for r in _instructions.ratios(counts["privacy"], counts["plain"])
    )
    print(
        f"    ratio privacy/plain     {medians['privacy'] / medians['plain']:.4f}"
        f"   (target <= 1.03; per round {per_round})"
    )
    print(
        f"    ratio plain/no-plugin   {medians['plain'] / medians['no-plugin']:.4f}"
        "   (the plugin installed, privacy mode off)"
    )
    print(
        f"    ratio privacy/no-plugin {medians['privacy'] / medians['no-plugin']:.4f}"
        "   (everything on)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="", help="only the certbot whose label has this")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with valgrind instead of timing (about 30 s per run)",
    )
    args = parser.parse_args()
    if args.instructions and not _instructions.available():
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    bench_issuance(args.rounds, args.only, args.instructions)


if __name__ == "__main__":
    main()
