"""The copies of a log that fleets collect centrally, checked per host and against the files.

``--privacy-syslog`` mirrors every record to syslog/journald as the record's own line
(:class:`certbot_privacy._internal.log.syslog.SyslogMirror`); a record too long for syslog is sent
without its body and JWS, with ``mirror_omitted`` and ``line_sha256``, the digest of the
full line. So every mirrored record still names its place in the chain: its ``prev``,
and its own digest (of the message, or ``line_sha256``).

Journal entries count only where journald's trusted fields show the certbot process
wrote them (:class:`certbot_privacy._internal.log.syslog.Trust`); the others are counted and listed
as rejected. syslog files authenticate no sender: their records are marked so.

:class:`CopyChecker` follows the chains in one host's copy (the journal's or rsyslog's):
a record whose ``prev`` is the head of a chain it follows extends it; one whose ``prev``
is the empty string's digest starts a new file (a rotation, another ``--privacy-log``).
Any other record starts where the chain broke, and the copy tells which way: if it
follows the record before it in the copy in ``seq`` (seq N right after seq N-1) but not
in the chain, one of the two was **altered** (exit 1); otherwise records are missing from
the copy there (syslog loses messages, the mirror may have been off): a notice. Two
different records of the copy at the same place in the chain (the same ``prev``) are a
**fork**: one of them was rewritten and mirrored again (exit 1). Every candidate is kept,
none replaces another, and each is shown.

:class:`Comparison` then checks the host's files against the copy, line by line, by
place in the chain: a copied record whose ``prev`` is that of a file line but whose digest
is not is **different in the file**, and a file line that matches one candidate of a fork
still shows the others; one that no file line takes the place of is **missing from the
file** (removed, or cut off the end, which no chain shows by itself). File lines the copy
lacks are counted as a notice. The comparison keeps, per record of the copy, its place
and digest (about 200 bytes), not the lines.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

from certbot_privacy._internal.audit import contract
from certbot_privacy._internal.audit.source import LineProblem, line_digest
from certbot_privacy._internal.log import chain
from certbot_privacy._internal.log.reader import JOURNAL, Line

#: How many differences, and problem lines of a copy, a verdict lists (it counts them all).
LIST_LIMIT = 20
#: How many chains of one host a checker follows at once (files written in turn).
HEADS = 64

_GENESIS = chain.GENESIS


def _key(digest: str) -> bytes:
    """A digest (``sha256:<hex>``) as 16 bytes: enough to tell lines apart, and small."""
    return bytes.fromhex(digest[7:39])


@dataclass(frozen=True)
class _Copied:
    """One record of a copy, as the comparison needs it."""

    digest: bytes
    source: str
    lineno: int
    seq: int
    time: str

    @property
    def where(self) -> str:
        """``file:line`` of the copy."""
        return f"{self.source}:{self.lineno}"


#: The records of a copy at one place in the chain: one, or the candidates of a fork.
_Place = Union[_Copied, List[_Copied]]


def _candidates(place: _Place) -> List[_Copied]:
    return place if isinstance(place, list) else [place]


def _predecessor(record: contract.Record) -> Optional[str]:
    """The head a rotated file's first record says its file follows, if it names one."""
    named = record.get("predecessor")
    head = named.get("head") if isinstance(named, dict) else None
    # An empty predecessor's head is the empty string's digest: it names no place.
    if isinstance(head, str) and len(head) == 71 and head.startswith(chain.PREFIX):
        return None if head == _GENESIS else head
    return None


@dataclass(frozen=True)
class Fork:
    """Records of a copy that stand at the same place in the chain (the same ``prev``)."""

    seq: int
    time: str
    candidates: Tuple[str, ...]

    @property
    def message(self) -> str:
        """One sentence on what is wrong."""
        return (
            f"record seq {self.seq} of {self.time} has {len(self.candidates)} different "
            f"versions in the copy ({', '.join(self.candidates)}) at the same place in the "
            "chain: a record was rewritten and mirrored again (a fork)"
        )


@dataclass(frozen=True)
class Alteration:
    """A record of a copy that follows the one before it in ``seq`` but not in the chain."""

    seq: int
    time: str
    where: str
    before: str

    @property
    def message(self) -> str:
        """One sentence on what is wrong."""
        return (
            f"record seq {self.seq} of {self.time} ({self.where}) follows seq {self.seq - 1} "
            f"({self.before}) but does not chain to it: one of the two was altered (lost "
            "messages leave a gap in seq, this is none)"
        )


@dataclass(frozen=True)
class CopyVerdict:
    """What one host's copy (journal or syslog) holds.

    ``rejected`` counts journal entries under the mirror's ident that journald's trusted
    fields do not show the certbot process wrote (the first few in ``rejections``);
    ``repeated`` counts records the copy holds twice, the same (counted once).
    """

    host: Optional[str]
    kind: str
    sources: Tuple[str, ...]
    records: int
    chains: int
    gaps: int
    skipped: int
    problems: Tuple[LineProblem, ...]
    forked: int = 0
    forks: Tuple[Fork, ...] = ()
    altered: int = 0
    alterations: Tuple[Alteration, ...] = ()
    rejected: int = 0
    rejections: Tuple[LineProblem, ...] = ()
    repeated: int = 0

    @property
    def intact(self) -> bool:
        """Whether the copy shows no fork and no altered record."""
        return self.forked == 0 and self.altered == 0

    @property
    def authenticated(self) -> bool:
        """Whether its writer was checked (journald's trusted fields); syslog's never is."""
        return self.kind == JOURNAL


class CopyChecker:
    """Follows one host's copy, record by record (see the module documentation)."""

    def __init__(self, host: Optional[str], kind: str) -> None:
        self.host = host
        self.kind = kind
        self.sources: Dict[str, None] = {}
        self.records = 0
        self.chains = 0
        self.gaps = 0
        self.skipped = 0
        self.repeated = 0
        self.problems: List[LineProblem] = []
        self.rejected = 0
        self.rejections: List[LineProblem] = []
        self.altered = 0
        self.alterations: List[Alteration] = []
        #: The places with more than one candidate (all counted, the first few kept).
        self.forked = 0
        self._forks: List[List[_Copied]] = []
        self._heads: Dict[str, None] = {}
        self._last: Optional[_Copied] = None
        # For the comparison: by prev (firsts of files by their own digest).
        self.by_prev: Dict[bytes, _Place] = {}
        self.firsts: Dict[bytes, _Copied] = {}
        # Rotated files' first records, by the head of the file each follows.
        self._successors: Dict[bytes, _Place] = {}

    def feed(self, item: Line) -> None:
        """Take one mirrored record of this host."""
        self.sources.setdefault(item.source)
        problem = item.problem
        if item.rejected:
            self.rejected += 1
            if len(self.rejections) < LIST_LIMIT:
                self.rejections.append(LineProblem(item.source, item.number, problem or ""))
            return
        record = None
        if problem is None:
            record, problem = contract.parse(item.raw)
        if record is None:
            self.skipped += 1
            if len(self.problems) < LIST_LIMIT:
                self.problems.append(
                    LineProblem(item.source, item.number, problem or "not a record")
                )
            return
        digest = line_digest(item.raw, record)
        prev: str = record["prev"]
        copied = _Copied(_key(digest), item.source, item.number, record["seq"], record["time"])
        if not self._place(prev, copied, _predecessor(record)):
            self.repeated += 1
            return
        self.records += 1
        heads = self._heads
        if prev in heads:
            del heads[prev]
        elif prev == _GENESIS:
            self.chains += 1
        elif not isinstance(self.by_prev.get(_key(prev)), list):  # a fork says it all
            last = self._last
            if last is not None and copied.seq == last.seq + 1 and copied.seq > 0:
                self.altered += 1
                if len(self.alterations) < LIST_LIMIT:
                    self.alterations.append(
                        Alteration(copied.seq, copied.time, copied.where, last.where)
                    )
            else:
                self.gaps += 1
        if prev not in heads and len(heads) >= HEADS:
            del heads[next(iter(heads))]
        heads[digest] = None
        self._last = copied

    def _place(self, prev: str, copied: _Copied, predecessor: Optional[str] = None) -> bool:
        """Keep *copied* at its place in the chain; ``False`` if the copy already holds it.

        A file's first record has no place by ``prev`` (every file starts from the empty
        string's digest); a rotated file's first record names the head of the file it
        follows (``predecessor``), and two different ones that follow the same head are a
        fork too.
        """
        if prev == _GENESIS:
            if copied.digest in self.firsts:
                return False
            self.firsts[copied.digest] = copied
            if predecessor is not None:
                self._fork_at(self._successors, _key(predecessor), copied)
            return True
        return self._fork_at(self.by_prev, _key(prev), copied)

    def _fork_at(self, places: Dict[bytes, _Place], key: bytes, copied: _Copied) -> bool:
        """Put *copied* at *key* of *places*, beside a different record already there."""
        place = places.get(key)
        if place is None:
            places[key] = copied
            return True
        candidates = _candidates(place)
        if any(c.digest == copied.digest for c in candidates):
            return False
        if not isinstance(place, list):
            places[key] = candidates
            self.forked += 1
            if len(self._forks) < LIST_LIMIT:
                self._forks.append(candidates)
        candidates.append(copied)
        return True

    def verdict(self) -> CopyVerdict:
        """What the copy holds."""
        forks = tuple(Fork(c[0].seq, c[0].time, tuple(x.where for x in c)) for c in self._forks)
        return CopyVerdict(
            self.host,
            self.kind,
            tuple(self.sources),
            self.records,
            self.chains,
            self.gaps,
            self.skipped,
            tuple(self.problems),
            self.forked,
            forks,
            self.altered,
            tuple(self.alterations),
            self.rejected,
            tuple(self.rejections),
            self.repeated,
        )


@dataclass(frozen=True)
class Difference:
    """A record of the copy that the file lacks (``missing``), holds otherwise (``different``),
    or holds one version of where the copy holds several (``forked``: ``others`` are the
    copy's other versions)."""

    kind: str
    copy_where: str
    seq: int
    time: str
    file_where: Optional[str] = None
    others: Tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One sentence on what is wrong."""
        if self.kind == "forked":
            other = "another version" if len(self.others) == 1 else "other versions"
            return (
                f"record seq {self.seq} of {self.time}: the file ({self.file_where}) holds "
                f"the version at {self.copy_where}, and the copy holds {other} at the same "
                f"place in the chain ({', '.join(self.others)}): a fork"
            )
        if self.kind == "different":
            return (
                f"record seq {self.seq} of {self.time} is different in the file "
                f"({self.file_where}) than in the copy "
                f"({', '.join((self.copy_where, *self.others))})"
            )
        return (
            f"record seq {self.seq} of {self.time} is in the copy ({self.copy_where}) "
            "but missing from the file (removed, or cut off its end)"
        )


@dataclass(frozen=True)
class ComparisonVerdict:
    """A host's files compared with its copy."""

    host: Optional[str]
    files: Tuple[str, ...]
    copies: Tuple[str, ...]
    matched: int
    missing: int
    different: int
    not_in_copy: int
    differences: Tuple[Difference, ...]
    forked: int = 0

    @property
    def agrees(self) -> bool:
        """Whether every record of the copy is in the files, unchanged, and no other."""
        return self.missing == 0 and self.different == 0 and self.forked == 0


class Comparison:
    """Compares the lines of a host's files, as verify accepts them, with its copy."""

    def __init__(self, copy: CopyChecker) -> None:
        self.copy = copy
        self.files: Dict[str, None] = {}
        self.matched = 0
        self.not_in_copy = 0
        self.different: List[Difference] = []
        self.different_count = 0
        self.forked_count = 0

    def see(self, source: str, lineno: int, prev: str, digest: str) -> None:
        """A line of the host's file: at *prev* in the chain, with *digest*."""
        self.files.setdefault(source)
        key = _key(digest)
        if prev == _GENESIS:
            found = self.copy.firsts.pop(key, None)
            if found is None:
                self.not_in_copy += 1
            else:
                self.matched += 1
            return
        place = self.copy.by_prev.pop(_key(prev), None)
        if place is None:
            self.not_in_copy += 1
            return
        candidates = _candidates(place)
        same = next((c for c in candidates if c.digest == key), None)
        others = tuple(c.where for c in candidates if c is not same)
        where = f"{source}:{lineno}"
        if same is not None:
            self.matched += 1
            if not others:
                return
            self.forked_count += 1
            difference = Difference("forked", same.where, same.seq, same.time, where, others)
        else:
            self.different_count += 1
            first = candidates[0]
            difference = Difference(
                "different", first.where, first.seq, first.time, where, others[1:]
            )
        if len(self.different) < LIST_LIMIT:
            self.different.append(difference)

    def verdict(self) -> ComparisonVerdict:
        """The result, once every file of the host was read."""
        left = sorted(
            (
                *(c for place in self.copy.by_prev.values() for c in _candidates(place)),
                *self.copy.firsts.values(),
            ),
            key=lambda c: (c.time, c.seq),
        )
        missing = [Difference("missing", c.where, c.seq, c.time) for c in left]
        shown = (self.different + missing)[:LIST_LIMIT]
        return ComparisonVerdict(
            self.copy.host,
            tuple(self.files),
            tuple(self.copy.sources),
            self.matched,
            len(missing),
            self.different_count,
            self.not_in_copy,
            tuple(shown),
            self.forked_count,
        )
