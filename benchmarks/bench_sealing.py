"""Sealing's share of a private certonly's instructions (valgrind callgrind, load-independent).

For each certbot twin with the plugin (``_venvs.py``), in fresh directories against a local
Pebble (an account registered first, untimed), one ``certbot certonly --privacy-minimal
--key-type ecdsa`` of a new name is run under callgrind twice: once with sealing set up
(``certbot-privacy seal setup`` on its config dir: the run ends with a seal record, the
key evolves, the head is recorded) and once without (the head is still recorded); and a
plain certonly (no ``--privacy-minimal``) in the twin without the plugin. It prints the
counts, sealing's cost (sealed - unsealed, and its share of the sealed run) and the
ratio sealed / no plugin: everything on against no plugin (the issuance target, with
everything on, is <= 1.03).

With ``--micro`` it counts instead, in one Python process each (the least of three), 20
appends and the end of the run (``close``) to a log without a state directory, with one
(the head is checked and recorded), and with sealing set up: the writer's own cost.

    .venv/bin/python benchmarks/bench_sealing.py [--rounds N] [--only PyPI|Debian] [--micro]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _venvs import twins  # noqa: E402

import harness  # noqa: E402 (after the path is set)
from certbot_privacy._internal.audit import cli  # noqa: E402


def _instructions(runner: harness.CertbotRunner, args: List[str], out: Path) -> int:
    python = runner.target.certbot.read_text().split("\n", 1)[0][2:]
    argv = [python, *runner.argv(*args)]
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
        capture_output=True,
        text=True,
        env=runner.environment(),
        cwd=runner.base,
        check=False,
        timeout=1800,
    )
    match = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or match is None:
        raise RuntimeError(
            f"certbot under callgrind failed ({run.returncode}):\n{run.stderr[-3000:]}"
        )
    return int(match.group(1))


_MICRO = """
import os, sys, tempfile
from certbot_privacy._internal.log import records, seal, state
from certbot_privacy._internal.log.writer import DisclosureLog
mode = sys.argv[1]
base = tempfile.mkdtemp()
state_dir = os.path.join(base, "config", "certbot-privacy")
path = os.path.join(base, "logs", "disclosure.jsonl")
os.makedirs(os.path.dirname(state_dir))
if mode == "sealed":
    state.write(os.path.join(state_dir, state.SEAL), {"format": state.SEAL_FORMAT, "log": path,
        "epoch": 0, "key": (b"k" * seal.KEY_BYTES).hex(), "last_mac": None})
log = DisclosureLog(path, state_dir=None if mode == "none" else state_dir)
for n in range(20):
    log.append(records.request_record(method="POST", url=f"https://ca.example/r/{n}",
        headers={"User-Agent": "UA/1"}, body=b"{}", recipient="https://ca.example/dir",
        when=1_800_000_000.0))
log.close()
"""


def micro() -> None:
    """Print the writer's instructions for 20 appends and close, per mode (callgrind)."""
    counts = {}
    with tempfile.TemporaryDirectory(prefix="bench-sealing-micro-") as tmp:
        for mode in ("none", "head", "sealed"):
            found = []
            for attempt in range(3):  # the least of three: the rest is start-up noise
                out = Path(tmp) / f"{mode}-{attempt}.out"
                run = subprocess.run(
                    [
                        "valgrind",
                        "--tool=callgrind",
                        f"--callgrind-out-file={out}",
                        sys.executable,
                        "-c",
                        _MICRO,
                        mode,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=REPO,
                    env={**os.environ, "PYTHONHASHSEED": "0"},
                )
                match = re.search(r"Collected : (\d+)", run.stderr)
                assert match is not None, run.stderr[-2000:]
                found.append(int(match.group(1)))
            counts[mode] = min(found)
    print(
        f"writer, 20 appends and close: no state {counts['none'] / 1e6:.2f} M; head kept "
        f"{(counts['head'] - counts['none']) / 1e3:+.0f} K; sealed "
        f"{(counts['sealed'] - counts['none']) / 1e3:+.0f} K instructions"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="", help="PyPI or Debian: only that certbot")
    parser.add_argument("--micro", action="store_true", help="count the writer's own cost only")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        return
    if args.micro:
        micro()
        return
    with tempfile.TemporaryDirectory(prefix="bench-sealing-") as tmp:
        work = Path(tmp)
        tls = harness.make_test_ca(work / "tls")
        with harness.AcmeStack.start(work / "pebble", tls) as stack:
            for twin in twins():
                if args.only and args.only not in twin.label:
                    continue
                target = harness.load_target("with", twin.with_plugin)
                ratios, counts = [], []
                for round_ in range(args.rounds):
                    pair = []
                    for sealed in (True, False, None):
                        base = work / f"{twin.label}-{round_}-{sealed}".replace(" ", "_")
                        bare = harness.load_target("without", twin.without)
                        runner = harness.CertbotRunner(
                            bare if sealed is None else target, stack.proxy, tls, base
                        )
                        register = ["register", "--agree-tos", "--register-unsafely-without-email"]
                        private = [] if sealed is None else ["--privacy-minimal"]
                        harness.require_success(runner.run(*register, *private))
                        if sealed:
                            with open(os.devnull, "w") as sink:
                                stdout, sys.stdout = sys.stdout, sink
                                try:
                                    code = cli.main(
                                        [
                                            "seal",
                                            "setup",
                                            "--config-dir",
                                            str(runner.config_dir),
                                            "--log",
                                            str(runner.logs_dir / "disclosure.jsonl"),
                                        ]
                                    )
                                finally:
                                    sys.stdout = stdout
                            assert code == 0
                        certonly = [
                            *runner.certonly_args(runner.domain(), privacy=sealed is not None),
                            "--key-type",
                            "ecdsa",
                        ]
                        pair.append(_instructions(runner, certonly, base / "callgrind.out"))
                        if sealed:
                            log = (runner.logs_dir / "disclosure.jsonl").read_bytes()
                            assert log.splitlines()[-1].find(b'"event":"seal"') > 0, "no seal"
                    counts.append(pair)
                    ratios.append(pair[0] / pair[1])
                sealed_n = statistics.median(c[0] for c in counts)
                plain_n = statistics.median(c[1] for c in counts)
                bare_n = statistics.median(c[2] for c in counts)
                cost = sealed_n - plain_n
                print(
                    f"{twin.label:24} private certonly: sealed {sealed_n / 1e6:9.1f} M  "
                    f"unsealed {plain_n / 1e6:9.1f} M  no plugin {bare_n / 1e6:9.1f} M\n"
                    f"{'':24} sealing costs {cost / 1e3:+.0f} K instructions "
                    f"({cost / sealed_n:+.4%} of the sealed run; per round: "
                    f"{', '.join(f'{r:.5f}' for r in ratios)}); sealed / no plugin "
                    f"{sealed_n / bare_n:.4f} (target <= 1.03)"
                )


if __name__ == "__main__":
    main()
