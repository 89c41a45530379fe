"""What the records say about what the log could see (pure, streaming, mergeable).

A run of a version with the connection choke point writes ``coverage`` records (what it
sees at request level, what it cannot see: hooks' own traffic, native code), a
``connection`` record for each destination it reaches (``seen``: ``request`` when a
request-level adapter recorded what was sent, else ``connection``: only that it was
reached), ``hook`` records, and a ``run`` id on every record. Older versions wrote none of
this: their requests carry no ``run``, and for them what went outside ``requests`` is not
known. The transport claim comes from the request records' URLs (``https://``, plain
``http://``, ``dns://`` for DNS UPDATE messages). Every sentence the formats print about
coverage is built from :class:`CoverageStats`; memory grows with the destinations, hooks
and libraries named, not with the log.
"""

from dataclasses import dataclass
from typing import Any, Dict, Optional, Set, Tuple

#: How many run ids are kept to count runs (beyond it, runs are counted by start records).
RUN_LIMIT = 100_000

#: How many DNS servers have the kinds of message they got kept (their recipients' label).
DNS_SERVER_LIMIT = 10_000

#: How many certificates and accounts have their privacy switches kept.
SWITCH_LIMIT = 10_000

#: How many of those switched off a sentence names (the rest are counted).
SWITCH_NAMES = 5

#: The ``via`` of connection records that only asked the system resolver (no connection).
LOOKUPS = frozenset(("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"))


@dataclass(frozen=True)
class Unseen:
    """Something a run could not see into: a hook's own traffic, native code."""

    what: str
    name: str
    runs: int


@dataclass(frozen=True)
class Destination:
    """A destination reached with only the connection known (no request record)."""

    host: str
    port: Optional[int]
    transport: str
    connections: int
    first: str
    last: str
    #: Only looked up (``getaddrinfo``, ``gethostbyname``, ``gethostbyaddr``): the name (or
    #: address) went to the system resolver, and no connection to it was recorded.
    looked_up_only: bool = False


@dataclass(frozen=True)
class CoverageStats:
    """What the selected records show about coverage (see the module documentation)."""

    runs: int = 0
    strict_runs: int = 0
    request_level: Tuple[str, ...] = ()
    unseen: Tuple[Unseen, ...] = ()
    connection_only: Tuple[Destination, ...] = ()
    hooks: Tuple[Tuple[str, str, int], ...] = ()
    #: Request records written with a run id (by a version with coverage records) or not.
    covered_requests: int = 0
    uncovered_requests: int = 0
    https: int = 0
    plain_http: int = 0
    plain_dns: int = 0
    #: DNS messages over TLS or QUIC (``dns+tls://``, ``dns+quic://``).
    encrypted_dns: int = 0
    other_transport: int = 0
    #: Of the DNS messages: UPDATEs (RFC 2136) and queries (the SOA lookups beside them).
    dns_updates: int = 0
    dns_queries: int = 0
    #: Each DNS server recipient and the DNS opcodes of the messages it got (``QUERY``,
    #: ``UPDATE``), from the request records' ``method``.
    dns_servers: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    #: The certificates (``lineage``) and accounts whose last privacy switch in the records
    #: is a ``privacy_off`` notice: (scope, name, time). What they sent after it, in a run
    #: without privacy mode, is not in the log.
    switched_off: Tuple[Tuple[str, str, str], ...] = ()

    def dns_opcodes(self, recipient: str) -> Tuple[str, ...]:
        """The opcodes of the DNS messages *recipient* got (none known: empty)."""
        return next((kinds for name, kinds in self.dns_servers if name == recipient), ())

    @property
    def known(self) -> bool:
        """Whether every request record came from a run that recorded its coverage."""
        return self.uncovered_requests == 0 and self.runs > 0

    @property
    def all_https(self) -> bool:
        """Whether every request the records show went over HTTPS."""
        return self.plain_http == self.plain_dns == self.encrypted_dns == self.other_transport == 0


class Coverage:
    """Gathers :class:`CoverageStats` one record at a time."""

    def __init__(self) -> None:
        self._runs: Set[str] = set()
        self._starts = 0
        self._strict: Set[str] = set()
        self._request_level: Dict[str, None] = {}
        self._unseen: Dict[Tuple[str, str], Set[str]] = {}
        self._destinations: Dict[Tuple[str, Optional[int], str], list[Any]] = {}
        self._hooks: Dict[Tuple[str, str], int] = {}
        self.covered = self.uncovered = 0
        self.https = self.plain_http = self.plain_dns = self.other = 0
        self.encrypted_dns = 0
        self.dns_updates = self.dns_queries = 0
        self._dns_servers: Dict[str, Set[str]] = {}
        self._switches: Dict[Tuple[str, str], Tuple[str, bool]] = {}

    def notice(self, record: Dict[str, Any]) -> None:
        """A ``notice`` record: a ``privacy_on`` or ``privacy_off`` switch of a certificate
        or an account (the latest of each is kept)."""
        kind, scope, name = record.get("kind"), record.get("scope"), record.get("name")
        if kind not in ("privacy_on", "privacy_off") or not isinstance(scope, str):
            return
        if isinstance(name, str) and isinstance(record.get("time"), str):
            self._switch((scope, name), (record["time"], kind == "privacy_off"))

    def _switch(self, key: Tuple[str, str], switch: Tuple[str, bool]) -> None:
        seen = self._switches.get(key)
        if seen is None:
            if len(self._switches) < SWITCH_LIMIT:
                self._switches[key] = switch
        elif switch[0] >= seen[0]:
            self._switches[key] = switch

    def request(self, record: Dict[str, Any]) -> None:
        """A selected request record: its run id and its transport."""
        if isinstance(record.get("run"), str):
            self.covered += 1
        else:
            self.uncovered += 1
        url = record.get("url")
        if url.__class__ is str and url.startswith("https:"):  # most are
            self.https += 1
            return
        scheme = url.split(":", 1)[0].lower() if isinstance(url, str) else ""
        if scheme == "https":
            self.https += 1
        elif scheme == "http":
            self.plain_http += 1
        elif scheme == "dns":
            self.plain_dns += 1
            self._dns(record, count=True)
        elif scheme in ("dns+tls", "dns+quic"):
            self.encrypted_dns += 1
        else:
            self.other += 1
        if scheme != "dns" and record.get("stack") == "dns":  # DNS over HTTPS, TLS, QUIC
            self._dns(record, count=False)

    def _dns(self, record: Dict[str, Any], count: bool) -> None:
        """A DNS message's record: an UPDATE, a query, or another opcode (its ``method``);
        *count*: over plain DNS, counted for the transport sentence."""
        opcode = record.get("method")
        opcode = opcode.upper() if isinstance(opcode, str) else "?"
        if count and opcode == "UPDATE":
            self.dns_updates += 1
        elif count and opcode == "QUERY":
            self.dns_queries += 1
        recipient = record.get("recipient")
        if isinstance(recipient, str):
            kinds = self._dns_servers.get(recipient)
            if kinds is None and len(self._dns_servers) < DNS_SERVER_LIMIT:
                kinds = self._dns_servers[recipient] = set()
            if kinds is not None and len(kinds) < 16:
                kinds.add(opcode)

    def record(self, record: Dict[str, Any]) -> None:
        """A ``coverage``, ``connection`` or ``hook`` record."""
        event = record.get("event")
        if event == "coverage":
            self._coverage(record)
        elif event == "connection":
            if record.get("seen") == "connection" and record.get("own") is None:
                host = str(record.get("host") or record.get("recipient"))
                port = record.get("port") if isinstance(record.get("port"), int) else None
                where = (host, port, str(record.get("transport") or "tcp"))
                time = record["time"]
                lookup = record.get("via") in LOOKUPS
                seen = self._destinations.get(where)
                if seen is None:
                    self._destinations[where] = [1, time, time, lookup]
                else:
                    seen[0] += 1
                    seen[1] = min(seen[1], time)
                    seen[2] = max(seen[2], time)
                    seen[3] = seen[3] and lookup
        elif event == "hook":
            key = (str(record.get("kind") or "hook"), str(record.get("executable") or "?"))
            self._hooks[key] = self._hooks.get(key, 0) + 1

    def _coverage(self, record: Dict[str, Any]) -> None:
        run = record.get("run")
        run = run if isinstance(run, str) else f"#{self._starts}"
        if record.get("phase") == "start":
            self._starts += 1
        if len(self._runs) < RUN_LIMIT:
            self._runs.add(run)
        if record.get("strict") is True and len(self._strict) < RUN_LIMIT:
            self._strict.add(run)
        for name in record.get("request_level") or ():
            if isinstance(name, str):
                self._request_level.setdefault(name)
        for item in record.get("unseen") or ():
            if not isinstance(item, dict):
                continue
            what = str(item.get("what") or "unknown")
            if what == "native":
                name = str(item.get("library") or "?")
                if item.get("plugin"):
                    loaded = ", loaded, not used by the run" if item.get("role") == "loaded" else ""
                    name += f" ({item['plugin']}{loaded})"
            else:
                name = " ".join(str(item[k]) for k in ("kind", "executable") if item.get(k)) or "?"
            runs = self._unseen.setdefault((what, name), set())
            if len(runs) < RUN_LIMIT:
                runs.add(run)

    def merge(self, other: "Coverage") -> None:
        """Take in *other* (the coverage of a later part or file)."""
        self._runs |= other._runs
        self._starts += other._starts
        self._strict |= other._strict
        for name in other._request_level:
            self._request_level.setdefault(name)
        for key, runs in other._unseen.items():
            self._unseen.setdefault(key, set()).update(runs)
        for where, (count, first, last, lookup) in other._destinations.items():
            seen = self._destinations.get(where)
            if seen is None:
                self._destinations[where] = [count, first, last, lookup]
            else:
                seen[0] += count
                seen[1], seen[2] = min(seen[1], first), max(seen[2], last)
                seen[3] = seen[3] and lookup
        for key, count in other._hooks.items():
            self._hooks[key] = self._hooks.get(key, 0) + count
        self.covered += other.covered
        self.uncovered += other.uncovered
        self.https += other.https
        self.plain_http += other.plain_http
        self.plain_dns += other.plain_dns
        self.encrypted_dns += other.encrypted_dns
        self.other += other.other
        self.dns_updates += other.dns_updates
        self.dns_queries += other.dns_queries
        for recipient, kinds in other._dns_servers.items():
            mine = self._dns_servers.get(recipient)
            if mine is None and len(self._dns_servers) < DNS_SERVER_LIMIT:
                mine = self._dns_servers[recipient] = set()
            if mine is not None:
                mine.update(kinds)
        for key, switch in other._switches.items():
            self._switch(key, switch)

    def result(self) -> CoverageStats:
        """What was gathered so far."""
        return CoverageStats(
            runs=len(self._runs) if len(self._runs) < RUN_LIMIT else self._starts,
            strict_runs=len(self._strict),
            request_level=tuple(self._request_level),
            unseen=tuple(
                Unseen(what, name, len(runs)) for (what, name), runs in sorted(self._unseen.items())
            ),
            connection_only=tuple(
                Destination(host, port, transport, count, first, last, lookup)
                for (host, port, transport), (count, first, last, lookup) in sorted(
                    self._destinations.items(), key=lambda item: (item[0][0], item[0][1] or 0)
                )
            ),
            hooks=tuple((kind, exe, n) for (kind, exe), n in sorted(self._hooks.items())),
            covered_requests=self.covered,
            uncovered_requests=self.uncovered,
            https=self.https,
            plain_http=self.plain_http,
            plain_dns=self.plain_dns,
            encrypted_dns=self.encrypted_dns,
            other_transport=self.other,
            dns_updates=self.dns_updates,
            dns_queries=self.dns_queries,
            dns_servers=tuple(
                (recipient, tuple(sorted(kinds)))
                for recipient, kinds in sorted(self._dns_servers.items())
            ),
            switched_off=tuple(
                (scope, name, time)
                for (scope, name), (time, off) in sorted(self._switches.items())
                if off
            ),
        )


def sentences(stats: CoverageStats) -> Tuple[str, ...]:
    """What the records say about coverage and transport, in sentences (not escaped: names
    come from the log; the formats escape them)."""
    out = []
    total = stats.covered_requests + stats.uncovered_requests
    if stats.runs:
        levels = ", ".join(stats.request_level) or "none named"
        out.append(
            f"{stats.runs} run(s) recorded their coverage: requests recorded in full (before "
            f"they were sent) through {levels}; every other connection recorded as a "
            "destination before it was made."
        )
    if stats.uncovered_requests:
        out.append(
            f"{stats.uncovered_requests} of {total} requests were recorded by a version "
            "that wrote no coverage records: for those runs, what went outside the requests "
            "library (other HTTP libraries, DNS updates, hooks, native code) is not known."
        )
    elif not stats.runs:
        out.append(
            "The log holds no coverage records: what went outside the requests library "
            "(other HTTP libraries, DNS updates, hooks, native code) is not known."
        )
    if stats.switched_off:
        out.append(_switched_off(stats.switched_off))
    for destination in stats.connection_only:
        port = f":{destination.port}" if destination.port is not None else ""
        if destination.looked_up_only:
            out.append(
                "Looked up through the system resolver, which may have asked a DNS server "
                f"(no connection to it recorded): {destination.host}{port}, "
                f"{destination.connections} time(s)."
            )
            continue
        out.append(
            f"Reached with only the connection known (what was sent is not in the log): "
            f"{destination.host}{port} over {destination.transport}, "
            f"{destination.connections} time(s)."
        )
    for kind, executable, count in stats.hooks:
        out.append(
            f"Hook {executable} ({kind}) ran {count} time(s): what certbot handed it is "
            "recorded; its own traffic is outside the log's view."
        )
    for unseen in stats.unseen:
        if unseen.what == "native":
            out.append(
                f"Native code in the process, {unseen.name} ({unseen.runs} run(s)): its "
                "traffic cannot be seen by the log."
            )
        elif unseen.what != "hook":
            out.append(f"Not seen ({unseen.what}): {unseen.name}, {unseen.runs} run(s).")
    if total:
        if stats.all_https:
            transport = f"All {total} recorded requests went over HTTPS (TLS)."
        else:
            parts = [f"{stats.https} over HTTPS"]
            if stats.plain_http:
                parts.append(f"{stats.plain_http} over plain HTTP (OCSP, or a plain http:// URL)")
            if stats.plain_dns:
                parts.append(f"{stats.plain_dns} DNS messages over plain DNS{_dns_kinds(stats)}")
            if stats.encrypted_dns:
                parts.append(f"{stats.encrypted_dns} DNS UPDATE messages over TLS or QUIC")
            if stats.other_transport:
                parts.append(f"{stats.other_transport} by another scheme")
            transport = f"Of {total} recorded requests: " + ", ".join(parts) + "."
        if not stats.known:
            transport += " Traffic the log did not record may have gone otherwise."
        out.append(transport)
    return tuple(out)


def _switched_off(switched: Tuple[Tuple[str, str, str], ...]) -> str:
    """The certificates and accounts switched out of privacy mode, in one sentence."""
    words = {"lineage": "certificate", "account": "account"}
    named = [f"{words.get(scope, scope)} {name}" for scope, name, _ in switched[:SWITCH_NAMES]]
    if len(switched) > SWITCH_NAMES:
        named.append(f"and {len(switched) - SWITCH_NAMES} more")
    last = max(time for _, _, time in switched)
    return (
        f"Privacy mode was switched off for {len(switched)} certificate(s) or account(s) "
        f"({', '.join(named)}; the last on {last[:10]}), and not on again in these records: "
        "what certbot sent for them afterwards, without privacy mode, is not in this log."
    )


def _dns_kinds(stats: CoverageStats) -> str:
    """What the DNS messages were, from their records: `` (2 UPDATE, 2 queries)``."""
    kinds = []
    if stats.dns_updates:
        kinds.append(f"{stats.dns_updates} UPDATE (RFC 2136)")
    if stats.dns_queries:
        kinds.append(f"{stats.dns_queries} {'query' if stats.dns_queries == 1 else 'queries'}")
    other = stats.plain_dns - stats.dns_updates - stats.dns_queries
    if other:
        kinds.append(f"{other} of another opcode")
    return f" ({', '.join(kinds)})" if kinds else ""
