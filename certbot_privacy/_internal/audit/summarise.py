"""What personal data went to whom, and when: the ``report`` summary (pure, streaming).

One computation that every format renders: for every host and recipient, category and
distinct value it keeps a count, the first and last time, how often privacy mode was off
(and, with *timeline*, the count per day); what became of each request
(:mod:`.outcomes`); the distinct values per recipient and overall. Memory grows with
distinct values, not with the log; each distinct value's text is held once, however many
hosts sent it. A ``request`` record is an attempt to disclose (the log is write-ahead):
its ``response`` or ``error`` says whether it arrived; ``blocked`` ones are only counted;
a finalize's ``published`` names count as disclosures to "Certificate Transparency logs
(public)". Lines that are not records are reported, never fatal. Accumulators merge, so
files can be summarised in parallel.
"""

import contextlib
import gc
from typing import Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from certbot_privacy._internal.audit import contract
from certbot_privacy._internal.audit.accounts import Held, Links
from certbot_privacy._internal.audit.coverage import LOOKUPS, Coverage
from certbot_privacy._internal.audit.distinct import Distinct
from certbot_privacy._internal.audit.figures import (
    CategoryStats,
    CategoryTotal,
    NoticeStats,
    RecipientStats,
    Summary,
    ValueStats,
    recipient_name,
)
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.outcomes import Outcomes, Tracker
from certbot_privacy._internal.audit.outcomes import kind as outcome_kind
from certbot_privacy._internal.audit.source import Item, LineProblem, ReadFailure
from certbot_privacy._internal.audit.tally import (
    COUNTED,
    Entry,
    Same,
    Senders,
    Stats,
    recipient_stats,
)
from certbot_privacy._internal.audit.timeline import Timeline
from certbot_privacy._internal.audit.values import IMPLICIT_IP_LABEL, label
from certbot_privacy._internal.log.classify import CT_RECIPIENT, IMPLICIT_IP_ADDRESS
from certbot_privacy._internal.log.schema import category_key

#: How many problem lines a summary lists (it counts them all).
PROBLEM_LIMIT = 100
#: Without values kept: how many values per recipient and category a file's reading
#: remembers, so that a value sent again is not hashed again.
FILE_SEEN_LIMIT = 65536

__all__ = [
    "PROBLEM_LIMIT",
    "Accumulator",
    "CategoryStats",
    "CategoryTotal",
    "NoticeStats",
    "RecipientStats",
    "Summary",
    "ValueStats",
    "accumulate",
    "notice_detail",
    "privacy_mode_off",
    "recipient_name",
    "summarise",
]


def notice_detail(record: contract.Record) -> str:
    """What a ``notice`` record says, in one line (not escaped: the formats escape it).

    Each kind the plugin writes is read from its own fields; a kind this version does not
    know falls back to the record's ``message``. Never empty where the record says more
    than its kind.
    """
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
    if kind == "discontinuity":
        return _discontinuity(record)
    if kind == "saved_consent_ignored":
        options = record.get("options")
        names = ", ".join(str(o) for o in options) if isinstance(options, list) else options
        return f"consent saved in a file, not typed in this run, was ignored: {names}"
    details = [f"{name} {record[name]}" for name in ("scope", "name", "by") if record.get(name)]
    values = record.get("values")
    if isinstance(values, list) and values:
        details.append("values " + ", ".join(str(v) for v in values))
    message = record.get("message")
    if not details and isinstance(message, str):
        return message
    return "; ".join(details)


def _discontinuity(record: contract.Record) -> str:
    """A ``discontinuity`` notice's ``expected_head`` and ``found``, in words."""
    expected = record.get("expected_head")
    expected = expected if isinstance(expected, dict) else {}
    found = record.get("found")
    found = found if isinstance(found, dict) else {}
    last = [
        f"{expected.get('file')} line {expected.get('lines')}",
        f"head {expected.get('head')}",
    ]
    if expected.get("time"):
        last.append(f"written {expected.get('time')}")
    held = f"; the file then held {found.get('bytes')} bytes" if "bytes" in found else ""
    return (
        f"the log did not hold the record this host last wrote to it ({', '.join(last)}){held}: "
        "records before this one were moved aside, cut off, replaced or deleted"
    )


def privacy_mode_off(record: contract.Record) -> bool:
    """Whether a request record says it was sent with privacy mode off.

    Schema 1 records written by the plugin are written in privacy mode; a record says
    otherwise with ``"privacy_mode": false``. A missing field therefore means "on".
    """
    return record.get("privacy_mode", True) is False


#: Parses lines (:func:`contract.parse`), faster on lines that repeat an earlier one but for
#: their seq, time and prev; one per process, in bounded memory.
_REPEATS = contract.Repeats()

#: The labels of a ``personal_data`` object's values, category by category, by the
#: object's id: a repeated line's record shares it with the line it repeats
#: (:class:`contract.Repeats`), so its values are labelled once. Only such objects are kept,
#: each with its entry, so that no other object can take its id while it is there.
_LABELLED: Dict[int, Tuple[object, FrozenSet[str], List[Tuple[str, List[str]]]]] = {}
_LABELLED_LIMIT = 2048


def _labelled(
    personal: Dict[str, List[object]], only: FrozenSet[str]
) -> List[Tuple[str, List[str]]]:
    """Each category of *personal* (of *only*, if any) with the labels of its values."""
    known = _LABELLED.get(id(personal))
    if known is not None and known[0] is personal and known[1] == only:
        return known[2]
    labelled: List[Tuple[str, List[str]]] = []
    for category, values in personal.items():
        if only and category not in only:
            continue
        own = category != "ip_address"  # a string is its own label, but this one's
        labels: List[str] = []
        for value in values:
            if value.__class__ is not str:
                labels.append(label(category, value))
            elif own:
                labels.append(value)
            else:
                labels.append(IMPLICIT_IP_LABEL if value == IMPLICIT_IP_ADDRESS else value)
        labelled.append((category, labels))
    if _REPEATS.hit:  # a kept record's object: met again (another's would be kept alive)
        if len(_LABELLED) >= _LABELLED_LIMIT:
            _LABELLED.clear()
        _LABELLED[id(personal)] = (personal, only, labelled)
    return labelled


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Run without the cyclic garbage collector, then restore it as it was.

    What a summary builds (records, tallies, the repeated records kept) holds no
    reference cycle, whatever the lines (a unit test checks it on real, broken and hostile
    logs): reference counting frees all of it, and the collector would only walk it (on
    120 MB of the benchmark's log, in one process: 1.2% of the instructions, 2 to 3% of
    the CPU time). Its memory is bounded by its own limits.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Entries of the summary: by (host, recipient); host ``None`` where the input names none.
_Key = Tuple[Optional[str], str]
#: What a line repeating a kept record changes (:meth:`Accumulator._remember`): the kept
#: record, the host, the event, and for a request its entry's key, its tallies (the
#: entry's, then each value's) and whether privacy mode was off; for a response or an
#: error, its outcome.
_Again = Tuple[contract.Record, Optional[str], str, Any]
_AGAIN_LIMIT = 4096


class Accumulator:
    """Builds a :class:`Summary` one item at a time; :func:`summarise` drives it.

    *months*: also count requests per month (:attr:`Summary.months`); *timeline*: each
    value per day (:attr:`ValueStats.days`).
    """

    def __init__(
        self, filters: Filters, months: bool = False, timeline: bool = False, values: bool = True
    ) -> None:
        self.filters = filters
        # Without *values*, each category's values are counted (distinct.Distinct), not kept.
        self.values = values
        self._distinct: Dict[Tuple[str, str], Distinct] = {}
        self._senders: Dict[str, Dict[str, None]] = {}
        self._file_seen: Dict[Tuple[str, str], set[str]] = {}
        self._file: Optional[str] = None
        self.months: Optional[Timeline] = Timeline() if months else None
        self.timeline = timeline
        self._filtering = filters.active
        self._recipients: Dict[_Key, Entry] = {}
        # Each distinct value's text once (the hosts' entries share it).
        self._texts: Dict[str, str] = {}
        self._outcomes: Tracker[_Key] = Tracker()
        # Request records per entry (a hook run or a bare connection is no request).
        self._sent: Dict[_Key, int] = {}
        self._links: Optional[Links] = Links() if filters.domains else None
        self._events: Dict[str, int] = {}
        self._files: Dict[str, None] = {}
        self._hosts: Dict[str, None] = {}
        self._problems: List[LineProblem] = []
        self.lines = 0
        self.skipped = 0
        self._blocked: Dict[str, int] = {}
        self._notices: Dict[Tuple[str, str, str], Stats] = {}
        self._copied: Dict[str, int] = {}
        self._coverage = Coverage()
        self._began: Dict[Optional[str], str] = {}
        # What :meth:`strip` dropped, per category: disclosures, distinct values, recipients.
        self._kept: Dict[str, _Kept] = {}
        # What a line repeating a kept record changes (:meth:`_remember`), by the record's
        # id; only while every line is counted whole (no filter, values kept).
        self._again: Dict[int, _Again] = {}
        self._drops = _REPEATS.drops
        self._repeatable = not self._filtering and values

    def __getstate__(self) -> Dict[str, Any]:
        """What a worker sends back (pickled): all but what it kept per record of this
        process's :data:`_REPEATS`, which means nothing in another."""
        state = self.__dict__.copy()
        state["_again"] = {}
        return state

    def read_in_order(self, names: Iterable[str]) -> None:
        """Name the files *names* as read, in this order, before what is merged in."""
        for name in names:
            self._files.setdefault(name)

    def add_all(self, items: Iterable[Item]) -> None:
        """:meth:`add` each of *items*, without the cyclic garbage collector
        (:func:`without_gc`)."""
        add = self.add
        with without_gc():
            for item in items:
                add(item)

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
        source = item.source
        if source != self._file:  # a file's lines come together: its name is kept once
            self._file = source
            self._file_seen.clear()
            _REPEATS.clear()  # memory for this file's lines, not a fleet's
            _LABELLED.clear()
            self._again.clear()
            if source not in self._files:
                self._files[source] = None
        host = item.host
        if host is not None and host not in self._hosts:
            self._hosts[host] = None
        if item.problem is not None:
            self.problem(source, item.number, item.problem)
            return
        record, problem = _REPEATS.read(item.raw)
        if record is None:
            if not item.complete and contract.is_crash_fragment(item.raw):
                problem = "the last line is cut short (a write interrupted by a crash)"
            self.problem(item.source, item.number, problem or "not a record")
            return
        if item.copy is not None:
            self._copied[item.copy] = self._copied.get(item.copy, 0) + 1
        if _REPEATS.drops != self._drops:  # what it dropped is not kept alive here
            self._again.clear()
            self._drops = _REPEATS.drops
        fields = _REPEATS.hit
        kept = record
        if fields is not None:  # a line that repeats a kept one but for its fields
            again = self._again.get(id(kept))
            if again is not None and again[0] is kept and again[1] == host:
                self._repeat(again, fields, source, host)
                return
            record = contract.repeated(kept, fields)
        event: str = record["event"]
        events = self._events
        events[event] = events.get(event, 0) + 1
        time: str = record["time"]
        began = self._began.get(host)
        if began is None or time < began:
            self._began[host] = time
        if event == "request":
            self._request(record, host, source)
        elif event in ("response", "error"):
            place = (source, host, record["request"])
            self._outcomes.outcome(
                place, outcome_kind(event, record.get("status")), keep_orphan=True
            )
            if self._links is not None and event == "response":
                self._links.response(place, record.get("location"), record.get("status"))
        elif event == "blocked":
            recipient = record["recipient"]
            if self.filters.time_matches(record["time"]) and self.filters.recipient_matches(
                recipient
            ):
                self._blocked[recipient] = self._blocked.get(recipient, 0) + 1
        elif event == "notice":
            self._notice(record)
        elif event in ("connection", "hook", "coverage"):
            self._seen(record, host)
        if fields is not None and self._repeatable:
            self._remember(kept, record, host)

    def _remember(
        self, kept: contract.Record, record: contract.Record, host: Optional[str]
    ) -> None:
        """After *record* (a line repeating *kept*) was counted, note what it changed, so
        that the next line repeating *kept* changes the same tallies without being counted
        from the start (:meth:`_repeat`): a request's entry and value tallies, a response's
        or an error's outcome. Only without filters, values kept (each such line is then
        counted whatever its time) and for a request that makes nothing public."""
        again = self._again
        if len(again) >= _AGAIN_LIMIT:
            again.clear()
        event = record["event"]
        if event == "request" and "published" not in record:
            key: _Key = (host, record["recipient"])
            entry = self._recipients[key]
            categories = entry.categories
            tallies = [entry.stats] + [
                categories[category][text]
                for category, labels in _labelled(record["personal_data"], self.filters.categories)
                for text in labels
            ]
            off = 1 if privacy_mode_off(record) else 0
            again[id(kept)] = (kept, host, event, (key, tallies, off))
        elif event in ("response", "error"):
            again[id(kept)] = (kept, host, event, outcome_kind(event, record.get("status")))

    def _repeat(
        self, again: "_Again", fields: contract.Fields, source: str, host: Optional[str]
    ) -> None:
        """Count a line that repeats a kept one, as :meth:`add` would, from what
        :meth:`_remember` noted of the first line counted after it was kept."""
        kept, _, event, what = again
        seq, time, _, request = fields
        events = self._events
        events[event] += 1
        began = self._began.get(host)
        if began is None or time < began:
            self._began[host] = time
        if request is not None:
            self._outcomes.outcome((source, host, request), what, keep_orphan=True)
            return
        key, tallies, off = what
        Stats.add_each(tallies, time, off)
        if self.months is not None:
            self.months.add(host, key[1], time, off)
        self._outcomes.request((source, host, seq), key)
        self._sent[key] = self._sent.get(key, 0) + 1
        self._coverage.request(kept)

    def _seen(self, record: contract.Record, host: Optional[str]) -> None:
        """A coverage, connection or hook record (see :mod:`.coverage`). A hook was handed
        personal data (a disclosure to another process); a destination reached with only
        the connection known got at least the host's address (a name only looked up got
        nothing: the resolver was asked about it)."""
        if not self.filters.time_matches(record["time"]):
            return
        self._coverage.record(record)
        event, time = record["event"], record["time"]
        personal = record.get("personal_data")
        if event == "hook" and isinstance(personal, dict):
            self._disclosure(host, record["recipient"], personal, time, 0)
        elif (
            event == "connection"
            and record.get("seen") == "connection"
            and record.get("own") is None
            and record.get("via") not in LOOKUPS  # only the resolver was asked
        ):
            implicit: Dict[str, List[object]] = {"ip_address": [IMPLICIT_IP_ADDRESS]}
            self._disclosure(host, record["recipient"], implicit, time, 0)

    def _notice(self, record: contract.Record) -> None:
        self._coverage.notice(record)  # a switch is a state: before the selected period too
        recipient, time = record["recipient"], record["time"]
        if not (self.filters.time_matches(time) and self.filters.recipient_matches(recipient)):
            return
        key = (recipient, str(record.get("kind", "")), notice_detail(record))
        stats = self._notices.get(key)
        if stats is None:
            self._notices[key] = Stats(time, 0)
        else:
            stats.add(time, 0)

    def _request(
        self, record: contract.Record, host: Optional[str] = None, source: str = "-"
    ) -> None:
        time: str = record["time"]  # canonical, so comparing strings compares times
        off = 1 if record.get("privacy_mode", True) is False else 0  # privacy_mode_off()
        recipient: str = record["recipient"]
        personal: Dict[str, List[object]] = record["personal_data"]
        links = self._links
        if links is not None:
            links.request((source, host, record["seq"]), personal)
            if self.filters.domains_match(personal.get("domain")):
                for held in links.ordered(personal):
                    self._replay(held)
            elif "contact" in personal:
                # what its outcome and transport need, kept with it (a request is counted
                # whole, like any other: the headline, outcomes and coverage agree)
                seen = {"run": record.get("run"), "url": record.get("url")}
                held = (host, recipient, personal, time, off, (source, host, record["seq"]), seen)
                if links.hold(held):
                    self._replay(held)
        counted = self._disclosure(host, recipient, personal, time, off)
        if counted is not None:
            self._outcomes.request((source, host, record["seq"]), counted)
            self._sent[counted] = self._sent.get(counted, 0) + 1
            self._coverage.request(record)
        if "published" in record:  # the names a finalized order makes public (CT logs)
            for published in _published(record):
                self._disclosure(
                    host, published["recipient"], published["personal_data"], time, off
                )

    def _replay(self, held: Held) -> None:
        """Count a request of an account that ordered a selected domain (``--domain``)."""
        host, recipient, personal, time, off, place, seen = held
        counted = self._disclosure(host, recipient, personal, time, off, linked=True)
        if counted is not None:
            self._outcomes.request(place, counted)  # its response came first: an orphan
            self._sent[counted] = self._sent.get(counted, 0) + 1
            self._coverage.request(seen)

    def _disclosure(
        self,
        host: Optional[str],
        recipient: str,
        personal: Dict[str, List[object]],
        time: str,
        off: int,
        linked: bool = False,
    ) -> Optional[_Key]:
        """Count what *recipient* received at *time*, if the filters select it (*linked*:
        whatever domains it names); return its entry's key, or ``None``."""
        filters = self.filters
        if self._filtering and not (
            filters.time_matches(time)
            and filters.recipient_matches(recipient)
            and (linked or filters.domains_match(personal.get("domain")))
        ):
            return None
        if self.values:
            key: _Key = (host, recipient)
        else:  # counted, not kept: one entry per recipient, its hosts named apart
            key = (None, recipient)
            if host is not None:
                self._senders.setdefault(recipient, {}).setdefault(host)
        timeline = self.timeline
        entry = self._recipients.get(key)
        if entry is None:
            entry = self._recipients[key] = Entry(Stats(time, off))
        else:
            entry.stats.add(time, off)
        if self.months is not None:
            self.months.add(host, recipient, time, off)
        categories = entry.categories
        if not self.values:
            self._count(recipient, categories, personal, time, off)
            return key
        texts = self._texts
        counted: List[Stats] = []
        for category, labels in _labelled(personal, filters.categories):
            seen = categories.get(category)
            if seen is None:
                seen = categories[category] = {}
            for text in labels:
                stats = seen.get(text)
                if stats is None:
                    shared = texts.get(text)
                    if shared is None:
                        shared = texts[text] = text
                    seen[shared] = Stats(time, off, timeline)
                else:
                    counted.append(stats)
        Stats.add_each(counted, time, off)
        return key

    def _count(
        self,
        recipient: str,
        categories: Dict[str, Dict[str, Stats]],
        personal: Dict[str, List[object]],
        time: str,
        off: int,
    ) -> None:
        """Count a disclosure's values without keeping them: a tally per category, and each
        value's digest once per file (a value seen again in the same file is not hashed)."""
        only = self.filters.categories
        for category, values in personal.items():
            if (only and category not in only) or not values:
                continue
            tallies = categories.setdefault(category, {})
            key = (recipient, category)
            seen = self._file_seen.get(key)
            if seen is None:
                seen = self._file_seen[key] = set()
            for value in values:
                tally = tallies.get(COUNTED)
                if tally is None:
                    tallies[COUNTED] = Stats(time, off)
                else:
                    tally.add(time, off)
                text = (
                    value
                    if value.__class__ is str and category != "ip_address"
                    else label(category, value)
                )
                if text in seen:
                    continue
                if len(seen) >= FILE_SEEN_LIMIT:
                    seen.clear()
                seen.add(text)
                counter = self._distinct.get(key)
                if counter is None:
                    counter = self._distinct[key] = Distinct()
                counter.add(text)

    def merge(self, other: "Accumulator") -> None:
        """Add what *other* (an accumulator of later lines, say another file) counted.

        *other* is taken over, not copied: do not use it afterwards.
        """
        self._again.clear()
        texts = self._texts
        for key, entry in other._recipients.items():
            for values in entry.categories.values():
                for text in list(values):
                    shared = texts.setdefault(text, text)
                    if shared is not text:
                        values[shared] = values.pop(text)
            mine = self._recipients.get(key)
            if mine is None:
                self._recipients[key] = entry
            else:
                mine.merge(entry)
        self._outcomes.merge(other._outcomes)
        for key, sent in other._sent.items():
            self._sent[key] = self._sent.get(key, 0) + sent
        for name, hosts in other._senders.items():
            named = self._senders.setdefault(name, {})
            for host in hosts:
                named.setdefault(host)
        for pair, counter in other._distinct.items():
            counted = self._distinct.get(pair)
            if counted is None:
                self._distinct[pair] = counter
            else:
                counted.merge(counter)
        if self.months is not None and other.months is not None:
            self.months.merge(other.months)
        if self._links is not None and other._links is not None:
            for held in self._links.merge(other._links):
                self._replay(held)
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
        self._coverage.merge(other._coverage)
        for category, kept in other._kept.items():
            mine_kept = self._kept.get(category)
            if mine_kept is None:
                self._kept[category] = kept
            else:
                mine_kept.merge(kept)
        for where, when in other._began.items():
            began = self._began.get(where)
            if began is None or when < began:
                self._began[where] = when
        room = PROBLEM_LIMIT - len(self._problems)
        self._problems.extend(other._problems[: max(room, 0)])
        self.lines += other.lines
        self.skipped += other.skipped

    def strip(self) -> None:
        """Drop what was counted per value (after rendering it), keeping the totals (each
        category's distinct values as 64-bit digests, :mod:`.distinct`): a report streamed
        host by host merges each host's stripped accumulator."""
        self._again.clear()
        for (_, recipient), entry in sorted(self._recipients.items(), key=_order):
            if self.values:
                for category, seen in entry.categories.items():
                    if not seen:
                        continue
                    kept = self._kept.get(category)
                    if kept is None:
                        kept = self._kept[category] = _Kept()
                    kept.add(recipient, seen)
            entry.categories = {}
        self._texts.clear()
        self._file_seen.clear()
        self._distinct.clear()

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
        total = Outcomes()
        for r in recipients:
            if r.recipient != CT_RECIPIENT:
                total = total + r.outcomes
        return Summary(
            recipients=recipients,
            filters=self.filters,
            files=tuple(self._files),
            lines=self.lines,
            records=sum(self._events.values()),
            events=tuple(sorted(self._events.items())),
            requests=sum(self._sent.values()),
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
            recipient_names=tuple(sorted({recipient for _, recipient in self._recipients})),
            categories=self._totals(),
            outcomes=total,
            timeline=self.timeline,
            months=self.months.result() if self.months is not None else None,
            copied=tuple(sorted(self._copied.items())),
            coverage=self._coverage.result(),
            began=tuple(sorted(self._began.items(), key=lambda item: item[0] or "")),
        )

    def _totals(self) -> Tuple[CategoryTotal, ...]:
        """Each category over every host and recipient, each distinct value counted once."""
        if not self.values:
            return self._counted_totals()
        values: Dict[str, set[str]] = {}
        disclosures: Dict[str, int] = {}
        recipients: Dict[str, Dict[str, None]] = {}
        for (_, recipient), entry in sorted(self._recipients.items(), key=_order):
            for category, seen in entry.categories.items():
                if not seen:
                    continue
                values.setdefault(category, set()).update(seen)
                disclosures[category] = disclosures.get(category, 0) + sum(
                    s.count for s in seen.values()
                )
                recipients.setdefault(category, {}).setdefault(recipient)
        if not self._kept:
            return tuple(
                CategoryTotal(name, disclosures[name], len(values[name]), tuple(recipients[name]))
                for name in sorted(values, key=category_key)
            )
        totals = []
        for name in sorted({*values, *self._kept}, key=category_key):
            kept = self._kept.get(name, _Kept())
            distinct = Distinct()
            distinct.merge(kept.distinct)
            for text in values.get(name, ()):
                distinct.add(text)
            named = {**kept.recipients, **recipients.get(name, {})}
            totals.append(
                CategoryTotal(
                    name, kept.disclosures + disclosures.get(name, 0), len(distinct), tuple(named)
                )
            )
        return tuple(totals)

    def _counted_totals(self) -> Tuple[CategoryTotal, ...]:
        """:meth:`_totals` where values were counted, not kept."""
        overall: Dict[str, Distinct] = {}
        disclosures: Dict[str, int] = {}
        recipients: Dict[str, Dict[str, None]] = {}
        for (_, recipient), entry in sorted(self._recipients.items(), key=_order):
            for category, seen in entry.categories.items():
                tally = seen.get(COUNTED)
                if tally is None:
                    continue
                disclosures[category] = disclosures.get(category, 0) + tally.count
                recipients.setdefault(category, {}).setdefault(recipient)
        for (_recipient, category), counter in self._distinct.items():
            overall.setdefault(category, Distinct()).update(counter.digests())
        return tuple(
            CategoryTotal(
                name,
                disclosures[name],
                len(overall[name]) if name in overall else 0,
                tuple(recipients[name]),
            )
            for name in sorted(disclosures, key=category_key)
        )

    def _counted(self, recipient: str) -> Optional[Callable[[str], int]]:
        """How many distinct values of a category went to *recipient* (values not kept)."""
        if self.values:
            return None
        distinct = self._distinct
        return lambda category: len(distinct.get((recipient, category), ()))

    def _grouped(self, by: str) -> Tuple[RecipientStats, ...]:
        outcomes = self._outcomes
        if by == "host":
            out = []
            for key in sorted(self._recipients, key=lambda key: (key[0] or "", key[1])):
                host, recipient = key
                entry = self._recipients[key]
                hosts = () if host is None else (host,)
                out.append(
                    recipient_stats(
                        recipient,
                        entry,
                        host,
                        hosts,
                        outcomes.counts(key, self._sent.get(key, 0)),
                        Same(hosts),
                    )
                )
            return tuple(out)
        merged: Dict[str, Entry] = {}
        senders: Dict[str, Dict[str, None]] = {}
        value_hosts: Dict[Tuple[str, str, str], List[str]] = {}
        totals: Dict[str, Outcomes] = {}
        for key, entry in sorted(self._recipients.items(), key=_order):
            host, recipient = key
            totals[recipient] = totals.get(recipient, Outcomes()) + outcomes.counts(
                key, self._sent.get(key, 0)
            )
            mine = merged.get(recipient)
            if mine is None:
                merged[recipient] = Entry(
                    entry.stats.copy(),
                    {
                        category: {value: stats.copy() for value, stats in seen.items()}
                        for category, seen in entry.categories.items()
                    },
                )
            else:
                mine.merge(entry)
            if host is not None:
                senders.setdefault(recipient, {}).setdefault(host)
                for category, seen in entry.categories.items():
                    for value in seen:
                        value_hosts.setdefault((recipient, category, value), []).append(host)
        return tuple(
            recipient_stats(
                name,
                merged[name],
                None,
                tuple(senders.get(name, ()) or self._senders.get(name, ())),
                totals[name],
                Senders(name, value_hosts),
                self._counted(name),
            )
            for name in sorted(merged)
        )


class _Kept:
    """One category's totals over stripped entries: disclosures, the distinct values (as
    digests), the recipients in the order they came."""

    __slots__ = ("disclosures", "distinct", "recipients")

    def __init__(self) -> None:
        self.disclosures = 0
        self.distinct = Distinct()
        self.recipients: Dict[str, None] = {}

    def add(self, recipient: str, seen: Dict[str, Stats]) -> None:
        """Take in what *recipient* got of the category: *seen*, by value."""
        for text, stats in seen.items():
            self.disclosures += stats.count
            self.distinct.add(text)
        self.recipients.setdefault(recipient)

    def merge(self, other: "_Kept") -> None:
        """Take in *other* (of later hosts)."""
        self.disclosures += other.disclosures
        self.distinct.merge(other.distinct)
        for recipient in other.recipients:
            self.recipients.setdefault(recipient)


def _order(item: Tuple[_Key, Entry]) -> Tuple[str, str]:
    (host, recipient), _ = item
    return (host or "", recipient)


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


def accumulate(
    items: Iterable[Item],
    filters: Optional[Filters] = None,
    months: bool = False,
    timeline: bool = False,
) -> Accumulator:
    """An :class:`Accumulator` that took every item of *items* (*months*: and a timeline)."""
    accumulator = Accumulator(filters or Filters(), months, timeline)
    accumulator.add_all(items)
    return accumulator


def summarise(
    items: Iterable[Item],
    filters: Optional[Filters] = None,
    by: str = "recipient",
    months: bool = False,
    timeline: bool = False,
) -> Summary:
    """Summarise the disclosures in *items* (lines from :func:`.source.read`); *months*:
    with the requests per month (:attr:`Summary.months`); *timeline*: each value per day."""
    return accumulate(items, filters, months, timeline).result(by)
