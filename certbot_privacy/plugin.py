"""The certbot adapter: the ``privacy`` plugin, its flags, and switching the mode on.

This module wires certbot to the core and holds no policy of its own: the User-Agent
policy is in :mod:`certbot_privacy.useragent`, the request choke point in
:mod:`certbot_privacy.wire`, the uses of certbot's private names in
:mod:`certbot_privacy._certbot_compat`.

Certbot imports this module and calls :meth:`PrivacyPlugin.inject_parser_options` on every
run. That installs two hooks, which do nothing unless privacy mode is asked for:

* after the command line is parsed: validate the privacy options and, with
  ``--privacy-minimal`` (or ``privacy-minimal = true`` in cli.ini), switch the mode on for
  the whole run, before any request is made;
* as ``certbot renew`` restores each lineage: switch the mode on for a lineage that was
  obtained in privacy mode (its renewal conf says ``privacy_minimal = True``), and off
  again for the next lineage unless the whole run is private.
"""

import argparse
import logging
import sys
from typing import Any, Callable, Mapping, NoReturn

from certbot import configuration, errors
from certbot.plugins import common

logger = logging.getLogger(__name__)

#: The exit code of a usage error, as argparse and the ``certbot-privacy`` tool use it.
EXIT_USAGE = 2

#: Options of this plugin, without the ``privacy_`` prefix, that only mean something in
#: privacy mode.
_MODE_ONLY_OPTIONS = ("log", "share_email", "syslog")


class _Run:
    """What this process knows about privacy mode for the whole run."""

    run_level: bool = False


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
                 "request, no email to the EFF, and lineages that stay private on renewal. "
                 "In cli.ini: privacy-minimal = true")
        add("log", default=None, metavar="PATH",
            help="Where privacy mode records what was disclosed "
                 "(default: <logs-dir>/disclosure.jsonl)")
        add("share-email", action="store_true", default=False,
            help="Consent, for non-interactive runs, to sending the --email address to "
                 "the CA as the account contact")
        add("syslog", action="store_true", default=False,
            help="Also mirror each disclosure record to the local syslog/journal")

    @classmethod
    def inject_parser_options(cls, parser: argparse.ArgumentParser, name: str) -> None:
        super().inject_parser_options(parser, name)
        from certbot_privacy import _certbot_compat

        _certbot_compat.install_parse_hook(on_parsed)
        _certbot_compat.install_lineage_hook(on_lineage)

    def prepare(self) -> None:
        """Nothing to prepare: the plugin acts through its flags, not when selected."""

    def more_info(self) -> str:
        return ("Adds --privacy-minimal to every certbot command. Not an authenticator "
                "nor an installer: it is never offered in those menus.")


def on_parsed(namespace: argparse.Namespace, verb: str) -> None:
    """Validate privacy options after parsing; switch the mode on for a private run."""
    _Run.run_level = bool(getattr(namespace, "privacy_minimal", False))
    try:
        if not _Run.run_level:
            _refuse_mode_only_options(namespace, verb)
            return
        if namespace.eff_email is None:
            # Stops the EFF POST at its source and skips the question; an explicit
            # --eff-email (parsed into True) still subscribes.
            namespace.eff_email = False
        if getattr(namespace, "user_agent_comment", None):
            logger.warning("--user-agent-comment is not sent in privacy mode: the "
                           "User-Agent is the minimal one (or --user-agent).")
        _activate(namespace)
    except _UsageError as error:
        _exit_usage(str(error))


def on_lineage(config: configuration.NamespaceConfig,
               renewalparams: Mapping[str, Any]) -> None:
    """Switch privacy mode on or off for the lineage that ``renew`` is about to handle."""
    saved = _restored(renewalparams.get("privacy_minimal"))
    if saved is True and not config.privacy_minimal:
        # Through NamespaceConfig, so that certbot writes it back to the renewal conf.
        config.privacy_minimal = True
    if config.privacy_minimal:
        for option, value in renewalparams.items():
            if option.startswith("privacy_") and option != "privacy_minimal":
                from certbot_privacy import _certbot_compat

                if not _certbot_compat.set_by_user(config, option):
                    setattr(config, option, _restored(value))
    if _Run.run_level or config.privacy_minimal:
        try:
            _activate(config.namespace)
        except _UsageError as error:
            raise errors.Error(str(error)) from None
    else:
        from certbot_privacy import wire

        wire.set_policy(None)


class _UsageError(Exception):
    """Options that cannot work together; reported as a usage error."""


def _refuse_mode_only_options(namespace: argparse.Namespace, verb: str) -> None:
    if verb == "renew":
        return  # they apply to the lineages that were obtained in privacy mode
    for option in _MODE_ONLY_OPTIONS:
        value = getattr(namespace, "privacy_" + option, None)
        if value not in (None, False):
            flag = "--privacy-" + option.replace("_", "-")
            raise _UsageError(f"{flag} only takes effect in privacy mode: add "
                              "--privacy-minimal (or privacy-minimal = true in cli.ini), "
                              f"or drop {flag}")


def _activate(namespace: argparse.Namespace) -> None:
    import certbot
    import requests

    from certbot_privacy import useragent, wire

    try:
        agent = useragent.choose_user_agent(
            namespace.user_agent, certbot.__version__, requests.__version__)
    except useragent.UserAgentError as error:
        raise _UsageError(str(error)) from None
    wire.set_policy(wire.WirePolicy(user_agent=agent))


def _restored(value: Any) -> Any:
    """Turn a value read back from a renewal conf (configobj strings) into its type."""
    return {"True": True, "False": False, "None": None}.get(value, value) \
        if isinstance(value, str) else value


def _exit_usage(message: str) -> NoReturn:
    sys.stderr.write(f"certbot: error: {message}\n")
    raise SystemExit(EXIT_USAGE)


