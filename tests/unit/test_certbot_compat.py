"""certbot's private names that the plugin relies on are still where we expect them.

If one of these fails after a certbot upgrade, privacy mode would silently stop
applying (after parsing) or stop surviving renewals: fix ``_certbot_compat`` first.
"""

import inspect
from typing import Any

import pytest
from certbot._internal import renewal
from certbot._internal.cli import helpful

from certbot_privacy.adapter import compat


def test_parse_args_is_a_method_of_the_helpful_parser() -> None:
    """HelpfulArgumentParser.parse_args exists and takes only self."""
    params = list(inspect.signature(helpful.HelpfulArgumentParser.parse_args).parameters)
    assert params == ["self"]


def test_restore_plugin_configs_takes_config_and_renewalparams() -> None:
    """renewal._restore_plugin_configs(config, renewalparams) exists."""
    fn = getattr(renewal._restore_plugin_configs, "__wrapped__", renewal._restore_plugin_configs)
    assert list(inspect.signature(fn).parameters) == ["config", "renewalparams"]


def test_hooks_are_installed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installing a hook twice (certbot 2.1.0 builds its parser twice) wraps once."""
    # monkeypatch restores certbot's originals after the test.
    monkeypatch.setattr(
        helpful.HelpfulArgumentParser,
        "parse_args",
        _unwrapped(helpful.HelpfulArgumentParser.parse_args),
    )
    monkeypatch.setattr(
        renewal, "_restore_plugin_configs", _unwrapped(renewal._restore_plugin_configs)
    )
    compat.install_parse_hook(lambda ns, verb: None)
    first = helpful.HelpfulArgumentParser.parse_args
    compat.install_parse_hook(lambda ns, verb: None)
    assert helpful.HelpfulArgumentParser.parse_args is first
    assert first.__wrapped__ is not None  # type: ignore[attr-defined]
    compat.install_lineage_hook(lambda config, params: None)
    restore = renewal._restore_plugin_configs
    compat.install_lineage_hook(lambda config, params: None)
    assert renewal._restore_plugin_configs is restore


def _unwrapped(fn: Any) -> Any:
    return getattr(fn, "__wrapped__", fn)


def test_dns_authenticator_perform_takes_the_achalls() -> None:
    """DNSAuthenticator.perform(self, achalls), which the DNS hook wraps, exists."""
    from certbot.plugins import dns_common

    fn = _unwrapped(dns_common.DNSAuthenticator.perform)
    assert list(inspect.signature(fn).parameters) == ["self", "achalls"]
