"""The copies of a log that fleets collect centrally, checked per host and against the files.

``--privacy-syslog`` mirrors every record to syslog/journald as the record's own line
(:class:`certbot_privacy.log.syslog.SyslogMirror`); a record too long for syslog is sent
without its body and JWS, with ``mirror_omitted`` and ``line_sha256``, the digest of the
full line. So every mirrored record still names its place in the chain: its ``prev``,
and its own digest (of the message, or ``line_sha256``).

:class:`CopyChecker` follows the chains in one host's copy (the journal's or rsyslog's):
a record whose ``prev`` is the head of a chain it follows extends it; one whose ``prev``
is the empty string's digest starts a new file (a rotation, another ``--privacy-log``);
any other starts where earlier records are missing from the copy. Syslog may lose
messages (and the mirror may have been off for a while), so a gap in a copy is a notice.

:class:`Comparison` then checks the host's files against the copy, line by line, by
place in the chain: a copied record whose ``prev`` is that of a file line but whose digest
is not is **different in the file**; one that no file line takes the place of is
**missing from the file** (removed, or cut off the end, which no chain shows by itself).
File lines the copy lacks are counted as a notice. The comparison keeps, per record of
the copy, its place and digest (about 200 bytes), not the lines.
"""

import hashlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from certbot_privacy.audit import contract
from certbot_privacy.audit.source import LineProblem
from certbot_privacy.log import chain
from certbot_privacy.log.reader import Line

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


@dataclass(frozen=True)
class CopyVerdict:
    """What one host's copy (journal or syslog) holds."""

    host: Optional[str]
    kind: str
    sources: Tuple[str, ...]
    records: int
    chains: int
    gaps: int
    skipped: int
    problems: Tuple[LineProblem, ...]


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
        self.problems: List[LineProblem] = []
        self._heads: Dict[str, None] = {}
        # For the comparison: by prev (firsts of files by their own digest).
        self.by_prev: Dict[bytes, _Copied] = {}
        self.firsts: Dict[bytes, _Copied] = {}

    def feed(self, item: Line) -> None:
        """Take one mirrored record of this host."""
        self.sources.setdefault(item.source)
        problem = item.problem
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
        digest = _digest(record, item.raw)
        prev: str = record["prev"]
        self.records += 1
        heads = self._heads
        if prev in heads:
            del heads[prev]
        else:
            if prev == _GENESIS:
                self.chains += 1
            else:
                self.gaps += 1
            if len(heads) >= HEADS:
                del heads[next(iter(heads))]
        heads[digest] = None
        copied = _Copied(_key(digest), item.source, item.number, record["seq"], record["time"])
        if prev == _GENESIS:
            self.firsts[copied.digest] = copied
        else:
            self.by_prev[_key(prev)] = copied

    def verdict(self) -> CopyVerdict:
        """What the copy holds."""
        return CopyVerdict(
            self.host,
            self.kind,
            tuple(self.sources),
            self.records,
            self.chains,
            self.gaps,
            self.skipped,
            tuple(self.problems),
        )


def _digest(record: contract.Record, raw: bytes) -> str:
    """The digest of the line as the file holds it: the copy's, or a shortened one's own."""
    if "mirror_omitted" in record:
        full = record.get("line_sha256")
        if isinstance(full, str) and len(full) == 71 and full.startswith(chain.PREFIX):
            return full
    return chain.PREFIX + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Difference:
    """A record of the copy that the file lacks (``missing``) or holds otherwise (``different``)."""

    kind: str
    copy_where: str
    seq: int
    time: str
    file_where: Optional[str] = None

    @property
    def message(self) -> str:
        """One sentence on what is wrong."""
        if self.kind == "different":
            return (
                f"record seq {self.seq} of {self.time} is different in the file "
                f"({self.file_where}) than in the copy ({self.copy_where})"
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

    @property
    def agrees(self) -> bool:
        """Whether every record of the copy is in the files, unchanged."""
        return self.missing == 0 and self.different == 0


class Comparison:
    """Compares the lines of a host's files, as verify accepts them, with its copy."""

    def __init__(self, copy: CopyChecker) -> None:
        self.copy = copy
        self.files: Dict[str, None] = {}
        self.matched = 0
        self.not_in_copy = 0
        self.different: List[Difference] = []
        self.different_count = 0

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
        found = self.copy.by_prev.pop(_key(prev), None)
        if found is None:
            self.not_in_copy += 1
        elif found.digest == key:
            self.matched += 1
        else:
            self.different_count += 1
            if len(self.different) < LIST_LIMIT:
                self.different.append(
                    Difference(
                        "different",
                        f"{found.source}:{found.lineno}",
                        found.seq,
                        found.time,
                        f"{source}:{lineno}",
                    )
                )

    def verdict(self) -> ComparisonVerdict:
        """The result, once every file of the host was read."""
        left = sorted(
            (*self.copy.by_prev.values(), *self.copy.firsts.values()),
            key=lambda c: (c.time, c.seq),
        )
        missing = [Difference("missing", f"{c.source}:{c.lineno}", c.seq, c.time) for c in left]
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
        )
