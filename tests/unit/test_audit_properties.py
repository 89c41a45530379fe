"""Properties: any corruption of a valid log is caught by verify and never crashes report.

The log is one the real writer wrote (the fleet log of ``tests.helpers.audit``); each
example corrupts it once and reads it back through the audit's reader. What a hash chain
cannot show is spelled out where it is allowed: records cut off the end (the rest is a
valid, shorter log) and a last line edited into another valid record. Both change the
head digest, which is what verify prints for comparison with a copy kept elsewhere.
"""

import functools
import tempfile
from pathlib import Path
from typing import List, Tuple

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from certbot_privacy._internal.audit.chaincheck import FileVerdict
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.audit.verify import verify
from certbot_privacy._internal.log import chain
from tests.helpers.audit import fleet_log, lines_of, read_items

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def _original() -> Tuple[bytes, Tuple[bytes, ...]]:
    directory = Path(tempfile.mkdtemp(prefix="audit-properties-"))
    path = fleet_log(directory / "fleet.jsonl")
    return path.read_bytes(), tuple(lines_of(path))


def _run(data: bytes) -> FileVerdict:
    """Verify and report *data* as a file; report must not raise; return the verdict."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        path.write_bytes(data)
        summary = summarise(read_items(path))
        if not data.startswith(b"\x1f\x8b"):  # else the reader takes it for gzip
            assert summary.lines == data.count(b"\n") + (
                0 if data.endswith(b"\n") or not data else 1
            )
        report = verify(read_items(path))
    if not data:
        assert report.files == ()
        return FileVerdict("", 0, 0, chain.GENESIS)
    (verdict,) = report.files
    return verdict


def _join(lines: List[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_the_uncorrupted_log_is_intact() -> None:
    """The base of the properties verifies as written."""
    data, lines = _original()
    verdict = _run(data)
    assert verdict.intact and verdict.records == len(lines)


@SETTINGS
@given(st.data())
def test_a_flipped_byte_is_caught(data: st.DataObject) -> None:
    """A changed byte fails verify, unless it left the last line another valid record
    (no chain can see that), and then the head digest tells."""
    original, lines = _original()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    corrupted = bytearray(original)
    corrupted[position] ^= mask
    verdict = _run(bytes(corrupted))
    last_line_starts = len(original) - len(lines[-1]) - 1
    if verdict.intact:
        assert last_line_starts <= position < len(original) - 1, verdict
        assert verdict.head != chain.digest(lines[-1])


@SETTINGS
@given(st.data())
def test_a_dropped_line_is_caught(data: st.DataObject) -> None:
    """Dropping a line fails verify, except the last one, which only the head shows."""
    _, lines = _original()
    index = data.draw(st.integers(0, len(lines) - 1), label="index")
    verdict = _run(_join([*lines[:index], *lines[index + 1 :]]))
    if index == len(lines) - 1:
        assert verdict.intact and verdict.head != chain.digest(lines[-1])
    else:
        assert not verdict.intact
        assert verdict.failure is not None and verdict.failure.lineno <= index + 1


@SETTINGS
@given(st.data())
def test_a_duplicated_line_is_caught(data: st.DataObject) -> None:
    """A line repeated anywhere fails verify."""
    _, lines = _original()
    index = data.draw(st.integers(0, len(lines) - 1), label="index")
    at = data.draw(st.integers(0, len(lines)), label="inserted at")
    verdict = _run(_join([*lines[:at], lines[index], *lines[at:]]))
    assert not verdict.intact


@SETTINGS
@given(st.data())
def test_swapped_lines_are_caught(data: st.DataObject) -> None:
    """Two lines swapped fail verify, at the first of them."""
    _, lines = _original()
    first = data.draw(st.integers(0, len(lines) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(lines) - 1), label="second")
    swapped = list(lines)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    verdict = _run(_join(swapped))
    assert verdict.failure is not None and verdict.failure.lineno <= first + 2


@SETTINGS
@given(st.data())
def test_a_line_cut_short_is_caught(data: st.DataObject) -> None:
    """A line cut short but still ended by a newline fails verify: a crash leaves none."""
    _, lines = _original()
    index = data.draw(st.integers(0, len(lines) - 1), label="index")
    keep = data.draw(st.integers(0, len(lines[index]) - 1), label="keep")
    verdict = _run(_join([*lines[:index], lines[index][:keep], *lines[index + 1 :]]))
    assert verdict.failure is not None and verdict.failure.lineno <= index + 2


@SETTINGS
@given(st.data())
def test_a_file_cut_anywhere_is_a_truncated_tail_not_tampering(data: st.DataObject) -> None:
    """The file cut at any byte: what a crash leaves. Intact up to the cut, the half line
    reported as a truncated tail (or, cut right after a newline, a shorter valid log)."""
    original, _ = _original()
    size = data.draw(st.integers(0, len(original) - 1), label="size")
    cut = original[:size]
    verdict = _run(cut)
    complete = cut.count(b"\n")
    assert verdict.intact
    if cut.endswith(b"\n") or not cut:
        assert verdict.records == complete and verdict.truncated_tail is None
    elif original[size : size + 1] == b"\n":  # only a newline cut: the record is whole
        assert verdict.records == complete + 1 and verdict.missing_newline
    else:
        assert verdict.records == complete
        assert verdict.truncated_tail is not None
        assert verdict.truncated_tail.lineno == complete + 1


@SETTINGS
@given(st.binary(max_size=400), st.integers(0, 40))
def test_foreign_bytes_never_crash_report_or_verify(junk: bytes, index: int) -> None:
    """Arbitrary bytes in place of a line are reported by both commands, never fatal."""
    _, lines = _original()
    assume(b"\n" not in junk)
    index = min(index, len(lines) - 1)
    assume(junk != lines[index])
    verdict = _run(_join([*lines[:index], junk, *lines[index + 1 :]]))
    assert not verdict.intact
