"""Reading many files, or one big file, on every core: ``report``, ``export`` and ``verify``.

The work is split into parts: one per file, and a big plain (uncompressed) log is cut at
line starts into one part per core (for a report, :data:`PARTS_PER_WORKER` per core, taken
by whichever worker is free: parts of a log do not cost the same, and the last worker to
finish sets the time). Each part is read in a worker process:

* for a report, into a :class:`~.summarise.Accumulator` (what it holds grows with the
  distinct values, not the lines); the accumulators are merged in the order of the parts,
  with line numbers moved on by the lines of the parts before;
* for a verification, by a :class:`~.chaincheck.FileChecker` of its own; a part of a file
  starts at the record its first line says and the parts are stitched together (each
  part's first ``prev`` must be the head of the part before it, its first ``seq`` follow
  on). Anything else than a clean stitch (a bad line, a crash tail, a copy to compare)
  and the file is checked again from its start in one piece, so that the finding names
  the first bad line exactly as a single pass would.

Standard input, journal and syslog copies are read in the main process, in order. With
one core, or one small file, nothing is forked.
"""

import itertools
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import (
    IO,
    TYPE_CHECKING,
    Callable,
    Deque,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
)

from certbot_privacy._internal.audit import contract, source
from certbot_privacy._internal.audit.chaincheck import FileChecker, FileVerdict
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.source import Item
from certbot_privacy._internal.audit.summarise import Accumulator, Summary
from certbot_privacy._internal.audit.verify import VerifyReport, verify
from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log import chain, reader
from certbot_privacy._internal.log.syslog import Trust

if TYPE_CHECKING:
    from certbot_privacy._internal.audit.formats._common import ByHost

#: Files smaller than this are not cut into parts.
SPLIT_BYTES = 32 * 1024 * 1024
#: How many parts of a big log each worker summarises (measured on the 1 GB benchmark
#: log, 2 cores: 3 finish about 0.3 s sooner than 1, of 6 to 7 s; 8 are slower again).
PARTS_PER_WORKER = 3


@dataclass(frozen=True)
class Part:
    """Bytes *start* to *end* of a file (``end`` ``None``: the whole file, however read)."""

    path: str
    host: Optional[str]
    start: int = 0
    end: Optional[int] = None
    last: bool = True


def jobs() -> int:
    """How many worker processes to use: one per core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def _is_plain_log(path: str) -> bool:
    """A regular, uncompressed file that is a log (not a journal or syslog copy)."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(2)
    except OSError:
        return False
    return magic != b"\x1f\x8b" and reader.kind(path) is None


def plan(names: Sequence[str], pieces: int) -> Optional[List[Part]]:
    """The parts of *names* (LOG arguments), a big plain log cut into up to *pieces*, or
    ``None`` if they are read in order here (standard input, journal or syslog copies)."""
    parts: List[Part] = []
    for name, host in source.files(names):
        if name == "-" or reader.kind(name) is not None:
            return None
        size = os.path.getsize(name) if os.path.isfile(name) else 0
        cut = min(pieces, size // SPLIT_BYTES)
        if cut > 1 and not _is_plain_log(name):  # a small file is not opened again
            cut = 1
        if cut <= 1:
            parts.append(Part(name, host))
            continue
        cuts = sorted({0, *(reader.line_start(name, size * k // cut) for k in range(1, cut)), size})
        for start, end in zip(cuts, cuts[1:]):
            parts.append(Part(name, host, start, end, end == cuts[-1]))
    return parts


def _items(part: Part) -> Iterator[Item]:
    if part.end is None:
        yield from source.read_file(part.path, part.host)
        return
    try:
        yield from reader.iter_range(part.path, part.start, part.end, part.host)
    except DisclosureLogError as error:
        yield source.ReadFailure(part.path, (error.lines_read or 0) + 1, str(error), part.host)


# --- report -----------------------------------------------------------------------------


def _accumulate(task: Tuple[Sequence[Part], Filters, bool, bool, bool]) -> Tuple[Accumulator, int]:
    parts, filters, months, timeline, values = task
    accumulator = Accumulator(filters, months, timeline, values)
    lines = 0
    for part in parts:
        before = accumulator.lines
        accumulator.add_all(_items(part))
        lines = accumulator.lines - before  # a plain log's lines are numbered 1, 2, ...
    return accumulator, lines


#: Whole files are read in about this many tasks per worker: a fleet's thousands of small
#: files then come back as a few accumulators to merge, not one each.
BATCHES_PER_WORKER = 4


def batches(parts: Sequence[Part], workers: int) -> List[List[Part]]:
    """The tasks of *parts*, in order: runs of whole files together, each part of a cut
    file alone (its line numbers are moved on by the parts before it)."""
    whole = sum(1 for part in parts if part.end is None)
    size = max(1, -(-whole // (workers * BATCHES_PER_WORKER)))
    tasks: List[List[Part]] = []
    batch: List[Part] = []
    for part in parts:
        if part.end is not None:
            if batch:
                tasks.append(batch)
                batch = []
            tasks.append([part])
            continue
        batch.append(part)
        if len(batch) >= size:
            tasks.append(batch)
            batch = []
    if batch:
        tasks.append(batch)
    return tasks


def summarise(
    names: Sequence[str],
    filters: Filters,
    by: str = "recipient",
    workers: int = 0,
    trust: Optional[Trust] = None,
    months: bool = False,
    timeline: bool = False,
    values: bool = True,
) -> Summary:
    """Summarise the logs *names* on *workers* processes (default: every core); *trust*
    says which journal entries are records; *months*: with the requests per month (the
    HTML report's timeline); *timeline*: each value per day; *values* false: count each
    category's distinct values without keeping them (the Art. 30 record: bounded memory)."""
    workers = workers or jobs()
    parts = plan(names, workers * PARTS_PER_WORKER) if workers > 1 else None
    if parts is None or len(parts) <= 1:
        accumulator = Accumulator(filters, months, timeline, values)
        accumulator.add_all(source.read(names, trust=trust))
        return accumulator.result(by)
    total = Accumulator(filters, months, timeline, values)
    offset, previous = 0, None
    tasks = batches(parts, workers)
    with ProcessPoolExecutor(min(workers, len(tasks))) as pool:
        for batch, (accumulator, lines) in zip(
            tasks,
            pool.map(_accumulate, [(t, filters, months, timeline, values) for t in tasks]),
        ):
            part = batch[0]
            offset = offset if previous == part.path and part.start else 0
            accumulator.renumber(offset)
            total.merge(accumulator)
            offset, previous = offset + lines, batch[-1].path
    return total.result(by)


_HostTask = Tuple[List[str], Optional[str], Filters, bool, bool, Callable[[Summary], str]]


def _host_block(task: _HostTask) -> Tuple[str, Accumulator]:
    """One host's part of the report (rendered by *block*), and its accumulator stripped
    of its values."""
    paths, host, filters, months, timeline, block = task
    accumulator = Accumulator(filters, months, timeline)
    for path in paths:
        accumulator.add_all(source.read_file(path, host))
    text = block(accumulator.result("host"))
    accumulator.strip()
    return text, accumulator


def by_host(
    names: Sequence[str],
    filters: Filters,
    out: IO[str],
    stream: "ByHost",
    months: bool = False,
    timeline: bool = False,
    workers: int = 0,
) -> Optional[Summary]:
    """The report grouped by host, in memory bounded by the largest host: each host's
    files are summarised on their own (on every core), in host order, its part rendered by
    *stream* and written to *out* as it comes, and only its totals kept. Return the summary
    of the totals (without the values: render *stream*'s head and tail around *out*), or
    ``None`` where the input cannot be split by host (standard input, journal or syslog
    copies, which interleave hosts). *months*: count requests per month (the HTML
    report's timeline)."""
    groups: Dict[Optional[str], List[str]] = {}
    read: List[str] = []
    for name, host in source.files(names):
        if name == "-" or reader.kind(name) is not None:
            return None
        groups.setdefault(host, []).append(name)
        read.append(name)
    workers = workers or jobs()
    total = Accumulator(filters, months, timeline)
    total.read_in_order(read)  # the files as given, whatever the order of their hosts
    tasks: List[_HostTask] = [
        (paths, host, filters, months, timeline, stream.block)
        for host, paths in sorted(groups.items(), key=lambda group: group[0] or "")
    ]
    wrote = 0
    left_out = 0

    def write(text: str, accumulator: Accumulator) -> None:
        nonlocal wrote, left_out
        if text and stream.limit is not None and wrote >= stream.limit:
            left_out += 1
        elif text:
            out.write((stream.separator if wrote else stream.opening) + text)
            wrote += 1
        total.merge(accumulator)

    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            write(*_host_block(task))
    else:
        with ProcessPoolExecutor(min(workers, len(tasks))) as pool:
            waiting: Deque[Future[Tuple[str, Accumulator]]] = deque()
            pending = iter(tasks)
            for task in itertools.islice(pending, 2 * workers):
                waiting.append(pool.submit(_host_block, task))
            while waiting:
                write(*waiting.popleft().result())
                for task in itertools.islice(pending, 1):
                    waiting.append(pool.submit(_host_block, task))
    if left_out and stream.beyond is not None:
        out.write(stream.separator + stream.beyond(left_out))
    if wrote:
        out.write(stream.closing)
    return total.result("host")


# --- verify -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """A part, checked: the verdict of its lines, where it starts, and whether it is clean."""

    verdict: FileVerdict
    first_seq: int
    first_prev: str
    clean: bool


def _check(task: Tuple[Part, bool]) -> _Checked:
    part, thorough = task
    checker = FileChecker(part.path, thorough, part.host)
    first_seq, first_prev = 0, chain.GENESIS
    items = _items(part)
    if part.start:
        first = next(items, None)
        if first is None or not isinstance(first, reader.Line) or first.problem is not None:
            return _Checked(checker.finish(), 0, "", False)
        record, _ = contract.parse(first.raw)
        if record is None:
            return _Checked(checker.finish(), 0, "", False)
        first_seq, first_prev = record["seq"], record["prev"]
        checker.start_at(first_seq, first_prev)
        checker.feed(first)
    checker.feed_all(items)
    verdict = checker.finish(last_part=part.last)
    clean = (
        verdict.failure is None
        and verdict.truncated_tail is None
        and (part.last or not verdict.missing_newline)
    )
    return _Checked(verdict, first_seq, first_prev, clean)


def verify_logs(
    names: Sequence[str], thorough: bool = False, workers: int = 0, trust: Optional[Trust] = None
) -> VerifyReport:
    """Verify the logs *names* on *workers* processes (default: every core); *trust* says
    which journal entries are records."""
    workers = workers or jobs()
    parts = plan(names, workers) if workers > 1 else None
    if parts is None or len(parts) <= 1:
        return verify(source.read(names, copies_first=True, trust=trust), thorough)
    with ProcessPoolExecutor(min(workers, len(parts))) as pool:
        checked = list(pool.map(_check, [(p, thorough) for p in parts]))
    verdicts: List[FileVerdict] = []
    for path, group in _by_file(parts, checked):
        stitched = _stitch(group)
        if stitched is None:  # not clean: check the whole file again, in one pass
            host = group[0][0].host
            stitched = verify(source.read_file(path, host), thorough).files[0]
        verdicts.append(stitched)
    from certbot_privacy._internal.audit import rotation

    return VerifyReport(rotation.link(verdicts))


def _by_file(
    parts: Iterable[Part], checked: Iterable[_Checked]
) -> Iterator[Tuple[str, List[Tuple[Part, _Checked]]]]:
    group: List[Tuple[Part, _Checked]] = []
    for part, result in zip(parts, checked):
        if group and (part.path != group[-1][0].path or part.start == 0):
            yield group[0][0].path, group
            group = []
        group.append((part, result))
    if group:
        yield group[0][0].path, group


def _stitch(group: List[Tuple[Part, _Checked]]) -> Optional[FileVerdict]:
    """The verdict of a whole file from its parts' verdicts, or ``None`` if they do not join
    cleanly."""
    if len(group) == 1:
        return group[0][1].verdict
    records = lines = parsed = 0
    head = chain.GENESIS
    recovered: Tuple[source.LineProblem, ...] = ()
    gaps: Tuple[source.LineProblem, ...] = ()
    for part, result in group:
        verdict = result.verdict
        if not result.clean:
            return None
        if part.start and (result.first_prev != head or result.first_seq != records):
            return None
        records += verdict.records
        parsed += verdict.parsed
        recovered += tuple(
            source.LineProblem(p.source, p.lineno + lines, p.message) for p in verdict.recovered
        )
        gaps += tuple(
            source.LineProblem(p.source, p.lineno + lines, p.message) for p in verdict.gaps
        )
        lines += verdict.lines
        head = verdict.head
    last = group[-1][1].verdict
    return FileVerdict(
        last.source,
        lines,
        records,
        head,
        None,
        None,
        last.missing_newline,
        recovered,
        parsed,
        last.thorough,
        last.host,
        group[0][1].verdict.predecessor,  # the first part holds the file's first record
        gaps,
    )
