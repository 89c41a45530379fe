"""``certbot-privacy switch``: switching a config dir under certbot's lock, never against root.

The attacks of issue 21 are reproduced here with a config dir owned by an unprivileged
user the test makes (a free uid; the tests run as root): each must be refused with exit
code 2, one sentence, and nothing written.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import jsonschema
import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.confdir import marks, reader
from certbot_privacy._internal.errors import UntrustedError
from certbot_privacy._internal.log import schema

DATA = Path(__file__).parent / "data" / "confdir"
VERSIONS = ["certbot-2.1.0", "certbot-5.8.0"]
#: A uid and gid no account on the machine has: the "unprivileged user" of the attacks.
USER = 54321


@pytest.fixture(autouse=True)
def _no_cli_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No cli.ini of this machine's user is read (tests give their own)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _main(*args: str, capsys: pytest.CaptureFixture[str]) -> Tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DATA / name, target)
    return target


def _snapshot(*roots: Path) -> Dict[str, Tuple[bytes, int, int, int]]:
    """Every file under *roots*: its bytes, mode and owner (links by their target text)."""
    found: Dict[str, Tuple[bytes, int, int, int]] = {}
    for root in roots:
        for path in [root, *root.rglob("*")]:
            st = os.lstat(path)
            if path.is_symlink():
                body = os.readlink(path).encode()
            elif path.is_file():
                body = path.read_bytes()
            else:
                body = b""
            found[str(path)] = (body, st.st_mode, st.st_uid, st.st_gid)
    return found


def _refused(capsys: pytest.CaptureFixture[str], *args: str, match: str) -> None:
    code, out, err = _main(*args, capsys=capsys)
    assert (code, out) == (2, ""), err
    assert err.startswith("certbot-privacy: error: ") and err.count("\n") == 1, err
    assert match in err, err


def _notices(path: Path) -> List[Dict[str, Any]]:
    validator = jsonschema.Draft202012Validator(schema.json_schema())
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        validator.validate(record)
    return [r for r in records if r["event"] == "notice"]


def _point_logs(config: Path, logs: Path) -> None:
    """Make the fixture's lineages and account log under *logs* (they name /srv/...)."""
    for path in [*config.rglob("*.conf"), *config.rglob("certbot-privacy.json")]:
        text = path.read_text()
        for version in VERSIONS:
            text = text.replace(f"/srv/{version}/logs", str(logs))
        path.write_text(text)


@pytest.mark.parametrize("version", VERSIONS)
def test_switch_on_all_then_off(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """switch on --all makes status 0 and records notices; switch off is recorded too."""
    config = _copy(tmp_path, f"{version}/before")
    logs = tmp_path / "logs"
    _point_logs(config, logs)
    code, out, err = _main("switch", "on", "--all", "--config-dir", str(config), capsys=capsys)
    assert (code, err) == (0, "")
    assert "the pending EFF subscription of admin@example.org was cancelled" in out
    assert _main("status", "--config-dir", str(config), capsys=capsys)[0] == 0
    notices = _notices(logs / "disclosure.jsonl")
    assert [n["kind"] for n in notices] == [
        "privacy_on",
        "eff_subscription_cancelled",
        "privacy_on",
        "privacy_on",
    ]
    assert {n["scope"] for n in notices} == {"account", "lineage"}
    assert notices[1]["values"] == ["admin@example.org"]

    code, out, _ = _main(
        "switch",
        "off",
        "--cert-name",
        "one.example.com",
        "--config-dir",
        str(config),
        capsys=capsys,
    )
    assert code == 0 and out.startswith("certificate one.example.com: switched off")
    code, out, _ = _main("switch", "off", "--all", "--config-dir", str(config), capsys=capsys)
    assert code == 0 and "certificate one.example.com: already switched off" in out
    assert _main("status", "--config-dir", str(config), capsys=capsys)[0] == 1
    offs = [n for n in _notices(logs / "disclosure.jsonl") if n["kind"] == "privacy_off"]
    assert sorted(n["name"] for n in offs) == sorted(
        ["one.example.com", "two.example.com", reader.read(str(config), cli_inis=[]).accounts[0].id]
    )


def test_switch_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing named, an unknown name: exit 2 and nothing changed."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    before = {p: p.read_bytes() for p in config.rglob("*") if p.is_file()}
    assert _main("switch", "on", "--config-dir", str(config), capsys=capsys)[0] == 2
    code, _, err = _main(
        "switch", "on", "--account", "nope", "--config-dir", str(config), capsys=capsys
    )
    assert code == 2 and "no account nope" in err
    after = {p: p.read_bytes() for p in config.rglob("*") if p.is_file()}
    assert after == before


def _hold_lock(config: Path) -> "subprocess.Popen[str]":
    """Another process that holds certbot's lock on *config* (as a certbot run does)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            f"fd = os.open({str(config / '.certbot.lock')!r}, os.O_CREAT | os.O_WRONLY)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_switch_takes_certbots_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """While certbot holds its lock on the config dir, switch changes nothing (exit 2)."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    _point_logs(config, tmp_path / "logs")
    holder = _hold_lock(config)
    try:
        before = _snapshot(config)
        _refused(
            capsys, "switch", "on", "--all", "--config-dir", str(config), match="certbot is running"
        )
        assert _snapshot(config) == before and not (tmp_path / "logs").exists()
    finally:
        holder.communicate(timeout=30)


@pytest.fixture
def user_config(tmp_path: Path) -> Iterator[Path]:
    """A config dir owned by an unprivileged user (the certbot 5.8.0 machine before the switch)."""
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    config = _copy(tmp_path, "certbot-5.8.0/before")
    for path in [config, *config.rglob("*")]:
        os.lchown(path, USER, USER)
    yield config


def test_a_users_config_dir_is_refused(
    user_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root on a user's dir whose conf names a root file as its log: refused, nothing written."""
    target = tmp_path / "root-only"  # stands for /root/somefile
    target.write_text("root's own data\n")
    target.chmod(0o644)
    conf = user_config / "renewal" / "one.example.com.conf"
    conf.write_text(
        conf.read_text().replace("[renewalparams]", f"[renewalparams]\nprivacy_log = {target}")
    )
    os.lchown(conf, USER, USER)
    before = _snapshot(user_config, target)
    for argv in (["switch", "on", "--all"], ["status"]):
        _refused(
            capsys,
            *argv,
            "--config-dir",
            str(user_config),
            match=f"belongs to another user (uid {USER})",
        )
    assert _snapshot(user_config, target) == before


def test_a_users_file_in_roots_dir_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One renewal conf of another user in root's dir is enough to refuse."""
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    config = _copy(tmp_path, "certbot-5.8.0/before")
    os.chown(config / "renewal" / "two.example.com.conf", USER, USER)
    before = _snapshot(config)
    _refused(capsys, "switch", "on", "--all", "--config-dir", str(config), match=f"uid {USER}")
    assert _snapshot(config) == before


def test_a_dir_under_a_users_dir_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root's config dir inside a directory a user owns: the user could swap it."""
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(DATA / "certbot-5.8.0" / "before", home / "config")
    os.chown(home, USER, USER)
    _refused(capsys, "switch", "on", "--all", "--config-dir", str(home / "config"), match=str(home))


@pytest.mark.parametrize("where", ["renewal/two.example.com.conf", "renewal", "."])
def test_writable_by_everyone_is_refused(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A conf, renewal/ or the dir itself writable by every user: refused, nothing written."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    path = config / where
    path.chmod(path.stat().st_mode | 0o002)
    before = _snapshot(config)
    _refused(
        capsys, "switch", "on", "--all", "--config-dir", str(config), match="writable by every user"
    )
    assert _snapshot(config) == before


def test_a_lock_symlink_is_never_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``.certbot.lock`` pointing elsewhere: refused, and nothing created where it points."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    _point_logs(config, tmp_path / "logs")
    planted = tmp_path / "planted"
    (config / ".certbot.lock").symlink_to(planted)
    _refused(capsys, "switch", "on", "--all", "--config-dir", str(config), match="symbolic link")
    assert not planted.exists() and not (tmp_path / "logs").exists()
    with pytest.raises(UntrustedError, match="symbolic link"), marks.config_lock(str(config)):
        pass  # the lock itself refuses the link too
    assert not planted.exists()


def test_a_conf_symlink_out_of_the_dir_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A renewal conf that is a link out of the config dir is never followed."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    outside = tmp_path / "outside.conf"
    shutil.move(str(config / "renewal" / "two.example.com.conf"), outside)
    (config / "renewal" / "two.example.com.conf").symlink_to(outside)
    before = _snapshot(config, outside)
    _refused(
        capsys,
        "switch",
        "on",
        "--all",
        "--config-dir",
        str(config),
        match="symbolic link out of the configuration directory",
    )
    assert _snapshot(config, outside) == before


def test_a_log_named_by_a_conf_must_be_a_disclosure_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A conf naming a file that is not a disclosure log: nothing appended, no chmod."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    target = tmp_path / "somefile"
    target.write_text("not a log\n")
    target.chmod(0o644)
    conf = config / "renewal" / "one.example.com.conf"
    conf.write_text(
        conf.read_text().replace("[renewalparams]", f"[renewalparams]\nprivacy_log = {target}")
    )
    _point_logs(config, tmp_path / "logs")
    before = _snapshot(config, target)
    _refused(
        capsys,
        "switch",
        "on",
        "--cert-name",
        "one.example.com",
        "--config-dir",
        str(config),
        match="is not a disclosure log",
    )
    assert _snapshot(config, target) == before


def test_a_fifo_in_place_of_a_conf_does_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO at renewal/x.conf: status and switch refuse it at once; the reader too."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    fifo = config / "renewal" / "x.conf"
    os.mkfifo(fifo)
    for argv in (["status"], ["switch", "on", "--all"]):
        _refused(capsys, *argv, "--config-dir", str(config), match="not a regular file")
    # the plugin's reader (no trust check inside a certbot run) does not block either
    found = reader.read(str(config), cli_inis=[])
    assert any("x.conf is not a regular file" in p for p in found.problems)


def test_symlink_loops_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two self-referencing links and a link to a parent under accounts/: the walk ends."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    accounts = config / "accounts"
    (accounts / "a").symlink_to("b")
    (accounts / "b").symlink_to("a")
    (accounts / "127.0.0.1:43775" / "up").symlink_to("..")
    code, out, err = _main("status", "--config-dir", str(config), capsys=capsys)
    assert code == 1 and err == "" and "Accounts (1)" in out


def test_written_files_keep_their_owner(tmp_path: Path) -> None:
    """Root rewriting a user's conf or mark keeps it the user's (never made root's)."""
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    config = _copy(tmp_path, "certbot-5.8.0/before")
    conf = config / "renewal" / "one.example.com.conf"
    os.chown(conf, USER, USER)
    account = next(p.parent for p in config.rglob("regr.json"))
    os.chown(account, USER, USER)
    assert marks.set_lineage(str(conf), True)
    marks.mark_account(str(account), True, since="2026-01-01T00:00:00.000Z")
    for path in (conf, account / "certbot-privacy.json"):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (USER, USER), path


def test_switch_says_when_there_is_nothing_to_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second switch on changes nothing and says so; an empty dir is no certbot state."""
    config = _copy(tmp_path, "certbot-5.8.0/before")
    _point_logs(config, tmp_path / "logs")
    code, out, _ = _main("switch", "on", "--all", "--config-dir", str(config), capsys=capsys)
    assert code == 0 and "Nothing to change" not in out
    code, out, _ = _main("switch", "on", "--all", "--config-dir", str(config), capsys=capsys)
    assert code == 0 and out.endswith("Nothing to change: everything named was already on.\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _main("switch", "on", "--all", "--config-dir", str(empty), capsys=capsys)
    assert (code, err) == (1, "") and "No certbot state" in out and "nothing to change" in out
    assert list(empty.iterdir()) == []
