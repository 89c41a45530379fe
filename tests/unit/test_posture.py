"""``certbot-privacy status``: the posture of a config dir (switch: test_switch.py)."""

import json
import shutil
from pathlib import Path
from typing import Any, Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.confdir import reader
from certbot_privacy._internal.manage import posture

DATA = Path(__file__).parent / "data" / "confdir"
VERSIONS = ["certbot-2.1.0", "certbot-5.8.0"]
SOFTWARE = posture.Software("5.8.0", "2.32.3", "3.11.2", "Debian GNU/Linux 12 (bookworm)")


@pytest.fixture(autouse=True)
def _no_cli_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No cli.ini of this machine's user is read (tests give their own)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _assess(path: Path, **kwargs: Any) -> posture.Posture:
    return posture.assess(reader.read(str(path), cli_inis=[], **kwargs), SOFTWARE)


def _main(*args: str, capsys: pytest.CaptureFixture[str]) -> Tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DATA / name, target)
    return target


@pytest.mark.parametrize("version", VERSIONS)
def test_old_machine_is_not_private(version: str) -> None:
    """Before the switch: the account and both lineages are not private, each with a fix."""
    result = _assess(DATA / version / "before")
    assert not result.all_private and result.not_private == 3
    [account] = result.accounts
    assert "EFF" in account.reason and "admin@example.org" in account.eff
    assert account.fix is not None
    assert account.fix.argv[:4] == (
        "certbot",
        "update_account",
        "--privacy-minimal",
        "--privacy-withdraw-email",
    )
    assert ("--account", account.account.id) == account.fix.argv[4:6]
    for lineage in result.lineages:
        assert lineage.user_agent_kind == "full" and lineage.log == ""
        assert "Authenticator/webroot Installer/None (renew;" in lineage.user_agent
        assert "Debian GNU/Linux 12 (bookworm)" in lineage.user_agent
        assert lineage.fix is not None
        assert lineage.fix.command.startswith(
            f"certbot-privacy switch on --cert-name {lineage.lineage.name} --config-dir "
        )
    assert [f.subject.split()[0] for f in result.fixes] == ["account", "certificate", "certificate"]


@pytest.mark.parametrize("version", VERSIONS)
def test_switched_machine_is_private(version: str) -> None:
    """After the switch: everything private, minimal User-Agent, the log named, no fix.

    The User-Agent names the certbot that the renewal conf names (the one renewing it).
    """
    result = _assess(DATA / version / "after")
    assert result.all_private and result.fixes == []
    minimal = f"CertbotACMEClient/{version.split('-')[1]} python-requests/2.32.3"
    for lineage in result.lineages:
        assert (lineage.user_agent_kind, lineage.user_agent) == ("minimal", minimal)
        assert lineage.log == f"/srv/{version}/logs/disclosure.jsonl"
    assert "withdrawn" in result.accounts[0].contact


def test_cli_ini_makes_everything_private(tmp_path: Path) -> None:
    """privacy-minimal = true in cli.ini: every run private, except a pending EFF opt-in."""
    ini = tmp_path / "cli.ini"
    ini.write_text("privacy-minimal = true\n")
    found = reader.read(str(DATA / "certbot-5.8.0" / "before"), cli_inis=[str(ini)])
    result = posture.assess(found, SOFTWARE)
    assert all(line.private for line in result.lineages)
    [account] = result.accounts
    assert not account.private and account.fix is not None
    assert account.fix.argv[:3] == ("certbot-privacy", "switch", "on")


def test_lineage_follows_its_own_setting(tmp_path: Path) -> None:
    """A lineage switched off is not private even though its account is (renew: each as set)."""
    config = _copy(tmp_path, "certbot-5.8.0/after")
    conf = config / "renewal" / "one.example.com.conf"
    conf.write_text(conf.read_text().replace("privacy_minimal = True", "privacy_minimal = False"))
    result = _assess(config)
    one = result.lineages[0]
    assert not one.private and "switched off" in one.reason and one.user_agent_kind == "full"
    assert result.accounts[0].private and result.not_private == 1


def test_stored_contact_is_not_private() -> None:
    """A contact kept in regr.json was sent to the CA: the fix withdraws it."""
    [account] = _assess(DATA / "old-registration").accounts
    assert not account.private and "admin@example.org" in account.contact
    assert account.fix is not None and "--privacy-withdraw-email" in account.fix.argv
    assert "--config-dir" in account.fix.argv


def test_custom_user_agent_is_shown() -> None:
    """A --user-agent saved in the renewal conf is what the renewal sends."""
    lineage = reader.Lineage(name="x", path="", user_agent="Mine/1", privacy_minimal=True)
    found = reader.ConfigDir("/etc/letsencrypt", lineages=(lineage,))
    [result] = posture.assess(found, SOFTWARE).lineages
    assert (result.user_agent_kind, result.user_agent) == ("custom", "Mine/1")
    assert result.log == "/var/log/letsencrypt/disclosure.jsonl"


@pytest.mark.parametrize(("name", "code"), [("before", 1), ("after", 0)])
def test_status_exit_codes_and_json(
    name: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """status: exit 1 while something is not private, 0 when all is; JSON as documented."""
    config = DATA / "certbot-2.1.0" / name
    got, out, err = _main("status", "--config-dir", str(config), "--format", "json", capsys=capsys)
    assert (got, err) == (code, "")
    data = json.loads(out)
    assert data["private"] is (code == 0)
    assert set(data) == {
        "config_dir",
        "private",
        "not_private",
        "cli_ini_private",
        "empty",
        "new_certificates_private",
        "new_certificates_fix",
        "accounts",
        "lineages",
        "fixes",
        "problems",
    }
    assert data["lineages"][0]["user_agent"]["kind"] in ("full", "minimal")


def test_status_text(capsys: pytest.CaptureFixture[str]) -> None:
    """status text: the verdicts, the User-Agent, the fix commands and a summary line."""
    config = DATA / "certbot-5.8.0" / "before"
    code, out, _ = _main("status", "--config-dir", str(config), capsys=capsys)
    assert code == 1
    assert "NOT PRIVATE" in out and "EFF:      subscription pending" in out
    assert "certbot-privacy switch on --cert-name one.example.com" in out
    assert out.endswith("3 of 3 not private.\n")


def test_status_escapes_what_it_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Terminal escapes in a renewal conf or account file are shown escaped, never raw."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    conf = config / "renewal" / "one.example.com.conf"
    conf.write_text(conf.read_text().replace("server = https://", "server = \x1b[2Jhttps://"))
    [account] = (config / "accounts").rglob("meta.json")
    meta = json.loads(account.read_text())
    meta["creation_host"] = "evil\u202ehost"
    account.write_text(json.dumps(meta))
    code, out, _ = _main("status", "--config-dir", str(config), capsys=capsys)
    assert code == 1
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out


def test_status_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A config dir that is not there: exit 2, one sentence."""
    code, out, err = _main("status", "--config-dir", str(tmp_path / "nope"), capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("certbot-privacy: error: ") and err.count("\n") == 1


def test_an_empty_dir_is_no_certbot_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing in the config dir: "no certbot state here", exit 1 (never "private")."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _main("status", "--config-dir", str(empty), capsys=capsys)
    assert (code, err) == (1, "")
    assert "No certbot state here" in out and "private." not in out
    code, out, _ = _main("status", "--config-dir", str(empty), "--format", "json", capsys=capsys)
    assert code == 1 and json.loads(out)["empty"] is True


def test_new_certificates_gap_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """All private but no cli.ini line: status says new certificates are not, and the line."""
    config = DATA / "certbot-5.8.0" / "after"
    code, out, _ = _main("status", "--config-dir", str(config), capsys=capsys)
    assert code == 0
    assert "new certificates are NOT private" in out
    assert "Everything is private." not in out
    assert out.rstrip().endswith(
        "new certificates are not until you add the line privacy-minimal = true to "
        "/etc/letsencrypt/cli.ini."
    )
    ini = tmp_path / "xdg" / "letsencrypt" / "cli.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("privacy-minimal = true  # every run\n")
    code, out, _ = _main("status", "--config-dir", str(config), capsys=capsys)
    assert code == 0 and out.endswith("Everything is private.\n")


@pytest.mark.parametrize(
    ("text", "private", "refused"),
    [
        ('privacy-minimal = "true"\n', True, ""),
        ("privacy-minimal = true # comment\n", True, ""),
        ("privacy_minimal = true\n", False, "privacy_minimal is not an option"),
        ("privacy-minimal = True,\n", False, "Unexpected value"),
        ("privacy-minimal = maybe\n", False, "Unexpected value"),
    ],
)
def test_cli_ini_as_certbot_reads_it(
    text: str, private: bool, refused: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Quotes and comments as configargparse strips them; a file certbot stops on is named."""
    ini = tmp_path / "xdg" / "letsencrypt" / "cli.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(text)
    config = DATA / "certbot-5.8.0" / "after"
    code, out, _ = _main("status", "--config-dir", str(config), "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert data["new_certificates_private"] is private
    if refused:
        assert code == 1
        [problem] = data["problems"]
        assert problem.startswith(f"{ini}: certbot stops: ") and refused in problem
        assert "every certbot run fails" in problem
    else:
        assert code == 0 and data["problems"] == []


def test_config_dir_from_cli_ini(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --config-dir, status reads the config dir a cli.ini names, as certbot does."""
    config = _copy(tmp_path, "certbot-5.8.0/after")
    ini = tmp_path / "xdg" / "letsencrypt" / "cli.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(f"config-dir = {config}\n")
    code, out, _ = _main("status", "--format", "json", capsys=capsys)
    assert code == 0 and json.loads(out)["config_dir"] == str(config)


def test_an_unreadable_accounts_dir_is_cannot_tell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not root, root's 0700 accounts/ cannot be read: "cannot tell", exit 1 (not private)."""
    import os
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("running as another user needs root")
    base = Path(tempfile.mkdtemp(prefix="certbot-privacy-status-"))
    try:
        base.chmod(0o755)
        config = base / "config"
        shutil.copytree(DATA / "certbot-5.8.0" / "after", config)
        for path in [config, *config.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (config / "accounts").chmod(0o700)
        os.setegid(54321)
        os.seteuid(54321)  # this process, as an unprivileged user, for the one command
        try:
            code, out, _ = _main("status", "--config-dir", str(config), capsys=capsys)
        finally:
            os.seteuid(0)
            os.setegid(0)
        assert code == 1
        assert f"cannot tell: {config / 'accounts'} cannot be read: Permission denied" in out
        assert "Everything is private" not in out and "thing(s) it cannot tell" in out
    finally:
        shutil.rmtree(base)
