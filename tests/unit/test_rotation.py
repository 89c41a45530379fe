"""Rotated files chain to each other, so verify over a directory sees one go missing (issue 10)."""

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from certbot_privacy._internal.audit import source
from certbot_privacy._internal.audit.chaincheck import Kind
from certbot_privacy._internal.audit.verify import VerifyReport, verify
from certbot_privacy._internal.log import chain, reader
from certbot_privacy._internal.log.writer import DisclosureLog


def _record(n: int) -> dict[str, Any]:
    return {
        "schema": 1,
        "time": "2026-01-01T00:00:00.000Z",
        "event": "consent",
        "recipient": "https://ca.example/dir",
        "purpose": "contact",
        "decision": "refused",
        "text": f"record {n}",
        "values": [],
    }


def _rotate(log: Path) -> None:
    """What logrotate does (no copytruncate): .N -> .N+1, the live file -> .1."""
    rotated = sorted(
        (p for p in log.parent.iterdir() if p.name.startswith(log.name + ".")),
        key=lambda p: -int(p.name.split(".")[2]),
    )
    for path in rotated:
        number = int(path.name.split(".")[2])
        path.rename(path.with_name(f"{log.name}.{number + 1}" + path.name[len(log.name) + 2 :]))
    log.rename(log.with_name(log.name + ".1"))


@pytest.fixture
def rotated(tmp_path: Path) -> Path:
    """A log rotated three times: disclosure.jsonl.3 (oldest) .. .1, and the live file."""
    log = tmp_path / "disclosure.jsonl"
    writer = DisclosureLog(log)
    for generation in range(4):
        for n in range(3):
            writer.append(_record(generation * 10 + n))
        if generation < 3:
            _rotate(log)
    return tmp_path


def _verify(directory: Path) -> VerifyReport:
    return verify(source.read([str(directory)]))


def _failures(report: VerifyReport) -> list[tuple[str, Kind]]:
    return [
        (os.path.basename(f.source), f.failure.kind) for f in report.files if f.failure is not None
    ]


def test_a_new_file_names_the_rotated_one_it_follows(rotated: Path) -> None:
    """The first record of each new file names its predecessor's file, head and lines."""
    first = json.loads((rotated / "disclosure.jsonl").read_bytes().split(b"\n")[0])
    last_of_previous = (rotated / "disclosure.jsonl.1").read_bytes().split(b"\n")[-2]
    assert first["seq"] == 0 and first["prev"] == chain.GENESIS  # verifiable on its own
    assert first["predecessor"] == {
        "file": "disclosure.jsonl.1",
        "head": chain.digest(last_of_previous),
        "lines": 3,
    }
    oldest = json.loads((rotated / "disclosure.jsonl.3").read_bytes().split(b"\n")[0])
    assert "predecessor" not in oldest


def test_an_untouched_directory_verifies(rotated: Path) -> None:
    """Four files, oldest first, each intact, the sequence whole."""
    report = _verify(rotated)
    assert report.intact, _failures(report)
    assert [os.path.basename(f.source) for f in report.files] == [
        "disclosure.jsonl.3",
        "disclosure.jsonl.2",
        "disclosure.jsonl.1",
        "disclosure.jsonl",
    ]


@pytest.mark.parametrize("deleted", ["disclosure.jsonl.1", "disclosure.jsonl.2"])
def test_a_deleted_rotated_file_is_missing(rotated: Path, deleted: str) -> None:
    """Deleting a rotated file between two others is reported on the file after the gap."""
    (rotated / deleted).unlink()
    number = int(deleted.rsplit(".", 1)[1])
    after = "disclosure.jsonl" if number == 1 else f"disclosure.jsonl.{number - 1}"
    report = _verify(rotated)
    assert _failures(report) == [(after, Kind.MISSING_FILE)]
    (failure,) = [f.failure for f in report.files if f.failure is not None]
    assert failure.lineno == 1 and "a rotated file is missing before" in failure.message


def test_deleting_the_oldest_file_cannot_be_told_from_logrotate(rotated: Path) -> None:
    """logrotate deletes the oldest rotation itself: that is not reported (documented)."""
    (rotated / "disclosure.jsonl.3").unlink()
    assert _verify(rotated).intact


def test_a_duplicated_rotated_file_is_reported(rotated: Path) -> None:
    """A copy of a rotated file under another rotation name is a duplicate."""
    shutil.copy(rotated / "disclosure.jsonl.3", rotated / "disclosure.jsonl.4")
    assert _failures(_verify(rotated)) == [("disclosure.jsonl.3", Kind.DUPLICATED_FILE)]


def test_reordered_rotated_files_are_reported(rotated: Path) -> None:
    """Two rotated files swapped by name break the sequence."""
    os.rename(rotated / "disclosure.jsonl.1", rotated / "swap")
    os.rename(rotated / "disclosure.jsonl.2", rotated / "disclosure.jsonl.1")
    os.rename(rotated / "swap", rotated / "disclosure.jsonl.2")
    kinds = {kind for _, kind in _failures(_verify(rotated))}
    assert kinds and kinds <= {Kind.REORDERED_FILE, Kind.MISSING_FILE}


def test_compressed_rotations_chain_too(rotated: Path) -> None:
    """delaycompress or not: a .gz predecessor is read, and the sequence still verifies."""
    for name in ("disclosure.jsonl.2", "disclosure.jsonl.3"):
        path = rotated / name
        path.with_name(name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    assert _verify(rotated).intact
    log = rotated / "disclosure.jsonl"
    _rotate(log)
    (rotated / "disclosure.jsonl.2").write_bytes(
        gzip.compress((rotated / "disclosure.jsonl.2").read_bytes())
    )
    os.rename(rotated / "disclosure.jsonl.2", rotated / "disclosure.jsonl.2.gz")
    DisclosureLog(log).append(_record(99))
    assert json.loads(log.read_bytes().split(b"\n")[0])["predecessor"]["lines"] == 3
    assert _verify(rotated).intact


def test_series_names_the_log_a_file_belongs_to(tmp_path: Path) -> None:
    """Rotations with numbers, dates and .gz belong to their live file."""
    live = ("/".join(tmp_path.parts).lstrip("/"), "disclosure.jsonl")
    for name in ("disclosure.jsonl", "disclosure.jsonl.4.gz", "disclosure.jsonl-20261122"):
        assert reader.series(tmp_path / name) == ("/" + live[0], live[1])
    assert reader.series(tmp_path / "notes.txt") is None


def test_the_parallel_verify_links_rotated_files_too(rotated: Path) -> None:
    """verify on several processes (the command's default) reports the missing file too."""
    from certbot_privacy._internal.audit import parallel

    assert parallel.verify_logs([str(rotated)], workers=2).intact
    (rotated / "disclosure.jsonl.1").unlink()
    assert _failures(parallel.verify_logs([str(rotated)], workers=2)) == [
        ("disclosure.jsonl", Kind.MISSING_FILE)
    ]
