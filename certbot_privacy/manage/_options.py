"""What ``status`` and ``switch`` share: ``--config-dir``, and reading it safely."""

import argparse
import os

from certbot_privacy.confdir import reader, trust
from certbot_privacy.errors import InputError, UsageError
from certbot_privacy.manage import posture


def config_dir(parser: argparse.ArgumentParser) -> None:
    """``--config-dir``: certbot's configuration directory to read (or switch)."""
    parser.add_argument(
        "--config-dir",
        default=posture.DEFAULT_CONFIG_DIR,
        metavar="DIR",
        help=f"certbot's configuration directory (default: {posture.DEFAULT_CONFIG_DIR})",
    )


def read_config_dir(path: str) -> reader.ConfigDir:
    """Read certbot's configuration directory *path*, once it is known to be trustworthy.

    :class:`~certbot_privacy.errors.UsageError` (exit 2, nothing read or written) if it is
    not a directory, or if another user could have chosen what is in it (:mod:`.trust`).
    """
    inis = reader.default_cli_inis(os.environ)
    try:
        if not os.path.isdir(path):
            reader.read(path)  # its one sentence for "not a directory"
        trust.check_config_dir(path, inis)
        return reader.read(path, cli_inis=inis)
    except InputError as error:
        raise UsageError(str(error)) from None
