"""The mutable tallies :mod:`.summarise` counts in (small, mergeable), and how a tally
becomes the frozen figures of :mod:`.figures` (pure)."""

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from certbot_privacy._internal.audit.figures import CategoryStats, RecipientStats, ValueStats
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.log.classify import CT_RECIPIENT
from certbot_privacy._internal.log.schema import category_key


class Stats:
    """Count, first and last time, and privacy-off count of one thing (mutable, small);
    per day too when a timeline is asked for (``days``, else ``None``)."""

    __slots__ = ("count", "days", "first", "last", "off")

    def __init__(self, time: str, off: int, days: bool = False) -> None:
        self.count = 1
        self.first = time
        self.last = time
        self.off = off
        self.days: Optional[Dict[str, int]] = {time[:10]: 1} if days else None

    def add(self, time: str, off: int) -> None:
        self.count += 1
        if time < self.first:
            self.first = time
        elif time > self.last:
            self.last = time
        self.off += off
        if self.days is not None:
            day = time[:10]
            self.days[day] = self.days.get(day, 0) + 1

    @staticmethod
    def add_each(tallies: Iterable["Stats"], time: str, off: int) -> None:
        """:meth:`add` on each of *tallies*, inlined where there is no timeline (a big
        report's most frequent call: the values of every request)."""
        for tally in tallies:
            if tally.days is None:
                tally.count += 1
                if time < tally.first:
                    tally.first = time
                elif time > tally.last:
                    tally.last = time
                tally.off += off
            else:
                tally.add(time, off)

    def merge(self, other: "Stats") -> None:
        self.count += other.count
        self.first = min(self.first, other.first)
        self.last = max(self.last, other.last)
        self.off += other.off
        if self.days is not None and other.days is not None:
            for day, count in other.days.items():
                self.days[day] = self.days.get(day, 0) + count

    def copy(self) -> "Stats":
        twin = Stats(self.first, self.off)
        twin.count, twin.last = self.count, self.last
        twin.days = None if self.days is None else dict(self.days)
        return twin


@dataclass
class Entry:
    stats: Stats
    categories: Dict[str, Dict[str, Stats]] = field(default_factory=dict)

    def merge(self, other: "Entry") -> None:
        self.stats.merge(other.stats)
        for category, values in other.categories.items():
            mine = self.categories.setdefault(category, {})
            for value, stats in values.items():
                seen = mine.get(value)
                if seen is None:
                    mine[value] = stats.copy()
                else:
                    seen.merge(stats)


class Same:
    """The hosts of every value: the one host of an entry grouped by host."""

    def __init__(self, hosts: Tuple[str, ...]) -> None:
        self.hosts = hosts

    def __call__(self, _value: Tuple[str, str]) -> Tuple[str, ...]:
        return self.hosts


class Senders:
    """The hosts that sent a (category, value) to one recipient."""

    def __init__(self, recipient: str, hosts: Dict[Tuple[str, str, str], List[str]]) -> None:
        self.recipient, self.hosts = recipient, hosts

    def __call__(self, value: Tuple[str, str]) -> Tuple[str, ...]:
        return tuple(self.hosts.get((self.recipient, *value), ()))


#: The key of a category's one tally where values are counted, not kept.
COUNTED = ""


def recipient_stats(
    name: str,
    entry: Entry,
    host: Optional[str],
    hosts: Tuple[str, ...],
    outcomes: Outcomes,
    value_hosts: Callable[[Tuple[str, str]], Tuple[str, ...]],
    counted: Optional[Callable[[str], int]] = None,
) -> RecipientStats:
    """The frozen figures of one tally; *counted* gives the number of distinct values of a
    category where the values were counted, not kept."""
    categories = []
    for category in sorted(entry.categories, key=category_key):
        seen = entry.categories[category]
        if counted is not None:
            tally = seen.get(COUNTED)
            if tally is not None:
                categories.append(
                    CategoryStats(
                        category,
                        tally.count,
                        tally.first,
                        tally.last,
                        tally.off,
                        (),
                        counted(category),
                    )
                )
            continue
        values = tuple(
            ValueStats(
                value,
                s.count,
                s.first,
                s.last,
                s.off,
                value_hosts((category, value)),
                tuple(sorted(s.days.items())) if s.days is not None else (),
            )
            for value, s in sorted(seen.items())
        )
        if not values:
            continue
        categories.append(
            CategoryStats(
                category=category,
                disclosures=sum(v.count for v in values),
                first=min(v.first for v in values),
                last=max(v.last for v in values),
                privacy_off=sum(v.privacy_off for v in values),
                values=values,
            )
        )
    stats = entry.stats
    return RecipientStats(
        name,
        stats.count,
        stats.first,
        stats.last,
        stats.off,
        tuple(categories),
        host,
        hosts,
        outcomes if name != CT_RECIPIENT else Outcomes(),
    )
