"""certbot's private names that the plugin relies on are still where we expect them.

If one of these fails after a certbot upgrade, privacy mode would silently stop
applying (after parsing) or stop surviving renewals: fix ``_certbot_compat`` first.
"""

import argparse
import inspect
import subprocess
from typing import Any

import pytest
from certbot._internal import renewal
from certbot._internal.cli import helpful

from certbot_privacy.adapter import compat
from harness import TargetMissing, in_ci, load_target, target_specs


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


#: The private names issue 12 relies on, checked inside a certbot installation (any version).
_PERSISTENT_PINS = """
import inspect
from certbot import configuration
from certbot._internal import account, storage
from certbot_privacy.adapter import compat

def params(fn):
    return list(inspect.signature(getattr(fn, "__wrapped__", fn)).parameters)

checker = compat.revocation_checker()
assert params(checker.ocsp_revoked) == ["self", "cert"], params(checker.ocsp_revoked)
init = inspect.getsource(storage.RenewableCert.__init__)
assert "self.cli_config = cli_config" in init and "self.configuration = " in init
storage_cls = account.AccountFileStorage
assert params(storage_cls.save) == ["self", "account", "client"], params(storage_cls.save)
assert params(storage_cls.update_regr)[:2] == ["self", "account"], params(storage_cls.update_regr)
assert params(storage_cls.update_meta) == ["self", "account"]
assert "register_to_eff" in account.Account.Meta._fields
assert isinstance(configuration.NamespaceConfig.accounts_dir, property)
source = inspect.getsource(storage_cls._account_dir_path_for_server_path)
assert "accounts_dir_for_server_path" in source
print("pinned")
"""


def test_persistent_privacy_names_on_this_certbot() -> None:
    """The OCSP check, RenewableCert's attributes and the account storage are as expected."""
    namespace: dict[str, Any] = {}
    exec(compile(_PERSISTENT_PINS.replace('print("pinned")', ""), "<pins>", "exec"), namespace)


@pytest.mark.parametrize("name", sorted(target_specs()))
def test_persistent_privacy_names_on_every_target(name: str) -> None:
    """The same names on each certbot under test (Debian's 2.1.0 included)."""
    try:
        target = load_target(name, target_specs()[name])
    except TargetMissing as error:
        if in_ci():
            pytest.fail(str(error))
        pytest.skip(str(error))
    done = subprocess.run(
        [str(target.python), "-c", _PERSISTENT_PINS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout == "pinned\n", done.stderr


def test_account_dir_matches_certbot(tmp_path: Any) -> None:
    """Our account_dir is where certbot's AccountFileStorage keeps an account."""
    from certbot import configuration
    from certbot._internal import account, constants

    from certbot_privacy.confdir import reader

    namespace = argparse.Namespace(
        **{
            **constants.CLI_DEFAULTS,
            "config_dir": str(tmp_path),
            "server": "https://ca.example:14000/dir",
        }
    )
    config = configuration.NamespaceConfig(namespace)
    storage = account.AccountFileStorage.__new__(account.AccountFileStorage)
    storage.config = config
    expected = storage._account_dir_path("abc")
    assert reader.account_dir(str(tmp_path), config.server, "abc") == expected
