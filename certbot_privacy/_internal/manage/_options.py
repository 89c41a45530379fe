"""What ``status`` and ``switch`` share: ``--config-dir``, and reading it safely."""

import argparse
import os
from typing import Optional, Sequence

from certbot_privacy._internal.confdir import reader, trust
from certbot_privacy._internal.errors import InputError, UsageError
from certbot_privacy._internal.manage import posture


def config_dir(parser: argparse.ArgumentParser, *, as_certbot: bool = False) -> None:
    """``--config-dir``: certbot's configuration directory to read (or switch).

    *as_certbot*: without the option, ``None``, for :func:`read_config_dir` to choose the
    one certbot would (a cli.ini's ``config-dir``); else the default directory.
    """
    if as_certbot:
        parser.add_argument(
            "--config-dir",
            default=None,
            metavar="DIR",
            help="certbot's configuration directory (default: as certbot chooses it: the "
            f"config-dir of a cli.ini it reads, else {posture.DEFAULT_CONFIG_DIR})",
        )
        return
    parser.add_argument(
        "--config-dir",
        default=posture.DEFAULT_CONFIG_DIR,
        metavar="DIR",
        help=f"certbot's configuration directory (default: {posture.DEFAULT_CONFIG_DIR})",
    )


def chosen_config_dir(path: Optional[str], inis: Sequence[str]) -> str:
    """The config dir certbot uses: *path* (``--config-dir``), else a cli.ini's, else default.

    As configargparse gives it: the first cli.ini that sets ``config-dir`` wins.
    """
    if path:
        return path
    for ini in reader.read_cli_inis(inis, []):
        if ini.config_dir:
            return os.path.abspath(os.path.expanduser(ini.config_dir))
    return posture.DEFAULT_CONFIG_DIR


def read_config_dir(path: Optional[str]) -> reader.ConfigDir:
    """Read certbot's configuration directory, once it is known to be trustworthy.

    *path*: ``--config-dir``, or ``None`` for the one certbot would use. Raises
    :class:`~certbot_privacy._internal.errors.UsageError` (exit 2, nothing read or written) if it is
    not a directory, or if another user could have chosen what is in it (:mod:`.trust`).
    """
    inis = reader.default_cli_inis(os.environ)
    path = chosen_config_dir(path, inis)
    try:
        if not os.path.isdir(path):
            reader.read(path)  # its one sentence for "not a directory"
        trust.check_config_dir(path, inis)
        return reader.read(path, cli_inis=inis)
    except InputError as error:
        raise UsageError(str(error)) from None
