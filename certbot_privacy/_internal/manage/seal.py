"""``certbot-privacy seal setup``: start forward-secure sealing of this host's disclosure log.

Creates the sealing state in certbot's configuration directory (``certbot-privacy/seal.json``, 0600,
root's) with a fresh initial key, and prints that key once, as the verification key for the
data-protection officer to keep off the host. From then on every certbot run in privacy mode seals
what it wrote, and the host's key evolves (:mod:`certbot_privacy._internal.log.seal`).
"""

import argparse
import os
import secrets
from typing import Tuple

from certbot_privacy._internal import log as disclosure_log
from certbot_privacy._internal.errors import EXIT_OK, UsageError
from certbot_privacy._internal.log import seal, state
from certbot_privacy._internal.manage import _options
from certbot_privacy._internal.rules.escape import printable

NAME = "seal"
HELP = "set up forward-secure sealing of the disclosure log (seal setup)"
READS_LOGS = False

DESCRIPTION = """\
seal setup creates the sealing state for this host's disclosure log in certbot's
configuration directory (certbot-privacy/seal.json, 0600) and prints a verification key,
once. Keep it off this host (the data-protection officer's password manager, paper): with
it, certbot-privacy verify --verify-key KEY proves which records were sealed before the
host was compromised. Each certbot run in privacy mode then ends with a seal record (an
HMAC under the current epoch's key over the chain head), and the host's key evolves, the
old one overwritten: whoever takes the host later learns only the current key and cannot
forge an earlier seal. Refuses to replace an existing sealing state."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``seal``'s options."""
    parser.add_argument("action", choices=("setup",), help="set up sealing on this host")
    _options.config_dir(parser)
    parser.add_argument(
        "--log",
        default=disclosure_log.DEFAULT_PATH,
        metavar="PATH",
        help="the disclosure log to seal, as certbot writes it (default: "
        f"{disclosure_log.DEFAULT_PATH}; give --privacy-log's path if you set one)",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Create the sealing state and return the verification key's text; exit 0."""
    if not os.path.isdir(args.config_dir):
        raise UsageError(
            f"{args.config_dir} is not a directory: give certbot's configuration directory "
            "with --config-dir"
        )
    directory = state.directory(args.config_dir)
    path = os.path.join(directory, state.SEAL)
    if os.path.lexists(path):
        raise UsageError(
            f"sealing is already set up ({path} exists); its verification key was printed "
            "when it was set up and cannot be shown again. To start again with a new key, "
            "move that file aside (its seals then verify only with the old key)"
        )
    initial = secrets.token_bytes(seal.KEY_BYTES)
    log_path = os.path.abspath(os.path.expanduser(args.log))
    state.write(
        path,
        {
            "format": state.SEAL_FORMAT,
            "log": log_path,
            "epoch": 0,
            "key": initial.hex(),
            "last_mac": None,
            "last_time": None,
            "last_seq": None,
            "file_id": None,
        },
    )
    return EXIT_OK, "\n".join(
        [
            f"Sealing is set up for {printable(log_path)} (state: {printable(path)}).",
            "Verification key (shown only now; keep it off this host):",
            "",
            f"    {seal.encode_verify_key(initial)}",
            "",
            "Each certbot run in privacy mode now ends with a seal. Check them with:",
            f"    certbot-privacy verify --verify-key KEY {printable(log_path)}",
        ]
    )
