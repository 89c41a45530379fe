"""certbot's private names that the plugin relies on are still where certbot_internals expects them.

If one of these fails after a certbot upgrade, privacy mode would silently stop applying (after
parsing), stop surviving renewals, or let a contact out: fix
``certbot_privacy/_internal/adapter/certbot_internals.py`` first. The names and their signatures are
listed once, in :mod:`tests.helpers.certbot_names`, and checked here in this process (certbot 5.x)
and under each certbot target's own Python (Debian's 2.1.0 too).
"""

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any, Set

import pytest
from certbot._internal import renewal
from certbot._internal.cli import helpful

from certbot_privacy._internal.adapter import certbot_internals, patching
from harness import target_specs
from tests.helpers import certbot_names
from tests.helpers.certbot_names import Pin, check_pin
from tests.helpers.prerequisites import certbot_target

REPO = Path(__file__).resolve().parents[2]
TARGETS = target_specs()


def _run_checker(python: Path, *prelude: str) -> "subprocess.CompletedProcess[str]":
    """Run the checker under *python*, from the repository root, after *prelude* lines."""
    code = "\n".join([*prelude, "from tests.helpers import certbot_names as c", "exit(c.main())"])
    return subprocess.run(
        [str(python), "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_name_is_where_certbot_internals_expects_it() -> None:
    """This process's certbot has each name certbot_internals uses, with the parameters it uses."""
    problems = certbot_names.check()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_name_is_where_certbot_internals_expects_it_on_each_certbot(name: str) -> None:
    """Each certbot target (5.x and Debian's 2.1.0) has every name certbot_internals uses."""
    target = certbot_target(name, TARGETS)
    checked = _run_checker(target.python)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"certbot {target.certbot_version}: every name" in checked.stdout


def test_every_name_certbot_internals_wraps_or_looks_up_is_pinned() -> None:
    """A Patch or getattr on a certbot name added to certbot_internals must be pinned too."""
    tree = ast.parse(Path(certbot_internals.__file__).read_text(encoding="utf-8"))
    used: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Patch", "getattr"):
            used.update(
                arg.value
                for arg in node.args[1:2]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    pinned = {
        pin.name.rsplit(".", 1)[-1]
        for version in ((2, 1), (5, 0))
        for pin in certbot_names.pins(version)
    }
    pinned |= {"verb", "args", "detect_defaults"}  # read on the parser: check_parser
    assert used - pinned == set(), f"pin these in tests/helpers/certbot_names.py: {used - pinned}"
    assert {"parse_args", "_restore_plugin_configs", "_get_v2_account", "set_by_cli"} <= used


def test_a_name_that_moved_fails_naming_the_module_to_fix() -> None:
    """A pin to a name certbot no longer has is one sentence naming certbot_internals.py."""
    problem = check_pin(Pin("certbot._internal.renewal", "_gone", (("config",),), "hook"))
    assert problem is not None
    assert "certbot._internal.renewal._gone is gone" in problem
    assert "certbot_privacy/_internal/adapter/certbot_internals.py (hook)" in problem


def test_a_changed_signature_fails_naming_the_module_to_fix() -> None:
    """A pin whose parameters changed says what it has, what is expected, and where."""
    pin = Pin("certbot._internal.renewal", "_restore_plugin_configs", (("config",),), "hook")
    problem = check_pin(pin)
    assert problem is not None
    assert "_restore_plugin_configs(config, renewalparams) changed" in problem
    assert (
        "certbot_internals expects (config)" in problem
        and "certbot_privacy/_internal/adapter/certbot_internals.py" in problem
    )


def test_the_checker_fails_loudly_when_certbot_drops_a_name() -> None:
    """Run as a program against a certbot without _get_v2_account: exit 1, the module named."""
    checked = _run_checker(
        Path(sys.executable),
        "import acme.client",
        "del acme.client.ClientV2._get_v2_account",
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    (line,) = checked.stdout.splitlines()
    assert "acme.client.ClientV2._get_v2_account is gone" in line
    assert (
        "fix certbot_privacy/_internal/adapter/certbot_internals.py (install_email_hooks)" in line
    )


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
    certbot_internals.install_parse_hook(lambda ns, verb, args: None)
    first = helpful.HelpfulArgumentParser.parse_args
    certbot_internals.install_parse_hook(lambda ns, verb, args: None)
    assert helpful.HelpfulArgumentParser.parse_args is first
    assert first.__wrapped__ is not None  # type: ignore[attr-defined]
    certbot_internals.install_lineage_hook(lambda config, params: None)
    restore = renewal._restore_plugin_configs
    certbot_internals.install_lineage_hook(lambda config, params: None)
    assert renewal._restore_plugin_configs is restore


def _unwrapped(fn: Any) -> Any:
    return getattr(fn, "__wrapped__", fn)


def test_renewal_conf_filter_keeps_per_run_options_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """storage.relevant_values, wrapped, never returns the per-run consent options."""
    from certbot._internal import storage

    def fake(config: Any) -> dict[str, Any]:
        return {"privacy_minimal": True, "privacy_share_email": True, "server": "x"}

    monkeypatch.setattr(storage, "relevant_values", fake)
    monkeypatch.delitem(patching.PATCHES, "renewal_conf", raising=False)
    certbot_internals.install_renewal_conf_filter(("privacy_share_email",))
    certbot_internals.install_renewal_conf_filter(("privacy_share_email",))
    relevant: Any = storage.relevant_values  # its parameter's type differs by version
    assert relevant(None) == {"privacy_minimal": True, "server": "x"}
    patching.PATCHES.pop("renewal_conf").stop()
    assert storage.relevant_values is fake


def test_account_dir_matches_certbot(tmp_path: Path) -> None:
    """confdir's account_dir is where certbot's AccountFileStorage keeps an account."""
    import argparse

    from certbot import configuration
    from certbot._internal import account, constants

    from certbot_privacy._internal.confdir import reader

    server = "https://ca.example:14000/dir"
    values = {**constants.CLI_DEFAULTS, "config_dir": str(tmp_path), "server": server}
    config = configuration.NamespaceConfig(argparse.Namespace(**values))
    storage = account.AccountFileStorage.__new__(account.AccountFileStorage)
    storage.config = config
    assert reader.account_dir(str(tmp_path), server, "abc") == storage._account_dir_path("abc")
