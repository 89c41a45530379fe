"""The privacy posture of a machine's certbot: what is private, what is not, and the fixes (pure).

From what :mod:`certbot_privacy._internal.confdir.reader` read (accounts, lineages, cli.ini) and a
few facts about the installed software, :func:`assess` says for each account and each
lineage (certificate) whether certbot handles it in privacy mode, what the next renewal
will send as its User-Agent, which disclosure log records it, and, for each thing that is
not private, the exact command that makes it so. Nothing here reads a file or sends
anything; :mod:`certbot_privacy._internal.manage.status` shows the result.

What counts as private (:mod:`certbot_privacy._internal.confdir.privacy` decides, for the plugin
too):

* everything, when a cli.ini that certbot reads says ``privacy-minimal = true``;
* an account with our mark (``certbot-privacy.json``) saying so, unless its local
  registration still holds a contact (certbots before 1.x kept it: it was sent to the
  CA) or an EFF subscription is pending (the address goes to the EFF with the next
  certificate);
* a lineage whose renewal conf says ``privacy_minimal = True`` (its account's state does
  not change how it renews: each lineage goes out as it was obtained or switched).
"""

import shlex
from dataclasses import dataclass
from typing import List, Optional, Tuple

from certbot_privacy._internal.confdir import privacy
from certbot_privacy._internal.confdir.cliini import EVERY_RUN_LINE
from certbot_privacy._internal.confdir.reader import Account, ConfigDir, Lineage
from certbot_privacy._internal.rules import useragent

#: certbot's default configuration directory (fix commands name another with --config-dir).
DEFAULT_CONFIG_DIR = "/etc/letsencrypt"
#: The cli.ini that every certbot run reads (as root).
CLI_INI = DEFAULT_CONFIG_DIR + "/cli.ini"


@dataclass(frozen=True)
class Software:
    """What builds the User-Agent: versions of certbot, requests, Python, and the OS name."""

    certbot: str
    requests: str
    python: str = ""
    os_name: str = ""


@dataclass(frozen=True)
class Fix:
    """One command that makes one thing private, and what it does."""

    subject: str
    argv: Tuple[str, ...]
    effect: str

    @property
    def command(self) -> str:
        """The command as one shell line."""
        return " ".join(shlex.quote(arg) for arg in self.argv)


@dataclass(frozen=True)
class AccountPosture:
    """One account: whether it is private, why, and what it has disclosed or will."""

    account: Account
    private: bool
    #: Why (or why not), in a few words.
    reason: str
    #: What is known of its contact at the CA.
    contact: str
    #: Its EFF subscription, as certbot stores it.
    eff: str
    fix: Optional[Fix] = None


@dataclass(frozen=True)
class LineagePosture:
    """One lineage: whether it is private, why, its next User-Agent and its log."""

    lineage: Lineage
    private: bool
    reason: str
    #: ``minimal``, ``full`` (certbot's detailed one) or ``custom`` (a saved --user-agent).
    user_agent_kind: str
    user_agent: str
    #: The disclosure log its requests go to ("" when not private: nothing is recorded).
    log: str
    fix: Optional[Fix] = None


@dataclass(frozen=True)
class Posture:
    """The whole machine's posture."""

    config_dir: str
    cli_private: Tuple[str, ...]
    accounts: Tuple[AccountPosture, ...]
    lineages: Tuple[LineagePosture, ...]
    problems: Tuple[str, ...]

    @property
    def fixes(self) -> List[Fix]:
        """Every fix, accounts first (their fixes may make their lineages private)."""
        found = [a.fix for a in self.accounts] + [line.fix for line in self.lineages]
        return [fix for fix in found if fix is not None]

    @property
    def not_private(self) -> int:
        """How many accounts and lineages are not private."""
        return sum(not a.private for a in self.accounts) + sum(
            not line.private for line in self.lineages
        )

    @property
    def all_private(self) -> bool:
        """Everything private, and every file could be read."""
        return self.not_private == 0 and not self.problems and not self.empty

    @property
    def empty(self) -> bool:
        """No certbot state here: no account, no certificate, nothing unreadable."""
        return not (self.accounts or self.lineages or self.problems)

    @property
    def new_certificates_private(self) -> bool:
        """Whether a new certificate (``certbot certonly`` without the flag) is private."""
        return bool(self.cli_private)

    @property
    def new_certificates_fix(self) -> Optional[str]:
        """The line that makes every run private, and where: ``None`` when it is there."""
        if self.new_certificates_private:
            return None
        return f"add the line {EVERY_RUN_LINE} to {CLI_INI}"


def assess(found: ConfigDir, software: Software) -> Posture:
    """Assess what was read from a configuration directory."""
    cli_private = tuple(
        ini.path for ini in found.cli_inis if ini.privacy_minimal and not ini.refused
    )
    problems = list(found.problems)
    for ini in found.cli_inis:
        if ini.refused:
            problems.append(f"{ini.path}: {ini.refused}; every certbot run fails until it is fixed")
    accounts = tuple(_account(found, a, bool(cli_private)) for a in found.accounts)
    lineages = tuple(_lineage(found, line, software, bool(cli_private)) for line in found.lineages)
    return Posture(found.path, cli_private, accounts, lineages, tuple(problems))


def full_user_agent(lineage: Lineage, software: Software) -> str:
    """Certbot's detailed User-Agent for a ``renew`` of *lineage*, as far as it is known."""
    return (
        f"{useragent.CLIENT_PRODUCT}/{renewing_certbot(lineage, software)} (certbot; "
        f"{software.os_name or '<OS name and version>'}) "
        f"Authenticator/{lineage.authenticator or 'None'} "
        f"Installer/{lineage.installer or 'None'} (renew; flags: <flags>) "
        f"Py/{software.python or '<Python version>'}"
    )


def renewing_certbot(lineage: Lineage, software: Software) -> str:
    """The certbot version a lineage's next renewal names: the one its renewal conf names.

    Certbot writes its own version into the conf on every issuance and renewal, so that
    is the certbot renewing it (the timer's), not whichever this tool can import.
    """
    return lineage.version or software.certbot


def _config_args(found: ConfigDir) -> Tuple[str, ...]:
    return () if found.path.rstrip("/") == DEFAULT_CONFIG_DIR else ("--config-dir", found.path)


def _account(found: ConfigDir, account: Account, cli: bool) -> AccountPosture:
    mark = account.mark
    emails = [c[len("mailto:") :] for c in account.contacts if c.startswith("mailto:")]
    if account.contacts:
        contact = "stored in the local registration, so sent to the CA: " + ", ".join(
            emails or account.contacts
        )
    elif mark is not None and mark.contact_withdrawn:
        contact = f"withdrawn at the CA in privacy mode on {mark.contact_withdrawn}"
    else:
        contact = (
            "none stored locally (certbot keeps no copy since 1.x; "
            "certbot show_account asks the CA)"
        )
    if account.register_to_eff:
        eff = (
            f"subscription pending: certbot sends {account.register_to_eff} to the EFF "
            "after the next certificate"
        )
    else:
        eff = "none pending"
    marked = privacy.account_runs_private(mark)
    private = privacy.account_discloses_nothing_more(account, cli)
    if account.contacts:
        reason = "a contact is stored (and was sent to the CA)"
    elif account.register_to_eff:
        reason = "an EFF subscription is pending"
    elif marked:
        reason = (
            f"marked private on {mark.since}"
            if mark is not None and mark.since
            else "marked private"
        )
    elif cli:
        reason = "cli.ini says privacy-minimal = true"
    elif mark is not None:
        reason = f"switched off on {mark.since}" if mark.since else "switched off"
    else:
        reason = "registered without privacy mode"
    fix = None
    if not private:
        server = ("--account", account.id, "--server", account.server)
        if marked or cli:
            if account.contacts:
                fix = Fix(
                    f"account {account.id}",
                    (
                        "certbot",
                        "update_account",
                        "--privacy-minimal",
                        "--privacy-withdraw-email",
                        *server,
                        *_config_args(found),
                    ),
                    "removes the contact at the CA by sending contact: [], recorded in the log",
                )
            else:
                fix = Fix(
                    f"account {account.id}",
                    (
                        "certbot-privacy",
                        "switch",
                        "on",
                        "--account",
                        account.id,
                        *_config_args(found),
                    ),
                    "cancels the pending EFF subscription; sends nothing, recorded in the log",
                )
        else:
            fix = Fix(
                f"account {account.id}",
                (
                    "certbot",
                    "update_account",
                    "--privacy-minimal",
                    "--privacy-withdraw-email",
                    *server,
                    *_config_args(found),
                ),
                "makes the account private, removes any contact it has at the CA by sending "
                "contact: [], and cancels a pending EFF subscription; all recorded in the log",
            )
    return AccountPosture(account, private, reason, contact, eff, fix)


def _lineage(
    found: ConfigDir,
    lineage: Lineage,
    software: Software,
    cli: bool,
) -> LineagePosture:
    if privacy.lineage_renews_private(lineage):
        private, reason = True, "its renewal conf says privacy_minimal = True"
    elif cli:
        private, reason = True, "cli.ini says privacy-minimal = true"
    elif lineage.switched_off:
        private, reason = False, "switched off (its renewal conf says privacy_minimal = False)"
    else:
        private, reason = False, "obtained without privacy mode"
    if lineage.user_agent:
        kind, agent = "custom", lineage.user_agent
    elif private:
        kind = "minimal"
        agent = useragent.minimal_user_agent(renewing_certbot(lineage, software), software.requests)
    else:
        kind, agent = "full", full_user_agent(lineage, software)
    log = ""
    if private:
        log = privacy.lineage_log(lineage)
    fix = None
    if not private:
        fix = Fix(
            f"certificate {lineage.name}",
            ("certbot-privacy", "switch", "on", "--cert-name", lineage.name, *_config_args(found)),
            "makes its renewals and every command on it private; sends nothing now, "
            "recorded in its log",
        )
    return LineagePosture(lineage, private, reason, kind, agent, log, fix)
