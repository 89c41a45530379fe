"""Issue 19: copies that cannot be forked or forged, and records counted once.

Each test is an attack (or a mistake) that the audit let through before: a record
rewritten and mirrored again (a fork the comparison hid by keeping the later copy), a
record injected into the journal by any local user (``logger -t certbot-privacy``), a
record altered in a copy read on its own, and a host's file and its copy counted twice.
"""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from certbot_privacy._internal.audit import cli, source
from certbot_privacy._internal.log import chain, classify
from certbot_privacy._internal.log.reader import Line
from tests.helpers.audit import (
    T0,
    checked_verify_text,
    issuance,
    lines_of,
    with_responses,
    write_log,
)
from tests.helpers.fleet import (
    datagram,
    host_logs,
    journal_entry,
    journal_export,
    mirrored_log,
    rfc3164_line,
    write_lines,
)

CT = classify.CT_RECIPIENT


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's text is laid out for an 80-column terminal, whatever runs the tests."""
    monkeypatch.setenv("COLUMNS", "80")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert err == "", err
    # verify's text: every line within 80 columns (forks, gaps, rejections), then read whole
    return code, checked_verify_text(argv, code, out)


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, Dict[str, Any]]:
    code, out = run(capsys, *argv, "--format", "json")
    document: Dict[str, Any] = json.loads(out)
    return code, document


def rechained(lines: List[bytes], start: int = 0) -> List[bytes]:
    """*lines* with every ``prev`` from line *start* on recomputed (what root can do)."""
    out = list(lines[:start])
    for line in lines[start:]:
        head, _, _ = line.rpartition(b',"prev":"')
        prev = chain.digest(out[-1]) if out else chain.GENESIS
        out.append(head + b',"prev":"' + prev.encode() + b'"}')
    return out


def _journal(path: Path, host: str, messages: List[str], **fields: str) -> Path:
    entries = [dict(journal_entry(datagram(m), host, n), **fields) for n, m in enumerate(messages)]
    path.write_bytes(journal_export(entries))
    return path


@pytest.fixture()
def host(tmp_path: Path) -> Tuple[Path, List[str]]:
    """One host's log written with the mirror on: the file and the messages mirrored."""
    path = tmp_path / "written" / "disclosure.jsonl"
    path.parent.mkdir()
    return path, mirrored_log(path, with_responses(issuance(T0, "web1.example.org")))


# --- forks -----------------------------------------------------------------------------


@pytest.mark.parametrize("thorough", [False, True], ids=["plain", "thorough"])
def test_a_last_record_rewritten_and_mirrored_again_is_a_fork(
    capsys: pytest.CaptureFixture[str],
    host: Tuple[Path, List[str]],
    tmp_path: Path,
    thorough: bool,
) -> None:
    """Root edits the last record, recomputes its line, mirrors it again: exit 1, both shown."""
    path, messages = host
    lines = lines_of(path)
    forged = lines[-1].replace(b'"status":201', b'"status":200')
    assert forged != lines[-1]
    fleet = host_logs(tmp_path / "hosts", {"web1": path})
    (fleet / "web1" / "disclosure.jsonl").write_bytes(b"".join(x + b"\n" for x in lines[:-1]))
    with (fleet / "web1" / "disclosure.jsonl").open("ab") as written:
        written.write(forged + b"\n")
    journal = _journal(tmp_path / "journal.json", "web1", [*messages, forged.decode()])
    extra = ["--thorough"] if thorough else []
    code, document = _json(capsys, "verify", *extra, str(journal), str(fleet))
    assert code == 1 and not document["intact"]
    assert all(f["intact"] for f in document["files"])
    (copy,) = document["copies"]
    assert (copy["intact"], copy["forked"], copy["altered"]) == (False, 1, 0)
    (fork,) = copy["forks"]
    assert fork["candidates"] == [f"{journal}:{len(lines)}", f"{journal}:{len(lines) + 1}"]
    (comparison,) = document["comparisons"]
    assert (comparison["agrees"], comparison["forked_in_copy"]) == (False, 1)
    (difference,) = comparison["differences"]
    assert difference["kind"] == "forked"
    assert difference["other_versions"] == [f"{journal}:{len(lines)}"]
    code, out = run(capsys, "verify", *extra, str(journal), str(fleet))
    assert code == 1
    assert "copy: NOT INTACT: 1 fork, 0 altered records" in out
    assert "2 different versions in the copy" in out
    assert "1 forked in the copy" in out


def test_an_early_record_rewritten_with_the_chain_recomputed_is_a_fork(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """Record 2 edited, the chain recomputed from it, the forged lines mirrored: exit 1."""
    path, messages = host
    lines = lines_of(path)
    edited = list(lines)
    edited[2] = edited[2].replace(b"web1.example.org", b"web9.example.org")
    forged = rechained(edited, 2)
    fleet = tmp_path / "hosts"
    (fleet / "web1").mkdir(parents=True)
    (fleet / "web1" / "disclosure.jsonl").write_bytes(b"".join(x + b"\n" for x in forged))
    journal = _journal(
        tmp_path / "journal.json", "web1", [*messages, *(x.decode() for x in forged[2:])]
    )
    code, document = _json(capsys, "verify", str(fleet), str(journal))
    assert code == 1
    assert document["copies"][0]["forked"] == 1
    # The originals the forged chain replaced are missing from the file, too.
    assert document["comparisons"][0]["missing_from_files"] == len(lines) - 3


def test_a_fork_in_a_copy_read_alone_fails(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """Only the central copy: two versions of one record at one place are a fork, exit 1."""
    _, messages = host
    forged = messages[3].replace('"method":"POST"', '"method":"PUT"')
    assert forged != messages[3]
    copy = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in [*messages, forged]])
    code, document = _json(capsys, "verify", str(copy))
    assert code == 1 and document["copies"][0]["forked"] == 1
    code, out = run(capsys, "verify", str(copy))
    assert "NOT INTACT: the copies of 1 host hold forked or altered records" in out


def test_the_same_record_mirrored_twice_is_no_fork(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """A message the log pipeline delivered twice is one record (repeated), not a fork."""
    path, messages = host
    journal = _journal(tmp_path / "journal.json", "web1", [*messages, messages[4]])
    code, document = _json(capsys, "verify", str(path), str(journal))
    assert code == 0, document
    assert (document["copies"][0]["repeated"], document["copies"][0]["gaps"]) == (1, 0)


def test_a_rotated_file_s_first_record_rewritten_and_mirrored_again_is_a_fork(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """Two first records that follow the same rotated file (its head, in predecessor): a fork."""
    path, messages = host
    path.rename(path.with_name("disclosure.jsonl.1"))
    more = mirrored_log(path, with_responses(issuance(T0 + 86400, "web1.example.org")))
    first = json.loads(more[0])
    assert first["predecessor"]["head"] == chain.digest(
        lines_of(path.with_name("disclosure.jsonl.1"))[-1]
    )
    forged = more[0].replace(first["time"], first["time"][:-4] + "999Z")
    assert forged != more[0]
    journal = _journal(tmp_path / "journal.json", "web1", [*messages, *more, forged])
    code, document = _json(capsys, "verify", str(journal))
    assert code == 1 and document["copies"][0]["forked"] == 1
    honest = _journal(tmp_path / "honest.json", "web1", [*messages, *more])
    code, document = _json(capsys, "verify", str(honest))
    assert code == 0 and document["copies"][0]["chains"] == 2


# --- a copy alone: loss or alteration ---------------------------------------------------


def test_a_record_altered_in_a_copy_read_alone_fails(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """Consecutive seq with a broken prev is alteration, not loss: exit 1, named."""
    _, messages = host
    altered = list(messages)
    altered[2] = altered[2].replace("web1.example.org", "web9.example.org")
    assert altered[2] != messages[2]
    journal = _journal(tmp_path / "journal.json", "web1", altered)
    code, document = _json(capsys, "verify", str(journal))
    assert code == 1
    (copy,) = document["copies"]
    assert (copy["altered"], copy["gaps"], copy["forked"]) == (1, 0, 0)
    assert copy["alterations"][0]["seq"] == 3
    assert copy["alterations"][0]["after"] == f"{journal}:3"
    code, out = run(capsys, "verify", str(journal))
    assert "one of the two was altered" in " ".join(out.split())  # wrapped at 80 columns


def test_a_message_lost_from_a_copy_read_alone_is_a_gap(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """A gap in seq is loss (syslog drops messages): a notice, exit 0."""
    _, messages = host
    journal = _journal(tmp_path / "journal.json", "web1", messages[:3] + messages[4:])
    code, document = _json(capsys, "verify", str(journal))
    assert code == 0
    assert (document["copies"][0]["gaps"], document["copies"][0]["altered"]) == (1, 0)


# --- who wrote a journal entry ----------------------------------------------------------


def _forged_records(tmp_path: Path) -> List[str]:
    """Records a local user makes up: an account of somebody else's, with their address."""
    fake = write_log(
        tmp_path / "fake.jsonl",
        with_responses(issuance(T0, "victim.example.net", contact="victim@example.net")),
    )
    return [line.decode() for line in lines_of(fake)]


@pytest.mark.parametrize(
    "fields",
    [
        {"_UID": "1000", "_GID": "1000", "_COMM": "logger", "_EXE": "/usr/bin/logger"},
        {"_UID": "1000", "_GID": "1000", "_COMM": "python3", "_EXE": "/usr/bin/python3.11"},
        {"_UID": "0", "_GID": "0", "_COMM": "logger", "_EXE": "/usr/bin/logger"},
    ],
    ids=["user-logger", "user-python", "root-logger"],
)
def test_journal_entries_not_from_the_certbot_process_are_rejected(
    capsys: pytest.CaptureFixture[str],
    host: Tuple[Path, List[str]],
    tmp_path: Path,
    fields: Dict[str, str],
) -> None:
    """logger -t certbot-privacy: not in report, Art. 30 or a letter; counted as rejected."""
    _, messages = host
    honest = [journal_entry(datagram(m), "web1", n) for n, m in enumerate(messages)]
    injected = [
        dict(journal_entry(datagram(m), "web1", 100 + n), **fields)
        for n, m in enumerate(_forged_records(tmp_path))
    ]
    journal = tmp_path / "journal.json"
    journal.write_bytes(journal_export([*honest, *injected]))
    code, report = _json(capsys, "report", str(journal))
    assert code == 0
    assert report["records"] == len(messages)
    assert report["skipped"] == len(injected)
    assert "rejected: journald's trusted fields" in report["problems"][0]["problem"]
    assert "victim" not in json.dumps(report["recipients"])
    code, out = run(capsys, "export", "--art30", "--format", "json", str(journal))
    assert code == 0 and "victim" not in out
    code, out = run(capsys, "export", "--erasure-request", str(journal))
    assert code == 0 and "victim" not in out
    code, document = _json(capsys, "verify", str(journal))
    assert code == 0
    (copy,) = document["copies"]
    assert (copy["records"], copy["rejected"], copy["authenticated"]) == (
        len(messages),
        len(injected),
        True,
    )
    code, out = run(capsys, "verify", str(journal))
    assert f"notice: {len(injected)} journal entries under the ident certbot-privacy" in out


def test_journal_uid_accepts_a_certbot_run_as_that_user(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """--journal-uid 1000: a certbot (python) of user 1000 is accepted; logger still is not."""
    _, messages = host
    journal = _journal(tmp_path / "journal.json", "web1", messages, _UID="1000", _COMM="certbot")
    _, report = _json(capsys, "report", str(journal))
    assert (report["records"], report["skipped"]) == (0, len(messages))
    _, report = _json(capsys, "report", "--journal-uid", "1000", str(journal))
    assert (report["records"], report["skipped"]) == (len(messages), 0)
    logger = _journal(
        tmp_path / "logger.json", "web1", messages, _UID="1000", _COMM="logger", _EXE="/bin/x"
    )
    _, report = _json(capsys, "report", "--journal-uid", "1000", str(logger))
    assert report["records"] == 0


def test_journal_uid_that_is_no_user_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unknown user name: exit 2, one sentence."""
    code = cli.main(["report", "--journal-uid", "no-such-user-here", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "no user 'no-such-user-here' on this machine" in err


def test_syslog_copies_are_marked_unauthenticated(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """verify says a syslog copy's sender is not authenticated; a journal's is."""
    _, messages = host
    copy = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages])
    code, document = _json(capsys, "verify", str(copy))
    assert code == 0 and document["copies"][0]["authenticated"] is False
    code, out = run(capsys, "verify", str(copy))
    assert "unauthenticated (syslog does not say which process sent a message)" in out


# --- counted once ----------------------------------------------------------------------


def test_a_record_in_the_file_and_its_copies_is_counted_once(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """hosts/ and the journal and syslog copies of the same records: each record once."""
    path, messages = host
    fleet = host_logs(tmp_path / "hosts", {"web1": path})
    journal = _journal(tmp_path / "journal.json", "web1", messages)
    syslog = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages])
    _, alone = _json(capsys, "report", str(fleet))
    for inputs in ([fleet, journal], [journal, fleet], [fleet, journal, syslog]):
        _, both = _json(capsys, "report", *map(str, inputs))
        assert (both["records"], both["requests"]) == (alone["records"], alone["requests"])
        assert both["recipients"] == alone["recipients"]
    _, art30 = _json(capsys, "export", "--art30", str(fleet), str(journal))
    _, art30_alone = _json(capsys, "export", "--art30", str(fleet))
    assert art30["recipients"] == art30_alone["recipients"]


def test_records_only_in_the_copy_are_still_read(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """A file cut short: the records only the copy holds still count, once each."""
    path, messages = host
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(x + b"\n" for x in lines_of(path)[:4]))
    journal = _journal(tmp_path / "journal.json", "web1", messages)
    _, both = _json(capsys, "report", str(cut), str(journal))
    assert both["records"] == len(messages)


def test_provenance_names_where_each_record_was_read(
    host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """source.provenance: file, journal (trusted fields checked) or syslog (unauthenticated)."""
    path, messages = host
    journal = _journal(tmp_path / "journal.json", "web1", messages[:6])
    syslog = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages])
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(x + b"\n" for x in lines_of(path)[:2]))
    items = list(source.read([str(syslog), str(cut), str(journal)]))
    seen = [source.provenance(i) for i in items if isinstance(i, Line)]
    assert seen == ["file"] * 2 + ["syslog"] * (len(messages) - 2)
    items = list(source.read([str(cut), str(journal), str(syslog)]))
    seen = [source.provenance(i) for i in items if isinstance(i, Line)]
    assert seen == ["file"] * 2 + ["journal"] * 4 + ["syslog"] * (len(messages) - 6)
    assert source.SYSLOG in source.UNAUTHENTICATED and source.JOURNAL not in source.UNAUTHENTICATED


# --- where each fact comes from: report, Art. 30, letters --------------------------------


def test_report_and_art30_say_which_records_rest_on_unauthenticated_copies(
    capsys: pytest.CaptureFixture[str], host: Tuple[Path, List[str]], tmp_path: Path
) -> None:
    """Records only a syslog copy holds: counted, and said to be unauthenticated everywhere."""
    path, messages = host
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(x + b"\n" for x in lines_of(path)[:4]))
    syslog = write_lines(tmp_path / "syslog", [rfc3164_line(m, "web1") for m in messages])
    _, report = _json(capsys, "report", str(cut), str(syslog))
    copied = len(messages) - 4
    assert (report["copied"], report["unauthenticated_records"]) == ({"syslog": copied}, copied)
    note = (
        f"{copied} records come from syslog copies only (RFC 3164/5424), which are unauthenticated"
    )
    for argv in (
        ["report", str(cut), str(syslog)],
        ["report", "--format", "markdown", str(cut), str(syslog)],
        ["export", "--art30", str(cut), str(syslog)],
        ["report", "--format", "html", str(cut), str(syslog)],
    ):
        code, out = run(capsys, *argv)
        assert code == 0 and note in " ".join(out.split()), argv  # the table wraps
    _, art30 = _json(capsys, "export", "--art30", str(cut), str(syslog))
    assert art30["evidence"]["copied"] == {"syslog": copied}
    _, alone = _json(capsys, "report", str(path))
    assert (alone["copied"], alone["unauthenticated_records"]) == ({}, 0)
    code, out = run(capsys, "report", str(path), str(syslog))
    assert "syslog copies only" not in out


def test_letters_mark_the_values_only_a_copy_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A domain only the copies hold is marked in the letter; one in the host's file is not."""
    messages: List[str] = []
    path = tmp_path / "d.jsonl"
    entries = with_responses(issuance(T0, "file.example.org", contact="admin@example.org"))
    entries += with_responses(issuance(T0 + 86400, "copy.example.org"), len(entries))
    messages = mirrored_log(path, entries)
    kept = len(with_responses(issuance(T0, "file.example.org", contact="admin@example.org")))
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(x + b"\n" for x in lines_of(path)[:kept]))
    journal = _journal(tmp_path / "journal.json", "web1", messages)
    code, out = run(capsys, "export", "--erasure-request", str(cut), str(journal))
    assert code == 0
    assert (
        "copy.example.org (used on 2024-05-02; only in a copy of my log: the system journal)" in out
    )
    assert "file.example.org (used on 2024-05-01)\n" in out
    assert 'The values marked "only in a copy of my log"' in out
    code, out = run(capsys, "export", "--erasure-request", str(path), str(journal))
    assert "only in a copy" not in out
    code, out = run(
        capsys, "export", "--access-request", "--language", "zh_CN", str(cut), str(journal)
    )
    assert "仅见于我的日志副本" in out
