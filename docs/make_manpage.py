"""Build the ``certbot-privacy(1)`` man page from the command's real argument parser.

    python docs/make_manpage.py            # write docs/certbot-privacy.1
    python docs/make_manpage.py --check    # exit 1 if the file is out of date

Every description, option and help text comes from
:func:`certbot_privacy._internal.audit.cli.build_parser`, the parser behind ``certbot-privacy
--help``, so the man page cannot say something the command does not do. Only the examples, the files
and "see also" are written here. The output has no date, so it only changes when the help does; a
unit test checks that the checked-in page is up to date.
"""

import argparse
import sys
from pathlib import Path
from typing import Iterable, List, Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from certbot_privacy import __version__  # noqa: E402
from certbot_privacy._internal.audit import cli  # noqa: E402

TARGET = HERE / "certbot-privacy.1"

EXAMPLES = (
    ("What went to whom, on this host:", "certbot-privacy report"),
    (
        "Everything one domain disclosed in 2024, for a spreadsheet:",
        "certbot-privacy report --domain example.org --since 2024-01-01 --until 2024-12-31 "
        "--format csv",
    ),
    (
        "Check the live log and its gzip-rotated predecessors:",
        "certbot-privacy verify /var/log/letsencrypt/",
    ),
    (
        "Logs collected from a fleet, one directory per host, per host:",
        "certbot-privacy report --by host hosts/",
    ),
    (
        "The fleet's journal, and each host's file checked against it:",
        "journalctl -o json --all -t certbot-privacy > journal.json; "
        "certbot-privacy verify journal.json hosts/",
    ),
    (
        "GDPR access requests to every CA in the log, in Simplified Chinese:",
        "certbot-privacy export --access-request --language zh_CN --requester 'Ada Admin'",
    ),
    (
        "An Article 30 record for the data protection officer:",
        "certbot-privacy export --art30 --controller-name 'Example GmbH' "
        "--controller-contact privacy@example.org --dpo 'dpo@example.org' > art30.md",
    ),
    (
        "Is everything on this machine private? (exit 1 if not, with the fixes):",
        "certbot-privacy status",
    ),
    (
        "Every certificate and account into privacy mode, offline:",
        "certbot-privacy switch on --all",
    ),
    (
        "One certificate back out of privacy mode (recorded in its log):",
        "certbot-privacy switch off --cert-name example.org",
    ),
    (
        "What the consent notice tells about each CA, and where each fact comes from:",
        "certbot-privacy cas",
    ),
)


def escape(text: str) -> str:
    """Escape *text* for roff: backslashes, hyphens (as minus signs), leading dots."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = [("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n")]
    return "\n".join(lines)


def paragraphs(text: str) -> List[str]:
    """Split help text into paragraphs, each joined into one line."""
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def _option_actions(parser: argparse.ArgumentParser) -> Iterable[argparse.Action]:
    # argparse has no public list of a parser's arguments; ``_actions`` is what its own
    # help formatter (and sphinx-argparse, argparse-manpage) read.
    return parser._actions


def _subcommands(parser: argparse.ArgumentParser) -> List[argparse.ArgumentParser]:
    for action in _option_actions(parser):
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.values())
    return []


def _metavar(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.choices is not None and action.metavar is None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return str(action.metavar or action.dest.upper())


def _invocation(action: argparse.Action) -> str:
    metavar = _metavar(action)
    if not action.option_strings:
        return (
            f"\\fI{escape(metavar)}\\fR ..."
            if action.nargs == "*"
            else f"\\fI{escape(metavar)}\\fR"
        )
    names = ", ".join(f"\\fB{escape(name)}\\fR" for name in action.option_strings)
    return f"{names} \\fI{escape(metavar)}\\fR" if metavar else names


def _synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    parts = [f".B {cli.PROG}", f"\\fB{escape(name)}\\fR"]
    positionals = []
    for action in _option_actions(parser):
        if action.help == argparse.SUPPRESS or "-h" in action.option_strings:
            continue
        if action.option_strings:
            metavar = _metavar(action)
            flag = f"\\fB{escape(action.option_strings[0])}\\fR"
            text = f"{flag} \\fI{escape(metavar)}\\fR" if metavar else flag
            parts.append(text if action.required else f"[{text}]")
        else:
            positionals.append(f"[\\fI{escape(_metavar(action))}\\fR ...]")
    return " ".join(parts + positionals)


def _options(parser: argparse.ArgumentParser, with_help: bool = False) -> List[str]:
    lines: List[str] = []
    for action in _option_actions(parser):
        if action.help in (None, argparse.SUPPRESS) or isinstance(
            action, argparse._SubParsersAction
        ):
            continue
        if isinstance(action, argparse._HelpAction) and not with_help:
            continue  # every command has -h; said once, under OPTIONS
        lines += [".TP", _invocation(action), escape(str(action.help))]
    return lines


def render() -> str:
    """The man page, as roff text."""
    parser = cli.build_parser()
    commands = _subcommands(parser)
    lines = [
        f'.TH CERTBOT\\-PRIVACY 1 "" "{cli.PROG} {__version__}" "User Commands"',
        '.\\" Generated by docs/make_manpage.py from certbot-privacy --help; do not edit.',
        ".SH NAME",
        f"{cli.PROG} \\- audit the disclosure logs of certbot \\-\\-privacy\\-minimal",
        ".SH SYNOPSIS",
    ]
    for command in commands:
        name = command.prog.split()[-1]
        lines += [_synopsis(name, command), ".br"]
    lines += [f".B {cli.PROG}", "[\\fB\\-\\-version\\fR] [\\fB\\-\\-help\\fR]", ".SH DESCRIPTION"]
    for paragraph in paragraphs(parser.description or ""):
        lines += [escape(paragraph), ".PP"]
    lines.pop()
    lines += [".SH OPTIONS", *_options(parser, with_help=True)]
    lines += [".SH COMMANDS"]
    for command in commands:
        lines += [f".SS {escape(command.prog.split()[-1])}"]
        for paragraph in paragraphs(command.description or ""):
            lines += [escape(paragraph), ".PP"]
        lines += _options(command)
    lines += [".SH LOGS"]
    for paragraph in paragraphs(cli.LOG_HELP):
        lines += [escape(paragraph)]
    lines += [".SH EXIT STATUS"]
    for code, meaning in cli.EXIT_CODES:
        lines += [".TP", f"\\fB{code}\\fR", escape(meaning)]
    lines += [
        ".SH FILES",
        ".TP",
        "\\fI/var/log/letsencrypt/disclosure.jsonl\\fR",
        "The disclosure log that \\fBcertbot \\-\\-privacy\\-minimal\\fR writes by "
        "default (mode 0600), and its logrotate rotations beside it.",
    ]
    lines += [".SH EXAMPLES"]
    for what, command_line in EXAMPLES:
        lines += [".PP", escape(what), ".IP", f"\\f(CW{escape(command_line)}\\fR"]
    lines += [".SH SEE ALSO", "\\fBcertbot\\fR(1), \\fBlogrotate\\fR(8), \\fBjq\\fR(1)"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    """Write the man page, or with ``--check`` say whether it is up to date."""
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            sys.stderr.write(f"{TARGET} is out of date: run python docs/make_manpage.py\n")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
