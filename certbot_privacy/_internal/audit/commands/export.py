"""``certbot-privacy export``: documents built from the logs (GDPR Art. 30 record, Art. 15
access and Art. 17 erasure requests)."""

import argparse
from datetime import datetime, timezone
from typing import Tuple

from certbot_privacy._internal.audit import art30, formats, letters, parallel, source, times
from certbot_privacy._internal.audit.commands import _options
from certbot_privacy._internal.errors import EXIT_OK
from certbot_privacy._internal.rules.consent import LANGUAGES

NAME = "export"
HELP = "a GDPR Article 30 record, or access and erasure requests to the CAs"
READS_LOGS = True

DESCRIPTION = """\
--art30 writes a GDPR Article 30 record of processing activities for certbot: controller,
purposes, categories of data subjects and personal data, recipients (with who they are
and where, from certbot-privacy's list of CAs), transfers to third countries, the CAs'
stated retention (quoted, with sources) and security measures, built from the log.
Details only the controller knows come from the options below; what is missing is
marked for completion.

--access-request (GDPR Art. 15) and --erasure-request (Art. 17) write a letter per data
subject at each CA in the log (one contact address with the ACME accounts it was given
for, or the accounts given none: never two people's addresses in one letter), and one to
the EFF for an address it received, ready to send to the recipient's privacy contact (a
verified address where one is known, else where to find it). Each lists what identifies
the data there: ACME account URLs, account key thumbprints, the contact address and when
it was sent, the domain names and the dates; it says when recording began (what was sent
before is not in the log) and leaves a placeholder for the servers' public IP addresses,
which the log does not record. It never names the internal host names. certbot-privacy
sends nothing: copy each letter into your email."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``export``'s options."""
    _options.logs(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--art30",
        action="store_true",
        help="export the Article 30 record (Markdown, JSON or HTML)",
    )
    which.add_argument(
        "--access-request",
        action="store_true",
        help="write a GDPR Article 15 access request to each CA (text or Markdown)",
    )
    which.add_argument(
        "--erasure-request",
        action="store_true",
        help="write a GDPR Article 17 erasure request to each CA (text or Markdown)",
    )
    parser.add_argument(
        "--format",
        choices=sorted(set(formats.names("art30")) | set(formats.names("letters"))),
        help="--art30: markdown (the default), json or html (one self-contained page to "
        "print and sign); the requests: text (the default) or markdown",
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="the language of the requests: en (the default) or zh_CN (Simplified Chinese)",
    )
    parser.add_argument(
        "--requester", metavar="NAME", help="who signs the requests (else a placeholder)"
    )
    parser.add_argument(
        "--reply-to",
        metavar="TEXT",
        help="where the CA should answer the requests: an email or postal address",
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
    """Write the document asked for."""
    if args.art30:
        return _art30(args, parser)
    kind = letters.ACCESS if args.access_request else letters.ERASURE
    name = args.format or "text"
    if name not in formats.names("letters"):
        parser.error(
            "the requests are written as " + " or ".join(formats.names("letters")) + f", not {name}"
        )
    found = letters.collect(
        source.read(args.logs, trust=_options.trust(args)), _options.filters(args, parser)
    )
    if not found:
        return EXIT_OK, letters.none_found(args.language) + "\n"
    written = letters.letters(
        found, kind, letters.Requester(args.requester, args.reply_to), args.language
    )
    return EXIT_OK, formats.letters_renderer(name)(written)


def _art30(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    name = args.format or "markdown"
    if name not in formats.names("art30"):
        parser.error(
            "the Article 30 record is written as "
            + ", ".join(formats.names("art30"))
            + f", not {name}"
        )
    summary = parallel.summarise(
        args.logs,
        _options.filters(args, parser),
        trust=_options.trust(args),
        values=False,  # the record counts distinct values; it lists none (bounded memory)
    )
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
    return EXIT_OK, formats.art30_renderer(name)(record)
