"""The ``privacy`` plugin: its flags, and when privacy mode switches on (thin adapter).

Certbot imports this module and calls :meth:`PrivacyPlugin.inject_parser_options` on every
run. That installs two hooks (:mod:`.certbot_internals`): after parsing, check the privacy options
and switch the mode on for a private run (bad options: one sentence, exit code 2,
nothing sent); and, in ``renew``, per lineage, switch it on for a lineage obtained in
privacy mode and off for the next one unless the whole run is private. Policy lives in
:mod:`certbot_privacy._internal.rules`; what the mode consists of in :mod:`.mode`. Everything but
this module's own names is imported lazily.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any, Callable, ClassVar, List, Mapping, Sequence, Set

from certbot import configuration
from certbot.plugins import common

from certbot_privacy._internal.adapter.state import RUN

logger = logging.getLogger(__name__)


class _Typed:
    """What this run typed of the consent flags, set each time certbot parses.

    The consent rule (``rules.options.run_consent``) needs it again each time privacy
    mode switches on later in the run (a lineage of ``renew``), when certbot has mixed
    cli.ini's and the renewal conf's values into the same options.
    """

    share_email = False
    eff_email = False
    #: The configuration-file consents already warned about in this run.
    warned: ClassVar[Set[str]] = set()
    #: The logs a ``saved_consent_ignored`` notice already went to in this run.
    noticed: ClassVar[Set[str]] = set()
    #: The configuration-file consents turned off in this run, in order.
    ignored: ClassVar[List[str]] = []

    @classmethod
    def parsed(cls, args: Sequence[str]) -> None:
        """A new command line: what it typed, and nothing warned or noticed yet."""
        from certbot_privacy._internal.rules import options

        cls.share_email = options.share_email_typed(args)
        cls.eff_email = options.eff_email_typed(args)
        cls.warned, cls.noticed, cls.ignored = set(), set(), []

    @classmethod
    def ignore(cls, names: Sequence[str], *, warn: bool = True) -> None:
        """*names* were turned off; warn once per run about those not warned about yet."""
        cls.ignored += [name for name in names if name not in cls.ignored]
        new = [name for name in cls.ignored if name not in cls.warned]
        if warn and new:
            cls.warned.update(new)
            logger.warning("%s", _warning(new))


class PrivacyPlugin(common.Plugin):
    """Privacy-minimal mode for Certbot (never an authenticator nor an installer)."""

    description = (
        "Privacy-minimal mode (--privacy-minimal): minimal User-Agent, "
        "no email without consent, a local disclosure log"
    )
    #: What ``certbot --help privacy`` shows above the flags (certbot's plugin help).
    long_description = (
        description + ". Read the log back with certbot-privacy report (and verify, "
        "export --art30); see whether this machine's certificates and accounts are "
        "private with certbot-privacy status, and make them private (or not) with "
        "certbot-privacy switch on|off."
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
        from certbot_privacy._internal.adapter import certbot_internals

        certbot_internals.install_parse_hook(on_parsed)

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
    this imports nothing but the option rules: it runs on every certbot command.
    """
    from certbot_privacy._internal.rules import options

    if verb in options.SAVED_VERBS:  # a private lineage or account makes the run private
        from certbot_privacy._internal.adapter import persistent

        persistent.on_parsed(namespace, verb)
    _Typed.parsed(args)
    RUN.parsed(verb, options.flag(getattr(namespace, "privacy_minimal", False)))
    if verb in options.LINEAGE_VERBS:
        from certbot_privacy._internal.adapter import certbot_internals

        certbot_internals.install_lineage_hook(on_lineage)
        certbot_internals.install_renewal_conf_filter(options.PER_RUN_OPTIONS)
    if not _Typed.share_email and options.flag(getattr(namespace, "privacy_share_email", None)):
        # Never consent, whatever turns the mode on later (a lineage, the OCSP scope of
        # `certificates`, which copies this namespace): off for the whole run.
        namespace.privacy_share_email = False
        _Typed.ignore(
            ["privacy-share-email"], warn=not RUN.run_level and verb not in options.LINEAGE_VERBS
        )
    if not RUN.run_level:
        given = {
            name: getattr(namespace, "privacy_" + name, None) for name in options.MODE_ONLY_OPTIONS
        }
        options.refuse_mode_only_options(verb, given)
        return
    _consent_of_run(namespace)
    _absolute_log_path(namespace)
    _check_email_options(namespace, verb)
    if getattr(namespace, "user_agent_comment", None):
        logger.warning(
            "--user-agent-comment is not sent in privacy mode: the "
            "User-Agent is the minimal one (or --user-agent)."
        )
    _switch_on(namespace, verb)


def on_lineage(config: configuration.NamespaceConfig, renewalparams: Mapping[str, Any]) -> None:
    """Switch privacy mode on or off for the lineage that ``renew`` is about to handle."""
    from certbot_privacy._internal.adapter import certbot_internals
    from certbot_privacy._internal.confdir.privacy import renewal_flag
    from certbot_privacy._internal.rules import options

    private = options.flag(getattr(config, "privacy_minimal", False))
    if renewal_flag(renewalparams.get("privacy_minimal")) is True and not private:
        # Through NamespaceConfig, so that certbot writes it back to the renewal conf.
        config.privacy_minimal = private = True
    if not (RUN.run_level or private):
        if RUN.on:
            from certbot_privacy._internal.adapter import mode

            mode.switch_off()
        return
    for option, value in renewalparams.items():
        if (
            option.startswith("privacy_")
            and option != "privacy_minimal"
            and option not in options.PER_RUN_OPTIONS
            and not certbot_internals.set_by_user(config, option)
        ):
            setattr(config, option, _restored(value))
    _switch_on(config.namespace, RUN.verb)


def _switch_on(namespace: argparse.Namespace, verb: str) -> None:
    """Put privacy mode in force for *namespace*.

    Every path that turns the mode on comes here, and so through the consent rule.
    """
    from certbot_privacy._internal.adapter import certbot_internals, mode
    from certbot_privacy._internal.rules import options

    ignored = _consent_of_run(namespace)
    mode.switch_on(namespace, verb)
    certbot_internals.install_email_hooks()
    certbot_internals.install_account_hooks(_account_saved)
    certbot_internals.install_renewal_conf_filter(options.PER_RUN_OPTIONS)
    certbot_internals.install_dns_hook(mode.expect_challenge)
    log = mode.current_log()
    if ignored and log is not None and log.path not in _Typed.noticed:
        _Typed.noticed.add(log.path)  # once per log and run: renew may switch on per lineage
        mode.record_notice(
            "saved_consent_ignored", "local", options=ignored, message=_warning(ignored)
        )


def _consent_of_run(namespace: argparse.Namespace) -> List[str]:
    """Apply the consent rule to *namespace*: only what this run typed is consent.

    ``--privacy-share-email`` and ``--eff-email`` set by cli.ini or a renewal conf
    (certbot restores the plugin's options when a conf names it as installer) are turned
    off, with one warning per run. Returns the names turned off in this run so far.
    """
    from certbot_privacy._internal.rules import options

    decided = options.run_consent(
        share_email=getattr(namespace, "privacy_share_email", False),
        eff_email=getattr(namespace, "eff_email", None),
        share_typed=_Typed.share_email,
        eff_typed=_Typed.eff_email,
    )
    namespace.privacy_share_email = decided.share_email
    # False also stops the EFF POST at its source and skips certbot's question; a typed
    # --eff-email (True) needs the EFF's own consent (the email gate).
    namespace.eff_email = decided.eff_email
    _Typed.ignore(decided.ignored)
    return list(_Typed.ignored)


def _warning(ignored: Sequence[str]) -> str:
    from certbot_privacy._internal.rules import options

    return options.ignored_consent_warning(ignored)


def _account_saved(stored: Any) -> None:
    # persistent (and certbot's config dir reader) is imported only when an account is
    # saved: most private runs save none.
    from certbot_privacy._internal.adapter import persistent

    persistent.account_saved(stored)


def _absolute_log_path(namespace: argparse.Namespace) -> None:
    """Make ``--privacy-log`` absolute, as certbot saves it in the renewal conf.

    The distro's timer runs ``renew`` from ``/``: a relative path saved as given would
    send its records somewhere else.
    """
    import os

    from certbot_privacy._internal.rules import options

    given = options.path(getattr(namespace, "privacy_log", None))
    if given:
        namespace.privacy_log = os.path.abspath(os.path.expanduser(given))


def _check_email_options(namespace: argparse.Namespace, verb: str) -> None:
    """Apply the contact rules that can be decided before anything is sent."""
    from certbot_privacy._internal.adapter import mode
    from certbot_privacy._internal.rules import options

    decided = options.email_options(
        verb,
        email=options.path(namespace.email),
        withdraw=options.flag(getattr(namespace, "privacy_withdraw_email", False)),
        without_email=options.flag(namespace.register_unsafely_without_email),
        interactive=mode.interactive(namespace),
    )
    if decided in (options.WITHDRAW, options.NO_CONTACT):
        # What makes certbot send contact: [] (update_account), or register without one.
        namespace.register_unsafely_without_email = True
    elif decided == options.CHECK_ADDRESS:
        _check_email(namespace)


def _check_email(namespace: argparse.Namespace) -> None:
    """One valid address, and consent to send it if nobody can be asked."""
    import os

    from certbot import util

    from certbot_privacy._internal.adapter import mode
    from certbot_privacy._internal.rules import consent, facts_file, options

    language = consent.choose_language(os.environ)
    address = consent.validate_contact(namespace.email, language)
    if not util.safe_email(address):
        raise options.invalid_address(address)
    namespace.email = address
    if not mode.interactive(namespace):
        # Without --privacy-share-email: ConsentRequiredError, exit code 2 (patching).
        consent.decide_noninteractive(
            address,
            options.flag(namespace.privacy_share_email),
            ca=facts_file.for_directory(namespace.server),
            language=language,
        )


def _restored(value: Any) -> Any:
    """Turn a value read back from a renewal conf (configobj strings) into its type."""
    if isinstance(value, str):
        return {"True": True, "False": False, "None": None}.get(value, value)
    return value
