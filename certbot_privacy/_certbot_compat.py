"""Every use of certbot's private names, in one place.

Certbot gives plugins no public hook to run after the command line is parsed, nor to
restore a plugin's options when ``certbot renew`` rebuilds a lineage's configuration
(it restores only the lineage's authenticator's and installer's options). Privacy mode
needs both, so this module wraps two private functions. Each wrapper calls certbot's own
function first and changes nothing about its result.

Checked against certbot 2.1.0 (Debian bookworm) and 5.8.0 (PyPI). ``tests/unit/
test_certbot_compat.py`` fails loudly if either name moves.

* ``certbot._internal.cli.helpful.HelpfulArgumentParser.parse_args``: returns the parsed
  ``argparse.Namespace`` (2.x) or a ``NamespaceConfig`` around it (since 2.7). On
  certbot <= 2.6 it also runs with ``detect_defaults=True`` to tell defaults apart; those
  re-parses are skipped.
* ``certbot._internal.renewal._restore_plugin_configs(config, renewalparams)``: called by
  ``renew`` for each lineage, on a per-lineage copy of the configuration, before any
  request for that lineage is made.
"""

import argparse
from typing import Any, Callable, Mapping, Union

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
