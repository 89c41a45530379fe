"""Reading certbot's configuration directory (as 2.1.0 and 5.8.0 write it) and writing our marks."""

import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from certbot_privacy._internal.confdir import marks, privacy, reader
from certbot_privacy._internal.errors import InputError, UsageError

DATA = Path(__file__).parent / "data" / "confdir"
VERSIONS = ["certbot-2.1.0", "certbot-5.8.0"]
SERVER = "https://127.0.0.1:43775/dir"


def _read(path: Path) -> reader.ConfigDir:
    return reader.read(str(path), cli_inis=[])


@pytest.fixture
def copy(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        target = tmp_path / name.replace("/", "-")
        shutil.copytree(DATA / name, target)
        return target

    return make


@pytest.mark.parametrize("version", VERSIONS)
def test_old_machine_as_certbot_wrote_it(version: str) -> None:
    """An account with a pending EFF subscription, no contact kept, two lineages not private."""
    found = _read(DATA / version / "before")
    assert found.problems == ()
    [account] = found.accounts
    assert account.server == SERVER
    assert len(account.id) == 32 and account.created.endswith("Z")
    assert account.contacts == () and not account.body_stored
    assert account.register_to_eff == "admin@example.org"
    assert account.mark is None and not privacy.account_runs_private(account.mark)
    assert [line.name for line in found.lineages] == ["one.example.com", "two.example.com"]
    for lineage in found.lineages:
        assert lineage.server == SERVER and lineage.account == account.id
        assert lineage.authenticator == "webroot" and not lineage.privacy_minimal
        assert lineage.version == version.split("-")[1]
        assert lineage.logs_dir == f"/srv/{version}/logs"
    assert found.account(SERVER, account.id) == account


@pytest.mark.parametrize("version", VERSIONS)
def test_switched_machine_as_certbot_wrote_it(version: str) -> None:
    """After the switch: the account's mark, no pending EFF, privacy_minimal = True."""
    found = _read(DATA / version / "after")
    [account] = found.accounts
    assert privacy.account_runs_private(account.mark) and account.register_to_eff is None
    assert account.mark is not None and account.mark.contact_withdrawn
    assert account.mark.log == f"/srv/{version}/logs/disclosure.jsonl"
    assert all(line.privacy_minimal for line in found.lineages)


def test_old_registration_keeps_its_contact() -> None:
    """certbot before 1.x kept the registration body, contact included, in regr.json."""
    [account] = _read(DATA / "old-registration").accounts
    assert account.contacts == ("mailto:admin@example.org",)
    assert account.server == "https://acme-v02.api.letsencrypt.org/directory"
    assert account.creation_host == "old.example.net"


@pytest.mark.parametrize(
    ("text", "private"),
    [
        ("privacy-minimal = true\n", True),
        ("privacy-minimal\n", True),
        ("privacy-minimal: yes\n", True),
        ("privacy-minimal = True\nprivacy-minimal = false\n", False),
        ("# privacy-minimal = true\n", False),
        ("email = a@example.org\n", False),
    ],
)
def test_cli_ini(text: str, private: bool) -> None:
    """cli.ini's privacy-minimal is read as configargparse reads a flag."""
    assert reader.cli_ini_private(text) is private


def test_cli_ini_files_certbot_reads(tmp_path: Path) -> None:
    """The XDG cli.ini is found from the environment, as certbot finds it."""
    ini = tmp_path / "xdg" / "letsencrypt" / "cli.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("privacy-minimal = true\n")
    found = reader.read(
        str(DATA / "certbot-5.8.0" / "before"), environ={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    )
    assert found.everything_private
    assert [i.path for i in found.cli_inis][-1] == str(ini)


def test_broken_files_are_problems_not_crashes(tmp_path: Path) -> None:
    """A renewal conf or account that cannot be read is listed, the rest still read."""
    (tmp_path / "renewal").mkdir()
    (tmp_path / "renewal" / "bad.conf").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "renewal" / "nosection.conf").write_text("version = 2.1.0\n")
    account = tmp_path / "accounts" / "ca.example" / "dir" / "abc"
    account.mkdir(parents=True)
    (account / "regr.json").write_text("[]")
    found = _read(tmp_path)
    assert len(found.problems) == 3 and found.lineages == () and found.accounts == ()


def test_not_a_directory(tmp_path: Path) -> None:
    """A config dir that does not exist is an input error naming --config-dir."""
    with pytest.raises(InputError, match="--config-dir"):
        reader.read(str(tmp_path / "missing"))


def test_account_ids_and_dir() -> None:
    """The accounts certbot would choose from for a server, and where one lives."""
    config = str(DATA / "certbot-5.8.0" / "before")
    [account_id] = reader.account_ids(config, SERVER)
    assert reader.account_dir(config, SERVER, account_id).endswith(
        f"127.0.0.1:43775/dir/{account_id}"
    )
    assert reader.account_ids(config, "https://other.example/dir") == []


def test_lineage_for_cert_path(tmp_path: Path) -> None:
    """A --cert-path names its lineage through the live link or an archived version."""
    archive = tmp_path / "archive" / "one"
    live = tmp_path / "live" / "one"
    archive.mkdir(parents=True)
    live.mkdir(parents=True)
    (archive / "cert1.pem").write_text("x")
    os.symlink(archive / "cert1.pem", live / "cert.pem")
    lineage = reader.Lineage(
        name="one", path="", cert=str(live / "cert.pem"), archive_dir=str(archive)
    )
    other = reader.Lineage(name="two", path="")
    assert reader.lineage_for_cert_path([other, lineage], str(live / "cert.pem")) == lineage
    assert reader.lineage_for_cert_path([lineage], str(archive / "cert1.pem")) == lineage
    assert reader.lineage_for_cert_path([lineage], str(tmp_path / "elsewhere.pem")) is None


@pytest.mark.parametrize("version", VERSIONS)
def test_set_lineage_keeps_the_rest(version: str, copy: Callable[[str], Path]) -> None:
    """Switching writes privacy_minimal in [renewalparams] and keeps comments and sections."""
    config = copy(f"{version}/before")
    conf = config / "renewal" / "one.example.com.conf"
    before = conf.read_text()
    os.chmod(conf, 0o640)
    assert marks.set_lineage(str(conf), True)
    assert not marks.set_lineage(str(conf), True)
    after = conf.read_text()
    assert after.replace("privacy_minimal = True\n", "") == before
    assert oct(os.stat(conf).st_mode & 0o777) == "0o640"
    assert reader.read_lineage(str(conf)).privacy_minimal
    marks.set_lineage(str(conf), False)
    off = reader.read_lineage(str(conf))
    assert not off.privacy_minimal and off.switched_off


def test_mark_account_and_cancel_eff(copy: Callable[[str], Path]) -> None:
    """Our mark is 0600 JSON; the pending EFF subscription leaves meta.json, the rest stays."""
    config = copy("certbot-5.8.0/before")
    [account] = _read(config).accounts
    marks.mark_account(account.path, True, since="2026-01-01T00:00:00.000Z", log="rel.jsonl")
    mark_file = Path(account.path) / "certbot-privacy.json"
    assert oct(os.stat(mark_file).st_mode & 0o777) == "0o600"
    assert json.loads(mark_file.read_text())["privacy_log"] == os.path.abspath("rel.jsonl")
    assert marks.cancel_eff_subscription(account.path) == "admin@example.org"
    assert marks.cancel_eff_subscription(account.path) is None
    [again] = _read(config).accounts
    assert (
        privacy.account_runs_private(again.mark)
        and again.register_to_eff is None
        and again.created == account.created
    )


def test_a_bad_mark_is_an_input_error(tmp_path: Path) -> None:
    """A mark that is not ours is reported, never silently read as 'not private'."""
    (tmp_path / "certbot-privacy.json").write_text('{"privacy_minimal": "yes"}')
    with pytest.raises(InputError, match="not a certbot-privacy account mark"):
        reader.read_account_mark(str(tmp_path))


def test_config_lock_refuses_while_certbot_runs(tmp_path: Path) -> None:
    """While another process holds certbot's lock, switching is a usage error."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(tmp_path / '.certbot.lock')!r}, os.O_CREAT | os.O_WRONLY)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with (
            pytest.raises(UsageError, match="certbot is running"),
            marks.config_lock(str(tmp_path)),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
        assert holder.stdout is not None
        holder.stdout.close()
    with marks.config_lock(str(tmp_path)):
        assert (tmp_path / ".certbot.lock").exists()
    assert not (tmp_path / ".certbot.lock").exists()
