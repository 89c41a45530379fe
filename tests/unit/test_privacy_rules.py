"""What "private" means, in one place (confdir/privacy.py), and everyone asking it."""

import argparse
import json
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from certbot_privacy._internal.adapter import mode, persistent
from certbot_privacy._internal.confdir import ACCOUNT_MARK, privacy, reader
from certbot_privacy._internal.manage import posture

DATA = Path(__file__).parent / "data" / "confdir"
SERVER = "https://127.0.0.1:43775/dir"
ACCOUNT = "5b130a1b8757e95c4b43565ebc8785dd"
SOFTWARE = posture.Software("5.8.0", "2.32.3")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("True", True),
        (True, True),
        ("False", False),
        (False, False),
        (["True"], None),  # "True," : configobj's one-element list
        ("true", None),
        ("yes", None),
        ("1", None),
        ("", None),
        (None, None),
    ],
)
def test_renewal_flag_reads_as_renew_does(value: Any, flag: Optional[bool]) -> None:
    """Only certbot's own True/False count; a list, lower case or yes is neither."""
    assert privacy.renewal_flag(value) is flag


def test_a_trailing_comma_is_not_private(tmp_path: Path) -> None:
    """``privacy_minimal = True,`` (a list to configobj) is not private to the reader either."""
    conf = tmp_path / "x.conf"
    conf.write_text("version = 5.8.0\n[renewalparams]\nprivacy_minimal = True,\n")
    lineage = reader.read_lineage(str(conf))
    assert not privacy.lineage_renews_private(lineage) and not lineage.switched_off


def test_log_path_is_one_computation(tmp_path: Path) -> None:
    """--privacy-log wins, else the logs dir's disclosure.jsonl, else certbot's default."""
    assert privacy.log_path(str(tmp_path / "l.jsonl"), "/x") == str(tmp_path / "l.jsonl")
    assert privacy.log_path(None, "/x/") == "/x/disclosure.jsonl"
    assert privacy.log_path(None, None) == "/var/log/letsencrypt/disclosure.jsonl"
    namespace = argparse.Namespace(privacy_log=None, logs_dir="/x")
    assert mode.log_path(namespace) == privacy.log_path(None, "/x")
    lineage = reader.Lineage(name="n", path="", logs_dir="/y")
    assert privacy.lineage_log(lineage) == "/y/disclosure.jsonl"
    line = posture._lineage(
        reader.ConfigDir("/c"),
        reader.Lineage(name="n", path="", privacy_minimal=True),
        SOFTWARE,
        False,
    )
    assert line.log == "/var/log/letsencrypt/disclosure.jsonl"


def _after(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(DATA / "certbot-5.8.0" / "after", config)
    return config


def _account_dir(config: Path) -> Path:
    return config / "accounts" / "127.0.0.1:43775" / "dir" / ACCOUNT


def test_an_unreadable_mark_counts_as_private(tmp_path: Path) -> None:
    """Fail-safe: a mark that cannot be read keeps the account's commands private."""
    config = _after(tmp_path)
    (_account_dir(config) / ACCOUNT_MARK).write_text("{not json")
    assert privacy.account_runs_private(privacy.account_mark_fail_safe(str(_account_dir(config))))
    namespace = argparse.Namespace(
        config_dir=str(config),
        server=SERVER,
        account=None,
        privacy_minimal=False,
        privacy_log=None,
    )
    persistent.on_parsed(namespace, "show_account")
    assert namespace.privacy_minimal is True
    # status cannot tell, and says so (the account is a file it could not read)
    found = reader.read(str(config), cli_inis=[])
    assert not found.accounts and any(ACCOUNT_MARK in p for p in found.problems)
    assert not posture.assess(found, SOFTWARE).all_private


def test_a_switched_off_mark_is_not_private(tmp_path: Path) -> None:
    """A mark saying false is the admin's choice: not private (no fail-safe there)."""
    config = _after(tmp_path)
    (_account_dir(config) / ACCOUNT_MARK).write_text('{"privacy_minimal": false}')
    assert not privacy.account_runs_private(
        privacy.account_mark_fail_safe(str(_account_dir(config)))
    )


def test_nothing_more_disclosed_needs_no_contact_and_no_eff(tmp_path: Path) -> None:
    """A private mark is not enough for status: a kept contact or a pending EFF opt-in."""
    mark = reader.AccountMark(private=True)
    base: Dict[str, Any] = {"id": "a", "server": SERVER, "path": "", "mark": mark}
    assert privacy.account_discloses_nothing_more(reader.Account(**base), False)
    assert not privacy.account_discloses_nothing_more(
        reader.Account(**base, contacts=("mailto:a@example.org",)), True
    )
    assert not privacy.account_discloses_nothing_more(
        reader.Account(**base, register_to_eff="a@example.org"), True
    )
    unmarked = reader.Account(id="a", server=SERVER, path="")
    assert not privacy.account_discloses_nothing_more(unmarked, False)
    assert privacy.account_discloses_nothing_more(unmarked, True)


def test_make_account_private_records_then_writes(tmp_path: Path) -> None:
    """Each change is announced before it is made; a second call changes nothing."""
    directory = tmp_path / "acct"
    directory.mkdir()
    (directory / "meta.json").write_text(json.dumps({"register_to_eff": "a@example.org"}))
    seen: List[Tuple[str, str, Dict[str, object], bool]] = []

    def notice(kind: str, recipient: str, fields: Dict[str, object]) -> None:
        seen.append((kind, recipient, fields, (directory / ACCOUNT_MARK).exists()))

    changed = privacy.make_account_private(
        str(directory),
        server=SERVER,
        account_id="acct",
        now="2026-01-01T00:00:00.000Z",
        notice=notice,
        by="test",
        log=str(tmp_path / "d.jsonl"),
        register_to_eff="a@example.org",
    )
    assert changed == ("private", "eff_cancelled")
    assert [(k, exists) for k, _, _, exists in seen] == [
        ("privacy_on", False),
        ("eff_subscription_cancelled", True),
    ]
    assert seen[1][2]["values"] == ["a@example.org"]
    mark = reader.read_account_mark(str(directory))
    assert mark is not None and mark.private and mark.log == str(tmp_path / "d.jsonl")
    assert "register_to_eff" not in json.loads((directory / "meta.json").read_text())
    seen.clear()
    again = privacy.make_account_private(
        str(directory),
        server=SERVER,
        account_id="acct",
        now="2027-01-01T00:00:00.000Z",
        notice=notice,
        by="test",
    )
    assert again == () and not seen
    kept = reader.read_account_mark(str(directory))
    assert kept is not None and kept.since == "2026-01-01T00:00:00.000Z"
