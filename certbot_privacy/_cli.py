"""The ``certbot-privacy`` command: audit disclosure logs. The only module that prints or exits.

Subcommands ``report``, ``verify`` and ``export --art30`` parse their arguments here,
read the logs through :mod:`certbot_privacy.audit.source`, call the pure audit core and
print what a format module renders. Exit codes: 0 ok, 1 a check failed (a log that is not
intact, or an unexpected error), 2 usage error (bad arguments, a log that cannot be
opened). Errors are one sentence on standard error; ``--debug`` adds the traceback.
"""

import argparse
import os
import sys
from datetime import datetime, timezone
from typing import Callable, Dict, Optional, Sequence, TextIO

from certbot_privacy import __version__
from certbot_privacy.audit import art30, formats, source, times
from certbot_privacy.audit.filters import Filters
from certbot_privacy.audit.summarise import CATEGORY_ORDER, summarise
from certbot_privacy.audit.verify import verify

PROG = "certbot-privacy"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DESCRIPTION = """\
Audit the disclosure logs that certbot --privacy-minimal writes: what personal data went
to which certificate authority (and the EFF, OCSP responders), when; whether a log is
intact; and a GDPR Article 30 record of processing activities."""

LOG_HELP = """\
LOG is a disclosure log: a file, a gzip-compressed file (read directly), a directory
(its *.jsonl logs and their rotations, oldest first) or - for standard input. Without
LOG, /var/log/letsencrypt/disclosure.jsonl is read."""

#: The exit status and what it means (for --help and the man page).
EXIT_CODES = (
    (EXIT_OK, "ok (for verify: every log intact; a crash's truncated tail is only a notice)"),
    (EXIT_FAILED, "a check failed: a log is not intact, or an unexpected error"),
    (EXIT_USAGE, "usage error: bad arguments, or a log that cannot be opened"),
)

EPILOG = f"{LOG_HELP}\n\nexit status:\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in EXIT_CODES)

REPORT_DESCRIPTION = """\
Summarise what personal data was sent to whom: per recipient and per category (contact
emails, domain names, account keys, User-Agents, the host's IP address implied by every
request, ...), each distinct value with how often it was sent, the first and last time,
and how often with privacy mode off. Lines that are not records are skipped and listed
with their file and line number; the exit status is 0 whenever a report is printed."""

VERIFY_DESCRIPTION = """\
Check each file's hash chain and that every line is a schema 1 record. Exit 0 if every
file is intact, 1 if not, naming the first bad line (FILE:LINE) and what is wrong with it:
edited, removed, inserted, reordered, duplicated, not-a-record, bad-seq or unreadable.
A last line cut short by a crash (no newline, not JSON) is not tampering: it is reported
as a notice and the exit status stays 0. The head digest printed for each file is what
the next record would chain to: compare it with a copy kept elsewhere (the syslog mirror,
a backup) to detect records cut off the end, which no chain can show by itself."""

EXPORT_DESCRIPTION = """\
Write a GDPR Article 30 record of processing activities for certbot: controller,
purposes, categories of data subjects and personal data, recipients (with who they are
and where, from certbot-privacy's list of CAs), transfers to third countries, the CAs'
stated retention (quoted, with sources) and security measures, built from the log.
Details only the controller knows come from the options below; what is missing is
marked for completion."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help text as written (paragraphs kept), at a fixed width so it reads the same anywhere."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=90)


def _time_bound(end_of_day: bool) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return times.parse_bound(text, end_of_day=end_of_day)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _category(text: str) -> str:
    if text not in CATEGORY_ORDER:
        raise argparse.ArgumentTypeError(
            f"unknown category {text!r}; choose from {', '.join(CATEGORY_ORDER)}")
    return text


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("logs", nargs="*", metavar="LOG",
                        help="disclosure logs to read (default: "
                             "/var/log/letsencrypt/disclosure.jsonl)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error")


def _time_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_time_bound(False), metavar="TIME",
                        help="only records at or after TIME: a date (YYYY-MM-DD, the start "
                             "of that day in UTC) or an RFC 3339 time")
    parser.add_argument("--until", type=_time_bound(True), metavar="TIME",
                        help="only records at or before TIME: a date (the whole day, UTC) "
                             "or an RFC 3339 time")
    parser.add_argument("--recipient", action="append", default=[], metavar="TEXT",
                        help="only recipients containing TEXT, ignoring case (a directory "
                             "URL, a host such as letsencrypt.org, EFF); repeatable")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``certbot-privacy`` (also the source of its man page)."""
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands.required = True

    report = commands.add_parser("report", help="what personal data went to whom, and when",
                                 description=REPORT_DESCRIPTION, formatter_class=_Formatter)
    _common(report)
    report.add_argument("--format", choices=formats.names("report"), default="table",
                        help="table (for a terminal, the default), json, csv or markdown")
    _time_filters(report)
    report.add_argument("--domain", action="append", default=[], metavar="NAME",
                        help="only requests that disclosed domain NAME (exact, ignoring "
                             "case), with everything sent along with it; repeatable")
    report.add_argument("--category", action="append", default=[], type=_category,
                        metavar="CATEGORY",
                        help="only this category of personal data (contact, domain, "
                             "account_key, user_agent, ip_address, csr_public_key, ...); "
                             "repeatable")

    verify = commands.add_parser("verify", help="check that logs are intact (hash chain, "
                                 "records)", description=VERIFY_DESCRIPTION,
                                 formatter_class=_Formatter)
    _common(verify)
    verify.add_argument("--format", choices=formats.names("verify"), default="text",
                        help="text (one line per file, the default) or json")
    verify.add_argument("--thorough", action="store_true",
                        help="parse and check every line as a record, not only those the "
                             "chain cannot vouch for (each file's last line, and wherever "
                             "the chain breaks); slower; for logs whose writer is in doubt")

    export = commands.add_parser("export", help="a GDPR Article 30 record of processing "
                                 "activities", description=EXPORT_DESCRIPTION,
                                 formatter_class=_Formatter)
    _common(export)
    export.add_argument("--art30", action="store_true", required=True,
                        help="export the Article 30 record (required: the only export)")
    export.add_argument("--format", choices=formats.names("art30"), default="markdown",
                        help="markdown (the default) or json")
    _time_filters(export)
    export.add_argument("--controller-name", metavar="NAME",
                        help="the controller's name (Art. 30(1)(a))")
    export.add_argument("--controller-contact", metavar="TEXT",
                        help="the controller's contact details")
    export.add_argument("--controller-address", metavar="TEXT",
                        help="the controller's postal address")
    export.add_argument("--representative", metavar="TEXT",
                        help="the controller's representative in the EU (Art. 27), if any")
    export.add_argument("--dpo", metavar="TEXT",
                        help="the data protection officer's name and contact details")
    export.add_argument("--purpose", action="append", default=[], metavar="TEXT",
                        help="a purpose of the processing, replacing the default ones; "
                             "repeatable")
    export.add_argument("--log-retention", metavar="TEXT",
                        help="how long the disclosure logs themselves are kept (e.g. "
                             "'24 months, rotated monthly')")
    return parser


def _filters(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Filters:
    if args.since and args.until and args.since > args.until:
        parser.error("--since is after --until: no record can match")
    return Filters.create(since=args.since, until=args.until,
                          recipients=tuple(args.recipient),
                          domains=tuple(getattr(args, "domain", ())),
                          categories=tuple(getattr(args, "category", ())))


def _report(args: argparse.Namespace, parser: argparse.ArgumentParser,
            out: TextIO) -> int:
    summary = summarise(source.read(args.logs), _filters(args, parser))
    out.write(formats.report_renderer(args.format)(summary))
    return EXIT_OK


def _verify(args: argparse.Namespace, parser: argparse.ArgumentParser,
            out: TextIO) -> int:
    report = verify(source.read(args.logs), thorough=args.thorough)
    render = formats.verify_renderer(args.format)
    code = EXIT_OK if report.intact else EXIT_FAILED
    try:
        out.write(render(report))
        out.flush()
    except BrokenPipeError:
        _silence_stdout()
    return code


def _export(args: argparse.Namespace, parser: argparse.ArgumentParser,
            out: TextIO) -> int:
    summary = summarise(source.read(args.logs), _filters(args, parser))
    controller = art30.Controller(name=args.controller_name, contact=args.controller_contact,
                                  address=args.controller_address,
                                  representative=args.representative, dpo=args.dpo)
    record = art30.build(summary, controller,
                         generated=times.format_utc(datetime.now(timezone.utc)),
                         purposes=tuple(args.purpose), log_retention=args.log_retention)
    out.write(formats.art30_renderer(args.format)(record))
    return EXIT_OK


_COMMANDS: Dict[str, Callable[[argparse.Namespace, argparse.ArgumentParser, TextIO], int]] = {
    "report": _report,
    "verify": _verify,
    "export": _export,
}


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")


def _silence_stdout() -> None:
    """After the reader of our output went away (``| head``), drop what is left quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``certbot-privacy`` with *argv* (default: the process's) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as done:  # --help, --version, or a usage error (argparse printed it)
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    if not args.logs:
        args.logs = [source.DEFAULT_LOG]
        defaulted = True
    else:
        defaulted = False
    try:
        source.check_readable(args.logs)
    except source.InputError as error:
        hint = (" (name the log to read, or run certbot with --privacy-minimal first)"
                if defaulted else "")
        _error(f"{error}{hint}")
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args, parser, sys.stdout)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except SystemExit as done:  # parser.error() for a bad combination of options
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except Exception as error:
        if debug:
            raise
        _error(f"unexpected {type(error).__name__}: {error} (run with --debug for the "
               "traceback, and please report it)")
        return EXIT_FAILED

