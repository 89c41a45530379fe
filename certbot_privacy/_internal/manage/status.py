"""``certbot-privacy status``: the privacy posture of certbot's configuration (offline)."""

import argparse
import platform
from typing import Tuple

from certbot_privacy._internal.errors import EXIT_FAILED, EXIT_OK
from certbot_privacy._internal.manage import _options, posture, render

NAME = "status"
HELP = "show which accounts and certificates are private, and how to fix the rest (offline)"
READS_LOGS = False

DESCRIPTION = """\
Read certbot's configuration directory (accounts, renewal confs) and the cli.ini files
certbot reads (as certbot reads them: with configargparse and configobj), and show, for
each ACME account, its server, creation date, the contact its local registration holds
(and so sent to the CA), a pending EFF subscription, and whether it is private; for each
certificate (lineage), its account, whether it is private, the User-Agent its next
renewal sends (naming the certbot its renewal conf names) and the disclosure log that
records it. Then, for each thing that is not private, the command that makes it so, and
whether new certificates are private (only when a cli.ini says privacy-minimal = true).
Sends nothing and imports no part of certbot. Exit 0 if every account and certificate is
private; 1 if something is not, or something cannot be read ("cannot tell"), or there
is no certbot state in DIR; 2 on a usage error, or a DIR (or a file in it) that another
user owns or can write (nothing is read then)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``status``'s options."""
    _options.config_dir(parser, as_certbot=True)
    parser.add_argument(
        "--format",
        choices=tuple(render.RENDERERS),
        default="text",
        help="text (for people, the default) or json",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Assess the configuration directory; exit 0 if everything is private, 1 if not."""
    found = _options.read_config_dir(args.config_dir)
    result = posture.assess(found, installed_software())
    code = EXIT_OK if result.all_private else EXIT_FAILED  # nothing here: exit 1 too
    return code, render.RENDERERS[args.format](result)


def installed_software() -> posture.Software:
    """The versions that build the User-Agent here, read without importing certbot."""
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    return posture.Software(
        certbot=version("certbot"),
        requests=version("requests"),
        python=platform.python_version(),
        os_name=_os_name(),
    )


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.strip().partition("=")
                if key == "PRETTY_NAME":
                    return value.strip().strip('"')
    except OSError:
        pass
    return platform.system()
