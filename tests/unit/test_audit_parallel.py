"""Reading on every core: the same summary and the same verdicts as one pass, in parts."""

import gc
import json
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import pytest

from certbot_privacy._internal.audit import parallel, source
from certbot_privacy._internal.audit import summarise as summarise_module
from certbot_privacy._internal.audit.chaincheck import Kind
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.formats import json as json_format
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.audit.verify import verify
from certbot_privacy._internal.log import reader
from tests.helpers.audit import (
    REAL_LOGS,
    T0,
    fleet_log,
    gzip_copy,
    issuance,
    lines_of,
    request,
    write_log,
)
from tests.helpers.hostile import hostile_fleet
from tests.unit.test_audit_verify import CASES, _rechain


@pytest.fixture(autouse=True)
def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut any file over 4 KiB into parts, so small test logs are read in parallel."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 4096)


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    return fleet_log(tmp_path / "fleet.jsonl")


def test_a_big_file_is_cut_at_line_starts(log: Path) -> None:
    """Parts begin where lines begin and cover the file, once."""
    parts = parallel.plan([str(log)], 3)
    assert parts is not None and len(parts) == 3
    data = log.read_bytes()
    assert parts[0].start == 0 and parts[-1].end == len(data) and parts[-1].last
    for before, after in zip(parts, parts[1:]):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"


def test_copies_and_standard_input_are_read_in_order(log: Path, tmp_path: Path) -> None:
    """No plan (one pass, in order) when standard input or a syslog copy is read."""
    syslog = tmp_path / "syslog"
    syslog.write_text("Dec  1 14:33:07 web1 certbot-privacy[1]: {}\n")
    assert parallel.plan([str(log), "-"], 2) is None
    assert parallel.plan([str(log), str(syslog)], 2) is None


def test_the_summary_is_the_same_in_parts(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Merged accumulators equal one pass: counts, times, hosts, problems and their lines."""
    broken = tmp_path / "broken.jsonl"
    lines = lines_of(log)
    broken.write_bytes(b"\n".join([*lines[:20], b"not json", *lines[20:]]) + b"\n")
    gz = gzip_copy(log, tmp_path / "old.jsonl.1.gz")
    names = [str(broken), str(gz), *map(str, REAL_LOGS)]
    planned: List[int] = []
    plan = parallel.plan

    def counted(names: Sequence[str], pieces: int) -> Optional[List[parallel.Part]]:
        parts = plan(names, pieces)
        planned.append(len([p for p in parts or () if p.path == str(broken)]))
        return parts

    monkeypatch.setattr(parallel, "plan", counted)
    ours = json_format.report_document(parallel.summarise(names, Filters(), workers=2))
    assert planned == [2 * parallel.PARTS_PER_WORKER]  # parts taken by whichever worker is free
    one_pass = json_format.report_document(summarise(source.read(names)))
    assert ours == one_pass
    assert ours["problems"][0]["line"] == 21


def test_a_fleet_of_small_files_is_read_in_a_few_batches(log: Path, tmp_path: Path) -> None:
    """A cut file and 41 hosts' files: a few tasks, each cut part alone, and the same
    summary (by host and by recipient, problems and their lines) as one pass."""
    for n in range(41):
        host = tmp_path / "hosts" / f"web{n:02d}"
        host.mkdir(parents=True)
        lines = lines_of(log)
        extra = [b"not json"] if n == 7 else []
        (host / "disclosure.jsonl").write_bytes(
            b"\n".join([*lines[:3], *extra, *lines[3:6]]) + b"\n"
        )
    big = tmp_path / "big.jsonl"
    big.write_bytes(log.read_bytes())
    names = [str(big), str(tmp_path / "hosts")]
    parts = parallel.plan(names, 2)
    assert parts is not None
    tasks = parallel.batches(parts, 2)
    assert len(tasks) <= 2 * parallel.BATCHES_PER_WORKER + len([p for p in parts if p.end])
    assert all(len(t) == 1 for t in tasks if t[0].end is not None)
    assert max(len(t) for t in tasks) == 6 and len([p for p in parts if p.end]) == 2
    assert [p for t in tasks for p in t] == parts
    for by in ("host", "recipient"):
        ours = json_format.report_document(parallel.summarise(names, Filters(), by, workers=2))
        one_pass = json_format.report_document(summarise(source.read(names), by=by))
        assert ours == one_pass
    assert one_pass["problems"][0]["line"] == 4


def test_an_intact_file_is_verified_in_parts(log: Path) -> None:
    """The stitched verdict equals one pass: records, parsed, head."""
    names = [str(log), *map(str, REAL_LOGS)]
    ours = parallel.verify_logs(names, workers=3)
    assert ours == verify(source.read(names))
    assert ours.intact


@pytest.mark.parametrize(("name", "tamper", "line", "kind"), CASES, ids=[c[0] for c in CASES])
def test_tampering_is_named_as_one_pass_names_it(
    log: Path,
    tmp_path: Path,
    name: str,
    tamper: Callable[[List[bytes]], List[bytes]],
    line: object,
    kind: object,
) -> None:
    """Whatever the tampering, the verdict in parts is the verdict of one pass."""
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(tamper(lines_of(log))) + b"\n")
    ours = parallel.verify_logs([str(path)], workers=3)
    assert not ours.intact
    assert ours == verify(source.read([str(path)]))


def test_a_recomputed_chain_with_a_wrong_seq_in_a_later_part_is_bad_seq(
    log: Path, tmp_path: Path
) -> None:
    """A chain that holds but whose seq skips, far into the file: each part's checker
    looks at every line's head, so the verdict is bad-seq at that line, as in one pass."""
    records = [json.loads(line) for line in lines_of(log)]
    middle = len(records) * 2 // 3
    records[middle]["seq"] += 5
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(_rechain(records)) + b"\n")
    parts = parallel.plan([str(path)], 3)
    assert parts is not None and parts[1].start < len(b"\n".join(_rechain(records[:middle])))
    ours = parallel.verify_logs([str(path)], workers=3)
    failure = ours.files[0].failure
    assert failure is not None and (failure.lineno, failure.kind) == (middle + 1, Kind.BAD_SEQ)
    assert ours == verify(source.read([str(path)]))


def test_a_crash_tail_the_writer_recorded_in_a_later_part_is_listed(tmp_path: Path) -> None:
    """A record holding a cut-off crash tail, past the first part, is parsed and listed."""
    path = tmp_path / "a.jsonl"
    for day in range(12):
        write_log(path, issuance(T0 + day * 86400, f"d{day}.example.org"))
    lines = len(lines_of(path))
    with path.open("ab") as handle:
        handle.write(b'{"schema":1,"seq":4,"time":"2024')
    write_log(path, [request(T0 + 99 * 86400)])
    for day in range(100, 104):
        write_log(path, issuance(T0 + day * 86400, f"d{day}.example.org"))
    assert path.stat().st_size > 3 * parallel.SPLIT_BYTES
    ours = parallel.verify_logs([str(path)], workers=3)
    (verdict,) = ours.files
    assert verdict.intact and [p.lineno for p in verdict.recovered] == [lines + 1]
    assert ours == verify(source.read([str(path)]))


def test_a_part_that_cannot_be_read_on_is_a_failure_at_the_line_after_the_last_read(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read error part way through a part of a cut file (the disk): the lines before it,
    then a read failure numbered after the last of them, naming the part's file."""
    monkeypatch.setattr(reader, "BLOCK", 1024)
    read_some = reader._read_some
    calls = 0

    def failing(stream: object) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 6:
            raise OSError(5, "Input/output error")
        return read_some(stream)

    monkeypatch.setattr(reader, "_read_some", failing)
    parts = parallel.plan([str(log)], 2)
    assert parts is not None and parts[1].start > 0
    items = list(parallel._items(parts[1]))
    lines = [item for item in items if isinstance(item, reader.Line)]
    failure = items[-1]
    assert isinstance(failure, source.ReadFailure) and len(lines) > 1, items
    assert (failure.source, failure.number) == (str(log), lines[-1].number + 1)
    assert "Input/output error" in failure.message


def test_summarising_makes_no_reference_cycle(log: Path, tmp_path: Path) -> None:
    """What summarising builds is freed by reference counting alone, on real, broken and
    hostile logs (so summarising without the cyclic collector, summarise.without_gc, holds
    no more memory): the collector finds nothing after it."""
    lines = lines_of(log)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(
        b"\n".join(
            [
                lines[0][: len(lines[0]) // 2],
                lines[1].replace(b'"event"', b'"seq":1,"event"', 1),
                lines[2][:-1] + b',"x":NaN}',
                b"\xff\xfe" + lines[3],
                b"[" * 5000 + b"]" * 5000,
                *lines[4:],
                lines[5][:40],
            ]
        )
    )
    hosts, journal = hostile_fleet(tmp_path / "hostile")
    names = [str(log), str(broken), str(hosts), str(journal), *map(str, REAL_LOGS)]
    gc.collect()
    with summarise_module.without_gc():
        for by in ("recipient", "host"):
            for repeat in range(summarise_module._REPEATS.MET + 1):  # lines met again too
                accumulator = summarise_module.accumulate(source.read(names), timeline=repeat == 1)
                accumulator.result(by)
        assert accumulator.lines > len(lines) and accumulator.skipped >= 5
        assert gc.collect() == 0


def test_summarising_gives_the_collector_back_as_it_was(log: Path) -> None:
    """parallel.summarise turns the collector off while it reads and on again after; it
    leaves it off where it was off."""
    assert gc.isenabled()
    parallel.summarise([str(log)], Filters(), workers=1)
    assert gc.isenabled()
    gc.disable()
    try:
        parallel.summarise([str(log)], Filters(), workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
