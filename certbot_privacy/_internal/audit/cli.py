"""The ``certbot-privacy`` command: the only module that prints or exits.

It builds the parser from the subcommand modules (:mod:`certbot_privacy._internal.audit.commands`),
checks that the logs named can be read before any output, runs the command and prints
what it returns. Exit codes: 0 ok, 1 a check failed (or an unexpected error), 2 usage
error. Errors are one sentence on standard error; ``--debug`` adds the traceback, except
to a usage error (argparse's and :class:`UsageError` alike), as certbot does.
"""

import argparse
import os
import sys
import traceback
from typing import Dict, Iterable, Optional, Protocol, Sequence, Tuple, Union

from certbot_privacy import __version__
from certbot_privacy._internal.audit import source
from certbot_privacy._internal.audit.commands import (
    _options,
    cas,
    export,
    report,
    verify,
)
from certbot_privacy._internal.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CertbotPrivacyError,
    UsageError,
)
from certbot_privacy._internal.manage import seal, status, switch

PROG = "certbot-privacy"


class Command(Protocol):
    """What a subcommand module defines (mypy checks each module in :data:`COMMANDS`)."""

    @property
    def NAME(self) -> str:
        """The subcommand's name on the command line."""

    @property
    def HELP(self) -> str:
        """One line for the command list."""

    @property
    def DESCRIPTION(self) -> str:
        """The paragraphs of the subcommand's ``--help``."""

    @property
    def READS_LOGS(self) -> bool:
        """Whether it takes LOG arguments (checked before any output)."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the subcommand's options to *parser*."""

    def run(
        self, args: argparse.Namespace, parser: argparse.ArgumentParser
    ) -> Tuple[int, Union[str, Iterable[str]]]:
        """Do the work and return the exit code and the output (printing nothing): a text,
        or its parts in order (a report too big to hold, already computed)."""


#: The subcommands, in the order ``--help`` lists them.
COMMANDS: Sequence[Command] = (report, verify, export, status, switch, seal, cas)

DESCRIPTION = """\
Audit the disclosure logs that certbot --privacy-minimal writes, on one host or a fleet:
what personal data went to which certificate authority (and the EFF, OCSP responders),
when, from which host; whether a log is intact, and whether each host's file holds what
its syslog copy holds; a GDPR Article 30 record of processing activities; and GDPR
access (Art. 15) and erasure (Art. 17) requests to each CA, ready to send. Everything
taken from a log is escaped for where it is shown: a terminal, a spreadsheet, Markdown.
Show which of certbot's accounts and certificates are private (status), and switch them
(switch); and what is known about each CA the consent notice describes (cas)."""

LOG_HELP = """\
LOG is a disclosure log: a file, a gzip-compressed file (read directly), a directory
(its *.jsonl logs and their rotations, oldest first, and one directory of logs per host,
named by the host) or - for standard input. Copies of the records that
--privacy-syslog mirrored are read too: journalctl -o json output (the host from
_HOSTNAME; export with --all, or messages over 4096 bytes are left out) and rsyslog files
in RFC 3164 or RFC 5424 form (the host from the syslog header); lines of other programs
in them are passed over. A line longer than 16 MiB is reported as not a record, with its
size, and never read into memory. Without LOG, /var/log/letsencrypt/disclosure.jsonl is
read. Many files, or one big file, are read on every core."""

#: The exit status and what it means (for --help and the man page).
EXIT_CODES = (
    (EXIT_OK, "ok (for verify: every log intact; a crash's truncated tail is only a notice)"),
    (
        EXIT_FAILED,
        "a check failed: a log is not intact, or lacks records its host's syslog copy "
        "holds; or an unexpected error",
    ),
    (
        EXIT_USAGE,
        "usage error: bad arguments, or a log that cannot be opened (named, or found in "
        "a directory: the same error)",
    ),
)

EPILOG = f"{LOG_HELP}\n\nexit status:\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in EXIT_CODES
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help text as written (paragraphs kept), at a fixed width so it reads the same anywhere."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=90)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``certbot-privacy`` (also the source of its man page)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an error (a usage error stays one sentence)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subparsers.required = True
    for command in COMMANDS:
        sub = subparsers.add_parser(
            command.NAME,
            help=command.HELP,
            description=command.DESCRIPTION,
            formatter_class=_Formatter,
        )
        command.add_arguments(sub)
        _debug(sub)
    return parser


def _debug(parser: argparse.ArgumentParser) -> None:
    """``--debug``, before or after the subcommand alike (a subcommand's default of False
    would overwrite the main parser's True: so none is set here)."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an error (a usage error stays one sentence)",
    )


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


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``certbot-privacy`` with *argv* (default: the process's) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as done:  # --help, --version, or a usage error (argparse printed it)
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    command = _BY_NAME[args.command]
    if command.READS_LOGS:
        defaulted = not args.logs
        if defaulted:
            args.logs = [_options.DEFAULT_LOG]
        try:
            source.check_readable(args.logs)
        except CertbotPrivacyError as error:
            hint = (
                " (name the log to read, or run certbot with --privacy-minimal first)"
                if defaulted
                else ""
            )
            _error(f"{error}{hint}")
            return error.exit_code
    try:
        code, output = command.run(args, parser)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except SystemExit as done:  # parser.error() for a bad combination of options
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except UsageError as error:  # like argparse's: one sentence, never a traceback
        _error(str(error))
        return error.exit_code
    except CertbotPrivacyError as error:
        if debug:  # as certbot's --debug does for its own errors: the traceback, then the
            traceback.print_exc()  # sentence, and the exit code stays the documented one
        _error(str(error))
        return error.exit_code
    except Exception as error:
        if debug:
            raise
        _error(
            f"unexpected {type(error).__name__}: {error} (run with --debug for the "
            "traceback, and please report it)"
        )
        return EXIT_FAILED
    if isinstance(output, str):
        _write(output)
    else:  # the parts of a long output, written as they come
        for part in output:
            _write(part)
    return int(code)


_BY_NAME: Dict[str, Command] = {command.NAME: command for command in COMMANDS}
