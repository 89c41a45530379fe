"""``certbot-privacy export``: documents built from the logs (GDPR Art. 30 record)."""

import argparse
from datetime import datetime, timezone
from typing import Tuple

from certbot_privacy.audit import art30, formats, source, times
from certbot_privacy.audit.commands import _options
from certbot_privacy.audit.summarise import summarise
from certbot_privacy.errors import EXIT_OK

NAME = "export"
HELP = "a GDPR Article 30 record of processing activities"
READS_LOGS = True

DESCRIPTION = """\
Write a GDPR Article 30 record of processing activities for certbot: controller,
purposes, categories of data subjects and personal data, recipients (with who they are
and where, from certbot-privacy's list of CAs), transfers to third countries, the CAs'
stated retention (quoted, with sources) and security measures, built from the log.
Details only the controller knows come from the options below; what is missing is
marked for completion."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``export``'s options."""
    _options.logs(parser)
    parser.add_argument(
        "--art30",
        action="store_true",
        required=True,
        help="export the Article 30 record (required: the only export)",
    )
    parser.add_argument(
        "--format",
        choices=formats.names("art30"),
        default="markdown",
        help="markdown (the default) or json",
    )
    _options.time_filters(parser)
    parser.add_argument(
        "--controller-name", metavar="NAME", help="the controller's name (Art. 30(1)(a))"
    )
    parser.add_argument(
        "--controller-contact", metavar="TEXT", help="the controller's contact details"
    )
    parser.add_argument(
        "--controller-address", metavar="TEXT", help="the controller's postal address"
    )
    parser.add_argument(
        "--representative",
        metavar="TEXT",
        help="the controller's representative in the EU (Art. 27), if any",
    )
    parser.add_argument(
        "--dpo", metavar="TEXT", help="the data protection officer's name and contact details"
    )
    parser.add_argument(
        "--purpose",
        action="append",
        default=[],
        metavar="TEXT",
        help="a purpose of the processing, replacing the default ones; repeatable",
    )
    parser.add_argument(
        "--log-retention",
        metavar="TEXT",
        help="how long the disclosure logs themselves are kept (e.g. '24 months, rotated monthly')",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Summarise the logs and write the Art. 30 record."""
    summary = summarise(source.read(args.logs), _options.filters(args, parser))
    controller = art30.Controller(
        name=args.controller_name,
        contact=args.controller_contact,
        address=args.controller_address,
        representative=args.representative,
        dpo=args.dpo,
    )
    record = art30.build(
        summary,
        controller,
        generated=times.format_utc(datetime.now(timezone.utc)),
        purposes=tuple(args.purpose),
        log_retention=args.log_retention,
    )
    return EXIT_OK, formats.art30_renderer(args.format)(record)
