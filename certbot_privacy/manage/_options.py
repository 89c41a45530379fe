"""The option that ``status`` and ``switch`` share: ``--config-dir``."""

import argparse

from certbot_privacy.manage import posture


def config_dir(parser: argparse.ArgumentParser) -> None:
    """``--config-dir``: certbot's configuration directory to read (or switch)."""
    parser.add_argument(
        "--config-dir",
        default=posture.DEFAULT_CONFIG_DIR,
        metavar="DIR",
        help=f"certbot's configuration directory (default: {posture.DEFAULT_CONFIG_DIR})",
    )
