"""``certbot-privacy status``: the privacy posture of certbot's configuration (offline)."""

import argparse
import json
import platform
from typing import Any, Dict, List, Optional, Tuple

from certbot_privacy.errors import EXIT_FAILED, EXIT_OK
from certbot_privacy.manage import _options, posture
from certbot_privacy.rules.escape import printable

NAME = "status"
HELP = "show which accounts and certificates are private, and how to fix the rest (offline)"
READS_LOGS = False

DESCRIPTION = """\
Read certbot's configuration directory (accounts, renewal confs) and the cli.ini files
certbot reads, and show, for each ACME account, its server, creation date, the contact
its local registration holds (and so sent to the CA), a pending EFF subscription, and
whether it is private; for each certificate (lineage), its account, whether it is
private, the User-Agent its next renewal sends and the disclosure log that records it.
Then, for each thing that is not private, the command that makes it so. Sends nothing
and imports no part of certbot. Exit 0 if everything is private, 1 if something is not
(or a file cannot be read), 2 on a usage error."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``status``'s options."""
    _options.config_dir(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (for people, the default) or json",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Tuple[int, str]:
    """Assess the configuration directory; exit 0 if everything is private, 1 if not."""
    found = _options.read_config_dir(args.config_dir)
    result = posture.assess(found, installed_software())
    code = EXIT_OK if result.all_private else EXIT_FAILED
    if args.format == "json":
        return code, json.dumps(as_json(result), indent=2, sort_keys=True) + "\n"
    return code, as_text(result)


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


def as_text(result: posture.Posture) -> str:
    """The posture for people: every string from the files escaped."""
    p = printable
    lines = [f"certbot configuration: {p(result.config_dir)}"]
    if result.cli_private:
        for path in result.cli_private:
            lines.append(f"cli.ini: {p(path)} says privacy-minimal = true: every run is private")
    else:
        lines.append("cli.ini: privacy-minimal is not set (runs are private only as saved)")
    lines.append("")
    lines.append(f"Accounts ({len(result.accounts)})")
    for a in result.accounts:
        account = a.account
        lines += [
            f"  {p(account.id)}: {_verdict(a.private)}, {p(a.reason)}",
            f"    server:   {p(account.server)}",
            f"    created:  {p(account.created or 'unknown')}"
            + (f" on {p(account.creation_host)}" if account.creation_host else ""),
            f"    contact:  {p(a.contact)}",
            f"    EFF:      {p(a.eff)}",
        ]
    if not result.accounts:
        lines.append("  none")
    lines.append("")
    lines.append(f"Certificates ({len(result.lineages)})")
    for line in result.lineages:
        lineage = line.lineage
        lines += [
            f"  {p(lineage.name)}: {_verdict(line.private)}, {p(line.reason)}",
            f"    account:      {p(lineage.account or 'none')} at {p(lineage.server or '?')}",
            f"    next renewal: {line.user_agent_kind} User-Agent: {p(line.user_agent)}",
            "    disclosure log: "
            + (p(line.log) if line.log else "none (not private: nothing is recorded)"),
        ]
    if not result.lineages:
        lines.append("  none")
    for problem in result.problems:
        lines.append(f"problem: {p(problem)}")
    lines.append("")
    fixes = result.fixes
    if fixes:
        lines.append("To make them private:")
        for fix in fixes:
            lines.append(f"  {p(fix.subject)}:")
            lines.append(f"    {p(fix.command)}")
            lines.append(f"    ({fix.effect})")
        lines.append("")
    if result.all_private:
        lines.append("Everything is private.")
    else:
        total = len(result.accounts) + len(result.lineages)
        summary = f"{result.not_private} of {total} not private"
        if result.problems:
            summary += f", {len(result.problems)} file(s) could not be read"
        lines.append(summary + ".")
    return "\n".join(lines) + "\n"


def as_json(result: posture.Posture) -> Dict[str, Any]:
    """The posture as one JSON object (strings as found: JSON escapes them)."""
    accounts: List[Dict[str, Any]] = []
    for a in result.accounts:
        account = a.account
        accounts.append(
            {
                "id": account.id,
                "server": account.server,
                "created": account.created,
                "creation_host": account.creation_host,
                "contacts_stored": list(account.contacts),
                "contact": a.contact,
                "register_to_eff": account.register_to_eff,
                "private": a.private,
                "reason": a.reason,
                "fix": _fix(a.fix),
            }
        )
    lineages: List[Dict[str, Any]] = []
    for line in result.lineages:
        lineage = line.lineage
        lineages.append(
            {
                "name": lineage.name,
                "renewal_conf": lineage.path,
                "server": lineage.server,
                "account": lineage.account,
                "private": line.private,
                "reason": line.reason,
                "user_agent": {"kind": line.user_agent_kind, "value": line.user_agent},
                "disclosure_log": line.log or None,
                "fix": _fix(line.fix),
            }
        )
    return {
        "config_dir": result.config_dir,
        "private": result.all_private,
        "not_private": result.not_private,
        "cli_ini_private": list(result.cli_private),
        "accounts": accounts,
        "lineages": lineages,
        "fixes": [_fix(f) for f in result.fixes],
        "problems": list(result.problems),
    }


def _fix(fix: Optional[posture.Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {
        "subject": fix.subject,
        "command": fix.command,
        "argv": list(fix.argv),
        "effect": fix.effect,
    }


def _verdict(private: bool) -> str:
    return "private" if private else "NOT PRIVATE"
