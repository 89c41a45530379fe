"""Every use of certbot's private names, in one place.

Certbot gives plugins no public hook to run after the command line is parsed, nor to
restore a plugin's options when ``certbot renew`` rebuilds a lineage's configuration
(it restores only the lineage's authenticator's and installer's options). Privacy mode
needs both, so this module wraps certbot's functions at those points, and the places where
a contact email leaves (see :func:`install_email_hooks`). Each wrapper calls certbot's
own function and, with privacy mode off, changes nothing about what it does.

Checked against certbot 2.1.0 (Debian bookworm) and 5.8.0 (PyPI). ``tests/unit/
test_certbot_compat.py`` fails loudly if either name moves.

* ``certbot._internal.cli.helpful.HelpfulArgumentParser.parse_args``: returns the parsed
  ``argparse.Namespace`` (2.x) or a ``NamespaceConfig`` around it (since 2.7). On
  certbot <= 2.6 it also runs with ``detect_defaults=True`` to tell defaults apart; those
  re-parses are skipped.
* ``certbot._internal.renewal._restore_plugin_configs(config, renewalparams)``: called by
  ``renew`` for each lineage, on a per-lineage copy of the configuration, before any
  request for that lineage is made.
* ``certbot._internal.cli.set_by_cli`` (before 2.7): whether the user set an option.
* ``acme.client.ClientV2._get_v2_account``: the account lookup by key (see
  :func:`install_email_hooks`).
"""

import argparse
from typing import Any, Callable, Mapping, Tuple, Union

from certbot import configuration

ParsedCallback = Callable[[argparse.Namespace, str], None]
LineageCallback = Callable[[configuration.NamespaceConfig, Mapping[str, Any]], None]

#: Attribute set on certbot's functions once they are wrapped, so wrapping is idempotent
#: (certbot 2.1.0 builds its parser, and so calls ``inject_parser_options``, twice).
_MARK = "__certbot_privacy_wrapped__"


def install_parse_hook(callback: ParsedCallback) -> None:
    """Call ``callback(namespace, verb)`` each time certbot finishes parsing its arguments.

    The callback runs before certbot does anything with the result, and so before any
    network request. It may raise ``SystemExit`` to stop certbot with a usage error.
    """
    from certbot._internal.cli import helpful

    cls = helpful.HelpfulArgumentParser
    original = cls.parse_args
    if getattr(original, _MARK, False):
        return

    def parse_args(self: Any) -> Any:
        result = original(self)
        if getattr(self, "detect_defaults", False):  # certbot <= 2.6 default detection
            return result
        callback(namespace_of(result), str(self.verb))
        return result

    setattr(parse_args, _MARK, True)
    parse_args.__wrapped__ = original  # type: ignore[attr-defined]
    cls.parse_args = parse_args  # type: ignore[method-assign]


def install_lineage_hook(callback: LineageCallback) -> None:
    """Call ``callback(lineage_config, renewalparams)`` as ``renew`` restores each lineage.

    The callback runs after certbot restored the lineage's own options and before any
    request for that lineage; an ``errors.Error`` it raises makes certbot skip the lineage
    with a message, as for a broken renewal configuration.
    """
    from certbot._internal import renewal

    original = renewal._restore_plugin_configs
    if getattr(original, _MARK, False):
        return

    def _restore_plugin_configs(config: configuration.NamespaceConfig,
                                renewalparams: Mapping[str, Any]) -> None:
        original(config, renewalparams)
        callback(config, renewalparams)

    setattr(_restore_plugin_configs, _MARK, True)
    _restore_plugin_configs.__wrapped__ = original  # type: ignore[attr-defined]
    renewal._restore_plugin_configs = _restore_plugin_configs


def namespace_of(config: Union[configuration.NamespaceConfig, argparse.Namespace]
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


def install_email_hooks(gate: Callable[[], Any]) -> None:
    """Route every place a contact email can leave through ``gate()`` (if not ``None``).

    * ``certbot.display.ops.get_email``: certbot's email prompt (public module, looked up
      by certbot at call time);
    * ``acme.client.ClientV2.new_account`` and ``update_registration`` (public acme API):
      the requests whose body carries the account's contact;
    * ``acme.client.ClientV2._get_v2_account`` (private; 2.1.0 to 5.8.0): the account
      lookup that ``update_account``, ``show_account`` and ``unregister`` make first. It
      re-sends the stored account body, contact included, with ``onlyReturnExisting``;
      the CA ignores everything but the key there (RFC 8555 section 7.3.1), so in privacy
      mode the lookup is sent with an empty contact list (``"contact": []``) instead.
    """
    from acme import client as acme_client
    from certbot.display import ops

    original_get_email = ops.get_email
    if getattr(original_get_email, _MARK, False):
        return

    def get_email(*args: Any, **kwargs: Any) -> Any:
        current = gate()
        if current is None:
            return original_get_email(*args, **kwargs)
        return current.get_email(*args, **kwargs)

    cls = acme_client.ClientV2
    original_new_account = cls.new_account
    original_update = cls.update_registration
    original_lookup = cls._get_v2_account

    def new_account(self: Any, new_account: Any) -> Any:
        current = gate()
        if current is not None:
            new_account = current.new_account(self, new_account)
        return original_new_account(self, new_account)

    def update_registration(self: Any, regr: Any, update: Any = None) -> Any:
        current = gate()
        if current is not None:
            current.update_registration(self, regr, update)
        return original_update(self, regr, update)

    def _get_v2_account(self: Any, regr: Any, update_body: bool = False) -> Any:
        if gate() is None or not regr.body.contact:
            return original_lookup(self, regr, update_body)
        found = original_lookup(self, regr.update(body=regr.body.update(contact=())),
                                update_body)
        return found if update_body else found.update(body=regr.body)

    wrappers: Tuple[Tuple[Any, Any], ...] = (
        (get_email, original_get_email), (new_account, original_new_account),
        (update_registration, original_update), (_get_v2_account, original_lookup))
    for fn, original in wrappers:
        setattr(fn, _MARK, True)
        fn.__wrapped__ = original
    ops.get_email = get_email
    cls.new_account = new_account  # type: ignore[method-assign]
    cls.update_registration = update_registration  # type: ignore[method-assign]
    cls._get_v2_account = _get_v2_account  # type: ignore[method-assign]
