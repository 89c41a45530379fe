"""One file's hash chain and records, line by line, in bounded memory (pure).

:class:`FileChecker` hashes every line; it parses only the lines the chain cannot vouch
for (a file's last line, lines not in the writer's form, every line around a break), or
every line with ``thorough``. It stops at a file's first bad line and names what is wrong
(:class:`Kind`), keeping the digests of the last :data:`WINDOW` good lines and reading up
to :data:`LOOKAHEAD` lines ahead to tell an edit from a removal, an insertion, a
reordering or a duplicate. ``docs/how-it-works.rst`` explains why this is sound.
"""

import hashlib
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Deque, Iterable, List, Optional, Tuple

from certbot_privacy._internal.audit import contract
from certbot_privacy._internal.audit.contract import written_rest
from certbot_privacy._internal.audit.source import Item, LineProblem, ReadFailure
from certbot_privacy._internal.log import chain
from certbot_privacy._internal.log.reader import Line
from certbot_privacy._internal.log.schema import written_head

#: Called with (file, line number, prev, digest) for every line a file checker accepts.
Observer = Callable[[str, int, str, str], None]

_PREFIX = chain.PREFIX
_sha256 = hashlib.sha256
#: How every line's head begins, before its seq (:func:`written_head`).
_HEAD_START = written_head(0)[:-2]
#: The rest of a line's head in the writer's form (:func:`written_rest`), matched at an index.
_REST = contract.WRITTEN_REST_PATTERN.match
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
    #: The writer's ``discontinuity`` notices: the log did not hold what this host last
    #: wrote to it (moved aside, cut short, replaced or deleted) when the notice was made.
    gaps: Tuple[LineProblem, ...] = ()

    @property
    def intact(self) -> bool:
        """Whether no tampering, damage or gap was found (a truncated tail is allowed)."""
        return self.failure is None and not self.gaps

    @property
    def hash_checked(self) -> int:
        """How many records only the hash chain vouches for (not parsed)."""
        return max(self.records - self.parsed, 0)


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


def _gap(record: dict[str, Any]) -> str:
    """A ``discontinuity`` notice in words (the writer puts its ``expected`` head last, an
    object ending in a string, so that the fast path always parses it)."""
    expected = record.get("expected_head")
    expected = expected if isinstance(expected, dict) else {}
    return (
        f"discontinuity: when this record was written ({record.get('time')}) the log did not "
        f"hold the record the host had last written to it ({expected.get('file')} line "
        f"{expected.get('lines')}, head {expected.get('head')}, at {expected.get('time')}): "
        "records before this point were moved aside, cut off, replaced or deleted"
    )


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
        self.gaps: List[LineProblem] = []
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

    def feed_all(self, items: Iterable[Item]) -> None:
        """:meth:`feed` each of *items* (a file, or a part of one, read on its own), the
        common case in one loop with its state in local variables: the same checks, a
        third fewer instructions on a big log."""
        if self.thorough or self.observer is not None:
            for item in items:
                self.feed(item)
            return
        sha256, prefix, object_end, rest = _sha256, _PREFIX, _OBJECT_END, _REST
        window = self.window
        base, head_start = self.base, _HEAD_START
        lines, records = self.lines, self.records
        prev, head, suffix = self.expected_prev, self._head, self._suffix
        last = self._unparsed_last
        for item in items:
            if (
                item.__class__ is Line
                and item.problem is None
                and item.complete
                and item.number != 1
                and not self._slow
            ):
                raw: bytes = item.raw
                hexdigest = prefix + sha256(raw).hexdigest()
                end = -len(suffix)
                if (
                    raw.endswith(suffix)
                    and raw.startswith(head)
                    and rest(raw, len(head)) is not None
                    and raw[end - 2 : end] != object_end
                ):
                    # As in feed(): in the writer's form, chained, in sequence.
                    lines += 1
                    records += 1
                    last = (item.number, raw)
                    window.append((hexdigest, item.number))
                    prev = hexdigest
                    suffix = b',"prev":"' + hexdigest.encode("ascii") + b'"}'
                    head = head_start + b"%d," % (base + records)
                    continue
                self.lines, self.records = lines + 1, records
                self.expected_prev, self._head, self._suffix = prev, head, suffix
                self._unparsed_last = last
                self._check(item, raw, hexdigest)
            else:
                self.lines, self.records = lines, records
                self.expected_prev, self._head, self._suffix = prev, head, suffix
                self._unparsed_last = last
                self.feed(item)
            lines, records = self.lines, self.records
            prev, head, suffix = self.expected_prev, self._head, self._suffix
            last = self._unparsed_last
        self.lines, self.records = lines, records
        self.expected_prev, self._head, self._suffix = prev, head, suffix
        self._unparsed_last = last

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
        if record.get("kind") == "discontinuity" and record.get("event") == "notice":
            self.gaps.append(LineProblem(item.source, item.number, _gap(record)))
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
            tuple(self.gaps),
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
