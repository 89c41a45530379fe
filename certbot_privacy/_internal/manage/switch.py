"""``certbot-privacy switch on|off``: put certificates and accounts into privacy mode, or back.

Offline: it sends nothing. It edits what certbot reads on its next run (a lineage's
renewal conf, our mark beside an account's files: :mod:`certbot_privacy._internal.confdir.marks`)
while holding certbot's lock on the configuration directory, and records each switch as
a ``notice`` record (``privacy_on``/``privacy_off``) in the disclosure log that the
lineage's or account's requests go to, so that turning privacy mode off is never silent.
"""

import argparse
import time
from typing import Dict, List, Tuple

from certbot_privacy._internal import log as disclosure_log
from certbot_privacy._internal.confdir import marks, privacy, reader, trust
from certbot_privacy._internal.errors import EXIT_FAILED, EXIT_OK, UsageError
from certbot_privacy._internal.log import records
from certbot_privacy._internal.log.schema import rfc3339
from certbot_privacy._internal.log.writer import DisclosureLog
from certbot_privacy._internal.manage import _options
from certbot_privacy._internal.rules.escape import printable

NAME = "switch"
HELP = "switch certificates and accounts into privacy mode (on) or out of it (off), offline"
READS_LOGS = False

DESCRIPTION = """\
Switch certificates (lineages) and ACME accounts into privacy mode, or explicitly out of
it, without contacting anyone. "on" writes privacy_minimal = True in each lineage's
renewal conf, and marks each account private (certbot-privacy.json beside its files),
cancelling an EFF subscription certbot still had pending for it; from then on every
certbot command on them runs in privacy mode with no flag. "off" writes
privacy_minimal = False, or marks the account not private. Each switch is recorded as a
notice in the disclosure log its requests go to; the output says what changed, or that
nothing had to. Exit 0; 1 if DIR holds no certbot state; 2 on a usage error, an unknown
name, or a DIR (or a file in it, or a log it names) that another user could have chosen
(nothing is written then). Works the same with every certbot
version (2.1.0 has no reconfigure). An account's contact at the CA is not changed: use
certbot update_account --privacy-minimal --privacy-withdraw-email for that."""

#: What the notices name as the command that switched.
BY = "certbot-privacy switch"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``switch``'s options."""
    parser.add_argument("state", choices=("on", "off"), help="into privacy mode, or out of it")
    parser.add_argument(
        "--cert-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a certificate (lineage) to switch; repeat for several",
    )
    parser.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ID",
        help="an ACME account (its id, as certbot-privacy status shows) to switch; repeat "
        "for several",
    )
    parser.add_argument(
        "--all", action="store_true", help="every certificate and every account in DIR"
    )
    _options.config_dir(parser, as_certbot=True)
    parser.add_argument(
        "--logs-dir",
        default=None,
        metavar="DIR",
        help="certbot's logs directory, where an account's notices go when it has no log "
        "of its own (default: a certificate's own logs_dir, else "
        f"{disclosure_log.DEFAULT_LOGS_DIR})",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Switch what was named; say what changed, or that nothing had to.

    Exit 0; 1 when DIR holds no certbot state (nothing to switch); 2 if a name is unknown
    or DIR cannot be trusted (nothing switched then).
    """
    if not (args.all or args.cert_name or args.account):
        parser.error("name what to switch: --cert-name NAME, --account ID or --all")
    private = args.state == "on"
    found = _options.read_config_dir(args.config_dir)
    lineages, accounts = _chosen(found, args)  # an unknown name: exit 2 first
    if not (found.accounts or found.lineages or found.problems):
        return EXIT_FAILED, (
            f"No certbot state in {printable(found.path)}: no account and no certificate "
            "(is this certbot's --config-dir?); nothing to change.\n"
        )
    account_logs = [
        privacy.account_log(account, list(found.lineages), args.logs_dir) for account in accounts
    ]
    # Every log a notice would go to is checked before anything is written.
    for account, log in zip(accounts, account_logs):
        trust.check_log_target(log, f"account {account.id}")
    for lineage in lineages:
        trust.check_log_target(privacy.lineage_log(lineage), lineage.path)
    out: List[str] = []
    changes = 0
    with marks.config_lock(found.path):
        for account, log in zip(accounts, account_logs):
            lines, changed = _switch_account(account, private, log)
            out += lines
            changes += changed
        for lineage in lineages:
            line, changed = _switch_lineage(lineage, private)
            out.append(line)
            changes += changed
    if not private and found.everything_private:
        out.append(
            "note: "
            + ", ".join(printable(i.path) for i in found.cli_inis if i.privacy_minimal)
            + " says privacy-minimal = true: every certbot run stays private until that "
            "line is removed"
        )
    if not changes:
        out.append(f"Nothing to change: everything named was already {args.state}.")
    return EXIT_OK, "\n".join(out) + "\n"


def _chosen(
    found: reader.ConfigDir, args: argparse.Namespace
) -> Tuple[List[reader.Lineage], List[reader.Account]]:
    lineages = {line.name: line for line in found.lineages}
    unknown = [name for name in args.cert_name if name not in lineages]
    if unknown:
        raise UsageError(
            f"no certificate named {printable(unknown[0])} in {printable(found.path)}: "
            "certbot-privacy status lists them"
        )
    by_id: Dict[str, reader.Account] = {}
    for account in found.accounts:
        by_id.setdefault(account.id, account)
    missing = [i for i in args.account if i not in by_id]
    if missing:
        raise UsageError(
            f"no account {printable(missing[0])} in {printable(found.path)}: "
            "certbot-privacy status lists them"
        )
    if found.problems and args.all:
        raise UsageError(
            f"{printable(found.problems[0])}: fix or remove it first (certbot-privacy status "
            "lists what cannot be read)"
        )
    if args.all:
        return list(found.lineages), list(found.accounts)
    chosen = [by_id[i] for i in args.account]
    return [lineages[n] for n in args.cert_name], chosen


def _switch_lineage(lineage: reader.Lineage, private: bool) -> Tuple[str, bool]:
    """Switch one lineage; what to say, and whether anything changed."""
    name = printable(lineage.name)
    log = privacy.lineage_log(lineage)
    if privacy.lineage_renews_private(lineage) == private and (private or lineage.switched_off):
        return f"certificate {name}: already {'private' if private else 'switched off'}", False
    _notice(
        log, "privacy_on" if private else "privacy_off", lineage.server, "lineage", lineage.name
    )
    marks.set_lineage(lineage.path, private)
    state = "private" if private else "switched off"
    return f"certificate {name}: {state} (recorded in {printable(log)})", True


def _switch_account(account: reader.Account, private: bool, log: str) -> Tuple[List[str], bool]:
    """Switch one account; what to say, and whether anything changed."""
    name = printable(account.id)
    out: List[str] = []
    mark = account.mark
    changed: Tuple[str, ...] = ()
    if private:
        changed = privacy.make_account_private(
            account.path,
            server=account.server or "unknown",
            account_id=account.id,
            now=rfc3339(time.time()),
            notice=lambda kind, recipient, fields: _record(log, kind, recipient, fields),
            by=BY,
            log=log,
            register_to_eff=account.register_to_eff,
        )
        if "private" in changed:
            out.append(f"account {name}: private (recorded in {printable(log)})")
        else:
            out.append(f"account {name}: already private")
    elif privacy.account_runs_private(mark) or mark is None:
        _notice(log, "privacy_off", account.server, "account", account.id)
        marks.mark_account(
            account.path,
            False,
            since=rfc3339(time.time()),
            contact_withdrawn=mark.contact_withdrawn if mark is not None else "",
        )
        out.append(f"account {name}: switched off (recorded in {printable(log)})")
        changed = ("switched_off",)
    else:
        out.append(f"account {name}: already switched off")
    if "eff_cancelled" in changed:
        out.append(
            f"account {name}: the pending EFF subscription of "
            f"{printable(account.register_to_eff or '')} was cancelled (nothing was sent)"
        )
    if private and account.contacts:
        out.append(
            f"account {name}: its registration holds a contact the CA has: remove it with "
            "certbot update_account --privacy-minimal --privacy-withdraw-email"
        )
    return out, bool(changed)


def _notice(path: str, kind: str, recipient: str, scope: str, name: str) -> None:
    _record(path, kind, recipient, {"scope": scope, "name": name, "by": BY})


def _record(path: str, kind: str, recipient: str, fields: Dict[str, object]) -> None:
    DisclosureLog(path).append(
        records.notice_record(
            kind=kind, recipient=recipient or "unknown", when=time.time(), **fields
        )
    )
