"""Issue a certificate from a local Pebble with ``certbot --privacy-minimal``; show what left.

Starts Pebble (Debian's package) behind the recording proxy of the test suite on free
loopback ports, runs a real ``certbot certonly --privacy-minimal`` against it, then shows
what the server received and the disclosure report of the log certbot wrote.

    bash scripts/demo [--target pypi|debian] [--keep]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import harness  # noqa: E402 (after the path is set)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--target",
        choices=sorted(harness.DEFAULT_TARGETS),
        default="pypi",
        help="which certbot: newest 5.x from PyPI, or Debian's 2.1.0",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="certbot-privacy-demo-"))
    try:
        tls = harness.make_test_ca(work / "tls")
        with harness.AcmeStack.start(work / "pebble", tls) as stack:
            target = harness.load_target(args.target, harness.DEFAULT_TARGETS[args.target])
            runner = harness.CertbotRunner(target, stack.proxy, tls, work / "certbot")
            domain = runner.domain("demo")
            command = [
                "certonly",
                "--webroot",
                "-w",
                str(runner.webroot),
                "--agree-tos",
                "--privacy-minimal",
                "-d",
                domain,
            ]
            print(
                f"$ certbot {' '.join(command)} -n   (certbot {target.certbot_version}, "
                f"Pebble at {stack.proxy.directory_url})\n"
            )
            result = harness.require_success(runner.run(*command))
            print(result.stdout.strip())
            print(f"\nWhat the ACME server received ({len(result.requests)} requests):")
            for request in result.requests:
                print(f"  {request.request_line:60.60}  User-Agent: {request.user_agent}")
            if result.outside:
                print(f"  beyond loopback: {[a.target for a in result.outside]}")
            log = runner.logs_dir / "disclosure.jsonl"
            tool = str(REPO / ".venv" / "bin" / "certbot-privacy")
            print(f"\n$ certbot-privacy report {log}")
            sys.stdout.flush()
            subprocess.run([tool, "report", str(log)], check=True)
            print(f"\n$ certbot-privacy verify {log}")
            sys.stdout.flush()
            subprocess.run([tool, "verify", str(log)], check=True)
    finally:
        if args.keep:
            print(f"\n(kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
