"""Is a disclosure log as it was written? The hash chain and the contract, line by line (pure).

Every record's ``prev`` is the digest of the line before it (:mod:`certbot_privacy.log.chain`)
and ``seq`` counts records from 0, per file. Each file is checked on its own, in one pass,
and every line's raw bytes are hashed.

Parsing JSON costs several times more than hashing, and most lines need none: a line in
the writer's own form (:func:`certbot_privacy.log.schema.written_head`), with the
contract fields at its head, the expected ``seq`` and an end that names the previous
line's digest, is taken on the chain's word, since if any of its bytes had changed the
next line's ``prev`` would not match. Only the lines no later line vouches for are parsed
and checked in full as records (:func:`.contract.parse`): each file's last line (or the
one before a crash's tail), any line not in the writer's form, and every line around a
break. With ``thorough`` (``verify --thorough``) every line is parsed and checked: a
writer's bug, or a whole chain rewritten with fresh digests, breaks no link, so that is
for logs whose writer is in doubt.

Checking stops at a file's first bad line, which is named with what is wrong with it:

=============  ==============================================================
``edited``     a line's bytes changed after it was written
``removed``    records are missing (``seq`` jumps and nothing later fills the gap)
``inserted``   a line that was never part of the chain sits between two records
``reordered``  records are all there, in another order
``duplicated`` a record appears twice
``not-a-record`` a line that is not a schema 1 record (not JSON, fields missing)
``bad-seq``    the chain holds but ``seq`` does not count on (a broken writer, or a
               chain recomputed after an edit)
``unreadable`` the file cannot be read on (a damaged ``.gz``, an I/O error)
=============  ==============================================================

To tell these apart the checker keeps the digests of the last :data:`WINDOW` good lines
and, after a bad line, reads up to :data:`LOOKAHEAD` more lines of the same file: memory
stays bounded whatever the size of the log.

A crash of the writer can leave the file's last line cut short: no newline at its end and
not valid JSON. That is not tampering: :func:`verify` reports it as a
:attr:`FileVerdict.truncated_tail` notice, and the file counts as intact up to the line
before it (the ``certbot-privacy verify`` command exits 0 and prints the notice).

Rotated files of one log are checked as a sequence too (:mod:`.rotation`): a missing,
duplicated or reordered rotated file is reported as ``missing-file``,
``duplicated-file`` or ``reordered-file`` on line 1 of the file after the gap.

What a hash chain cannot show: records cut off the end of a file (the rest is a valid,
shorter log), a last line edited into another valid record, or a whole file rewritten with
a fresh chain. Each verdict carries the file's :attr:`FileVerdict.head`, the digest the
next record would chain to: compared with a copy kept elsewhere, it catches all three.
"""

import hashlib
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Deque, Dict, Iterable, List, Optional, Tuple

from certbot_privacy.audit import contract
from certbot_privacy.audit.contract import written_rest
from certbot_privacy.audit.copies import (
    Comparison,
    ComparisonVerdict,
    CopyChecker,
    CopyVerdict,
)
from certbot_privacy.audit.source import Item, LineProblem, ReadFailure
from certbot_privacy.log import chain
from certbot_privacy.log.reader import Line
from certbot_privacy.log.schema import written_head

#: Called with (file, line number, prev, digest) for every line a file checker accepts.
Observer = Callable[[str, int, str, str], None]

_PREFIX = chain.PREFIX
_sha256 = hashlib.sha256
#: How a record ends whose last field (before prev) is an object ending in a string, like
#: the writer's ``truncated_tail``.
_OBJECT_END = b'"}'

#: How many good lines' digests are kept to recognise duplicates and insertions.
WINDOW = 1024
#: How many notices about recovered crash tails a verdict lists.
NOTICE_LIMIT = 20
#: How many lines after a bad one are read to tell removal from reordering and insertion.
LOOKAHEAD = 1024


class Kind(str, Enum):
    """What is wrong with a bad line."""

    EDITED = "edited"
    REMOVED = "removed"
    INSERTED = "inserted"
    REORDERED = "reordered"
    DUPLICATED = "duplicated"
    NOT_A_RECORD = "not-a-record"
    BAD_SEQ = "bad-seq"
    UNREADABLE = "unreadable"
    # Across the rotated files of one log (:mod:`.rotation`).
    MISSING_FILE = "missing-file"
    DUPLICATED_FILE = "duplicated-file"
    REORDERED_FILE = "reordered-file"


@dataclass(frozen=True)
class Finding:
    """The first bad line of a file and what is wrong with it, in one sentence."""

    source: str
    lineno: int
    kind: Kind
    message: str

    @property
    def where(self) -> str:
        """``file:line``."""
        return f"{self.source}:{self.lineno}"


@dataclass(frozen=True)
class FileVerdict:
    """The result for one file.

    ``parsed`` counts the records parsed and checked as records; the others
    (``records - parsed``) were checked by the hash chain only: their bytes are as the
    writer wrote them, in its form, but they were not parsed (``thorough`` parses all).
    """

    source: str
    lines: int
    records: int
    head: str
    failure: Optional[Finding] = None
    truncated_tail: Optional[LineProblem] = None
    missing_newline: bool = False
    recovered: Tuple[LineProblem, ...] = ()
    parsed: int = 0
    thorough: bool = False
    host: Optional[str] = None
    #: The head of the rotated file this one follows, as its first record names it.
    predecessor: Optional[str] = None

    @property
    def intact(self) -> bool:
        """Whether no tampering or damage was found (a truncated tail is allowed)."""
        return self.failure is None

    @property
    def hash_checked(self) -> int:
        """How many records only the hash chain vouches for (not parsed)."""
        return max(self.records - self.parsed, 0)


@dataclass(frozen=True)
class VerifyReport:
    """The result of :func:`verify`: one verdict per file, in the order read; the copies of
    hosts' logs that were read (journal, syslog) and each host's files compared with its
    copy."""

    files: Tuple[FileVerdict, ...]
    copies: Tuple[CopyVerdict, ...] = ()
    comparisons: Tuple[ComparisonVerdict, ...] = ()

    @property
    def intact(self) -> bool:
        """Whether every file is intact and holds every record of its host's copy."""
        return all(f.intact for f in self.files) and all(c.agrees for c in self.comparisons)

    @property
    def records(self) -> int:
        """How many records were checked and found good, over all files."""
        return sum(f.records for f in self.files)


@dataclass(frozen=True)
class _Seen:
    """A line as the classifier needs it: where, its digest, and its own prev and seq."""

    lineno: int
    digest: str
    prev: Optional[str]
    seq: Optional[int]


def _peek(lineno: int, raw: bytes) -> _Seen:
    """Describe a line after the first bad one; it may be anything, so nothing is assumed."""
    record, _ = contract.parse(raw)
    if record is None:
        return _Seen(lineno, chain.digest(raw), None, None)
    return _Seen(lineno, chain.digest(raw), record["prev"], record["seq"])


class FileChecker:
    """Checks one file, fed line by line; :meth:`finish` gives its verdict."""

    def __init__(
        self,
        source: str,
        thorough: bool = False,
        host: Optional[str] = None,
        observer: Optional[Observer] = None,
    ) -> None:
        self.source = source
        self.thorough = thorough
        self.host = host
        self.observer = observer
        #: How many lines were parsed as JSON (the rest the chain vouched for).
        self.parsed = 0
        self.lines = 0
        self.records = 0
        # The seq of the first line (a part of a file checked on its own starts later).
        self.base = 0
        self.expected_prev = chain.GENESIS
        # (digest, line number) of the last good lines.
        self.window: Deque[Tuple[str, int]] = deque(maxlen=WINDOW)
        self.failure: Optional[Finding] = None
        self.truncated_tail: Optional[LineProblem] = None
        self.missing_newline = False
        self.recovered: List[LineProblem] = []
        # How the next line begins and ends in the writer's form: its seq, and its prev,
        # the digest of the last good line (',"prev":"<digest>"}').
        self._head = written_head(0)
        self._suffix = b',"prev":"' + chain.GENESIS.encode("ascii") + b'"}'
        # Whether the verdict is settled or a bad line is pending: every line goes the slow way.
        self._slow = False
        # The last good line, if it was taken on the chain's word: checked in full at the end.
        self._unparsed_last: Optional[Tuple[int, bytes]] = None
        # Set while reading past a bad line: the bad line, the problem, and the lines after.
        self._bad: Optional[_Seen] = None
        self._bad_problem: Optional[str] = None
        self._after: List[_Seen] = []
        # The first line, for the rotated file it names (read once, at the end).
        self._first: Optional[bytes] = None

    def start_at(self, seq: int, prev: str) -> None:
        """Check a part of a file that begins with record *seq*, chained to *prev*.

        The part's own first link cannot be checked here: whoever splits the file checks
        that *prev* is the previous part's head (:mod:`.parallel`).
        """
        self.base = seq
        self.expected_prev = prev
        self._head = written_head(seq)
        self._suffix = b',"prev":"' + prev.encode("ascii") + b'"}'

    @property
    def done(self) -> bool:
        """Whether this file's verdict is settled (later lines are only counted)."""
        return self.failure is not None or self.truncated_tail is not None

    def feed(self, item: Item) -> None:
        """Check the next line of the file (or take note that it cannot be read on).

        The common case, a line in the writer's form that chains on, stays in this method
        and costs a hash and a few byte comparisons; everything else goes to
        :meth:`_check`.
        """
        if self._slow or isinstance(item, ReadFailure):
            self._feed_slowly(item)
            return
        self.lines += 1
        raw = item.raw
        if item.number == 1:
            self._first = raw
        if item.problem is not None:  # too long to read: not a record, but its digest is known
            hexdigest = item.digest or _PREFIX + _sha256(raw).hexdigest()
            self._set_bad(_Seen(item.number, hexdigest, None, None), item.problem)
            return
        hexdigest = _PREFIX + _sha256(raw).hexdigest()
        suffix = self._suffix
        if (
            raw.endswith(suffix)
            and raw.startswith(self._head)
            and item.complete
            and not self.thorough
            and written_rest(raw, len(self._head))
            and raw[-len(suffix) - 2 : -len(suffix)] != _OBJECT_END
        ):
            # In the writer's form, chained, in sequence: the next line's prev vouches for
            # the rest of it; only a file's last line has no next line (see finish()). (A
            # record whose last field is an object, such as a recovered crash tail, is
            # parsed, to be reported.)
            self._unparsed_last = (item.number, raw)
            if self.observer is not None:
                self.observer(item.source, item.number, self.expected_prev, hexdigest)
            self._accept(item.number, hexdigest)
            return
        self._check(item, raw, hexdigest)

    def _feed_slowly(self, item: Item) -> None:
        if isinstance(item, ReadFailure):
            if self._bad is not None:
                self._classify()
            if not self.done:
                self.failure = Finding(item.source, item.number, Kind.UNREADABLE, item.message)
            self._slow = True
            return
        self.lines += 1
        if self.done:
            return
        if self._bad is not None:
            if item.problem is not None:
                digest = item.digest or chain.digest(item.raw)
                self._after.append(_Seen(item.number, digest, None, None))
            else:
                self._after.append(_peek(item.number, item.raw))
            if len(self._after) >= LOOKAHEAD:
                self._classify()

    def _check(self, item: Line, raw: bytes, hexdigest: str) -> None:
        """Parse the line and check it as a record and as the next link of the chain."""
        self.parsed += 1
        record, problem = contract.parse(raw)
        if record is None:
            if not item.complete and contract.is_crash_fragment(raw):
                self.truncated_tail = LineProblem(
                    item.source,
                    item.number,
                    "the last line is cut short (no newline, not valid JSON): a write "
                    "interrupted by a crash, not tampering; the records before it are intact",
                )
                self._slow = True
                return
            self._set_bad(_Seen(item.number, hexdigest, None, None), problem)
            return
        seq: int = record["seq"]
        if record["prev"] != self.expected_prev or seq != self.base + self.records:
            self._set_bad(_Seen(item.number, hexdigest, record["prev"], seq), None)
            return
        if not item.complete:
            if not raw.endswith(b"}"):
                # Whole JSON, then something the writer never writes, and no newline.
                self._set_bad(
                    _Seen(item.number, hexdigest, None, None),
                    "not a record as written: bytes follow the record on the last line",
                )
                return
            self.missing_newline = True
        if "truncated_tail" in record and len(self.recovered) < NOTICE_LIMIT:
            self.recovered.append(
                LineProblem(
                    item.source,
                    item.number,
                    f"this record's writer cut off a crash's half-written line of "
                    f"{record['truncated_tail']['bytes']} bytes before it (kept in its "
                    '"truncated_tail" field)',
                )
            )
        self._unparsed_last = None  # this line, parsed, vouches for the one before
        if self.observer is not None:
            self.observer(item.source, item.number, self.expected_prev, hexdigest)
        self._accept(item.number, hexdigest)

    def _set_bad(self, bad: _Seen, problem: Optional[str]) -> None:
        self._bad, self._bad_problem, self._slow = bad, problem, True

    def _accept(self, lineno: int, hexdigest: str) -> None:
        self.window.append((hexdigest, lineno))
        self.expected_prev = hexdigest
        self._suffix = b',"prev":"' + hexdigest.encode("ascii") + b'"}'
        self.records += 1
        self._head = written_head(self.base + self.records)

    def _check_last(self) -> None:
        """Parse the last line if the chain vouched for it: nothing after it does."""
        # Also before a crash's tail: the tail cannot vouch for the line before it.
        if self._unparsed_last is None or self.failure is not None or self._bad is not None:
            return
        lineno, raw = self._unparsed_last
        self.parsed += 1
        record, problem = contract.parse(raw)
        if record is None:
            self.records -= 1
            self.window.pop()
            self.expected_prev = self.window[-1][0] if self.window else chain.GENESIS
            self._fail(
                lineno, Kind.NOT_A_RECORD, f"line {lineno} is {problem}; it was changed or damaged"
            )

    def finish(self, last_part: bool = True) -> FileVerdict:
        """The verdict, once every line of the file was fed (or of a part of it: then, but
        for the *last_part*, the next part vouches for the last line)."""
        if last_part:
            self._check_last()
        if self._bad is not None:
            self._classify()
        return FileVerdict(
            self.source,
            self.lines,
            self.records,
            self.expected_prev,
            self.failure,
            self.truncated_tail,
            self.missing_newline,
            tuple(self.recovered),
            min(self.parsed, self.records),
            self.thorough,
            self.host,
            self._predecessor(),
        )

    def _predecessor(self) -> Optional[str]:
        """The ``predecessor`` head the file's first record names, if it is a record."""
        record = contract.parse(self._first)[0] if self._first is not None else None
        named = record.get("predecessor") if record is not None else None
        head = named.get("head") if isinstance(named, dict) else None
        return head if isinstance(head, str) else None

    def _fail(self, lineno: int, kind: Kind, message: str) -> None:
        self.failure = Finding(self.source, lineno, kind, message)

    def _classify(self) -> None:
        """Name what is wrong with the bad line, now that the lines after it are known."""
        bad, after = self._bad, self._after
        assert bad is not None
        self._bad, self._after = None, []
        before = dict(self.window)
        previous = self.window[-1][1] if self.window else None
        # The line that continues the chain where the bad line broke it, if one follows.
        resumes = next((s for s in after if s.prev == self.expected_prev), None)
        if bad.prev is None:
            self._classify_non_record(bad, resumes, previous)
        elif bad.digest in before:
            self._fail(
                bad.lineno, Kind.DUPLICATED, f"line {bad.lineno} repeats line {before[bad.digest]}"
            )
        elif bad.prev == self.expected_prev:
            self._fail(
                bad.lineno,
                Kind.BAD_SEQ,
                f"line {bad.lineno} has seq {bad.seq} where {self.records} was expected, "
                "though it chains to the line before: the writer is broken or the "
                "chain was recomputed",
            )
        elif bad.prev in before:
            skipped_to = before[bad.prev]
            self._fail(
                skipped_to + 1,
                Kind.INSERTED,
                f"line {skipped_to + 1} was inserted (or moved here): line {bad.lineno} "
                f"follows line {skipped_to} directly",
            )
        elif resumes is not None:
            self._classify_detour(bad, resumes, after)
        else:
            self._classify_break(bad, after, previous)

    def _classify_non_record(
        self, bad: _Seen, resumes: Optional[_Seen], previous: Optional[int]
    ) -> None:
        problem = self._bad_problem or "not a record"
        if resumes is not None and resumes.lineno == bad.lineno + 1 and previous is not None:
            self._fail(
                bad.lineno,
                Kind.INSERTED,
                f"line {bad.lineno} was inserted, and is {problem}; line "
                f"{resumes.lineno} follows line {previous} directly",
            )
        else:
            self._fail(
                bad.lineno,
                Kind.NOT_A_RECORD,
                f"line {bad.lineno} is {problem}; it was changed or damaged",
            )

    def _classify_detour(self, bad: _Seen, resumes: _Seen, after: List[_Seen]) -> None:
        """The chain goes on from the last good line at *resumes*, after a detour."""
        detour = [bad] + [s for s in after if s.lineno < resumes.lineno]
        detour_digests = {s.digest: s for s in detour}
        later = [s for s in after if s.lineno > resumes.lineno]
        copy = next((s for s in later if s.digest in detour_digests), None)
        if copy is not None:
            original = detour_digests[copy.digest]
            self._fail(
                original.lineno,
                Kind.DUPLICATED,
                f"line {original.lineno} is a copy of line {copy.lineno}",
            )
            return
        chained_later = any(s.prev in detour_digests for s in later)
        seqs_later = resumes.seq is not None and all(
            s.seq is not None and s.seq > resumes.seq for s in detour
        )
        if chained_later or seqs_later:
            self._fail(
                bad.lineno,
                Kind.REORDERED,
                f"line {bad.lineno} (seq {bad.seq}) is out of order: the record that "
                f"follows line {bad.lineno - 1} is at line {resumes.lineno}"
                if bad.lineno > 1
                else f"line 1 (seq {bad.seq}) is out of order: the first record is at line "
                f"{resumes.lineno}",
            )
            return
        span = (
            f"line {bad.lineno} was"
            if resumes.lineno == bad.lineno + 1
            else f"lines {bad.lineno}-{resumes.lineno - 1} were"
        )
        self._fail(
            bad.lineno,
            Kind.INSERTED,
            f"{span} inserted: line {resumes.lineno} follows line {bad.lineno - 1} directly"
            if bad.lineno > 1
            else f"{span} inserted: line {resumes.lineno} is the real first record",
        )

    def _classify_break(self, bad: _Seen, after: List[_Seen], previous: Optional[int]) -> None:
        """Nothing later continues the chain from the last good line."""
        assert bad.seq is not None
        expected = self.records
        if bad.seq > expected:
            moved = next((s for s in after if s.seq == expected), None)
            if moved is not None:
                self._fail(
                    bad.lineno,
                    Kind.REORDERED,
                    f"line {bad.lineno} (seq {bad.seq}) is out of order: seq {expected} "
                    f"is at line {moved.lineno}",
                )
                return
            count = bad.seq - expected
            what = f"{count} record{'s' if count > 1 else ''}"
            where = (
                f"before line {bad.lineno}" if previous is not None else "at the start of the file"
            )
            self._fail(
                bad.lineno,
                Kind.REMOVED,
                f"{what} removed {where}: seq jumps from {expected - 1} to {bad.seq}"
                if previous is not None
                else f"{what} removed {where}: line {bad.lineno} has seq {bad.seq}",
            )
            return
        if bad.seq < expected:
            self._fail(
                bad.lineno,
                Kind.DUPLICATED,
                f"line {bad.lineno} repeats seq {bad.seq}, which an earlier line has",
            )
            return
        # Same seq, broken link: either the line before was edited, or this line itself
        # (its prev); if the next line still chains to this one, this one is unchanged.
        nxt = after[0] if after else None
        if previous is None:
            self._fail(
                bad.lineno,
                Kind.EDITED,
                "line 1 was changed: its prev is not that of a first record",
            )
        elif nxt is not None and nxt.prev != bad.digest:
            self._fail(
                bad.lineno,
                Kind.EDITED,
                f"line {bad.lineno} was changed: neither its prev nor its own digest "
                "fit its neighbours",
            )
        else:
            self._fail(
                previous,
                Kind.EDITED,
                f"line {previous} was changed after it was written: its digest no "
                f"longer matches the prev of line {bad.lineno}",
            )


def verify(items: Iterable[Item], thorough: bool = False) -> VerifyReport:
    """Check every file in *items* (lines from :func:`.source.read`), one verdict per file.

    A new file starts where the source name changes or the line number starts again at 1.
    With *thorough*, every line is parsed and checked as a record, not only those the
    chain cannot vouch for (see the module documentation). Records mirrored to a journal
    or syslog (lines with ``copy`` set) are followed per host (:mod:`.copies`); a host's
    files read after its copy are compared with it (``source.read`` reads copies first).
    """
    verdicts: List[FileVerdict] = []
    copies: Dict[Tuple[Optional[str], str], CopyChecker] = {}
    copy_sources: Dict[str, None] = {}
    comparisons: Dict[Optional[str], Comparison] = {}
    checker: Optional[FileChecker] = None
    for item in items:
        if (
            checker is not None
            and item.__class__ is Line
            and item.number != 1
            and item.source == checker.source
            and item.copy is None
        ):  # the common case
            checker.feed(item)
            continue
        if isinstance(item, Line) and item.copy is not None:
            copy_sources.setdefault(item.source)
            key = (item.host, item.copy)
            copier = copies.get(key)
            if copier is None:
                copier = copies[key] = CopyChecker(item.host, item.copy)
            copier.feed(item)
            continue
        if isinstance(item, ReadFailure) and item.source in copy_sources:
            verdicts.append(_unreadable_copy(item))
            continue
        if (
            checker is None
            or item.source != checker.source
            or (isinstance(item, Line) and item.number == 1)
        ):
            if checker is not None:
                verdicts.append(checker.finish())
            checker = FileChecker(
                item.source, thorough, item.host, _observer(item.host, copies, comparisons)
            )
        checker.feed(item)
    if checker is not None:
        verdicts.append(checker.finish())
    from certbot_privacy.audit import rotation

    return VerifyReport(
        rotation.link(verdicts),
        tuple(c.verdict() for c in copies.values()),
        tuple(c.verdict() for c in comparisons.values()),
    )


def _observer(
    host: Optional[str],
    copies: Dict[Tuple[Optional[str], str], CopyChecker],
    comparisons: Dict[Optional[str], Comparison],
) -> Optional[Observer]:
    """The comparison a file of *host* feeds, if a copy of that host was read.

    A file of no named host (named on the command line) is compared with the copy when
    the copies hold one host only. The syslog copy is preferred to the journal's.
    """
    hosts = {h for h, _ in copies}
    if host is None and len(hosts) == 1:
        host = next(iter(hosts))
    copier = copies.get((host, "syslog")) or copies.get((host, "journal"))
    if copier is None:
        return None
    comparison = comparisons.get(host)
    if comparison is None:
        comparison = comparisons[host] = Comparison(copier)
    return comparison.see


def _unreadable_copy(item: ReadFailure) -> FileVerdict:
    finding = Finding(item.source, item.number, Kind.UNREADABLE, item.message)
    return FileVerdict(item.source, item.number - 1, 0, chain.GENESIS, finding, host=item.host)
