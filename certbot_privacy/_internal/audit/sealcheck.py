"""Which records forward-secure seals prove, given the verification key (pure).

:func:`check` follows a log's files in order (oldest rotation first), hashing every line.
A ``seal`` record proves the lines before it back to the previous good seal (and, through
each new file's ``predecessor``, the rotated files before) when its MAC is right under its
epoch's key, its epoch is the one after the previous seal's, it names the previous seal's
MAC and its time is later. Anything else is a :class:`Problem`: a seal whose MAC does not
verify (a record rewritten and the chain recomputed, or a seal made with a later key), a
missing epoch, a clock that went back, a broken chain, records after the last seal. With
the host's sealing state (``--config-dir``), seals missing from the end are found too.
``docs/sealing.rst`` explains the design and its limits.
"""

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from certbot_privacy._internal.audit.source import Item, ReadFailure
from certbot_privacy._internal.log import chain, seal
from certbot_privacy._internal.rules.escape import printable


@dataclass(frozen=True)
class Problem:
    """Something the seals do not prove, where (``file:line``) and in one sentence."""

    where: str
    message: str


@dataclass
class SealReport:
    """What :func:`check` found: how many records the seals prove, up to which seal."""

    proven: int = 0
    records: int = 0
    seals: int = 0
    last_epoch: Optional[int] = None
    last_time: Optional[str] = None
    problems: List[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Whether every record is proven by a good seal, and nothing is missing."""
        return not self.problems


@dataclass
class _Pending:
    """Lines since the last good seal: how many, and the first one's place."""

    count: int = 0
    first: Optional[str] = None
    last: Optional[str] = None

    def add(self, where: str) -> None:
        self.count += 1
        self.first = self.first or where
        self.last = where


def _parse(raw: bytes) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _Checker:
    def __init__(self, initial: bytes) -> None:
        self.initial = initial
        self.report = SealReport()
        self.pending = _Pending()
        self.epoch = 0  # the epoch the next seal must have
        self.key = initial
        self.previous_mac: Optional[str] = None
        self.previous_time: Optional[str] = None
        self.source: Optional[str] = None
        self.expected_prev = chain.GENESIS
        self.file_head: Optional[str] = None  # the last line's digest of the previous file

    def problem(self, where: str, message: str) -> None:
        self.report.problems.append(Problem(where, message))

    def unprove(self, why: str) -> None:
        """The pending lines lose the seal that would have proven them."""
        if self.pending.count:
            self.problem(
                str(self.pending.first),
                f"{self.pending.count} line(s) from here to {self.pending.last} are not "
                f"proven by any seal: {why}",
            )
        self.pending = _Pending()

    def feed(self, item: Item) -> None:
        if isinstance(item, ReadFailure):
            self.problem(f"{item.source}:{item.number}", f"cannot be read: {item.message}")
            self.unprove("the file could not be read on")
            return
        if item.copy is not None:
            return  # copies are not sealed; the host's files are
        where = f"{item.source}:{item.number}"
        if item.source != self.source or item.number == 1:
            if self.source is not None:
                self.file_head = self.expected_prev
            self.source, self.expected_prev = item.source, chain.GENESIS
        digest = item.digest or chain.digest(item.raw)
        record = _parse(item.raw) if item.complete and item.problem is None else None
        if record is None:
            self.unprove(f"{where} is not a record")
            self.problem(where, "is not a record, so no seal can cover it")
            self.expected_prev = digest
            return
        self.report.records += 1
        if record.get("prev") != self.expected_prev:
            self.unprove(f"the hash chain breaks at {where}")
            self.problem(where, "the hash chain breaks here (see verify without --verify-key)")
        elif item.number == 1 and self.file_head is not None:
            named = record.get("predecessor")
            head = named.get("head") if isinstance(named, dict) else None
            if head != self.file_head:
                self.unprove(f"{where} does not chain to the file read before it")
                self.problem(
                    where,
                    "this file's first record does not name the head of the "
                    "file read before it as its predecessor",
                )
        self.expected_prev = digest
        if record.get("event") == "seal":
            self.seal(where, record)
        else:
            self.pending.add(where)

    def seal(self, where: str, record: Dict[str, Any]) -> None:
        epoch = record.get("epoch")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
            self.problem(where, "a seal without a valid epoch")
            self.unprove(f"the seal at {where} is not valid")
            return
        if epoch < self.epoch:
            self.problem(
                where,
                f"a seal of epoch {epoch} after one of epoch {self.epoch - 1}: a seal redone "
                "or replayed; it proves nothing",
            )
            self.unprove(f"the seal at {where} is out of order")
            return
        key = self.key if epoch == self.epoch else seal.epoch_key(self.initial, epoch)
        if not seal.mac_matches(key, record):
            self.problem(
                where,
                f"the seal of epoch {epoch} does not verify: the records before it were "
                "changed after it was made (the chain recomputed), or it was made with "
                "another epoch's key",
            )
            self.unprove(f"the seal at {where} does not verify")
            return
        if epoch > self.epoch:
            missing = f"{self.epoch}" if epoch == self.epoch + 1 else f"{self.epoch}-{epoch - 1}"
            self.problem(
                where,
                f"the seals of epoch {missing} are missing before this seal of epoch {epoch}: "
                f"the records it covers were sealed only at epoch {epoch}, by whoever held "
                "that key (deleted seals, or old records re-sealed with a newer key)",
            )
            self.unprove(f"they are sealed only by the late seal at {where}")
        elif record.get("previous_seal") != self.previous_mac:
            self.problem(where, "the seal does not name the previous seal's MAC")
            self.unprove(f"the seal at {where} does not follow the previous seal")
        time = record.get("time")
        if self.previous_time is not None and not (
            isinstance(time, str) and time > self.previous_time
        ):
            self.problem(
                where,
                f"the seal's time {printable(str(time))} is not after the previous seal's "
                f"({self.previous_time}): the clock was rolled back",
            )
            self.unprove(f"the seal at {where} goes back in time")
        self.report.proven += self.pending.count
        self.report.records -= 1  # the seal itself is no record it proves
        self.report.seals += 1
        self.pending = _Pending()
        self.epoch = epoch + 1
        self.key = seal.evolve(key)
        self.previous_mac = str(record["mac"])
        self.previous_time = time if isinstance(time, str) else self.previous_time
        self.report.last_epoch, self.report.last_time = epoch, self.previous_time


def check(items: Iterable[Item], initial: bytes, host_epoch: Optional[int] = None) -> SealReport:
    """Check the seals of one host's log files (*items*, in order) with the initial key.

    *host_epoch*: the epoch of the host's current sealing state, if it was read and its
    key checked (:func:`state_epoch`): seals of earlier epochs missing from the end of the
    log are then reported.
    """
    checker = _Checker(initial)
    for item in items:
        checker.feed(item)
    report = checker.report
    if checker.pending.count:
        after = (
            f"the last seal (epoch {report.last_epoch}, {report.last_time})"
            if report.last_epoch is not None
            else "sealing was set up (no seal at all)"
        )
        checker.unprove(
            f"written after {after}; a certbot run still going, or one that "
            "crashed, or records added by whoever holds the host's current key"
        )
    if host_epoch is not None and host_epoch > checker.epoch:
        missing = (
            f"{checker.epoch}"
            if host_epoch == checker.epoch + 1
            else f"{checker.epoch}-{host_epoch - 1}"
        )
        checker.problem(
            "(end of log)",
            f"the host sealed epoch {missing} but the log has no such seal: records were cut "
            "off its end (or a seal could not be written)",
        )
    return report


def state_epoch(initial: bytes, current: Dict[str, Any]) -> int:
    """The epoch of the host's sealing state, if its key is that epoch's key from *initial*.

    Raises :class:`ValueError` (one sentence) otherwise: the state was replaced, or the
    key is not this state's.
    """
    epoch, key = current.get("epoch"), current.get("key")
    if not isinstance(epoch, int) or not isinstance(key, str) or epoch < 0 or epoch > 10**7:
        raise ValueError("the host's sealing state has no valid epoch and key")
    if seal.epoch_key(initial, epoch).hex() != key:
        raise ValueError(
            f"the host's sealing state (epoch {epoch}) was not derived from this "
            "verification key: it was replaced, or the key belongs to another host"
        )
    return epoch


def render_text(report: SealReport) -> List[str]:
    """The report as lines of text (every place and value from the log escaped)."""
    if report.last_epoch is None:
        head = f"seals: none verify; {report.proven} of {report.records} records proven"
    else:
        head = (
            f"seals: {report.seals} verify (epochs up to {report.last_epoch}, the last at "
            f"{printable(str(report.last_time))}); {report.proven} of {report.records} "
            "records proven"
        )
    lines = [head if report.intact else head + ": NOT PROVEN"]
    lines.extend(f"seal: {printable(p.where)}: {printable(p.message)}" for p in report.problems)
    return lines


def as_json(report: SealReport) -> Dict[str, Any]:
    """The report as a JSON value (the ``seals`` member of verify's JSON output)."""
    return {
        "intact": report.intact,
        "records": report.records,
        "proven": report.proven,
        "seals": report.seals,
        "last_epoch": report.last_epoch,
        "last_time": report.last_time,
        "problems": [{"where": p.where, "message": p.message} for p in report.problems],
    }
