"""GDPR access (Art. 15) and erasure (Art. 17) requests to each CA, from the log (pure).

The log already holds what a CA needs to find an admin's data: the ACME account URLs
(the JWS ``kid``, and the ``Location`` of a new account), the account keys' RFC 7638
thumbprints, the contact addresses sent (and when), the domain names ordered, and the
time span. :class:`Collector` gathers them per CA in one streaming pass (memory grows
with the number of distinct values, not with the log), noting the values that only a
copy of the log (the journal, syslog) holds, which the letter then marks as such;
:func:`letters` turns them into one ready-to-send :class:`Letter` per CA, addressed to
the CA's privacy contact where a verified one is known (:func:`privacy_contact`), else
naming where to send it. Nothing is sent: the command prints the letters.

The texts are gettext messages (English source, Simplified Chinese in the catalogue of
:mod:`certbot_privacy.rules.consent`); values from the log are kept as they are and
escaped by the output format.
"""

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from certbot_privacy.audit import contract
from certbot_privacy.audit.filters import Filters
from certbot_privacy.audit.source import FILE, SYSLOG, Item, ReadFailure, provenance
from certbot_privacy.rules import cas
from certbot_privacy.rules.consent import ENGLISH, translations

ACCESS = "access"
ERASURE = "erasure"

#: How many requests to a new account are followed to their response's ``Location``.
_PENDING_LIMIT = 1024


@dataclass(frozen=True)
class PrivacyContact:
    """Where a request to a CA goes: a verified address, or else the policy to look in."""

    email: Optional[str]
    policy_url: Optional[str]


def privacy_contact(info: cas.CAInfo) -> PrivacyContact:
    """The CA's privacy contact: the address the CA facts give, only where it is verified."""
    contact = info.privacy_contact if info.known else None
    return PrivacyContact(
        contact.email if contact is not None and contact.verified else None,
        info.privacy_policy_url or info.documents_url or info.website,
    )


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


class _CA:
    def __init__(self, info: cas.CAInfo) -> None:
        self.info = info
        self.recipients: Dict[str, None] = {}
        self.hosts: Dict[str, None] = {}
        self.requests: Optional[_Stat] = None
        self.values: Dict[str, Dict[str, _Stat]] = {
            "account_url": {},
            "thumbprint": {},
            "contact": {},
            "domain": {},
        }

    def see(self, kind: str, value: str, time: str, where: str = FILE) -> None:
        seen = self.values[kind].get(value)
        if seen is None:
            self.values[kind][value] = _Stat(time, where)
        else:
            seen.add(time, where)


@dataclass(frozen=True)
class Identifiers:
    """What identifies the admin's data at one CA, as the log shows it."""

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


def is_ca(recipient: str) -> bool:
    """Whether a recipient is an ACME CA (named by its directory URL), not the EFF, an OCSP
    responder or the public CT logs."""
    return recipient.startswith(("https://", "http://"))


class Collector:
    """Gathers :class:`Identifiers` per CA, one item at a time."""

    def __init__(self, filters: Optional[Filters] = None) -> None:
        self.filters = filters or Filters()
        self._cas: Dict[str, _CA] = {}
        self._pending: Dict[Tuple[str, int], str] = {}
        self._where = FILE

    def add(self, item: Item) -> None:
        """Take one line into account (lines that are not records are skipped)."""
        if isinstance(item, ReadFailure) or item.problem is not None:
            return
        record, _ = contract.parse(item.raw)
        if record is None:
            return
        self._where = provenance(item)
        recipient: str = record["recipient"]
        if not is_ca(recipient) or not self.filters.recipient_matches(recipient):
            return
        time: str = record["time"]
        if record["event"] == "response":
            self._response(item.source, record)
            return
        if record["event"] != "request" or not self.filters.time_matches(time):
            return
        info = cas.for_directory(recipient)
        key = info.key if info.known else recipient
        ca = self._cas.get(key)
        if ca is None:
            ca = self._cas[key] = _CA(info)
        ca.recipients.setdefault(recipient)
        if item.host is not None:
            ca.hosts.setdefault(item.host)
        if ca.requests is None:
            ca.requests = _Stat(time)
        else:
            ca.requests.add(time)
        personal = record["personal_data"]
        self._personal(ca, personal, time)
        if "account_key" in personal and "account_url" not in personal:
            # Signed with the key itself (no kid): a new account, or a lookup of one; its
            # response's Location is the account URL.
            if len(self._pending) >= _PENDING_LIMIT:
                del self._pending[next(iter(self._pending))]
            self._pending[(item.source, record["seq"])] = key

    def _personal(self, ca: _CA, personal: Dict[str, List[object]], time: str) -> None:
        where = self._where
        for value in personal.get("account_url", ()):
            if isinstance(value, str):
                ca.see("account_url", value, time, where)
        for value in personal.get("account_key", ()):
            if isinstance(value, dict) and isinstance(value.get("thumbprint"), str):
                ca.see("thumbprint", value["thumbprint"], time, where)
        for value in personal.get("contact", ()):
            if isinstance(value, str):
                address = value[7:] if value.lower().startswith("mailto:") else value
                ca.see("contact", address, time, where)
        for value in personal.get("domain", ()):
            if isinstance(value, str):
                ca.see("domain", value.rstrip(".").lower(), time, where)

    def _response(self, source: str, record: contract.Record) -> None:
        key = self._pending.pop((source, record["request"]), None)
        location = record.get("location")
        if key is None or not isinstance(location, str) or key not in self._cas:
            return
        if record.get("status") in (200, 201):
            self._cas[key].see("account_url", location, record["time"], self._where)

    def result(self) -> Tuple[Identifiers, ...]:
        """The identifiers per CA, in the order of their first request."""
        found = []
        for ca in self._cas.values():
            if ca.requests is None:
                continue
            found.append(
                Identifiers(
                    ca=ca.info,
                    recipients=tuple(ca.recipients),
                    account_urls=_seen(ca.values["account_url"]),
                    thumbprints=_seen(ca.values["thumbprint"]),
                    contacts=_seen(ca.values["contact"]),
                    domains=_seen(ca.values["domain"]),
                    requests=ca.requests.count,
                    first=ca.requests.first,
                    last=ca.requests.last,
                    hosts=tuple(sorted(ca.hosts)),
                )
            )
        return tuple(sorted(found, key=lambda i: i.first))


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


# --- the letters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A list in a letter: its heading and its lines (values from the log, already worded)."""

    heading: str
    items: Tuple[str, ...]


@dataclass(frozen=True)
class Letter:
    """One request to one CA, in one language, ready to render as text or Markdown.

    ``to`` is the verified privacy address, or ``None``; ``where`` then says where to send
    it. ``paragraphs`` come before the ``sections`` (the identifiers), ``closing`` after.
    """

    kind: str
    language: str
    ca_name: str
    to: Optional[str]
    where: str
    subject: str
    greeting: str
    paragraphs: Tuple[str, ...]
    sections: Tuple[Section, ...]
    closing: Tuple[str, ...]
    signature: Tuple[str, ...]


@dataclass(frozen=True)
class Requester:
    """Who signs the letters (``None``: a placeholder to fill in)."""

    name: Optional[str] = None
    contact: Optional[str] = None


def _day(time: str) -> str:
    return time[:10]


def _when(seen: Seen, _: "Translate", sent: bool = False) -> str:
    """When a value was sent (a contact address) or used (the others), in words."""
    if seen.first[:10] == seen.last[:10]:
        once = _("sent on {day}") if sent else _("used on {day}")
        return once.format(day=_day(seen.first))
    span = (
        _("sent {count} times, from {first} to {last}")
        if sent
        else _("used from {first} to {last}")
    )
    return span.format(count=seen.count, first=_day(seen.first), last=_day(seen.last))


def _item(seen: Seen, _: "Translate", sent: bool = False) -> str:
    if seen.copies:
        copies = ", ".join(
            _("syslog, which does not authenticate its sender")
            if kind == SYSLOG
            else _("the system journal")
            for kind in seen.copies
        )
        return _("{value} ({when}; only in a copy of my log: {copies})").format(
            value=seen.value, when=_when(seen, _, sent), copies=copies
        )
    return _("{value} ({when})").format(value=seen.value, when=_when(seen, _, sent))


def _copies_only(identifiers: "Identifiers") -> bool:
    """Whether some value of *identifiers* rests on copies of the log alone."""
    return any(
        s.copies
        for group in (
            identifiers.account_urls,
            identifiers.thumbprints,
            identifiers.contacts,
            identifiers.domains,
        )
        for s in group
    )


class Translate:
    """gettext's ``_`` for one language (a class, so that it can be typed and passed)."""

    def __init__(self, language: str) -> None:
        self._gettext = translations(language).gettext

    def __call__(self, message: str) -> str:
        return self._gettext(message)


def letter(
    identifiers: Identifiers,
    kind: str,
    requester: Requester = Requester(),
    language: str = ENGLISH,
) -> Letter:
    """The *kind* (:data:`ACCESS` or :data:`ERASURE`) request to the CA of *identifiers*."""
    _ = Translate(language)
    info = identifiers.ca
    contact = privacy_contact(info)
    legal = (
        f"{info.legal_entity} ({info.display_name})"
        if info.legal_entity and info.legal_entity != info.display_name
        else info.display_name
    )
    if contact.email is not None:
        where = _("{ca}'s privacy contact, as its privacy policy names it ({policy})").format(
            ca=info.display_name, policy=contact.policy_url or "-"
        )
    elif contact.policy_url is not None:
        where = _(
            "No verified privacy contact of {ca} is known to certbot-privacy: send it "
            "through the channel its privacy policy or documents name ({policy})."
        ).format(ca=info.display_name, policy=contact.policy_url)
    else:
        where = _(
            "No privacy contact of {ca} is known to certbot-privacy: find the CA's privacy "
            "contact (its website, its terms of service) before sending it."
        ).format(ca=info.display_name)
    period = {"first": _day(identifiers.first), "last": _day(identifiers.last)}
    if kind == ACCESS:
        subject = _("Request for access to personal data (GDPR Article 15)")
        paragraphs = [
            _(
                "I am writing to request access to the personal data that {legal} holds "
                "about me, under Article 15 of the General Data Protection Regulation "
                "(GDPR)."
            ).format(legal=legal),
            _(
                "Please confirm whether you process personal data concerning me and, if "
                "so, send me a copy of it with the information Article 15(1) lists: the "
                "purposes of the processing, the categories of personal data, the "
                "recipients to whom it has been or will be disclosed (in particular in "
                "third countries, and the safeguards for those transfers), how long it "
                "will be stored, and its source where it was not collected from me."
            ),
        ]
    else:
        subject = _("Request for erasure of personal data (GDPR Article 17)")
        paragraphs = [
            _(
                "I am writing to request that {legal} erase the personal data it holds "
                "about me, under Article 17 of the General Data Protection Regulation "
                "(GDPR): the contact addresses below, and the data linked to the ACME "
                "accounts below, where no legal obligation requires you to keep it "
                "(Article 17(3)(b))."
            ).format(legal=legal),
            _(
                "If you keep some of it, please tell me which data, on which ground and "
                "for how long; and please tell the recipients to whom you disclosed it of "
                "the erasure, as Article 19 requires."
            ),
        ]
    paragraphs.append(
        _(
            "To help you find it: these are the identifiers that my systems sent to your "
            "ACME service ({directory}) from {first} to {last} (UTC), as recorded in my "
            "disclosure log."
        ).format(directory=", ".join(identifiers.recipients), **period)
    )
    if _copies_only(identifiers):
        paragraphs.append(
            _(
                'The values marked "only in a copy of my log" are recorded only in a copy '
                "of my disclosure log that a central log server received, not in the log "
                "on the host itself."
            )
        )
    sections = _sections(identifiers, _)
    closing = [
        _(
            "I can prove that these accounts are mine by signing a text of your choice with "
            "the account key."
        ),
        _("Please reply within one month of receiving this request (GDPR Article 12(3))."),
    ]
    signature = (
        requester.name or _("[your name]"),
        requester.contact or _("[your postal address or email address]"),
    )
    return Letter(
        kind=kind,
        language=language,
        ca_name=info.display_name,
        to=contact.email,
        where=where,
        subject=subject,
        greeting=_("Dear {ca} privacy team,").format(ca=info.display_name),
        paragraphs=tuple(paragraphs),
        sections=sections,
        closing=tuple(closing),
        signature=signature,
    )


def _sections(identifiers: Identifiers, _: Translate) -> Tuple[Section, ...]:
    sections = []
    if identifiers.account_urls:
        sections.append(
            Section(
                _("ACME account URLs"),
                tuple(_item(s, _) for s in identifiers.account_urls),
            )
        )
    if identifiers.thumbprints:
        sections.append(
            Section(
                _("ACME account key thumbprints (RFC 7638, SHA-256)"),
                tuple(_item(s, _) for s in identifiers.thumbprints),
            )
        )
    if identifiers.contacts:
        sections.append(
            Section(
                _("Contact email addresses sent"),
                tuple(_item(s, _, sent=True) for s in identifiers.contacts),
            )
        )
    if identifiers.domains:
        sections.append(
            Section(
                _("Domain names in certificate orders"),
                tuple(_item(s, _) for s in identifiers.domains),
            )
        )
    summary = [
        _("{count} requests from {first} to {last} (UTC)").format(
            count=identifiers.requests,
            first=_day(identifiers.first),
            last=_day(identifiers.last),
        )
    ]
    if identifiers.hosts:
        summary.append(_("from the hosts: {hosts}").format(hosts=", ".join(identifiers.hosts)))
    sections.append(Section(_("Requests to your ACME service"), tuple(summary)))
    return tuple(sections)


def letters(
    identifiers: Iterable[Identifiers],
    kind: str,
    requester: Requester = Requester(),
    language: str = ENGLISH,
) -> Tuple[Letter, ...]:
    """One letter per CA."""
    return tuple(letter(i, kind, requester, language) for i in identifiers)


def heading(letter_: Letter, index: int, total: int) -> str:
    """The line that introduces a letter in the output (not part of the letter)."""
    _ = Translate(letter_.language)
    return _("Letter {index} of {total}: {ca} (certbot-privacy sends nothing)").format(
        index=index, total=total, ca=letter_.ca_name
    )


def labels(language: str) -> Tuple[str, str, str]:
    """ "To: ", "Subject: " and "Where to send it: " in *language*, to put before a value."""
    _ = Translate(language)
    return (_("To: "), _("Subject: "), _("Where to send it: "))


def section_heading(heading_: str, language: str) -> str:
    """A section's heading as a line that introduces a list ("...:")."""
    _ = Translate(language)
    return _("{heading}:").format(heading=heading_)


def wraps(language: str) -> bool:
    """Whether text in *language* is wrapped at spaces (not Chinese: lines are not broken)."""
    return language == ENGLISH


def none_found(language: str) -> str:
    """What the output says when the log shows no request to a CA."""
    _ = Translate(language)
    return _("No request to an ACME CA in the selected records: there is no one to write to.")
