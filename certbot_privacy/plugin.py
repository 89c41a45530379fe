"""The certbot adapter: the ``privacy`` plugin, its flags, and when the mode switches on.

This module wires certbot to the core and holds no policy of its own: the User-Agent
policy is in :mod:`certbot_privacy.useragent`, the consent rules in
:mod:`certbot_privacy.consent`, the request choke point in :mod:`certbot_privacy.wire`,
what the mode consists of in :mod:`certbot_privacy._mode`, and every use of certbot's
private names in :mod:`certbot_privacy._certbot_compat`.

Certbot imports this module and calls :meth:`PrivacyPlugin.inject_parser_options` on every
run. That installs hooks which do nothing unless privacy mode is on:

* after the command line is parsed: check the privacy options and, with
  ``--privacy-minimal`` (or ``privacy-minimal = true`` in cli.ini), switch the mode on for
  the whole run, before any request is made. Bad options stop certbot with one sentence
  and exit code 2, before anything is sent;
* as ``certbot renew`` restores each lineage: switch the mode on for a lineage obtained in
  privacy mode (its renewal conf says ``privacy_minimal = True``), and off again for the
  next lineage unless the whole run is private;
* where an email could leave (see :mod:`certbot_privacy._email_gate`).

Everything but this module's own names is imported lazily: certbot imports the plugin on
every run, privacy mode or not.
"""

import argparse
import logging
import sys
from typing import Any, Callable, Mapping, NoReturn

from certbot import configuration, errors
from certbot.plugins import common

from certbot_privacy.errors import UsageError

logger = logging.getLogger(__name__)

#: The exit code of a usage error, as argparse and the ``certbot-privacy`` tool use it.
EXIT_USAGE = 2

#: Options of this plugin, without the ``privacy_`` prefix, that only mean something in
#: privacy mode.
_MODE_ONLY_OPTIONS = ("log", "share_email", "syslog", "withdraw_email")

#: Verbs that send ``--email`` to the CA (registering an account, or updating it). Other
#: verbs (``renew`` above all, which distro timers run with whatever cli.ini holds) are
#: not stopped for an ``email`` they would not send; the email gate still stands at
#: every newAccount request.
_EMAIL_VERBS = ("run", "certonly", "register", "update_account")

#: Verbs that restore lineages from their renewal confs (``reconfigure`` since 2.3).
_LINEAGE_VERBS = ("renew", "reconfigure")


class _Run:
    """What this process knows about privacy mode for the whole run."""

    run_level: bool = False
    verb: str = ""
    #: Whether the mode was switched on at some point (so there is something to switch off).
    switched_on: bool = False


class PrivacyPlugin(common.Plugin):
    """Privacy-minimal mode for Certbot (never an authenticator nor an installer)."""

    description = ("Privacy-minimal mode (--privacy-minimal): minimal User-Agent, "
                   "no email without consent, a local disclosure log")

    @classmethod
    def add_parser_arguments(cls, add: Callable[..., None]) -> None:
        # Plain store_true, never a custom argparse action: certbot <= 2.6 re-parses the
        # command line treating any action it does not know as "store", and fails after
        # the certificate was written. The mode is switched on by the parse hook instead.
        add("minimal", action="store_true", default=False,
            help="Send the CA only what issuance needs: a minimal User-Agent on every "
                 "request, a contact email only with your consent, nothing to the EFF "
                 "unless --eff-email, a disclosure log of every request, and lineages "
                 "that stay private on renewal. In cli.ini: privacy-minimal = true")
        add("log", default=None, metavar="PATH",
            help="Where privacy mode records what was disclosed "
                 "(default: <logs-dir>/disclosure.jsonl)")
        add("share-email", action="store_true", default=False,
            help="Consent, for non-interactive runs, to sending the --email address to "
                 "the CA as the account contact")
        add("withdraw-email", action="store_true", default=False,
            help="With update_account: remove the contact email from the ACME account "
                 "at the CA (sends contact: [] and records it)")
        add("syslog", action="store_true", default=False,
            help="Also mirror each disclosure record to the local syslog/journal")

    @classmethod
    def inject_parser_options(cls, parser: argparse.ArgumentParser, name: str) -> None:
        super().inject_parser_options(parser, name)
        from certbot_privacy import _certbot_compat

        _certbot_compat.install_parse_hook(on_parsed)

    def prepare(self) -> None:
        """Nothing to prepare: the plugin acts through its flags, not when selected."""

    def more_info(self) -> str:
        return ("Adds --privacy-minimal to every certbot command. Not an authenticator "
                "nor an installer: it is never offered in those menus.")


def on_parsed(namespace: argparse.Namespace, verb: str) -> None:
    """Check privacy options after parsing; switch the mode on for a private run.

    With privacy mode off this imports nothing: it runs on every certbot command.
    """
    _Run.run_level = bool(getattr(namespace, "privacy_minimal", False))
    _Run.verb = verb
    if verb in _LINEAGE_VERBS:
        from certbot_privacy import _certbot_compat

        _certbot_compat.install_lineage_hook(on_lineage)
    try:
        if not _Run.run_level:
            _refuse_mode_only_options(namespace, verb)
            return
        _check_email_options(namespace, verb)
        if namespace.eff_email is None:
            # Stops the EFF POST at its source and skips the question; an explicit
            # --eff-email (parsed into True) still subscribes, and is recorded.
            namespace.eff_email = False
        if getattr(namespace, "user_agent_comment", None):
            logger.warning("--user-agent-comment is not sent in privacy mode: the "
                           "User-Agent is the minimal one (or --user-agent).")
        _switch_on(namespace, verb)
    except UsageError as error:
        _exit_usage(str(error))


def on_lineage(config: configuration.NamespaceConfig,
               renewalparams: Mapping[str, Any]) -> None:
    """Switch privacy mode on or off for the lineage that ``renew`` is about to handle."""
    from certbot_privacy import _certbot_compat

    if _restored(renewalparams.get("privacy_minimal")) is True and not config.privacy_minimal:
        # Through NamespaceConfig, so that certbot writes it back to the renewal conf.
        config.privacy_minimal = True
    if not (_Run.run_level or config.privacy_minimal):
        if _Run.switched_on:
            from certbot_privacy import _mode

            _mode.switch_off()
        return
    for option, value in renewalparams.items():
        if (option.startswith("privacy_") and option != "privacy_minimal"
                and not _certbot_compat.set_by_user(config, option)):
            setattr(config, option, _restored(value))
    try:
        _switch_on(config.namespace, _Run.verb)
    except UsageError as error:
        raise errors.Error(str(error)) from None


def _switch_on(namespace: argparse.Namespace, verb: str) -> None:
    from certbot_privacy import _certbot_compat, _mode

    _mode.switch_on(namespace, verb)
    _Run.switched_on = True
    _certbot_compat.install_email_hooks(_mode.current_gate)


def _refuse_mode_only_options(namespace: argparse.Namespace, verb: str) -> None:
    if verb == "renew":
        return  # they apply to the lineages that were obtained in privacy mode
    for option in _MODE_ONLY_OPTIONS:
        value = getattr(namespace, "privacy_" + option, None)
        if value not in (None, False):
            flag = "--privacy-" + option.replace("_", "-")
            raise UsageError(
                f"{flag} only takes effect in privacy mode: add --privacy-minimal "
                f"(or privacy-minimal = true in cli.ini), or drop {flag}")


def _check_email_options(namespace: argparse.Namespace, verb: str) -> None:
    """Apply the contact rules that can be decided before anything is sent."""
    withdraw = bool(getattr(namespace, "privacy_withdraw_email", False))
    if withdraw:
        if verb != "update_account":
            raise UsageError("--privacy-withdraw-email works with update_account "
                             "only: run certbot update_account --privacy-minimal "
                             "--privacy-withdraw-email")
        if namespace.email:
            raise UsageError("--privacy-withdraw-email removes the contact, and "
                             "--email sets one: give one of them")
        namespace.register_unsafely_without_email = True  # what makes certbot send []
        return
    if verb == "update_account" and namespace.register_unsafely_without_email:
        raise UsageError("In privacy mode, update_account does not remove the contact "
                         "as a side effect of --register-unsafely-without-email: use "
                         "--privacy-withdraw-email to remove it")
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

    from certbot_privacy import _mode, cas, consent

    language = consent.choose_language(os.environ)
    try:
        address = consent.validate_contact(namespace.email, language)
    except consent.ContactError as error:
        raise UsageError(str(error)) from None
    if not util.safe_email(address):
        raise UsageError(f"{address} is not a valid email address: correct it, or "
                         "drop --email to register without a contact")
    namespace.email = address
    if not _mode.interactive(namespace):
        try:
            consent.decide_noninteractive(
                address, bool(namespace.privacy_share_email),
                ca=cas.for_directory(namespace.server), language=language)
        except consent.ConsentRequiredError as error:
            raise UsageError(str(error)) from None


def _restored(value: Any) -> Any:
    """Turn a value read back from a renewal conf (configobj strings) into its type."""
    if isinstance(value, str):
        return {"True": True, "False": False, "None": None}.get(value, value)
    return value


def _exit_usage(message: str) -> NoReturn:
    sys.stderr.write(f"certbot: error: {message}\n")
    raise SystemExit(EXIT_USAGE)
