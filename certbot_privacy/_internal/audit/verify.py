"""Is a disclosure log as it was written? Every file, its rotations and its copies (pure).

:func:`verify` checks each file with a :class:`~.chaincheck.FileChecker`, links rotated
files (:mod:`.rotation`: ``missing-file``, ``duplicated-file``, ``reordered-file``) and
compares a host's files with its journal or syslog copy (:mod:`.copies`). A crash's cut
last line is a notice, not tampering. What no chain can show (records cut off the end, a
file rewritten with a fresh chain) is caught by comparing each file's head digest with a
copy kept elsewhere.
"""

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from certbot_privacy._internal.audit.chaincheck import (
    FileChecker,
    FileVerdict,
    Finding,
    Kind,
    Observer,
)
from certbot_privacy._internal.audit.copies import (
    Comparison,
    ComparisonVerdict,
    CopyChecker,
    CopyVerdict,
)
from certbot_privacy._internal.audit.source import Item, ReadFailure
from certbot_privacy._internal.log import chain
from certbot_privacy._internal.log.reader import Line


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
        """Whether every file is intact and holds every record of its host's copy, and no
        copy shows a fork or an altered record."""
        return (
            all(f.intact for f in self.files)
            and all(c.agrees for c in self.comparisons)
            and all(c.intact for c in self.copies)
        )

    @property
    def records(self) -> int:
        """How many records were checked and found good, over all files."""
        return sum(f.records for f in self.files)


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
    from certbot_privacy._internal.audit import rotation

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
