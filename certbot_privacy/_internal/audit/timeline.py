"""Requests per month, by recipient and host: the timeline of the HTML report (pure).

A :class:`Timeline` takes each counted disclosure (host, recipient, time, whether privacy
mode was off) and keeps, per host and recipient, one counter per month in an ``array``
(4 bytes a month), so a fleet of 10,000 hosts over a year costs a few MiB. Timelines
merge, so the parts of a log read in parallel each keep their own.
"""

from array import array
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

#: How many hosts each recipient's timeline names; the rest are summed as "other hosts".
TOP_HOSTS = 8


@dataclass(frozen=True)
class HostMonths:
    """One host's requests to one recipient, per month of :attr:`Timelines.months`.

    ``host`` is ``None`` for lines no input attributes to a host, and for the sum of
    the hosts not named (then ``others`` says how many they are).
    """

    host: Optional[str]
    requests: Tuple[int, ...]
    others: int = 0

    @property
    def total(self) -> int:
        """The requests of every month."""
        return sum(self.requests)


@dataclass(frozen=True)
class RecipientMonths:
    """One recipient's months: the busiest hosts, the others, and the privacy-off counts."""

    recipient: str
    hosts: Tuple[HostMonths, ...]
    requests: Tuple[int, ...]
    privacy_off: Tuple[int, ...]
    host_count: int


@dataclass(frozen=True)
class Timelines:
    """Every recipient's months; ``months`` are ``YYYY-MM``, each from the first to the last."""

    months: Tuple[str, ...]
    recipients: Tuple[RecipientMonths, ...]


def month_index(time: str) -> int:
    """Months since year 0 of an RFC 3339 time (``2024-05-...`` is 2024 * 12 + 4)."""
    return int(time[0:4]) * 12 + int(time[5:7]) - 1


def month_name(index: int) -> str:
    """``YYYY-MM`` of a :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class _Cell:
    """One host's counts to one recipient: requests and privacy-off, from month *base* on."""

    __slots__ = ("base", "counts", "off")

    def __init__(self, base: int) -> None:
        self.base = base
        self.counts = array("I")
        self.off: Optional[array[int]] = None

    def _room(self, month: int) -> int:
        if month < self.base:  # earlier than anything so far (a part read out of order)
            grow = self.base - month
            self.counts[0:0] = array("I", [0] * grow)
            if self.off is not None:
                self.off[0:0] = array("I", [0] * grow)
            self.base = month
        index = month - self.base
        if index >= len(self.counts):
            self.counts.extend([0] * (index + 1 - len(self.counts)))
        return index

    def add(self, month: int, off: int, count: int = 1) -> None:
        index = self._room(month)
        self.counts[index] += count
        if off:
            if self.off is None:
                self.off = array("I", [0] * len(self.counts))
            if index >= len(self.off):
                self.off.extend([0] * (index + 1 - len(self.off)))
            self.off[index] += off

    def months(self) -> range:
        return range(self.base, self.base + len(self.counts))

    def off_at(self, month: int) -> int:
        index = month - self.base
        off = self.off
        return off[index] if off is not None and 0 <= index < len(off) else 0


class Timeline:
    """Counts requests per month, per host and recipient (see the module documentation)."""

    def __init__(self) -> None:
        self._cells: Dict[Tuple[Optional[str], str], _Cell] = {}
        self._month_text = ""
        self._month = 0

    def add(self, host: Optional[str], recipient: str, time: str, off: int) -> None:
        """Count one request to *recipient* from *host* at *time* (a canonical UTC time)."""
        text = time[:7]
        if text != self._month_text:
            try:
                self._month = month_index(text)
            except ValueError:  # not a time: contract.parse lets no such record through
                return
            self._month_text = text
        key = (host, recipient)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = _Cell(self._month)
        cell.add(self._month, off)

    def merge(self, other: "Timeline") -> None:
        """Add what *other* counted (it is not used afterwards)."""
        for key, theirs in other._cells.items():
            mine = self._cells.get(key)
            if mine is None:
                self._cells[key] = theirs
                continue
            for month in theirs.months():
                count = theirs.counts[month - theirs.base]
                off = theirs.off_at(month)
                if count or off:
                    mine.add(month, off, count)

    def result(self, top: int = TOP_HOSTS) -> Timelines:
        """Every recipient's months, naming its *top* busiest hosts."""
        if not self._cells:
            return Timelines((), ())
        first = min(c.base for c in self._cells.values())
        last = max(c.base + len(c.counts) - 1 for c in self._cells.values())
        span = last - first + 1
        by_recipient: Dict[str, List[Tuple[Optional[str], _Cell]]] = {}
        for (host, recipient), cell in self._cells.items():
            by_recipient.setdefault(recipient, []).append((host, cell))
        recipients = []
        for recipient in sorted(by_recipient):
            cells = by_recipient[recipient]
            cells.sort(key=lambda pair: (-sum(pair[1].counts), pair[0] or ""))
            requests = [0] * span
            off = [0] * span
            named: List[HostMonths] = []
            rest = [0] * span
            for rank, (host, cell) in enumerate(cells):
                row = [0] * span
                for month in cell.months():
                    at = month - first
                    count = cell.counts[month - cell.base]
                    row[at] = count
                    requests[at] += count
                    off[at] += cell.off_at(month)
                if rank < top:
                    named.append(HostMonths(host, tuple(row)))
                else:
                    rest = [a + b for a, b in zip(rest, row)]
            if len(cells) > top:
                named.append(HostMonths(None, tuple(rest), others=len(cells) - top))
            recipients.append(
                RecipientMonths(recipient, tuple(named), tuple(requests), tuple(off), len(cells))
            )
        return Timelines(tuple(month_name(first + i) for i in range(span)), tuple(recipients))
