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
    compat.install_parse_hook(lambda ns, verb, args: None)
    first = helpful.HelpfulArgumentParser.parse_args
    compat.install_parse_hook(lambda ns, verb, args: None)
    assert helpful.HelpfulArgumentParser.parse_args is first
    assert first.__wrapped__ is not None  # type: ignore[attr-defined]
    compat.install_lineage_hook(lambda config, params: None)
    restore = renewal._restore_plugin_configs
    compat.install_lineage_hook(lambda config, params: None)
    assert renewal._restore_plugin_configs is restore


def _unwrapped(fn: Any) -> Any:
    return getattr(fn, "__wrapped__", fn)


def test_eff_functions_are_where_the_gate_wraps_them() -> None:
    """eff.prepare_subscription(config, acc) and eff.subscribe(email) exist (2.1.0 to 5.x)."""
    from certbot._internal import eff

    assert list(inspect.signature(_unwrapped(eff.prepare_subscription)).parameters) == [
        "config",
        "acc",
    ]
    assert list(inspect.signature(_unwrapped(eff.subscribe)).parameters) == ["email"]


def test_renewal_conf_filter_keeps_per_run_options_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """storage.relevant_values, wrapped, never returns the per-run consent options."""
    from certbot._internal import storage

    assert len(inspect.signature(_unwrapped(storage.relevant_values)).parameters) == 1

    def fake(config: Any) -> dict[str, Any]:
        return {"privacy_minimal": True, "privacy_share_email": True, "server": "x"}

    monkeypatch.setattr(storage, "relevant_values", fake)
    monkeypatch.delitem(compat.PATCHES, "renewal_conf", raising=False)
    compat.install_renewal_conf_filter(("privacy_share_email",))
    compat.install_renewal_conf_filter(("privacy_share_email",))
    assert storage.relevant_values(None) == {"privacy_minimal": True, "server": "x"}
    compat.PATCHES.pop("renewal_conf").stop()
    assert storage.relevant_values is fake


def test_the_parser_keeps_the_typed_command_line() -> None:
    """HelpfulArgumentParser keeps the typed arguments in .args (cli.ini's are not there)."""
    source = inspect.getsource(helpful.HelpfulArgumentParser.__init__)
    assert "self.args = args" in source
