"""Who the letters are about: per recipient (a CA, the EFF) and data subject (one contact
address with the accounts it was given for, or the accounts given none), what identifies
their data there, from the log (pure, streaming).

The ACME account URLs (the JWS ``kid``, and the ``Location`` of a new account), the
account keys' RFC 7638 thumbprints, the contact addresses sent (and when), the domain
names ordered and the time span. An account is followed from its registration (signed
with its key) to its URL (the response's ``Location``), so an order names the account
whose address it belongs to. Memory grows with the accounts and distinct values, not with
the log; values that only a copy of the log (the journal, syslog) holds are marked.
"""

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from certbot_privacy._internal.audit import contract
from certbot_privacy._internal.audit.accounts import accounts_of
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.source import FILE, Item, ReadFailure, provenance
from certbot_privacy._internal.log.classify import EFF_RECIPIENT
from certbot_privacy._internal.rules import cas, facts_file

#: How many requests to a new account are followed to their response's ``Location``.
_PENDING_LIMIT = 1024


@dataclass(frozen=True)
class Seen:
    """A value sent to a CA: how often, first and last time (UTC, RFC 3339); ``copies``
    names the kinds of copy (``journal``, ``syslog``) it rests on when no host's own log
    file holds it (empty when one does)."""

    value: str
    count: int
    first: str
    last: str
    copies: Tuple[str, ...] = ()


class _Stat:
    __slots__ = ("copies", "count", "first", "last")

    def __init__(self, time: str, where: str = FILE) -> None:
        self.count, self.first, self.last = 1, time, time
        # The kinds of copy it was read from, until a host's file shows it (then None).
        self.copies: Optional[Dict[str, None]] = None if where == FILE else {where: None}

    def add(self, time: str, where: str = FILE) -> None:
        self.count += 1
        self.first = min(self.first, time)
        self.last = max(self.last, time)
        if where == FILE:
            self.copies = None
        elif self.copies is not None:
            self.copies.setdefault(where)


#: The two kinds of service a letter goes to.
ACME = "acme"
MAILING_LIST = "mailing_list"


class _Account:
    """What one ACME account at one CA disclosed (its values, its requests)."""

    def __init__(self) -> None:
        self.requests: Optional[_Stat] = None
        self.values: Dict[str, Dict[str, _Stat]] = {
            "account_url": {},
            "thumbprint": {},
            "contact": {},
            "domain": {},
        }

    def request(self, time: str) -> None:
        if self.requests is None:
            self.requests = _Stat(time)
        else:
            self.requests.add(time)

    def see(self, kind: str, value: str, time: str, where: str = FILE) -> None:
        seen = self.values[kind].get(value)
        if seen is None:
            self.values[kind][value] = _Stat(time, where)
        else:
            seen.add(time, where)


class _CA:
    """One recipient written to: a CA (its accounts), or the EFF (one pseudo-account)."""

    def __init__(self, info: cas.CAInfo, service: str = ACME) -> None:
        self.info = info
        self.service = service
        self.recipients: Dict[str, None] = {}
        self.hosts: Dict[str, None] = {}
        self.accounts: Dict[str, _Account] = {}
        self.alias: Dict[str, str] = {}  # an account's URL -> the name it was first seen by

    def account(self, names: List[str]) -> _Account:
        """The account a request names (by URL or by key); one without a name stands for
        the requests no account signed (directory, nonces)."""
        name = next((self.alias.get(n, n) for n in names), "")
        found = self.accounts.get(name)
        if found is None:
            found = self.accounts[name] = _Account()
        return found


@dataclass(frozen=True)
class Identifiers:
    """What identifies one data subject's data at one recipient, as the log shows it.

    ``subject`` is the contact address the letter is about (``None``: the accounts that
    were given no address); ``contacts`` holds only that address, never another person's.
    ``began`` is when recording began: the earliest and the latest first record of the
    hosts read (what was sent before is not in the log).
    """

    ca: cas.CAInfo
    recipients: Tuple[str, ...]
    account_urls: Tuple[Seen, ...]
    thumbprints: Tuple[Seen, ...]
    contacts: Tuple[Seen, ...]
    domains: Tuple[Seen, ...]
    requests: int
    first: str
    last: str
    hosts: Tuple[str, ...]
    subject: Optional[str] = None
    service: str = ACME
    began: Tuple[str, str] = ("", "")


def is_ca(recipient: str) -> bool:
    """Whether a recipient is an ACME CA (named by its directory URL), not the EFF, an OCSP
    responder or the public CT logs."""
    return recipient.startswith(("https://", "http://"))


def _eff_info() -> cas.CAInfo:
    """The EFF as a recipient to write to, from the facts' entry for it."""
    other = facts_file.facts().other("eff")
    return cas.CAInfo(
        key=other.key,
        display_name=other.display_name,
        directory_url="",
        known=True,
        operator=other.operator,
        privacy_policy=other.privacy_policy,
    )


class Collector:
    """Gathers :class:`Identifiers` per recipient and data subject, one item at a time."""

    def __init__(self, filters: Optional[Filters] = None) -> None:
        self.filters = filters or Filters()
        self._cas: Dict[str, _CA] = {}
        self._pending: Dict[Tuple[str, Optional[str], int], Tuple[str, str]] = {}
        self._where = FILE
        self._began: Dict[Optional[str], str] = {}

    def add(self, item: Item) -> None:
        """Take one line into account (lines that are not records are skipped)."""
        if isinstance(item, ReadFailure) or item.problem is not None:
            return
        record, _ = contract.parse(item.raw)
        if record is None:
            return
        self._where = provenance(item)
        time: str = record["time"]
        began = self._began.get(item.host)
        if began is None or time < began:
            self._began[item.host] = time
        recipient: str = record["recipient"]
        eff = recipient == EFF_RECIPIENT
        if not (eff or is_ca(recipient)) or not self.filters.recipient_matches(recipient):
            return
        if record["event"] == "response":
            self._response((item.source, item.host, record["request"]), record)
            return
        if record["event"] != "request" or not self.filters.time_matches(time):
            return
        if eff:
            key = "eff"
            ca = self._cas.get(key)
            if ca is None:
                ca = self._cas[key] = _CA(_eff_info(), MAILING_LIST)
        else:
            info = facts_file.for_directory(recipient)
            key = info.key if info.known else recipient
            ca = self._cas.get(key)
            if ca is None:
                ca = self._cas[key] = _CA(info)
        ca.recipients.setdefault(recipient)
        if item.host is not None:
            ca.hosts.setdefault(item.host)
        personal = record["personal_data"]
        names = accounts_of(personal)
        account = ca.account(names)
        account.request(time)
        self._personal(account, personal, time)
        if "account_key" in personal and "account_url" not in personal and names:
            # Signed with the key itself (no kid): a new account, or a lookup of one; its
            # response's Location is the account URL.
            if len(self._pending) >= _PENDING_LIMIT:
                del self._pending[next(iter(self._pending))]
            name = ca.alias.get(names[0], names[0])
            self._pending[(item.source, item.host, record["seq"])] = (key, name)

    def _personal(self, account: _Account, personal: Dict[str, List[object]], time: str) -> None:
        where = self._where
        for value in personal.get("account_url", ()):
            if isinstance(value, str):
                account.see("account_url", value, time, where)
        for value in personal.get("account_key", ()):
            if isinstance(value, dict) and isinstance(value.get("thumbprint"), str):
                account.see("thumbprint", value["thumbprint"], time, where)
        for category in ("contact", "eff"):
            for value in personal.get(category, ()):
                if isinstance(value, str):
                    address = value[7:] if value.lower().startswith("mailto:") else value
                    account.see("contact", address, time, where)
        for value in personal.get("domain", ()):
            if isinstance(value, str):
                account.see("domain", value.rstrip(".").lower(), time, where)

    def _response(self, place: Tuple[str, Optional[str], int], record: contract.Record) -> None:
        pending = self._pending.pop(place, None)
        location = record.get("location")
        if pending is None or not isinstance(location, str) or pending[0] not in self._cas:
            return
        if record.get("status") in (200, 201):
            ca = self._cas[pending[0]]
            name = f"url {location}"
            ca.alias.setdefault(name, pending[1])
            ca.account([pending[1]]).see("account_url", location, record["time"], self._where)

    def result(self) -> Tuple[Identifiers, ...]:
        """The identifiers per recipient and data subject, in the order of their first
        request: one per contact address (with the accounts it was given for), and one for
        the accounts given none."""
        firsts = sorted(self._began.values())
        began = (firsts[0], firsts[-1]) if firsts else ("", "")
        found = []
        for ca in self._cas.values():
            subjects: Dict[Optional[str], List[_Account]] = {}
            for name, account in ca.accounts.items():
                addresses: List[Optional[str]] = list(account.values["contact"])
                if not addresses and name == "":
                    continue  # requests no account signed (directory, nonces): no one's
                for address in addresses or [None]:
                    subjects.setdefault(address, []).append(account)
            for subject, accounts in subjects.items():
                identifiers = _identifiers(ca, subject, accounts, began)
                if identifiers is not None:
                    found.append(identifiers)
        return tuple(sorted(found, key=lambda i: (i.first, i.subject or "")))


def _merged(accounts: List[_Account], kind: str, only: Optional[str] = None) -> Dict[str, _Stat]:
    merged: Dict[str, _Stat] = {}
    for account in accounts:
        for value, stat in account.values[kind].items():
            if only is not None and value != only:
                continue
            mine = merged.get(value)
            if mine is None:
                twin = merged[value] = _Stat(stat.first)
                twin.count, twin.last = stat.count, stat.last
                twin.copies = None if stat.copies is None else dict(stat.copies)
            else:
                mine.count += stat.count
                mine.first, mine.last = min(mine.first, stat.first), max(mine.last, stat.last)
                if stat.copies is None:
                    mine.copies = None
                elif mine.copies is not None:
                    mine.copies.update(stat.copies)
    return merged


def _identifiers(
    ca: _CA, subject: Optional[str], accounts: List[_Account], began: Tuple[str, str]
) -> Optional[Identifiers]:
    stats = [a.requests for a in accounts if a.requests is not None]
    if not stats:
        return None
    return Identifiers(
        ca=ca.info,
        recipients=tuple(ca.recipients),
        account_urls=_seen(_merged(accounts, "account_url")),
        thumbprints=_seen(_merged(accounts, "thumbprint")),
        contacts=_seen(_merged(accounts, "contact", subject)) if subject is not None else (),
        domains=_seen(_merged(accounts, "domain")),
        requests=sum(s.count for s in stats),
        first=min(s.first for s in stats),
        last=max(s.last for s in stats),
        hosts=tuple(sorted(ca.hosts)),
        subject=subject,
        service=ca.service,
        began=began,
    )


def _seen(values: Dict[str, _Stat]) -> Tuple[Seen, ...]:
    return tuple(
        Seen(value, s.count, s.first, s.last, tuple(s.copies or ()))
        for value, s in sorted(values.items(), key=lambda kv: (kv[1].first, kv[0]))
    )


def collect(items: Iterable[Item], filters: Optional[Filters] = None) -> Tuple[Identifiers, ...]:
    """The identifiers per CA in *items* (lines from :func:`.source.read`)."""
    collector = Collector(filters)
    for item in items:
        collector.add(item)
    return collector.result()
