"""``certbot-privacy cas``: what certbot-privacy knows about each CA, with its sources."""

import argparse
from typing import Tuple

from certbot_privacy._internal.audit import formats
from certbot_privacy._internal.errors import EXIT_OK

NAME = "cas"
HELP = "what is known about each CA (operator, documents, statements with sources)"
READS_LOGS = False

DESCRIPTION = """\
Show what certbot-privacy knows about each ACME certificate authority, the facts its
consent notice is built from: directory URLs, operator and country, privacy policy and
terms of service, where privacy requests go, and each statement about contact addresses
(use, retention, forwarding, deletion) with its kind (the source's own words, or our
description of an observed practice), its source's address and date, the date it was
checked, and whether it is verified. For admins deciding, and for data-protection
officers filling in a record of processing activities. No log is read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``cas``'s options."""
    parser.add_argument(
        "--format",
        choices=formats.names("cas"),
        default="text",
        help="text (the default) or json (the facts file as shipped, valid against its "
        "JSON Schema, rules/cas.schema.json in the package)",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Render the CA facts shipped in the package."""
    from certbot_privacy._internal.rules import facts_file

    return EXIT_OK, formats.cas_renderer(args.format)(facts_file.facts())
