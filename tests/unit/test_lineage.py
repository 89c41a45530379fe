"""plugin.on_lineage: in ``renew``, privacy mode follows each lineage.

Certbot's real parser builds the run's configuration (a real ``NamespaceConfig``, whose
``set_by_user`` knows what was typed); each lineage gets a deep copy, as ``renew`` does,
and goes through certbot's own ``renewal._restore_plugin_configs``, which the parse hook
wrapped, exactly as ``renew`` calls it.
"""

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Dict

import pytest
from certbot import configuration
from certbot._internal import cli, renewal
from certbot._internal.plugins import disco

from certbot_privacy._internal.adapter import mode, patching
from certbot_privacy._internal.adapter.state import RUN

#: certbot finds the plugin through its entry point: the package must be installed here.
pytestmark = pytest.mark.usefixtures("plugin_installed")


@pytest.fixture(autouse=True)
def _hooks_undone() -> Iterator[None]:
    yield
    mode.switch_off()
    patching.stop_all()


def _renew(tmp_path: Path, *args: str) -> configuration.NamespaceConfig:
    """Parse ``certbot renew`` with *args*, as the run's configuration."""
    dirs = ["--config-dir", str(tmp_path / "c"), "--work-dir", str(tmp_path / "w")]
    dirs += ["--logs-dir", str(tmp_path / "l"), "--server", "https://127.0.0.1:1/dir"]
    # Each parse stands for a new certbot process: certbot < 2.7 caches what the user set
    # (set_by_cli.detector, built from the last parse's argv) for the rest of the process.
    if hasattr(cli, "set_by_cli"):
        cli.set_by_cli.detector = None
    parsed: Any = cli.prepare_and_parse_args(
        disco.PluginsRegistry.find_all(), ["renew", "-n", *args, *dirs]
    )
    if isinstance(parsed, configuration.NamespaceConfig):  # certbot 3.0 and later
        return parsed
    # certbot 2.x (Debian's 2.1.0) returns the argparse namespace, which its main() wraps.
    return configuration.NamespaceConfig(parsed)


def _lineage(
    config: configuration.NamespaceConfig, **renewalparams: str
) -> configuration.NamespaceConfig:
    """What ``renew`` does for one lineage: a copy of the run's config, its options restored."""
    lineage = copy.deepcopy(config)
    params: Dict[str, str] = {"authenticator": "standalone", **renewalparams}
    renewal._restore_plugin_configs(lineage, params)
    return lineage


def _private(log: Path, **more: str) -> Dict[str, str]:
    """A lineage obtained in privacy mode, as its renewal conf stores it (configobj text)."""
    return {"privacy_minimal": "True", "privacy_log": str(log), **more}


def _on() -> bool:
    """Whether privacy mode applies now, with its email gate (read afresh after each hook)."""
    assert RUN.on == (RUN.gate is not None), "the wire policy and the gate disagree"
    return RUN.on


def _active_log() -> str:
    """The disclosure log the wire writes to now."""
    policy: Any = RUN.policy
    assert policy is not None, "privacy mode is off"
    return str(policy.observer.recorder.log.path)


def test_private_public_private(tmp_path: Path) -> None:
    """A run without --privacy-minimal: on for each private lineage, off in between."""
    config = _renew(tmp_path)
    assert not _on() and RUN.verb == "renew"

    first = _lineage(config, **_private(tmp_path / "a.jsonl"))
    assert _on()
    assert _active_log() == str(tmp_path / "a.jsonl")
    assert first.privacy_minimal is True  # written back to the renewal conf by certbot

    public = _lineage(config)
    assert not _on()
    assert not public.privacy_minimal

    _lineage(config, **_private(tmp_path / "c.jsonl"))
    assert _on() and _active_log() == str(tmp_path / "c.jsonl")
    assert not config.privacy_minimal  # the run's own configuration is left alone


def test_a_lineage_saved_as_not_private_stays_public(tmp_path: Path) -> None:
    """privacy_minimal = False in a renewal conf is a public lineage, not the string 'False'."""
    config = _renew(tmp_path)
    lineage = _lineage(config, privacy_minimal="False", privacy_log=str(tmp_path / "x.jsonl"))
    assert not _on()
    assert lineage.privacy_minimal is False


def test_run_level_mode_stays_on_for_public_lineages(tmp_path: Path) -> None:
    """renew --privacy-minimal: every lineage is private, the public ones too."""
    config = _renew(tmp_path, "--privacy-minimal")
    assert RUN.run_level and _on()
    _lineage(config, **_private(tmp_path / "a.jsonl"))
    assert _on()
    _lineage(config)
    assert _on()
    assert _active_log() == str(tmp_path / "l" / "disclosure.jsonl")


def test_privacy_options_are_restored_from_the_lineage(tmp_path: Path) -> None:
    """Options the user did not set come back from the lineage, typed (False, not 'False')."""
    config = _renew(tmp_path)
    lineage = _lineage(config, **_private(tmp_path / "a.jsonl", privacy_syslog="False"))
    assert lineage.privacy_log == str(tmp_path / "a.jsonl")
    assert lineage.privacy_syslog is False


def test_consent_is_never_restored_from_the_lineage(tmp_path: Path) -> None:
    """privacy_share_email in a renewal conf (an earlier version wrote it) is not consent."""
    config = _renew(tmp_path)
    lineage = _lineage(config, **_private(tmp_path / "a.jsonl", privacy_share_email="True"))
    assert lineage.privacy_share_email is False
    assert RUN.gate is not None and RUN.gate.share_email is False


def test_options_the_user_set_win_over_the_lineage(tmp_path: Path) -> None:
    """renew --privacy-log X: every private lineage logs to X, whatever its conf says."""
    chosen = tmp_path / "chosen.jsonl"
    config = _renew(tmp_path, "--privacy-log", str(chosen))
    lineage = _lineage(config, **_private(tmp_path / "a.jsonl", privacy_share_email="False"))
    assert lineage.privacy_log == str(chosen)
    assert lineage.privacy_share_email is False
    assert _active_log() == str(chosen)


def test_a_private_lineage_installs_the_email_hooks(tmp_path: Path) -> None:
    """The first lineage in privacy mode routes every place an email leaves via the gate."""
    config = _renew(tmp_path)
    assert "lookup" not in patching.PATCHES
    _lineage(config, **_private(tmp_path / "a.jsonl"))
    assert {"get_email", "new_account", "update_registration", "lookup"} <= set(patching.PATCHES)
    assert all(patching.PATCHES[name].started for name in ("new_account", "lookup"))
