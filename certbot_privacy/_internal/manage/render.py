"""How ``certbot-privacy status`` shows a posture: text for people, JSON for programs.

One renderer per format, each a function of the :class:`~.posture.Posture` alone (every
sentence derived from what was read, or saying what could not be); text escapes every
string that came from a file, JSON leaves the escaping to the encoder.
"""

import json
from typing import Any, Callable, Dict, List, Mapping, Optional

from certbot_privacy._internal.manage import posture
from certbot_privacy._internal.rules.escape import printable


def text(result: posture.Posture) -> str:
    """The posture for people: every string from the files escaped."""
    p = printable
    lines = [f"certbot configuration: {p(result.config_dir)}"]
    if result.empty:
        lines.append(
            "No certbot state here: no account and no certificate (is this certbot's "
            "--config-dir?), so there is nothing to tell."
        )
        return "\n".join(lines) + "\n"
    if result.cli_private:
        for path in result.cli_private:
            lines.append(f"cli.ini: {p(path)} says privacy-minimal = true: every run is private")
    else:
        lines.append(
            "cli.ini: privacy-minimal is not set: new certificates are NOT private (a plain "
            "certbot certonly sends the full User-Agent and records nothing); "
            f"{result.new_certificates_fix}"
        )
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
            f"    next renewal: {line.user_agent_kind} User-Agent: {p(line.user_agent)}"
            + (
                f" (certbot {p(lineage.version)}, as its renewal conf names it)"
                if lineage.version
                else ""
            ),
            "    disclosure log: "
            + (p(line.log) if line.log else "none (not private: nothing is recorded)"),
        ]
    if not result.lineages:
        lines.append("  none")
    for problem in result.problems:
        lines.append(f"cannot tell: {p(problem)}")
    lines.append("")
    fixes = result.fixes
    if fixes:
        lines.append("To make them private:")
        for fix in fixes:
            lines.append(f"  {p(fix.subject)}:")
            lines.append(f"    {p(fix.command)}")
            lines.append(f"    ({fix.effect})")
        lines.append("")
    if result.all_private and result.new_certificates_private:
        lines.append("Everything is private.")
    elif result.all_private:
        lines.append(
            "Every account and certificate here is private; new certificates are not until "
            f"you {result.new_certificates_fix}."
        )
    else:
        total = len(result.accounts) + len(result.lineages)
        summary = f"{result.not_private} of {total} not private"
        if result.problems:
            summary += f", and {len(result.problems)} thing(s) it cannot tell (see above)"
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
        "empty": result.empty,
        "new_certificates_private": result.new_certificates_private,
        "new_certificates_fix": result.new_certificates_fix,
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


def json_text(result: posture.Posture) -> str:
    """The posture as one JSON document."""
    return json.dumps(as_json(result), indent=2, sort_keys=True) + "\n"


#: ``--format``'s choices and their renderers.
RENDERERS: Mapping[str, Callable[[posture.Posture], str]] = {"text": text, "json": json_text}
