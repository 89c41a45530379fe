"""``certbot-privacy verify``: are the logs intact (hash chain, records)?"""

import argparse
import json
import os
from typing import Optional, Tuple

from certbot_privacy._internal.audit import formats, parallel, sealcheck, source
from certbot_privacy._internal.audit.commands import _options
from certbot_privacy._internal.audit.formats import text
from certbot_privacy._internal.errors import (
    EXIT_FAILED,
    EXIT_OK,
    DisclosureLogError,
    InputError,
    UsageError,
)
from certbot_privacy._internal.log import seal, state

NAME = "verify"
HELP = "check that logs are intact (hash chain, records)"
READS_LOGS = True

DESCRIPTION = """\
Check each file's hash chain, line by line. Exit 0 if every file is intact, 1 if not,
naming the first bad line (FILE:LINE) and what is wrong with it: edited, removed,
inserted, reordered, duplicated, not-a-record, bad-seq or unreadable; across the rotated
files of one log (each new file names the one it follows), missing-file, duplicated-file
or reordered-file. A last line cut
short by a crash (no newline, not JSON) is not tampering: it is reported as a notice and
the exit status stays 0.

What is checked: every line's bytes against the next line's hash. By default a line the
chain vouches for, in the writer's exact form, is not parsed; only the lines no later
line vouches for (each file's last, and around any break) are parsed and checked as
schema 1 records. The output says how many records were checked each way. --thorough
parses and checks every line (a writer's bug, or a chain recomputed after an edit,
breaks no link).

Fleets: a directory may hold one directory of logs per host; journalctl -o json output
and rsyslog files with the --privacy-syslog mirror are read as each host's copy. Journal
entries count only where journald's trusted fields show the certbot process wrote them
(_UID root or --journal-uid, _COMM or _EXE certbot or python); the others are listed as
rejected. syslog copies are unauthenticated (any sender can write them). Each host's copy
is followed on its own: two different records at one place in the chain (a fork: one was
rewritten and mirrored again), or a record that follows the one before it in seq but not
in the chain (altered; lost messages leave a gap in seq instead), fail the check (exit 1),
with every version shown. The host's files are compared with it: records of the copy
missing from the files, or different in them, fail the check (exit 1). The head
digest printed for each file is what the next record would chain to: compare it with a
copy kept elsewhere to detect records cut off the end, which no chain shows by itself.

Forward-secure seals (certbot-privacy seal setup): --verify-key KEY checks every seal of
one host's log and names the records no seal proves (after the last seal, around a seal
that does not verify, sealed only late) and seals that are missing, redone with a later
key or that go back in time; exit 1 if any. With --config-dir, the host's sealing state
is read too, so that seals cut off the end of the log are found."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``verify``'s options."""
    _options.logs(parser)
    parser.add_argument(
        "--format",
        choices=formats.names("verify"),
        default="text",
        help="text (one entry per file, wrapped to the terminal; the default) or json",
    )
    parser.add_argument(
        "--thorough",
        action="store_true",
        help="parse and check every line as a record, not only those the "
        "chain cannot vouch for (each file's last line, and wherever "
        "the chain breaks); slower; for logs whose writer is in doubt",
    )
    parser.add_argument(
        "--verify-key",
        metavar="KEY",
        help="the verification key seal setup printed: also check the log's forward-secure "
        "seals (one host's log)",
    )
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        help="with --verify-key: the host's certbot configuration directory, whose sealing "
        "state shows seals missing from the end of the log",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Verify the logs; exit 0 if every file is intact, 1 if not."""
    if args.config_dir and not args.verify_key:
        parser.error("--config-dir needs --verify-key")
    try:
        initial = seal.decode_verify_key(args.verify_key) if args.verify_key else None
    except InputError as error:
        raise UsageError(str(error)) from None
    report = parallel.verify_logs(args.logs, thorough=args.thorough, trust=_options.trust(args))
    code = EXIT_OK if report.intact else EXIT_FAILED
    output = formats.verify_renderer(args.format)(report)
    if initial is None:
        return code, output
    hosts = {host for _, host in source.files(args.logs)}
    if len(hosts) > 1:
        raise UsageError(
            "--verify-key checks the seals of one host's log, and these logs are of "
            f"{len(hosts)} hosts: name one host's log or directory"
        )
    sealed = sealcheck.check(source.read(args.logs), initial, _host_epoch(initial, args.config_dir))
    if not sealed.intact:
        code = EXIT_FAILED
    if args.format == "json":
        document = json.loads(output)
        document["seals"] = sealcheck.as_json(sealed)
        document["intact"] = document["intact"] and sealed.intact
        return code, json.dumps(document, indent=2, ensure_ascii=True) + "\n"
    return code, output + "\n".join(text.fit(sealcheck.render_text(sealed))) + "\n"


def _host_epoch(initial: bytes, config_dir: Optional[str]) -> Optional[int]:
    """The epoch of the host's sealing state in *config_dir*, checked against the key."""
    if not config_dir:
        return None
    path = os.path.join(state.directory(config_dir), state.SEAL)
    try:
        current = state.read(path)
    except DisclosureLogError as error:
        raise UsageError(str(error)) from None
    if current is None:
        raise UsageError(f"--config-dir: there is no sealing state at {path}")
    try:
        return sealcheck.state_epoch(initial, current)
    except ValueError as error:
        raise UsageError(f"--config-dir: {error}") from None
