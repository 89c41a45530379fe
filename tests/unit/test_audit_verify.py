"""verify: the hash chain and the contract, and what is wrong with the first bad line."""

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple, Union

import pytest

from certbot_privacy._internal.audit.chaincheck import LOOKAHEAD, FileChecker, Kind
from certbot_privacy._internal.audit.verify import VerifyReport, verify
from certbot_privacy._internal.log import chain
from certbot_privacy._internal.log.reader import Line
from tests.helpers.audit import (
    REAL_LOGS,
    T0,
    fleet_log,
    gzip_copy,
    issuance,
    lines_of,
    read_items,
    request,
    unwrapped,
    write_log,
)


def _check(path: Path) -> VerifyReport:
    return verify(read_items(path))


def _rewrite(path: Path, lines: List[bytes], end: bytes = b"\n") -> Path:
    path.write_bytes(b"\n".join(lines) + end)
    return path


def _rechain(records: List[Dict[str, Any]]) -> List[bytes]:
    """Serialise *records* as a valid chain, keeping each one's own seq."""
    lines: List[bytes] = []
    for record in records:
        record = dict(record, prev=chain.digest(lines[-1]) if lines else chain.GENESIS)
        lines.append(json.dumps(record, separators=(",", ":")).encode())
    return lines


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    return fleet_log(tmp_path / "fleet.jsonl")


def test_a_log_as_written_is_intact(log: Path) -> None:
    """The writer's log verifies: every record counted, head = digest of the last line."""
    report = _check(log)
    (verdict,) = report.files
    lines = lines_of(log)
    assert report.intact and verdict.failure is None
    assert verdict.records == verdict.lines == len(lines)
    assert verdict.head == chain.digest(lines[-1])
    assert verdict.truncated_tail is None and not verdict.missing_newline


@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_real_logs_from_certbot_runs_are_intact(path: Path) -> None:
    """Logs that real certbot runs wrote (2.1.0 and 5.8.0) verify."""
    report = _check(path)
    assert report.intact
    assert report.records == len(lines_of(path))


def _edit(lines: List[bytes]) -> List[bytes]:
    assert b'"domain":["example.org"]' in lines[5]
    lines[5] = lines[5].replace(b'"domain":["example.org"]', b'"domain":["example.com"]')
    return lines


def _insert_forged(lines: List[bytes]) -> List[bytes]:
    forged = dict(json.loads(lines[4]), seq=5, prev=chain.digest(lines[4]))
    return [*lines[:5], json.dumps(forged, separators=(",", ":")).encode(), *lines[5:]]


#: Where the damage is found: a line number, or a function of the tampered lines.
ExpectedLine = Union[int, Callable[[List[bytes]], int]]
Tamper = Callable[[List[bytes]], List[bytes]]

CASES: List[Tuple[str, Tamper, ExpectedLine, Kind]] = [
    ("edited", _edit, 6, Kind.EDITED),
    ("removed", lambda ls: ls[:4] + ls[5:], 5, Kind.REMOVED),
    ("removed first", lambda ls: ls[2:], 1, Kind.REMOVED),
    ("swapped", lambda ls: [*ls[:4], ls[5], ls[4], *ls[6:]], 5, Kind.REORDERED),
    ("moved later", lambda ls: [*ls[:4], *ls[5:9], ls[4], *ls[9:]], 5, Kind.REORDERED),
    ("moved to the end", lambda ls: [*ls[:4], *ls[5:], ls[4]], 5, Kind.REORDERED),
    ("duplicated", lambda ls: [*ls[:5], ls[4], *ls[5:]], 6, Kind.DUPLICATED),
    ("duplicated later", lambda ls: [*ls[:9], ls[2], *ls[9:]], 10, Kind.DUPLICATED),
    ("inserted garbage", lambda ls: [*ls[:4], b"hello", *ls[4:]], 5, Kind.INSERTED),
    ("inserted foreign JSON", lambda ls: [*ls[:4], b'{"a":1}', *ls[4:]], 5, Kind.INSERTED),
    ("inserted forged record", _insert_forged, 6, Kind.INSERTED),
    ("damaged", lambda ls: [*ls[:4], ls[4][:-9], *ls[5:]], 5, Kind.NOT_A_RECORD),
    ("last line cut, newline kept", lambda ls: [*ls[:-1], ls[-1][:40]], len, Kind.NOT_A_RECORD),
    ("repeated key", lambda ls: [*ls[:-1], ls[-1][:-1] + b',"seq":0}'], len, Kind.NOT_A_RECORD),
]


@pytest.mark.parametrize(("name", "tamper", "line", "kind"), CASES, ids=[c[0] for c in CASES])
def test_tampering_is_named_at_the_first_bad_line(
    log: Path,
    tmp_path: Path,
    name: str,
    tamper: Tamper,
    line: ExpectedLine,
    kind: Kind,
) -> None:
    """Each kind of tampering fails the check, at the right line, with the right name."""
    lines = tamper(lines_of(log))
    report = _check(_rewrite(tmp_path / "t.jsonl", lines))
    expected = line(lines) if callable(line) else line
    (verdict,) = report.files
    assert not report.intact
    assert verdict.failure is not None
    assert (verdict.failure.lineno, verdict.failure.kind) == (expected, kind), (
        verdict.failure.message
    )
    assert verdict.failure.where == f"{tmp_path / 't.jsonl'}:{expected}"
    assert str(expected) in verdict.failure.message


def test_a_recomputed_chain_with_a_wrong_seq_is_bad_seq(log: Path, tmp_path: Path) -> None:
    """A chain that holds but whose seq does not count on is reported as bad-seq."""
    records = [json.loads(line) for line in lines_of(log)]
    records[3]["seq"] = 7
    report = _check(_rewrite(tmp_path / "t.jsonl", _rechain(records)))
    failure = report.files[0].failure
    assert failure is not None and (failure.lineno, failure.kind) == (4, Kind.BAD_SEQ)


def test_a_crash_tail_is_a_notice_not_tampering(log: Path, tmp_path: Path) -> None:
    """A last line cut short without newline: intact up to it, and a truncated-tail notice."""
    lines = lines_of(log)
    cut = [*lines[:-1], lines[-1][:57]]
    report = _check(_rewrite(tmp_path / "t.jsonl", cut, end=b""))
    (verdict,) = report.files
    assert report.intact
    assert verdict.records == len(lines) - 1
    assert verdict.head == chain.digest(lines[-2])
    assert verdict.truncated_tail is not None
    assert verdict.truncated_tail.lineno == len(lines)
    assert "crash" in verdict.truncated_tail.message


def test_a_tail_cut_inside_the_first_key_is_still_a_crash_tail(tmp_path: Path) -> None:
    """Even a few bytes of a line (shorter than its first key) count as a crash's tail."""
    path = write_log(tmp_path / "a.jsonl", issuance(T0, "example.org"))
    with path.open("ab") as handle:
        handle.write(b'{"sch')
    verdict = _check(path).files[0]
    assert verdict.intact and verdict.truncated_tail is not None


def test_a_whole_record_without_its_newline_is_intact(log: Path, tmp_path: Path) -> None:
    """Only the final newline missing: every record intact, with a notice."""
    report = _check(_rewrite(tmp_path / "t.jsonl", lines_of(log), end=b""))
    (verdict,) = report.files
    assert report.intact and verdict.missing_newline
    assert verdict.records == len(lines_of(log))


@pytest.mark.parametrize("tail", [b"X", b" ", b"}"])
def test_bytes_after_the_last_record_are_not_a_crash_tail(
    log: Path, tmp_path: Path, tail: bytes
) -> None:
    """A record followed by more and no newline is no writer's work: not intact."""
    lines = lines_of(log)
    report = _check(_rewrite(tmp_path / "t.jsonl", [*lines[:-1], lines[-1] + tail], end=b""))
    failure = report.files[0].failure
    assert failure is not None
    assert (failure.lineno, failure.kind) == (len(lines), Kind.NOT_A_RECORD)


def test_a_fragment_in_the_middle_is_not_a_crash_tail(log: Path, tmp_path: Path) -> None:
    """Only a file's last line can be a crash's tail; anywhere else a cut line is damage."""
    lines = lines_of(log)
    report = _check(_rewrite(tmp_path / "t.jsonl", [*lines[:3], lines[3][:50], *lines[4:]]))
    failure = report.files[0].failure
    assert failure is not None and failure.lineno == 4


def test_a_tail_the_writer_cut_off_is_recorded_and_verifies(tmp_path: Path) -> None:
    """After a crash, the next append cuts the half line and records it: intact, noticed."""
    path = write_log(tmp_path / "a.jsonl", issuance(T0, "example.org"))
    with path.open("ab") as handle:
        handle.write(b'{"schema":1,"seq":4,"time":"2024')
    write_log(path, [request(T0 + 9)])
    (verdict,) = _check(path).files
    assert verdict.intact and verdict.truncated_tail is None
    assert [p.lineno for p in verdict.recovered] == [5]
    assert "cut off" in verdict.recovered[0].message


def test_each_file_is_its_own_chain(log: Path, tmp_path: Path) -> None:
    """Several files: one verdict each, and one bad file fails the whole check."""
    bad = _rewrite(tmp_path / "bad.jsonl", lines_of(log)[1:])
    report = verify(read_items(log, bad, log))
    assert [f.intact for f in report.files] == [True, False, True]
    assert not report.intact
    assert report.records == 2 * len(lines_of(log))


def test_rotated_gzip_files_in_a_directory_are_verified(log: Path, tmp_path: Path) -> None:
    """A directory: the .gz rotations and the live file, oldest first, each verified."""
    logs = tmp_path / "logs"
    logs.mkdir()
    gzip_copy(log, logs / "disclosure.jsonl.2.gz")
    other = write_log(tmp_path / "other.jsonl", issuance(T0 + 86400, "example.net"))
    gzip_copy(other, logs / "disclosure.jsonl.1.gz")  # a copy of the .2 would be a duplicate
    write_log(logs / "disclosure.jsonl", issuance(T0, "example.org"))
    report = verify(read_items(logs))
    assert [Path(f.source).name for f in report.files] == [
        "disclosure.jsonl.2.gz",
        "disclosure.jsonl.1.gz",
        "disclosure.jsonl",
    ]
    assert report.intact


def test_a_damaged_gzip_file_is_unreadable_and_the_next_file_is_still_checked(
    log: Path, tmp_path: Path
) -> None:
    """A .gz cut short fails as unreadable, with its file, and the check goes on."""
    logs = tmp_path / "logs"
    logs.mkdir()
    data = gzip_copy(log, tmp_path / "x.gz").read_bytes()
    (logs / "disclosure.jsonl.1.gz").write_bytes(data[: len(data) // 2])
    write_log(logs / "disclosure.jsonl", issuance(T0, "example.org"))
    report = verify(read_items(logs))
    first, second = report.files
    assert first.failure is not None and first.failure.kind is Kind.UNREADABLE
    assert first.failure.source.endswith("disclosure.jsonl.1.gz")
    assert second.intact and second.records == 4


def test_lines_from_anywhere_are_split_into_files_by_line_numbers() -> None:
    """The same name read twice is two files: a line number 1 starts a new one."""
    line = json.dumps(
        {
            "schema": 1,
            "seq": 0,
            "time": "2024-05-01T00:00:00.000Z",
            "event": "blocked",
            "recipient": "x",
            "reason": "r",
            "prev": chain.GENESIS,
        },
        separators=(",", ":"),
    ).encode()
    report = verify([Line("-", 1, line), Line("-", 1, line)])
    assert [f.records for f in report.files] == [1, 1]
    assert report.intact


def test_an_empty_input_has_no_files() -> None:
    """Nothing read: no verdicts, and nothing is wrong."""
    report = verify([])
    assert report.files == () and report.intact


def test_a_removal_far_from_its_gap_is_still_removed(tmp_path: Path) -> None:
    """The look-ahead is bounded: a missing record beyond it is reported as removed."""
    records = [
        dict(json.loads(line))
        for line in lines_of(write_log(tmp_path / "a.jsonl", issuance(T0, "example.org")))
    ]
    base = records[0]
    many = [dict(base, seq=i) for i in range(LOOKAHEAD + 10)]
    lines = _rechain(many)
    report = _check(_rewrite(tmp_path / "t.jsonl", lines[:3] + lines[4:]))
    failure = report.files[0].failure
    assert failure is not None and (failure.lineno, failure.kind) == (4, Kind.REMOVED)


def _checker_over(path: Path, thorough: bool = False) -> FileChecker:
    checker = FileChecker(str(path), thorough)
    for item in read_items(path):
        checker.feed(item)
    checker.finish()
    return checker


def test_only_the_lines_no_chain_vouches_for_are_parsed(log: Path) -> None:
    """The writer's lines are taken on the chain's word: only the last one is parsed."""
    assert _checker_over(log).parsed == 1
    assert _checker_over(log, thorough=True).parsed == len(lines_of(log))


def test_a_line_before_a_crash_tail_is_parsed(log: Path, tmp_path: Path) -> None:
    """A crash's tail vouches for nothing: the line before it is checked in full."""
    lines = lines_of(log)
    broken = lines[-1].replace(b'"event":"blocked"', b'"event":"blocked","x":}')
    path = _rewrite(tmp_path / "t.jsonl", [*lines[:-1], broken, b'{"schema":1,"se'], end=b"")
    failure = _check(path).files[0].failure
    assert failure is not None
    assert (failure.lineno, failure.kind) == (len(lines), Kind.NOT_A_RECORD)


def test_a_malformed_line_in_a_recomputed_chain_needs_thorough(log: Path, tmp_path: Path) -> None:
    """A chain rewritten around a non-JSON middle line breaks no link: --thorough finds it."""
    lines = lines_of(log)
    lines[3] = lines[3].replace(b'"method":"POST"', b'"method":POST', 1)
    rechained: List[bytes] = []
    for line in lines:
        head, _, _ = line.rpartition(b',"prev":"')
        prev = chain.digest(rechained[-1]) if rechained else chain.GENESIS
        rechained.append(head + b',"prev":"' + prev.encode() + b'"}')
    path = _rewrite(tmp_path / "t.jsonl", rechained)
    assert _check(path).intact
    failure = verify(read_items(path), thorough=True).files[0].failure
    assert failure is not None and (failure.lineno, failure.kind) == (4, Kind.NOT_A_RECORD)


def _with_a_key_twice(log: Path, tmp_path: Path) -> Path:
    """The log, rechained after line 4 got a key twice (valid JSON to most parsers)."""
    lines = lines_of(log)
    lines[3] = lines[3].replace(b'"method":"POST"', b'"method":"POST","method":"GET"', 1)
    rechained: List[bytes] = []
    for line in lines:
        head, _, _ = line.rpartition(b',"prev":"')
        prev = chain.digest(rechained[-1]) if rechained else chain.GENESIS
        rechained.append(head + b',"prev":"' + prev.encode() + b'"}')
    return _rewrite(tmp_path / "twice.jsonl", rechained)


def test_the_default_mode_says_which_records_it_only_hash_checked(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key given twice passes the chain; the verdict says those lines were not parsed."""
    from certbot_privacy._internal.audit import formats

    monkeypatch.setenv("COLUMNS", "120")
    path = _with_a_key_twice(log, tmp_path)
    report = _check(path)
    (verdict,) = report.files
    assert report.intact and (verdict.parsed, verdict.hash_checked) == (1, 31)
    text = unwrapped(formats.verify_renderer("text")(report))
    assert "(1 parsed and checked as records, 31 checked by their hash chain only)" in text
    assert "--thorough parses every line" in text
    assert "every line is a schema 1 record" not in text
    failure = verify(read_items(path), thorough=True).files[0].failure
    assert failure is not None and failure.kind is Kind.NOT_A_RECORD
    assert "the key 'method' appears twice" in failure.message


def test_a_line_over_the_cap_is_not_a_record_with_its_size(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line over the line cap is reported as not a record, with its size, never read whole."""
    from certbot_privacy._internal.log import reader

    monkeypatch.setattr(reader, "MAX_LINE", 4000)
    lines = lines_of(log)
    big = b'{"schema":1,"x":"' + b"A" * 5000 + b'"}'
    path = _rewrite(tmp_path / "big.jsonl", [*lines[:3], big, *lines[3:]])
    failure = _check(path).files[0].failure
    assert failure is not None and failure.lineno == 4
    assert failure.kind is Kind.INSERTED
    assert "the line is 5,019 bytes long, over the limit of 4,000 bytes" in failure.message
