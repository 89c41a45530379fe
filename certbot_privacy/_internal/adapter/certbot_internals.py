"""Every use of certbot's (and acme's) private names, in one place.

Certbot gives plugins no public hook to run after the command line is parsed, nor to
restore a plugin's options when ``certbot renew`` rebuilds a lineage's configuration, nor
at the places a contact email leaves. Privacy mode needs all of them, so this module
wraps certbot's functions there with :class:`~certbot_privacy._internal.adapter.patching.Patch`
(idempotent, undoable, pass-through while privacy mode is off).

Checked against certbot 2.1.0 (Debian bookworm) and 5.8.0 (PyPI): ``tests/helpers/
certbot_names.py`` pins each name below with its parameters, and ``tests/unit/
test_certbot_internals.py`` checks them under each certbot's Python, failing loudly if one
moves:

* ``certbot._internal.cli.helpful.HelpfulArgumentParser.parse_args`` (private): returns
  the parsed ``argparse.Namespace`` (2.x) or a ``NamespaceConfig`` around it (since 2.7);
  on certbot <= 2.6 it also runs with ``detect_defaults=True``, re-parses that are skipped;
* ``certbot._internal.renewal._restore_plugin_configs(config, renewalparams)`` (private):
  called by ``renew`` for each lineage, on a per-lineage copy of the configuration, before
  any request for that lineage;
* ``certbot._internal.cli.set_by_cli`` (private, before 2.7): whether the user set an
  option; since 2.7 ``NamespaceConfig.set_by_user`` (public);
* ``acme.client.ClientV2._get_v2_account`` (private): the account lookup by key;
* ``certbot._internal.storage.relevant_values`` (private): what goes into a renewal conf;
* ``certbot._internal.client.perform_registration`` (private): the terms-of-service prompt;
* ``certbot._internal.eff.prepare_subscription`` and ``subscribe`` (private): where the
  address is stored for the EFF (account meta), and where it is posted;
* ``certbot.display.ops.get_email``, ``acme.client.ClientV2.new_account`` and
  ``update_registration`` (public, wrapped here with the rest);
* ``RevocationChecker.ocsp_revoked(self, cert)`` (``certbot._internal.ocsp`` since 3.0,
  ``certbot.ocsp`` before): the OCSP check of one lineage in ``certbot certificates``;
  *cert* is a ``certbot._internal.storage.RenewableCert`` whose ``configuration`` is the
  lineage's renewal conf (a configobj) and whose ``cli_config`` is the run's configuration;
* ``certbot._internal.account.AccountFileStorage.save(account, client)`` and
  ``update_regr(account)`` (``update_regr(account, client)`` on 2.x), whose ``config``
  (public ``NamespaceConfig``: ``accounts_dir``, ``server``) says where the account's
  directory ``<accounts_dir>/<account.id>`` is, and ``update_meta(account)``; the
  account's ``meta`` is a josepy object with ``register_to_eff``;
* ``certbot.plugins.dns_common.DNSAuthenticator.perform`` (public base class of the DNS
  plugins) and the DNS-01 annotated challenge's ``domain`` (2.x) or ``identifier.value``
  (since 3.x), ``validation_domain_name`` and ``validation``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Collection,
    ContextManager,
    Dict,
    Mapping,
    Optional,
    Sequence,
    Union,
)

from certbot import configuration

from certbot_privacy._internal.adapter.patching import Patch
from certbot_privacy._internal.adapter.patching import install as _install
from certbot_privacy._internal.adapter.state import RUN

if TYPE_CHECKING:  # types only: certbot imports this module on every run
    ParsedCallback = Callable[[argparse.Namespace, str, Sequence[str]], None]
    LineageCallback = Callable[[configuration.NamespaceConfig, Mapping[str, Any]], None]
    #: ``scope(run_namespace, renewalparams)``: the context a lineage's OCSP check runs in.
    RevocationScope = Callable[[argparse.Namespace, Mapping[str, Any]], ContextManager[None]]
    #: Called with (domain, validation name, TXT value) before a DNS plugin publishes it.
    ChallengeCallback = Callable[[str, str, Optional[str]], None]
    #: Called with (certbot's name for the hook, its shell command, its environment).
    HookCallback = Callable[[str, str, Mapping[str, str]], None]


def install_parse_hook(callback: ParsedCallback) -> None:
    """Call ``callback(namespace, verb, args)`` each time certbot finishes parsing.

    *args* is the command line certbot parsed (``HelpfulArgumentParser.args``: without
    the values cli.ini added). The callback runs before certbot does anything with the
    result, and so before any network request; this package's errors it raises stop
    certbot with exit code 2.
    """
    from certbot._internal.cli import helpful

    def parse_args(original: Callable[[Any], Any], self: Any) -> Any:
        result = original(self)
        if getattr(self, "detect_defaults", False):  # certbot <= 2.6 default detection
            return result
        callback(namespace_of(result), str(self.verb), list(getattr(self, "args", None) or ()))
        return result

    _install(
        "parse",
        lambda: Patch(helpful.HelpfulArgumentParser, "parse_args", parse_args, usage_errors=True),
    )


def install_lineage_hook(callback: LineageCallback) -> None:
    """Call ``callback(lineage_config, renewalparams)`` as ``renew`` restores each lineage.

    The callback runs after certbot restored the lineage's own options and before any
    request for that lineage; an error it raises makes certbot skip the lineage with a
    message, as for a broken renewal configuration.
    """
    from certbot._internal import renewal

    def restore(
        original: Callable[..., None],
        config: configuration.NamespaceConfig,
        renewalparams: Mapping[str, Any],
    ) -> None:
        original(config, renewalparams)
        callback(config, renewalparams)

    _install("lineage", lambda: Patch(renewal, "_restore_plugin_configs", restore))


def install_renewal_conf_filter(excluded: Collection[str]) -> None:
    """Keep the options named in *excluded* out of every renewal conf certbot writes.

    Certbot saves every option of every installed plugin that the user set into
    ``renewal/<lineage>.conf`` (``certbot._internal.storage.relevant_values``, private: a
    mapping of values in 2.1.0, the configuration since 2.7; both return a ``dict``),
    which the run's own consent must never reach.
    """
    from certbot._internal import storage

    def relevant_values(original: Callable[..., Dict[str, Any]], *args: Any) -> Dict[str, Any]:
        return {name: value for name, value in original(*args).items() if name not in excluded}

    _install("renewal_conf", lambda: Patch(storage, "relevant_values", relevant_values))


def namespace_of(
    config: Union[configuration.NamespaceConfig, argparse.Namespace],
) -> argparse.Namespace:
    """Return the ``argparse.Namespace`` behind a certbot configuration object."""
    if isinstance(config, configuration.NamespaceConfig):
        return config.namespace
    return config


def set_by_user(config: configuration.NamespaceConfig, name: str) -> bool:
    """Whether the user set option *name* (command line or cli.ini) for this run.

    ``NamespaceConfig.set_by_user`` exists since certbot 2.7; before, the same question was
    ``certbot._internal.cli.set_by_cli``.
    """
    method = getattr(config, "set_by_user", None)
    if method is not None:
        return bool(method(name))
    from certbot._internal import cli

    return bool(getattr(cli, "set_by_cli")(name))  # noqa: B009 (absent from mypy's certbot)


def install_email_hooks() -> None:
    """Route every place a contact email can leave through the run's email gate.

    * ``certbot.display.ops.get_email``: certbot's email prompt (public module, looked up
      by certbot at call time);
    * ``acme.client.ClientV2.new_account`` and ``update_registration`` (public acme API):
      the requests whose body carries the account's contact;
    * ``acme.client.ClientV2._get_v2_account`` (private; 2.1.0 to 5.8.0): the account
      lookup that ``update_account``, ``show_account`` and ``unregister`` make first. It
      re-sends the stored account body, contact included, with ``onlyReturnExisting``;
      the CA ignores everything but the key there (RFC 8555 section 7.3.1), so in privacy
      mode the lookup is sent with an empty contact list (``"contact": []``) instead.

    * ``certbot._internal.client.perform_registration(acme, config, tos_cb)`` (private;
      2.1.0 to 5.8.0): certbot's terms-of-service prompt shows the URL the CA's directory
      announces as it is; in privacy mode it gets the URL only when it is a plain http(s)
      URL, else a warning (a CA-supplied string that reaches the screen).
    * ``certbot._internal.eff.prepare_subscription`` (private; 2.1.0 to 5.8.0): stores
      ``--eff-email``'s address in the account's meta, from ``register`` (through
      ``client.register``) and ``update_account``; ``certbot._internal.eff.subscribe``
      (private): posts it to the EFF, from ``handle_subscription`` after issuance. Both
      are looked up as module attributes at call time.

    Each passes through untouched while no gate is in force (privacy mode off).
    """
    from acme import client as acme_client
    from certbot._internal import client as certbot_client
    from certbot._internal import eff
    from certbot.display import ops

    def gated() -> bool:
        return RUN.gate is not None

    def get_email(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        assert RUN.gate is not None
        return RUN.gate.get_email(*args, **kwargs)

    def new_account(original: Callable[..., Any], client: Any, body: Any) -> Any:
        assert RUN.gate is not None
        return original(client, RUN.gate.new_account(client, body))

    def update_registration(
        original: Callable[..., Any], client: Any, regr: Any, update: Any = None
    ) -> Any:
        assert RUN.gate is not None
        RUN.gate.update_registration(client, regr, update)
        return original(client, regr, update)

    def lookup(
        original: Callable[..., Any], client: Any, regr: Any, update_body: bool = False
    ) -> Any:
        if not regr.body.contact:
            return original(client, regr, update_body)
        found = original(client, regr.update(body=regr.body.update(contact=())), update_body)
        return found if update_body else found.update(body=regr.body)

    def perform_registration(
        original: Callable[..., Any], acme: Any, config: Any, tos_cb: Any = None
    ) -> Any:
        if tos_cb is None:
            return original(acme, config, tos_cb)

        def shown(terms: str) -> None:
            from certbot_privacy._internal.rules import consent_texts

            tos_cb(consent_texts.terms_for_display(terms))

        return original(acme, config, shown)

    def prepare_subscription(original: Callable[..., None], config: Any, account: Any) -> None:
        assert RUN.gate is not None
        RUN.gate.eff_prepare(original, config, account)

    def subscribe(original: Callable[[str], None], email: str) -> None:
        assert RUN.gate is not None
        RUN.gate.eff_subscribe(original, email)

    cls = acme_client.ClientV2
    _install(
        "registration",
        lambda: Patch(certbot_client, "perform_registration", perform_registration, when=gated),
    )
    _install(
        "eff_prepare", lambda: Patch(eff, "prepare_subscription", prepare_subscription, when=gated)
    )
    _install("eff_subscribe", lambda: Patch(eff, "subscribe", subscribe, when=gated))
    _install("get_email", lambda: Patch(ops, "get_email", get_email, when=gated))
    _install("new_account", lambda: Patch(cls, "new_account", new_account, when=gated))
    _install(
        "update_registration",
        lambda: Patch(cls, "update_registration", update_registration, when=gated),
    )
    _install("lookup", lambda: Patch(cls, "_get_v2_account", lookup, when=gated))


def revocation_checker() -> Any:
    """certbot's ``RevocationChecker`` class (it moved to ``_internal`` in certbot 3.0)."""
    try:
        from certbot._internal import ocsp  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # certbot < 3.0
        from certbot import ocsp  # type: ignore[no-redef,attr-defined,unused-ignore]
    return ocsp.RevocationChecker


def install_revocation_check_hook(scope: RevocationScope) -> None:
    """Run each lineage's OCSP check (``certbot certificates``) inside ``scope(...)``.

    The scope gets the run's ``argparse.Namespace`` and the lineage's ``[renewalparams]``,
    so it can put that lineage's privacy mode in force for its requests only.
    """

    def ocsp_revoked(original: Callable[..., bool], checker: Any, cert: Any) -> bool:
        params = cert.configuration.get("renewalparams") or {}
        with scope(namespace_of(cert.cli_config), params):
            return original(checker, cert)

    _install("revocation", lambda: Patch(revocation_checker(), "ocsp_revoked", ocsp_revoked))


class StoredAccount:
    """An account certbot has just saved: where its files are, and its pending EFF subscription."""

    def __init__(self, storage: Any, account: Any) -> None:
        self._storage = storage
        self._account = account
        self.id: str = str(account.id)
        self.server: str = str(storage.config.server)
        self.directory: str = os.path.join(storage.config.accounts_dir, self.id)

    @property
    def register_to_eff(self) -> Optional[str]:
        """The address certbot will send to the EFF after the next certificate, if any."""
        address = self._account.meta.register_to_eff
        return str(address) if address else None

    def cancel_eff_subscription(self) -> None:
        """Drop the pending EFF subscription, in memory and in ``meta.json`` (certbot's API)."""
        self._account.meta = self._account.meta.update(register_to_eff=None)
        self._storage.update_meta(self._account)


def install_account_hooks(saved: Callable[[StoredAccount], None]) -> None:
    """Call ``saved(account)`` after certbot saves a new account or its registration.

    Only while privacy mode is on (a registration or an ``update_account`` in privacy mode).
    """
    from certbot._internal import account

    def after(original: Callable[..., Any], storage: Any, acc: Any, *args: Any) -> Any:
        result = original(storage, acc, *args)
        saved(StoredAccount(storage, acc))
        return result

    def on() -> bool:
        return RUN.on

    cls = account.AccountFileStorage
    _install("account_save", lambda: Patch(cls, "save", after, when=on))
    _install("account_update", lambda: Patch(cls, "update_regr", after, when=on))


def install_dns_hook(callback: ChallengeCallback) -> None:
    """Tell *callback* each DNS-01 validation before a DNS plugin sends it to its provider.

    Wraps ``DNSAuthenticator.perform``, which certbot's DNS plugins inherit; it computes
    the same values the plugin is about to send (``validation_domain_name``,
    ``validation``), so the disclosure log can keep them in the provider's requests.
    Passes through while privacy mode is off. ``perform`` is wrapped only when a DNS plugin
    is loaded: certbot imports every plugin's module before it parses the command line,
    and a DNS authenticator's class subclasses ``DNSAuthenticator``, so its module imported
    ``dns_common`` by then; a run without one does not pay for importing it.
    """
    dns_common = sys.modules.get("certbot.plugins.dns_common")
    if dns_common is not None:

        def perform(original: Callable[..., Any], self: Any, achalls: Any) -> Any:
            for achall in achalls:
                # An ImmutableMap: "identifier" since certbot 3 ("domain" is deprecated),
                # "domain" before.
                domain = achall["identifier"].value if "identifier" in achall else achall["domain"]
                callback(
                    domain,
                    achall.validation_domain_name(domain),
                    achall.validation(achall.account_key),
                )
            return original(self, achalls)

        _install(
            "dns_perform",
            lambda: Patch(dns_common.DNSAuthenticator, "perform", perform, when=lambda: RUN.on),
        )
    # A plugin that overrides perform (certbot-dns-route53) still asks acme's DNS01 for
    # the name and the value it sends (achall.validation_domain_name, .validation).
    from acme import challenges

    def validation_domain_name(original: Callable[..., Any], chall: Any, name: str) -> Any:
        found = original(chall, name)
        callback(name, str(found), None)
        return found

    def validation(original: Callable[..., Any], chall: Any, *args: Any, **kwargs: Any) -> Any:
        found = original(chall, *args, **kwargs)
        callback("", "", str(found))
        return found

    on = lambda: RUN.on  # noqa: E731
    _install(
        "dns01_name",
        lambda: Patch(challenges.DNS01, "validation_domain_name", validation_domain_name, when=on),
    )
    _install("dns01_value", lambda: Patch(challenges.DNS01, "validation", validation, when=on))


def install_hook_runner(before: HookCallback) -> None:
    """Call *before* each time certbot is about to run a hook command (privacy mode on).

    Wraps ``certbot.compat.misc.execute_command_status(cmd_name, shell_cmd, env=None)``
    (2.1.0 to 5.8.0), through which certbot runs every hook: ``--manual-auth-hook`` and
    ``--manual-cleanup-hook`` (``cmd_name`` ``manual-auth-hook``, ``manual-cleanup-hook``,
    with ``CERTBOT_*`` in the environment), ``--pre-hook``, ``--post-hook`` and
    ``--deploy-hook`` (``pre-hook``, ``post-hook``, ``deploy-hook``, with
    ``RENEWED_DOMAINS`` for the latter). Its callers look it up as a module attribute at
    call time. An error *before* raises stops the hook from running.
    """
    from certbot.compat import misc

    def execute_command_status(
        original: Callable[..., Any],
        cmd_name: str,
        shell_cmd: str,
        env: Optional[Mapping[str, str]] = None,
    ) -> Any:
        before(cmd_name, shell_cmd, os.environ if env is None else env)
        return original(cmd_name, shell_cmd, env=env)

    _install(
        "hook_runner",
        lambda: Patch(misc, "execute_command_status", execute_command_status, when=lambda: RUN.on),
    )
