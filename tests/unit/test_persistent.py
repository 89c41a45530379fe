"""Which saved lineage or account makes a certbot command private (adapter/persistent.py)."""

import argparse
import shutil
from pathlib import Path
from typing import Any

import pytest

from certbot_privacy._internal.adapter import persistent

DATA = Path(__file__).parent / "data" / "confdir"
SERVER = "https://127.0.0.1:43775/dir"


def _namespace(config: Path, **options: Any) -> argparse.Namespace:
    values = {
        "config_dir": str(config),
        "server": SERVER,
        "account": None,
        "certname": None,
        "cert_path": None,
        "key_path": None,
        "privacy_minimal": False,
        "privacy_log": None,
        "privacy_syslog": False,
    }
    values.update(options)
    return argparse.Namespace(**values)


@pytest.fixture
def after(tmp_path: Path) -> Path:
    """The 5.8.0 machine after the switch, its absolute paths pointing into tmp_path."""
    config = tmp_path / "config"
    shutil.copytree(DATA / "certbot-5.8.0" / "after", config)
    for conf in config.rglob("*.conf"):
        conf.write_text(conf.read_text().replace("/srv/certbot-5.8.0/config", str(config)))
    return config


@pytest.mark.parametrize("verb", ["show_account", "update_account", "unregister"])
def test_account_commands_of_a_private_account(after: Path, verb: str) -> None:
    """The account certbot will use is private: the run is, with the account's log."""
    namespace = _namespace(after)
    persistent.on_parsed(namespace, verb)
    assert namespace.privacy_minimal is True
    assert namespace.privacy_log == "/srv/certbot-5.8.0/logs/disclosure.jsonl"


def test_the_users_log_wins(after: Path) -> None:
    """--privacy-log given on the command line is kept."""
    namespace = _namespace(after, privacy_log="/tmp/mine.jsonl")
    persistent.on_parsed(namespace, "show_account")
    assert namespace.privacy_minimal and namespace.privacy_log == "/tmp/mine.jsonl"


def test_not_private_before_the_switch(tmp_path: Path) -> None:
    """Nothing saved as private: the run is left as it is."""
    namespace = _namespace(DATA / "certbot-5.8.0" / "before", certname="one.example.com")
    for verb in ("show_account", "revoke", "delete"):
        persistent.on_parsed(namespace, verb)
    assert namespace.privacy_minimal is False


def test_other_server_other_accounts(after: Path) -> None:
    """An account command for another CA does not pick this CA's private account."""
    namespace = _namespace(after, server="https://other.example/dir")
    persistent.on_parsed(namespace, "show_account")
    assert namespace.privacy_minimal is False


def test_revoke_and_delete_by_name(after: Path) -> None:
    """revoke --cert-name and delete --cert-name of a private lineage are private."""
    for verb in ("revoke", "delete"):
        namespace = _namespace(after, certname="two.example.com", key_path="/k.pem")
        persistent.on_parsed(namespace, verb)
        assert namespace.privacy_minimal is True, verb


def test_revoke_by_path_finds_the_lineage(after: Path) -> None:
    """revoke --cert-path of an archived version finds its lineage."""
    archive = after / "archive" / "one.example.com"
    archive.mkdir(parents=True)
    (archive / "cert1.pem").write_text("x")
    conf = after / "renewal" / "one.example.com.conf"
    assert "privacy_minimal = True" in conf.read_text()
    for other in (after / "accounts").rglob("certbot-privacy.json"):
        other.unlink()  # only the lineage is private now
    namespace = _namespace(after, cert_path=str(archive / "cert1.pem"), key_path="/k.pem")
    assert persistent.for_command(namespace, "revoke") is not None
    elsewhere = _namespace(after, cert_path=str(after / "x.pem"), key_path="/k.pem")
    assert persistent.for_command(elsewhere, "revoke") is None


def test_a_run_with_the_flag_is_left_alone(after: Path) -> None:
    """--privacy-minimal given: its own options are not replaced by saved ones."""
    namespace = _namespace(after, privacy_minimal=True)
    persistent.on_parsed(namespace, "show_account")
    assert namespace.privacy_log is None


def test_revoke_with_the_account_key_of_a_private_account(after: Path) -> None:
    """revoke of a lineage that is not private, signed by a private account: private."""
    conf = after / "renewal" / "one.example.com.conf"
    conf.write_text(conf.read_text().replace("privacy_minimal = True", "privacy_minimal = False"))
    assert persistent.for_command(_namespace(after, certname="one.example.com"), "revoke")
    with_key = _namespace(after, certname="one.example.com", key_path="/k.pem")
    assert persistent.for_command(with_key, "revoke") is None
    assert persistent.for_command(_namespace(after, certname="one.example.com"), "delete") is None


class _Stored:
    """An account certbot just saved, as certbot_internals.StoredAccount shows it (a fake)."""

    server = "https://ca.example/dir"
    id = "0123456789abcdef"

    def __init__(self, directory: Path, eff: str) -> None:
        self.directory = str(directory)
        self.register_to_eff = eff
        self.cancelled = False

    def cancel_eff_subscription(self) -> None:
        self.cancelled = True


def test_a_saved_eff_opt_in_is_cancelled_and_its_address_shown_escaped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning about a cancelled EFF opt-in shows the address from meta.json escaped."""
    notices: list[str] = []
    monkeypatch.setattr(persistent, "_notice", lambda kind, *a, **k: notices.append(kind))
    stored = _Stored(tmp_path, "x\x1b[2Jy@example.org")
    persistent.account_saved(stored)
    assert stored.cancelled
    assert notices == ["privacy_on", "eff_subscription_cancelled"]
    assert "\x1b" not in caplog.text and "x\\x1b[2Jy@example.org" in caplog.text
