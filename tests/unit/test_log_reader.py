"""The log reader: files, gzip, rotated directories, stdin, and strict line parsing."""

import gzip
import io
import os
import sys
from pathlib import Path
from typing import List

import pytest

from certbot_privacy._internal.errors import DisclosureLogError, LogFormatError
from certbot_privacy._internal.log import reader, records
from certbot_privacy._internal.log.reader import iter_lines, log_files, parse_line
from certbot_privacy._internal.log.writer import DisclosureLog


def _write_log(path: Path, count: int) -> bytes:
    log = DisclosureLog(path)
    for n in range(count):
        log.append(records.blocked_record(reason=f"r{n}", recipient="x", when=0))
    return path.read_bytes()


def test_lines_of_a_file_are_numbered_from_one(tmp_path: Path) -> None:
    """Each line comes with its file, 1-based number, bytes and completeness."""
    data = _write_log(tmp_path / "d.jsonl", 3)
    lines = list(iter_lines(tmp_path / "d.jsonl"))
    assert [(x.source, x.number, x.complete) for x in lines] == [
        (str(tmp_path / "d.jsonl"), n, True) for n in (1, 2, 3)
    ]
    assert b"\n".join(x.raw for x in lines) + b"\n" == data
    assert lines[2].record()["reason"] == "r2"


def test_gzip_files_are_read_by_their_content(tmp_path: Path) -> None:
    """A gzip-compressed log is read transparently, whatever its name."""
    data = _write_log(tmp_path / "d.jsonl", 2)
    (tmp_path / "packed").write_bytes(gzip.compress(data))
    assert [x.raw for x in iter_lines(tmp_path / "packed")] == data.split(b"\n")[:-1]


def test_damaged_gzip_gives_a_clear_error(tmp_path: Path) -> None:
    """A cut-short gzip file is reported with its name, not as a traceback."""
    data = gzip.compress(_write_log(tmp_path / "d.jsonl", 20))
    (tmp_path / "d.jsonl.1.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DisclosureLogError, match=r"d\.jsonl\.1\.gz: it is damaged or cut short"):
        list(iter_lines(tmp_path / "d.jsonl.1.gz"))


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    """Reading a log that does not exist says which path and why."""
    with pytest.raises(
        DisclosureLogError, match=f"^Cannot read the disclosure log {tmp_path}/nope: no such file"
    ):
        list(iter_lines(tmp_path / "nope"))


def test_directory_reads_rotations_oldest_first(tmp_path: Path) -> None:
    """logrotate's .N (higher is older), .gz and the live file come oldest first."""
    for name in (
        "disclosure.jsonl",
        "disclosure.jsonl.1",
        "disclosure.jsonl.2.gz",
        "disclosure.jsonl.10.gz",
        "notes.txt",
        "disclosure.jsonl.lock",
    ):
        (tmp_path / name).write_bytes(b"")
    assert [os.path.basename(p) for p in log_files(tmp_path)] == [
        "disclosure.jsonl.10.gz",
        "disclosure.jsonl.2.gz",
        "disclosure.jsonl.1",
        "disclosure.jsonl",
    ]


def test_directory_with_dateext_rotations_sorts_by_date(tmp_path: Path) -> None:
    """dateext suffixes sort by date, before the live file."""
    for name in ("d.jsonl", "d.jsonl-20261201.gz", "d.jsonl-20261101"):
        (tmp_path / name).write_bytes(b"")
    assert [os.path.basename(p) for p in log_files(tmp_path)] == [
        "d.jsonl-20261101",
        "d.jsonl-20261201.gz",
        "d.jsonl",
    ]


def test_directory_lines_keep_their_own_file_and_number(tmp_path: Path) -> None:
    """Reading a directory numbers lines per file."""
    (tmp_path / "d.jsonl.1.gz").write_bytes(gzip.compress(_write_log(tmp_path / "old", 2)))
    _write_log(tmp_path / "d.jsonl", 1)
    (tmp_path / "old").unlink()
    seen = [(os.path.basename(x.source), x.number) for x in iter_lines(tmp_path)]
    assert seen == [("d.jsonl.1.gz", 1), ("d.jsonl.1.gz", 2), ("d.jsonl", 1)]


def test_standard_input_is_read_with_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "-" reads standard input, compressed or not, and ends with an incomplete tail."""
    data = _write_log(tmp_path / "d.jsonl", 2) + b'{"half'

    class _Stdin:
        buffer = io.BytesIO(gzip.compress(data))

    monkeypatch.setattr(sys, "stdin", _Stdin())
    lines = list(iter_lines("-"))
    assert [(x.source, x.number, x.complete) for x in lines] == [
        ("<stdin>", 1, True),
        ("<stdin>", 2, True),
        ("<stdin>", 3, False),
    ]
    assert lines[-1].raw == b'{"half'


def test_only_the_last_line_can_be_incomplete(tmp_path: Path) -> None:
    """Lines that end in a newline are complete, even empty ones."""
    (tmp_path / "d.jsonl").write_bytes(b"a\n\nb")
    assert [(x.raw, x.complete) for x in iter_lines(tmp_path / "d.jsonl")] == [
        (b"a", True),
        (b"", True),
        (b"b", False),
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"seq":1,"seq":2}', "the key 'seq' appears twice"),
        (b'{"seq":NaN}', "NaN is not a JSON value"),
        # Repeated keys in nested objects, spelled apart, after whitespace, at the end:
        (b'{"a":{"b":[{"c":1,"c":1}]}}', "the key 'c' appears twice"),
        (b'{"personal_data":{"contact":[],"contact":["x"]}}', "the key 'contact' appears"),
        (b'{"a":1,"\\u0061":2}', "the key 'a' appears twice"),
        (b' {"a":1,"a":2} ', "the key 'a' appears twice"),
        (b'{"a":[Infinity]}', "Infinity is not a JSON value"),
        (b"[1,2]", "not a JSON object"),
        (b' "a" ', "not a JSON object"),
        (b'{"a":1} {"b":2}', "not valid JSON (Extra data"),
        (b'{"a":"\xff"}', "not UTF-8 text (byte 6)"),
        (b'{"a":', "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_parse_line_refuses_what_is_not_a_record(raw: bytes, message: str) -> None:
    """Lines that are not one unambiguous JSON object are refused with the reason."""
    with pytest.raises(LogFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_line(raw)


def test_parse_line_returns_the_record() -> None:
    """A record line parses to its object, with whitespace around it as JSON allows."""
    assert parse_line(b'{"schema":1,"seq":0}') == {"schema": 1, "seq": 0}
    assert parse_line(b' {"a": {"b": [1, "\\u00e9"]}}\t') == {"a": {"b": [1, "\u00e9"]}}


def test_kind_of_a_log_reads_only_its_first_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that begins as a record does is a log, told from ten bytes (a fleet has
    thousands of files, each asked once or more); a journal export is still read to know."""
    log = tmp_path / "disclosure.jsonl"
    log.write_bytes(b'{"schema":1,"seq":0,' + b"x" * (2 << 20) + b"\n")
    journal = tmp_path / "journal.json"
    journal.write_bytes(b'{"__CURSOR":"s=1","MESSAGE":"hello"}\n')
    read: List[int] = []
    real_open = open

    class Counting:
        def __init__(self, path: str, mode: str) -> None:
            self.handle = real_open(path, mode)

        def __enter__(self) -> "Counting":
            return self

        def __exit__(self, *_: object) -> None:
            self.handle.close()

        def read(self, size: int = -1) -> bytes:
            data: bytes = self.handle.read(size)
            read.append(len(data))
            return data

        def read1(self, size: int = -1) -> bytes:
            return self.read(size)

        def seek(self, offset: int) -> int:
            return self.handle.seek(offset)

    monkeypatch.setattr(reader, "open", Counting, raising=False)
    assert reader.kind(str(log)) is None
    assert sum(read) == 10
    assert reader.kind(str(journal)) == reader.JOURNAL
