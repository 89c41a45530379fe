"""The ``privacy`` plugin: its flags, and when privacy mode switches on (thin adapter).

Certbot imports this module and calls :meth:`PrivacyPlugin.inject_parser_options` on every
run. That installs two hooks (:mod:`.compat`): after parsing, check the privacy options
and switch the mode on for a private run (bad options: one sentence, exit code 2,
nothing sent); and, in ``renew``, per lineage, switch it on for a lineage obtained in
privacy mode and off for the next one unless the whole run is private. Policy lives in
:mod:`certbot_privacy.rules`; what the mode consists of in :mod:`.mode`. Everything but
this module's own names is imported lazily.
"""

import argparse
import logging
from typing import Any, Callable, Mapping, Sequence

from certbot import configuration
from certbot.plugins import common

from certbot_privacy.adapter.state import RUN

logger = logging.getLogger(__name__)

#: Options of this plugin, without the ``privacy_`` prefix, that only mean something in
#: privacy mode.
_MODE_ONLY_OPTIONS = ("log", "share_email", "syslog", "withdraw_email", "strict")

#: Verbs that send ``--email`` to the CA (registering an account, or updating it). Other
#: verbs (``renew`` above all, which distro timers run with whatever cli.ini holds) are
#: not stopped for an ``email`` they would not send; the email gate still stands at
#: every newAccount request.
_EMAIL_VERBS = ("run", "certonly", "register", "update_account")

#: Verbs that restore lineages from their renewal confs (``reconfigure`` since 2.3).
_LINEAGE_VERBS = ("renew", "reconfigure")

#: Other verbs that touch saved lineages or accounts (:mod:`.persistent`).
_SAVED_VERBS = ("certificates", "revoke", "delete", "show_account", "update_account", "unregister")

#: Options that are decisions for the run in which they are given: never written to a
#: renewal conf, never restored from one (consent is for one run and one address).
PER_RUN_OPTIONS = ("privacy_share_email", "privacy_withdraw_email")


class PrivacyPlugin(common.Plugin):
    """Privacy-minimal mode for Certbot (never an authenticator nor an installer)."""

    description = (
        "Privacy-minimal mode (--privacy-minimal): minimal User-Agent, "
        "no email without consent, a local disclosure log"
    )

    @classmethod
    def add_parser_arguments(cls, add: Callable[..., None]) -> None:
        # Plain store_true, never a custom argparse action: certbot <= 2.6 re-parses the
        # command line treating any action it does not know as "store", and fails after
        # the certificate was written. The mode is switched on by the parse hook instead.
        add(
            "minimal",
            action="store_true",
            default=False,
            help="Send the CA only what issuance needs: a minimal User-Agent on every "
            "request, a contact email only with your consent, nothing to the EFF "
            "without its own consent, a disclosure log of every request, and lineages "
            "that stay private on renewal. In cli.ini: privacy-minimal = true",
        )
        add(
            "log",
            default=None,
            metavar="PATH",
            help="Where privacy mode records what was disclosed "
            "(default: <logs-dir>/disclosure.jsonl)",
        )
        add(
            "share-email",
            action="store_true",
            default=False,
            help="Consent, for this run and the --email address given with it, to send "
            "that address to the CA as the account contact and, with --eff-email, to the "
            "EFF as well (in non-interactive runs; at a terminal you are asked). Never "
            "saved: not in renewal confs, not from cli.ini",
        )
        add(
            "withdraw-email",
            action="store_true",
            default=False,
            help="With update_account: remove the contact email from the ACME account "
            "at the CA (sends contact: [] and records it)",
        )
        add(
            "syslog",
            action="store_true",
            default=False,
            help="Also mirror each disclosure record to the local syslog/journal",
        )
        add(
            "strict",
            action="store_true",
            default=False,
            help="Refuse, before anything is sent (exit code 2), a run whose authenticator "
            "or hooks the disclosure log cannot see request by request: hooks (other "
            "processes), native code in certbot, an authenticator whose library has no "
            "request-level recording. In cli.ini: privacy-strict = true",
        )

    @classmethod
    def inject_parser_options(cls, parser: argparse.ArgumentParser, name: str) -> None:
        super().inject_parser_options(parser, name)
        from certbot_privacy.adapter import compat

        compat.install_parse_hook(on_parsed)

    def prepare(self) -> None:
        """Nothing to prepare: the plugin acts through its flags, not when selected."""

    def more_info(self) -> str:
        return (
            "Adds --privacy-minimal to every certbot command. Not an authenticator "
            "nor an installer: it is never offered in those menus."
        )


def on_parsed(namespace: argparse.Namespace, verb: str, args: Sequence[str] = ()) -> None:
    """Check privacy options after parsing; switch the mode on for a private run.

    *args* is the command line as typed (without cli.ini's values). With privacy mode off
    this imports nothing: it runs on every certbot command.
    """
    if verb in _SAVED_VERBS:  # a private lineage or account makes the run private
        from certbot_privacy.adapter import persistent

        persistent.on_parsed(namespace, verb)
    RUN.parsed(verb, bool(getattr(namespace, "privacy_minimal", False)))
    if verb in _LINEAGE_VERBS:
        from certbot_privacy.adapter import compat

        compat.install_lineage_hook(on_lineage)
        compat.install_renewal_conf_filter(PER_RUN_OPTIONS)
    if not RUN.run_level:
        _refuse_mode_only_options(namespace, verb)
        return
    _ignore_saved_consent(namespace, args)
    _absolute_log_path(namespace)
    _check_email_options(namespace, verb)
    if namespace.eff_email is None:
        # Stops the EFF POST at its source and skips certbot's question; an explicit
        # --eff-email (parsed into True) needs the EFF's own consent (the email gate).
        namespace.eff_email = False
    if getattr(namespace, "user_agent_comment", None):
        logger.warning(
            "--user-agent-comment is not sent in privacy mode: the "
            "User-Agent is the minimal one (or --user-agent)."
        )
    _switch_on(namespace, verb)


def on_lineage(config: configuration.NamespaceConfig, renewalparams: Mapping[str, Any]) -> None:
    """Switch privacy mode on or off for the lineage that ``renew`` is about to handle."""
    from certbot_privacy.adapter import compat

    if _restored(renewalparams.get("privacy_minimal")) is True and not config.privacy_minimal:
        # Through NamespaceConfig, so that certbot writes it back to the renewal conf.
        config.privacy_minimal = True
    if not (RUN.run_level or config.privacy_minimal):
        if RUN.on:
            from certbot_privacy.adapter import mode

            mode.switch_off()
        return
    for option, value in renewalparams.items():
        if (
            option.startswith("privacy_")
            and option != "privacy_minimal"
            and option not in PER_RUN_OPTIONS
            and not compat.set_by_user(config, option)
        ):
            setattr(config, option, _restored(value))
    _switch_on(config.namespace, RUN.verb)


def _switch_on(namespace: argparse.Namespace, verb: str) -> None:
    from certbot_privacy.adapter import compat, mode

    mode.switch_on(namespace, verb)
    compat.install_email_hooks()
    compat.install_account_hooks(_account_saved)
    compat.install_renewal_conf_filter(PER_RUN_OPTIONS)
    compat.install_dns_hook(mode.expect_challenge)


def _account_saved(stored: Any) -> None:
    # persistent (and certbot's config dir reader) is imported only when an account is
    # saved: most private runs save none.
    from certbot_privacy.adapter import persistent

    persistent.account_saved(stored)


def given_on_command_line(args: Sequence[str], flag: str, shortest: str) -> bool:
    """Whether *flag*, or an abbreviation of it argparse accepts (*shortest* at least), is
    among the typed *args*."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if name.startswith(shortest) and flag.startswith(name):
            return True
    return False


def _ignore_saved_consent(namespace: argparse.Namespace, args: Sequence[str]) -> None:
    """``--privacy-share-email`` counts only when typed for this run, never from cli.ini."""
    # "--privacy-s" is ambiguous with --privacy-syslog: argparse accepts "--privacy-sh" on.
    typed = given_on_command_line(args, "--privacy-share-email", "--privacy-sh")
    if getattr(namespace, "privacy_share_email", False) and not typed:
        namespace.privacy_share_email = False
        logger.warning(
            "privacy-share-email in a configuration file is not consent: consent is "
            "given for one run, with --privacy-share-email on its command line. Ignored."
        )


def _absolute_log_path(namespace: argparse.Namespace) -> None:
    """Make ``--privacy-log`` absolute, as certbot saves it in the renewal conf.

    The distro's timer runs ``renew`` from ``/``: a relative path saved as given would
    send its records somewhere else.
    """
    import os

    given = getattr(namespace, "privacy_log", None)
    if given:
        namespace.privacy_log = os.path.abspath(os.path.expanduser(given))


def _refuse_mode_only_options(namespace: argparse.Namespace, verb: str) -> None:
    if verb == "renew":
        return  # they apply to the lineages that were obtained in privacy mode
    for option in _MODE_ONLY_OPTIONS:
        value = getattr(namespace, "privacy_" + option, None)
        if value not in (None, False):
            flag = "--privacy-" + option.replace("_", "-")
            raise _usage(
                f"{flag} only takes effect in privacy mode: add --privacy-minimal "
                f"(or privacy-minimal = true in cli.ini), or drop {flag}"
            )


def _check_email_options(namespace: argparse.Namespace, verb: str) -> None:
    """Apply the contact rules that can be decided before anything is sent."""
    withdraw = bool(getattr(namespace, "privacy_withdraw_email", False))
    if withdraw:
        if verb != "update_account":
            raise _usage(
                "--privacy-withdraw-email works with update_account "
                "only: run certbot update_account --privacy-minimal "
                "--privacy-withdraw-email"
            )
        if namespace.email:
            raise _usage(
                "--privacy-withdraw-email removes the contact, and "
                "--email sets one: give one of them"
            )
        namespace.register_unsafely_without_email = True  # what makes certbot send []
        return
    if verb == "update_account" and namespace.register_unsafely_without_email:
        raise _usage(
            "In privacy mode, update_account does not remove the contact "
            "as a side effect of --register-unsafely-without-email: use "
            "--privacy-withdraw-email to remove it"
        )
    if verb == "update_account" and not namespace.email:
        from certbot_privacy.adapter import mode

        if not mode.interactive(namespace):
            raise _usage(
                "update_account in a non-interactive run (-n, -q or no terminal) asks "
                "nothing: give --email ADDRESS --privacy-share-email to set the contact, "
                "or --privacy-withdraw-email to remove it; nothing was sent"
            )
    if namespace.email and verb in _EMAIL_VERBS:
        _check_email(namespace)
    elif verb != "update_account":
        # No email: register without a contact (certbot 2.1.0 insists on this flag in
        # -n runs). In an interactive run the admin is asked at the newAccount request.
        namespace.register_unsafely_without_email = True


def _check_email(namespace: argparse.Namespace) -> None:
    """One valid address, and consent to send it if nobody can be asked."""
    import os

    from certbot import util

    from certbot_privacy.adapter import mode
    from certbot_privacy.rules import cas, consent

    language = consent.choose_language(os.environ)
    address = consent.validate_contact(namespace.email, language)
    if not util.safe_email(address):
        raise _usage(
            f"{address} is not a valid email address: correct it, or "
            "drop --email to register without a contact"
        )
    namespace.email = address
    if not mode.interactive(namespace):
        # Without --privacy-share-email: ConsentRequiredError, exit code 2 (patching).
        consent.decide_noninteractive(
            address,
            bool(namespace.privacy_share_email),
            ca=cas.for_directory(namespace.server),
            language=language,
        )


def _restored(value: Any) -> Any:
    """Turn a value read back from a renewal conf (configobj strings) into its type."""
    if isinstance(value, str):
        return {"True": True, "False": False, "None": None}.get(value, value)
    return value


def _usage(message: str) -> Exception:
    """A :class:`~certbot_privacy.errors.UsageError` (imported only when one is raised)."""
    from certbot_privacy.errors import UsageError

    return UsageError(message)
