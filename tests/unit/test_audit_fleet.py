"""Fleets: a directory per host, journal and rsyslog copies, hosts in reports, copies compared."""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import chain, classify
from tests.helpers.audit import T0, issuance, lines_of, with_responses
from tests.helpers.fleet import (
    datagram,
    host_logs,
    journal_entry,
    journal_export,
    mirrored_log,
    other_program,
    rfc3164_line,
    rfc5424_line,
    write_lines,
)

HOSTS = ("web1", "web2")


CT = classify.CT_RECIPIENT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def fleet(tmp_path: Path) -> Dict[str, Tuple[Path, List[str]]]:
    """Two hosts' logs, written with the mirror on: (file, messages mirrored) per host."""
    made = {}
    for n, host in enumerate(HOSTS):
        entries = with_responses(issuance(T0 + n * 86400, f"{host}.example.org"))
        path = tmp_path / "written" / host / "disclosure.jsonl"
        path.parent.mkdir(parents=True)
        made[host] = (path, mirrored_log(path, entries))
    return made


def _journal(fleet: Dict[str, Tuple[Path, List[str]]], path: Path) -> Path:
    entries: List[Dict[str, Any]] = []
    for host, (_, messages) in fleet.items():
        entries += [journal_entry(datagram(m), host, len(entries)) for m in messages]
    noise = dict(entries[0], SYSLOG_IDENTIFIER="sshd", MESSAGE="Accepted publickey")
    path.write_bytes(journal_export([noise, *entries]))
    return path


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> Dict[str, Any]:
    code, out, err = run(capsys, "report", "--format", "json", *args)
    assert (code, err) == (0, ""), err
    document: Dict[str, Any] = json.loads(out)
    return document


def _by_host(document: Dict[str, Any]) -> Dict[str, int]:
    return {r["host"]: r["requests"] for r in document["recipients"] if r["recipient"] != CT}


def test_a_directory_per_host_names_each_record_s_host(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """hosts/HOST/disclosure.jsonl: every record is the named directory's host's."""
    root = host_logs(tmp_path / "hosts", {h: p for h, (p, _) in fleet.items()})
    merged = _report(capsys, str(root))
    assert merged["hosts"] == ["web1", "web2"]
    # The CA, and the public CT logs that publish the names of the orders it finalized.
    assert [r["hosts"] for r in merged["recipients"]] == [["web1", "web2"]] * 2
    assert _by_host(_report(capsys, "--by", "host", str(root))) == {"web1": 4, "web2": 4}


def test_a_journal_export_is_read_with_each_entry_s_host(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """journalctl -o json: records from MESSAGE, hosts from _HOSTNAME, other idents passed over."""
    journal = _journal(fleet, tmp_path / "journal.json")
    document = _report(capsys, "--by", "host", str(journal))
    assert _by_host(document) == {"web1": 4, "web2": 4}
    assert document["skipped"] == 0 and document["records"] == 16


@pytest.mark.parametrize("form", [rfc3164_line, rfc5424_line], ids=["rfc3164", "rfc5424"])
def test_rsyslog_files_are_read_with_the_header_s_host(
    capsys: pytest.CaptureFixture[str],
    fleet: Dict[str, Tuple[Path, List[str]]],
    tmp_path: Path,
    form: object,
) -> None:
    """An rsyslog file in either form: certbot-privacy's lines, each with its header's host."""
    lines = [other_program("web1")]
    for host, (_, messages) in fleet.items():
        lines += [form(m, host) for m in messages]  # type: ignore[operator]
    copy = write_lines(tmp_path / "auth.log", lines)
    document = _report(capsys, "--by", "host", str(copy))
    assert _by_host(document) == {"web1": 4, "web2": 4}
    assert document["skipped"] == 0


def test_a_message_journalctl_left_out_is_reported_with_the_fix(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """MESSAGE null (over 4096 bytes without --all): a problem line saying to use --all."""
    journal = _journal(fleet, tmp_path / "journal.json")
    entries = [json.loads(line) for line in journal.read_bytes().splitlines()]
    entries[1]["MESSAGE"] = None
    journal.write_bytes(journal_export(entries))
    document = _report(capsys, str(journal))
    assert document["skipped"] == 1
    assert "journalctl -o json --all" in document["problems"][0]["problem"]


def test_json_and_art30_carry_the_hosts(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """The Art. 30 record names the hosts, per recipient and in its evidence."""
    journal = _journal(fleet, tmp_path / "journal.json")
    code, out, _ = run(capsys, "export", "--art30", "--format", "json", str(journal))
    document = json.loads(out)
    assert code == 0
    assert document["evidence"]["hosts"] == ["web1", "web2"]
    assert document["recipients"][0]["hosts"] == ["web1", "web2"]
    code, out, _ = run(capsys, "export", "--art30", str(journal))
    assert "- Hosts: web1, web2" in out


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, Dict[str, Any]]:
    code, out, err = run(capsys, "verify", "--format", "json", *args)
    assert err == ""
    document: Dict[str, Any] = json.loads(out)
    return code, document


def test_each_host_s_files_agree_with_its_copy(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """Files after or before the copy on the command line: each host's files hold its copy."""
    root = host_logs(tmp_path / "hosts", {h: p for h, (p, _) in fleet.items()})
    journal = _journal(fleet, tmp_path / "journal.json")
    code, document = _verify(capsys, str(root), str(journal))
    assert code == 0 and document["intact"]
    assert [(c["host"], c["records"], c["chains"], c["gaps"]) for c in document["copies"]] == [
        ("web1", 8, 1, 0),
        ("web2", 8, 1, 0),
    ]
    assert [(c["host"], c["agrees"], c["matched"]) for c in document["comparisons"]] == [
        ("web1", True, 8),
        ("web2", True, 8),
    ]


def test_records_cut_off_a_file_s_end_are_missing_from_it(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """The last two records gone from web2's file: its chain is fine, the copy says otherwise."""
    root = host_logs(tmp_path / "hosts", {h: p for h, (p, _) in fleet.items()})
    cut = root / "web2" / "disclosure.jsonl"
    cut.write_bytes(b"".join(line + b"\n" for line in lines_of(cut)[:-2]))
    copy = write_lines(
        tmp_path / "syslog",
        [rfc3164_line(m, h) for h, (_, messages) in fleet.items() for m in messages],
    )
    code, document = _verify(capsys, str(copy), str(root))
    assert code == 1 and not document["intact"]
    assert all(f["intact"] for f in document["files"])
    web2 = document["comparisons"][1]
    assert (web2["host"], web2["missing_from_files"], web2["different_in_files"]) == ("web2", 2, 0)
    assert web2["differences"][0]["message"].startswith("record seq 6 of ")
    assert "missing from the file" in web2["differences"][0]["message"]
    code, out, _ = run(capsys, "verify", str(copy), str(root))
    assert "compare host web2: NOT INTACT: 2 records of the copy are missing" in out


def test_a_line_changed_and_rechained_is_different_from_the_copy(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """A record edited and the chain recomputed: intact on its own, different from the copy."""
    path, messages = fleet["web1"]
    lines = lines_of(path)
    lines[2] = lines[2].replace(b"web1.example.org", b"web9.example.org")
    rechained: List[bytes] = []
    for line in lines:
        head, _, _ = line.rpartition(b',"prev":"')
        prev = chain.digest(rechained[-1]) if rechained else chain.GENESIS
        rechained.append(head + b',"prev":"' + prev.encode() + b'"}')
    edited = tmp_path / "web1.jsonl"
    edited.write_bytes(b"".join(line + b"\n" for line in rechained))
    copy = write_lines(tmp_path / "syslog", [rfc5424_line(m, "web1") for m in messages])
    code, document = _verify(capsys, str(edited), str(copy))
    assert code == 1 and document["files"][0]["intact"]
    (comparison,) = document["comparisons"]
    assert comparison["different_in_files"] == 1
    assert comparison["differences"][0]["file"] == f"{edited}:3"


def test_shortened_records_are_compared_by_the_digest_they_carry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A record mirrored without its body (mirror_omitted, line_sha256) still matches its line."""
    path = tmp_path / "d.jsonl"
    messages = mirrored_log(path, with_responses(issuance(T0, "a.example.org")), max_bytes=600)
    assert sum('"mirror_omitted"' in m for m in messages) >= 3
    copy = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages])
    code, document = _verify(capsys, str(path), str(copy))
    assert code == 0
    assert document["comparisons"][0]["matched"] == len(messages)


def test_messages_lost_by_syslog_are_a_notice(
    capsys: pytest.CaptureFixture[str], fleet: Dict[str, Tuple[Path, List[str]]], tmp_path: Path
) -> None:
    """A copy missing a message: a gap in the copy, the file still agrees (exit 0)."""
    path, messages = fleet["web1"]
    copy = write_lines(
        tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages[:3] + messages[4:]]
    )
    code, document = _verify(capsys, str(path), str(copy))
    assert code == 0
    assert document["copies"][0]["gaps"] == 1
    assert document["comparisons"][0]["not_in_copy"] == 1
    code, out, _ = run(capsys, "verify", str(path), str(copy))
    assert "records missing from the copy in 1 place" in out


SAMPLES = Path(__file__).parent / "data" / "fleet"


@pytest.mark.parametrize("certbot", ["5", "2.1"])
def test_real_journal_samples_match_their_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certbot: str
) -> None:
    """The journal entries of real runs (both certbots) hold every record of their log."""
    journal = SAMPLES / f"journal-certbot-{certbot}.json"
    log = SAMPLES / f"journal-certbot-{certbot}.disclosure.jsonl"
    host = json.loads(journal.read_bytes().splitlines()[0])["_HOSTNAME"]
    root = host_logs(tmp_path / "hosts", {host: log})
    code, document = _verify(capsys, str(root), str(journal))
    assert code == 0
    assert document["comparisons"][0]["matched"] == len(lines_of(log))
    report = _report(capsys, "--by", "host", str(journal))
    assert {r["host"] for r in report["recipients"]} == {host}
