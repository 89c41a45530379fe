"""``certbot-privacy report``: what personal data went to whom, and when."""

import argparse
import tempfile
from typing import IO, Iterable, Iterator, Optional, Tuple, Union

from certbot_privacy._internal.audit import formats, parallel
from certbot_privacy._internal.audit.commands import _options
from certbot_privacy._internal.errors import EXIT_OK

NAME = "report"
HELP = "what personal data went to whom, and when"
READS_LOGS = True

DESCRIPTION = """\
Summarise what personal data was sent to whom: first what was read (files, records, lines
that are not records), then per recipient (named from certbot-privacy's CA facts, with its
address) what became of its requests (answered, answered with an error, never delivered,
no outcome in the log) and per category (contact emails, domain names, account keys,
User-Agents, the host's IP address implied by every request, ...) each distinct value
with the hosts that sent it, how often, the first and last time (with --timeline, every
day), and how often with privacy mode off. Lines that are not records are skipped and listed
with their file and line number; the exit status is 0 whenever a report is printed."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``report``'s options."""
    _options.logs(parser)
    parser.add_argument(
        "--format",
        choices=formats.names("report"),
        default="table",
        help="table (for a terminal, the default), json, csv, markdown or html (one "
        "self-contained page to read and print, with a timeline per recipient). Text from the "
        "log is escaped in every format: control, bidi and zero-width characters as "
        "visible escapes (json: \\u escapes, values exact); csv cells that would start a "
        "formula (= + - @, tab, carriage return) get a leading ' so spreadsheets show "
        "them as text; markdown escapes markup, entities and autolinks; html escapes "
        "every value and loads nothing",
    )
    parser.add_argument(
        "--by",
        choices=("recipient", "host"),
        default="recipient",
        help="group by recipient (the default; each lists the hosts that sent to it) or "
        "by host and recipient (for fleets: a directory per host, journal or syslog "
        "copies)",
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="list, for each value, the days it was sent on and how often each day",
    )
    _options.time_filters(parser)
    parser.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="NAME",
        help="only requests that disclosed domain NAME (exact, ignoring "
        "case), with everything sent along with it, and what the account that ordered it "
        "disclosed (its contact); repeatable",
    )
    parser.add_argument(
        "--category",
        action="append",
        default=[],
        type=_options.category,
        metavar="CATEGORY",
        help="only this category of personal data (contact, domain, "
        "account_key, user_agent, ip_address, csr_public_key, ...); "
        "repeatable",
    )


#: Up to how much of a streamed report is held in memory (the rest waits on disk).
SPOOL_BYTES = 8 * 1024 * 1024


def run(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> Tuple[int, Union[str, Iterable[str]]]:
    """Summarise the logs and write the report in the chosen format."""
    # Host by host, unless --domain follows accounts (which a fleet may share across hosts).
    stream = formats.report_by_host(args.format) if args.by == "host" and not args.domain else None
    if stream is not None:
        streamed = _by_host(args, parser, stream())
        if streamed is not None:
            return EXIT_OK, streamed
    summary = parallel.summarise(
        args.logs,
        _options.filters(args, parser),
        by=args.by,
        trust=_options.trust(args),
        months=args.format == "html",
        timeline=args.timeline,
    )
    return EXIT_OK, formats.report_renderer(args.format)(summary)


def _by_host(
    args: argparse.Namespace, parser: argparse.ArgumentParser, stream: formats.ByHost
) -> Optional[Iterable[str]]:
    """The report grouped by host, host by host (memory bounded by the largest host, not
    the fleet): the hosts' parts wait in a spooled file while the totals are counted, then
    the head (from the totals), the hosts' parts and the tail are written out."""
    # Handed to _chunks, which closes it once written out (or closed here on failure).
    spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8")  # noqa: SIM115
    try:
        summary = parallel.by_host(
            args.logs,
            _options.filters(args, parser),
            spool,
            stream,
            months=args.format == "html",
            timeline=args.timeline,
        )
    except BaseException:
        spool.close()
        raise
    if summary is None:
        spool.close()
        return None
    return _chunks(stream.head(summary), spool, stream.tail(summary))


def _chunks(head: str, spool: IO[str], tail: str) -> Iterator[str]:
    try:
        yield head
        spool.seek(0)
        while True:
            chunk = spool.read(1024 * 1024)
            if not chunk:
                break
            yield chunk
        yield tail
    finally:
        spool.close()
