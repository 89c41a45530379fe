"""What personal data went to whom, and when: the ``report`` summary (pure, streaming).

For every recipient, category and distinct value it keeps a count, the first and last
time, how often privacy mode was off, and the hosts: memory grows with distinct values,
not with the log. A ``request`` record is a disclosure (the log is write-ahead);
``blocked`` ones are only counted; a finalize's ``published`` names count as disclosures
to "Certificate Transparency logs (public)". Lines that are not records are reported, never
fatal. Accumulators merge, so files can be summarised in parallel.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from certbot_privacy.audit import contract
from certbot_privacy.audit.filters import Filters
from certbot_privacy.audit.source import UNAUTHENTICATED, Item, LineProblem, ReadFailure
from certbot_privacy.audit.timeline import Timeline, Timelines
from certbot_privacy.audit.values import label
from certbot_privacy.log.classify import CT_RECIPIENT
from certbot_privacy.log.schema import category_key

#: How many problem lines a summary lists (it counts them all).
PROBLEM_LIMIT = 100


@dataclass(frozen=True)
class ValueStats:
    """One distinct value of one category sent to one recipient."""

    value: str
    count: int
    first: str
    last: str
    privacy_off: int


@dataclass(frozen=True)
class CategoryStats:
    """One category of personal data sent to one recipient, value by value."""

    category: str
    disclosures: int
    first: str
    last: str
    privacy_off: int
    values: Tuple[ValueStats, ...]

    @property
    def distinct(self) -> int:
        """How many different values of this category went to the recipient."""
        return len(self.values)


@dataclass(frozen=True)
class RecipientStats:
    """Everything sent to one recipient (by one host, when the summary is grouped by host).

    ``host`` is the host when grouped by host (``None`` for lines no input attributes to
    a host); ``hosts`` names every host that sent to the recipient.
    """

    recipient: str
    requests: int
    first: str
    last: str
    privacy_off: int
    categories: Tuple[CategoryStats, ...]
    host: Optional[str] = None
    hosts: Tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeStats:
    """A warning the plugin gave (a ``notice`` record), and how often, first and last."""

    recipient: str
    kind: str
    detail: str
    count: int
    first: str
    last: str


@dataclass(frozen=True)
class Summary:
    """The result of :func:`summarise`."""

    recipients: Tuple[RecipientStats, ...]
    filters: Filters
    files: Tuple[str, ...]
    lines: int
    records: int
    events: Tuple[Tuple[str, int], ...]
    requests: int
    blocked: Tuple[Tuple[str, int], ...]
    skipped: int
    problems: Tuple[LineProblem, ...]
    first: Optional[str] = None
    last: Optional[str] = None
    notices: Tuple[NoticeStats, ...] = ()
    by: str = "recipient"
    hosts: Tuple[str, ...] = ()
    #: Requests per month by recipient and host, when asked for (the HTML report's timeline).
    months: Optional[Timelines] = None
    #: Records read from copies only (``"journal"``, ``"syslog"``: :func:`.source.provenance`),
    #: by kind; a record also in a host's file is the file's (``source.read``).
    copied: Tuple[Tuple[str, int], ...] = ()

    @property
    def unauthenticated(self) -> int:
        """How many records come from copies that authenticate no sender (syslog)."""
        return sum(n for kind, n in self.copied if kind in UNAUTHENTICATED)

    @property
    def privacy_off(self) -> int:
        """How many selected requests went out with privacy mode off."""
        return sum(r.privacy_off for r in self.recipients if r.recipient != CT_RECIPIENT)


def notice_detail(record: contract.Record) -> str:
    """What a ``notice`` record says, in one line (not escaped: the formats escape it)."""
    kind = record.get("kind")
    if kind == "terms_changed":
        announced = record.get("announced")
        return (
            f"expected terms {record.get('expected')}, the directory announced "
            f"{announced if announced is not None else 'none'}"
        )
    if kind == "facts_stale":
        return (
            f"facts checked on {record.get('checked')}, more than "
            f"{record.get('max_age_months')} months before"
        )
    details = [f"{name} {record[name]}" for name in ("scope", "name", "by") if record.get(name)]
    values = record.get("values")
    if isinstance(values, list) and values:
        details.append("values " + ", ".join(str(v) for v in values))
    return "; ".join(details)


def privacy_mode_off(record: contract.Record) -> bool:
    """Whether a request record says it was sent with privacy mode off.

    Schema 1 records written by the plugin are written in privacy mode; a record says
    otherwise with ``"privacy_mode": false``. A missing field therefore means "on".
    """
    return record.get("privacy_mode", True) is False


class _Stats:
    """Count, first and last time, and privacy-off count of one thing (mutable, small)."""

    __slots__ = ("count", "first", "last", "off")

    def __init__(self, time: str, off: int) -> None:
        self.count = 1
        self.first = time
        self.last = time
        self.off = off

    def add(self, time: str, off: int) -> None:
        self.count += 1
        if time < self.first:
            self.first = time
        elif time > self.last:
            self.last = time
        self.off += off

    def merge(self, other: "_Stats") -> None:
        self.count += other.count
        self.first = min(self.first, other.first)
        self.last = max(self.last, other.last)
        self.off += other.off

    def copy(self) -> "_Stats":
        twin = _Stats(self.first, self.off)
        twin.count, twin.last = self.count, self.last
        return twin


@dataclass
class _Recipient:
    stats: _Stats
    categories: Dict[str, Dict[str, _Stats]] = field(default_factory=dict)

    def merge(self, other: "_Recipient") -> None:
        self.stats.merge(other.stats)
        for category, values in other.categories.items():
            mine = self.categories.setdefault(category, {})
            for value, stats in values.items():
                seen = mine.get(value)
                if seen is None:
                    mine[value] = stats.copy()
                else:
                    seen.merge(stats)

    def copy(self) -> "_Recipient":
        return _Recipient(
            self.stats.copy(),
            {
                category: {value: stats.copy() for value, stats in values.items()}
                for category, values in self.categories.items()
            },
        )


class Accumulator:
    """Builds a :class:`Summary` one item at a time; :func:`summarise` drives it."""

    def __init__(self, filters: Filters, months: bool = False) -> None:
        self.filters = filters
        self.months: Optional[Timeline] = Timeline() if months else None
        self._filtering = filters.active
        # By (host, recipient); host None where the input names none.
        self._recipients: Dict[Tuple[Optional[str], str], _Recipient] = {}
        self._events: Dict[str, int] = {}
        self._files: Dict[str, None] = {}
        self._hosts: Dict[str, None] = {}
        self._problems: List[LineProblem] = []
        self.lines = 0
        self.skipped = 0
        self._blocked: Dict[str, int] = {}
        self._notices: Dict[Tuple[str, str, str], _Stats] = {}
        self._copied: Dict[str, int] = {}

    def problem(self, source: str, lineno: int, message: str) -> None:
        """Count a line that is not used, and keep the first few for the report."""
        self.skipped += 1
        if len(self._problems) < PROBLEM_LIMIT:
            self._problems.append(LineProblem(source, lineno, message))

    def add(self, item: Item) -> None:
        """Take one line (or a read failure) into the summary."""
        if isinstance(item, ReadFailure):
            self._files.setdefault(item.source)
            self.problem(item.source, item.number, item.message)
            return
        self.lines += 1
        if item.source not in self._files:
            self._files[item.source] = None
        host = item.host
        if host is not None and host not in self._hosts:
            self._hosts[host] = None
        if item.problem is not None:
            self.problem(item.source, item.number, item.problem)
            return
        record, problem = contract.parse(item.raw)
        if record is None:
            if not item.complete and contract.is_crash_fragment(item.raw):
                problem = "the last line is cut short (a write interrupted by a crash)"
            self.problem(item.source, item.number, problem or "not a record")
            return
        if item.copy is not None:
            self._copied[item.copy] = self._copied.get(item.copy, 0) + 1
        event: str = record["event"]
        self._events[event] = self._events.get(event, 0) + 1
        if event == "request":
            self._request(record, host)
        elif event == "blocked":
            recipient = record["recipient"]
            if self.filters.time_matches(record["time"]) and self.filters.recipient_matches(
                recipient
            ):
                self._blocked[recipient] = self._blocked.get(recipient, 0) + 1
        elif event == "notice":
            self._notice(record)

    def _notice(self, record: contract.Record) -> None:
        recipient, time = record["recipient"], record["time"]
        if not (self.filters.time_matches(time) and self.filters.recipient_matches(recipient)):
            return
        key = (recipient, str(record.get("kind", "")), notice_detail(record))
        stats = self._notices.get(key)
        if stats is None:
            self._notices[key] = _Stats(time, 0)
        else:
            stats.add(time, 0)

    def _request(self, record: contract.Record, host: Optional[str] = None) -> None:
        time: str = record["time"]  # canonical, so comparing strings compares times
        off = 1 if record.get("privacy_mode", True) is False else 0  # privacy_mode_off()
        self._disclosure(host, record["recipient"], record["personal_data"], time, off)
        if "published" in record:  # the names a finalized order makes public (CT logs)
            for published in _published(record):
                self._disclosure(
                    host, published["recipient"], published["personal_data"], time, off
                )

    def _disclosure(
        self,
        host: Optional[str],
        recipient: str,
        personal: Dict[str, List[object]],
        time: str,
        off: int,
    ) -> None:
        """Count what *recipient* received at *time*, if the filters select it."""
        filters = self.filters
        if self._filtering and not (
            filters.time_matches(time)
            and filters.recipient_matches(recipient)
            and filters.domains_match(personal.get("domain"))
        ):
            return
        entry = self._recipients.get((host, recipient))
        if entry is None:
            entry = self._recipients[(host, recipient)] = _Recipient(_Stats(time, off))
        else:
            entry.stats.add(time, off)
        if self.months is not None:
            self.months.add(host, recipient, time, off)
        categories = entry.categories
        only = filters.categories
        for category, values in personal.items():
            if only and category not in only:
                continue
            seen = categories.get(category)
            if seen is None:
                seen = categories[category] = {}
            for value in values:
                # A string is its own label (but the implicit source address's).
                key = (
                    value
                    if value.__class__ is str and category != "ip_address"
                    else label(category, value)
                )
                stats = seen.get(key)
                if stats is None:
                    seen[key] = _Stats(time, off)
                else:
                    stats.add(time, off)

    def merge(self, other: "Accumulator") -> None:
        """Add what *other* (an accumulator of later lines, say another file) counted.

        *other* is taken over, not copied: do not use it afterwards.
        """
        for key, entry in other._recipients.items():
            mine = self._recipients.get(key)
            if mine is None:
                self._recipients[key] = entry
            else:
                mine.merge(entry)
        if self.months is not None and other.months is not None:
            self.months.merge(other.months)
        for event, count in other._events.items():
            self._events[event] = self._events.get(event, 0) + count
        for name, count in other._blocked.items():
            self._blocked[name] = self._blocked.get(name, 0) + count
        for notice, stats in other._notices.items():
            seen = self._notices.get(notice)
            if seen is None:
                self._notices[notice] = stats
            else:
                seen.merge(stats)
        for name in other._files:
            self._files.setdefault(name)
        for host in other._hosts:
            self._hosts.setdefault(host)
        for kind, count in other._copied.items():
            self._copied[kind] = self._copied.get(kind, 0) + count
        room = PROBLEM_LIMIT - len(self._problems)
        self._problems.extend(other._problems[: max(room, 0)])
        self.lines += other.lines
        self.skipped += other.skipped

    def renumber(self, offset: int) -> None:
        """Move the problems' line numbers on by *offset* (a part of a file read apart)."""
        self._problems = [
            LineProblem(p.source, p.lineno + offset, p.message) for p in self._problems
        ]

    def result(self, by: str = "recipient") -> Summary:
        """The summary of everything added so far, per recipient or (*by* ``"host"``) per
        host and recipient."""
        recipients = self._grouped(by)
        firsts = [r.first for r in recipients]
        lasts = [r.last for r in recipients]
        return Summary(
            recipients=recipients,
            filters=self.filters,
            files=tuple(self._files),
            lines=self.lines,
            records=sum(self._events.values()),
            events=tuple(sorted(self._events.items())),
            requests=sum(r.requests for r in recipients if r.recipient != CT_RECIPIENT),
            blocked=tuple(sorted(self._blocked.items())),
            skipped=self.skipped,
            problems=tuple(self._problems),
            first=min(firsts) if firsts else None,
            last=max(lasts) if lasts else None,
            notices=tuple(
                NoticeStats(recipient, kind, detail, stats.count, stats.first, stats.last)
                for (recipient, kind, detail), stats in sorted(self._notices.items())
            ),
            by=by,
            hosts=tuple(sorted(self._hosts)),
            copied=tuple(sorted(self._copied.items())),
            months=self.months.result() if self.months is not None else None,
        )

    def _grouped(self, by: str) -> Tuple[RecipientStats, ...]:
        hosts: Dict[str, List[str]] = {}
        for host, recipient in self._recipients:
            if host is not None:
                hosts.setdefault(recipient, []).append(host)
        if by == "host":
            return tuple(
                _recipient_stats(
                    recipient,
                    self._recipients[(host, recipient)],
                    host,
                    () if host is None else (host,),
                )
                for host, recipient in sorted(
                    self._recipients, key=lambda key: (key[0] or "", key[1])
                )
            )
        merged: Dict[str, _Recipient] = {}
        for (_, recipient), entry in self._recipients.items():
            mine = merged.get(recipient)
            if mine is None:
                merged[recipient] = entry.copy()
            else:
                mine.merge(entry)
        return tuple(
            _recipient_stats(name, merged[name], None, tuple(sorted(hosts.get(name, ()))))
            for name in sorted(merged)
        )


def _published(record: contract.Record) -> List[Dict[str, Any]]:
    """The well-formed entries of a request's ``published`` field (see ``record-1.json``)."""
    entries = record.get("published")
    return [
        entry
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict)
        and isinstance(entry.get("recipient"), str)
        and isinstance(entry.get("personal_data"), dict)
        and all(isinstance(v, list) for v in entry["personal_data"].values())
    ]


def _recipient_stats(
    name: str, entry: _Recipient, host: Optional[str], hosts: Tuple[str, ...]
) -> RecipientStats:
    categories = []
    for category in sorted(entry.categories, key=category_key):
        seen = entry.categories[category]
        values = tuple(
            ValueStats(value, s.count, s.first, s.last, s.off) for value, s in sorted(seen.items())
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
        name, stats.count, stats.first, stats.last, stats.off, tuple(categories), host, hosts
    )


def accumulate(
    items: Iterable[Item], filters: Optional[Filters] = None, months: bool = False
) -> Accumulator:
    """An :class:`Accumulator` that took every item of *items* (*months*: and a timeline)."""
    accumulator = Accumulator(filters or Filters(), months)
    add = accumulator.add
    for item in items:
        add(item)
    return accumulator


def summarise(
    items: Iterable[Item],
    filters: Optional[Filters] = None,
    by: str = "recipient",
    months: bool = False,
) -> Summary:
    """Summarise the disclosures in *items* (lines from :func:`.source.read`); *months*:
    with the requests per month (:attr:`Summary.months`)."""
    return accumulate(items, filters, months).result(by)
