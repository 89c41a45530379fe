"""Options that several subcommands share: LOG arguments and record filters."""

import argparse
from typing import Callable

from certbot_privacy._internal import log
from certbot_privacy._internal.audit import times
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.log.schema import CATEGORIES
from certbot_privacy._internal.log.syslog import Trust

#: The log read when none is named (a module attribute, so tests can point it elsewhere).
DEFAULT_LOG = log.DEFAULT_PATH


def _time_bound(end_of_day: bool) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return times.parse_bound(text, end_of_day=end_of_day)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def category(text: str) -> str:
    """An argparse type: a personal-data category name."""
    names = [c.name for c in CATEGORIES]
    if text not in names:
        raise argparse.ArgumentTypeError(
            f"unknown category {text!r}; choose from {', '.join(names)}"
        )
    return text


def logs(parser: argparse.ArgumentParser) -> None:
    """The LOG arguments."""
    parser.add_argument(
        "logs", nargs="*", metavar="LOG", help=f"disclosure logs to read (default: {DEFAULT_LOG})"
    )
    parser.add_argument(
        "--journal-uid",
        action="append",
        default=[],
        type=_uid,
        metavar="USER",
        help="also take journal entries that journald shows this user (a name or a number) "
        "wrote, for a certbot run as USER; by default only root's; repeatable",
    )


def _uid(text: str) -> int:
    """An argparse type: a user, by number or (on this machine) by name."""
    if text.isdigit():
        return int(text)
    import pwd

    try:
        return pwd.getpwnam(text).pw_uid
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"no user {text!r} on this machine; give the user's number (journald's _UID)"
        ) from None


def trust(args: argparse.Namespace) -> Trust:
    """Which journal entries are the certbot process's: root's and ``--journal-uid``'s."""
    return Trust(frozenset({0, *getattr(args, "journal_uid", ())}))


def time_filters(parser: argparse.ArgumentParser) -> None:
    """``--since``, ``--until`` and ``--recipient``."""
    parser.add_argument(
        "--since",
        type=_time_bound(False),
        metavar="TIME",
        help="only records at or after TIME: a date (YYYY-MM-DD, the start "
        "of that day in UTC) or an RFC 3339 time",
    )
    parser.add_argument(
        "--until",
        type=_time_bound(True),
        metavar="TIME",
        help="only records at or before TIME: a date (the whole day, UTC) or an RFC 3339 time",
    )
    parser.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="TEXT",
        help="only recipients containing TEXT, ignoring case (a directory "
        "URL, a host such as letsencrypt.org, EFF); repeatable",
    )


def filters(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Filters:
    """The :class:`Filters` the options ask for (``parser.error`` for an empty range)."""
    if args.since and args.until and args.since > args.until:
        parser.error("--since is after --until: no record can match")
    return Filters.create(
        since=args.since,
        until=args.until,
        recipients=tuple(args.recipient),
        domains=tuple(getattr(args, "domain", ())),
        categories=tuple(getattr(args, "category", ())),
    )
