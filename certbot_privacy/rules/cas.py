"""What is known about each ACME CA: who runs it, and what it says or does with a contact email.

The facts are data, shipped in the package: ``cas.json`` (checked against ``cas.schema.json``
by a unit test, and every quote in it against the verbatim copies of its sources under
``tests/data/ca-sources/``). Each statement carries its source (the document's address,
title and own date, the date we checked it, how we read it), its kind (a verbatim
``policy_quote`` or ``announcement``, an ``observed_practice`` with its evidence, or a
``secondary_summary``) and whether it is verified. This module turns that file into frozen
objects, and compares a directory's announced terms of service with the facts
(:func:`drift`).

Nothing is read at import: certbot imports the plugin on every run, and the facts are
needed only when a contact email is in play (and by ``certbot-privacy cas``), so the file
is loaded on first use (:func:`facts`). Everything else here is pure.
"""

import datetime
import json
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from certbot_privacy.rules.urls import normalize_directory_url

__all__ = [
    "COUNTRY_NAMES",
    "NOT_STATED",
    "QUOTED_KINDS",
    "CAInfo",
    "Drift",
    "Facts",
    "Forwarding",
    "Operator",
    "PrivacyContact",
    "PrivacyPolicy",
    "Recipient",
    "Source",
    "Statement",
    "Terms",
    "drift",
    "facts",
    "for_directory",
    "generic",
    "known_cas",
    "lookup",
    "normalize_directory_url",
    "parse",
]


def N_(message: str) -> str:
    """Mark *message* for translation without translating it (gettext's ``N_``)."""
    return message


#: Country names for the ISO codes the facts use (message ids).
COUNTRY_NAMES: Dict[str, str] = {
    "AT": N_("Austria"),
    "NO": N_("Norway"),
    "US": N_("United States"),
}

NOT_STATED = N_("not stated in the sources we checked")

#: Statement kinds whose text is the source's own words (checked against a snapshot).
QUOTED_KINDS = ("policy_quote", "announcement")

#: The facts file and its schema, in this package.
FACTS_FILE = "cas.json"
SCHEMA_FILE = "cas.schema.json"

#: The language tags of the facts file, by the language names of :mod:`.consent`.
_FACTS_LANG = {"en": "en", "zh_CN": "zh-CN"}


def _lang(language: str) -> str:
    return _FACTS_LANG.get(language, language)


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the document's address, title and own date, and how we read it.

    ``document_date`` and ``checked`` are ``YYYY-MM-DD``; ``document_date`` is ``None`` for
    an undated document. ``snapshot`` names the verbatim copy a quote is checked against
    (relative to ``tests/data/ca-sources/``); ``evidence`` says what was looked at for an
    observed practice.
    """

    url: str
    title: str
    document_date: Optional[str]
    checked: str
    via: str
    secondary: bool = False
    snapshot: Optional[str] = None
    evidence: Optional[str] = None

    @property
    def document(self) -> str:
        """The title with the document's date (or "undated"), as the texts cite it."""
        return f"{self.title} ({self.document_date or 'undated'})"


@dataclass(frozen=True)
class Localized:
    """The same statement quoted from another language's version of its document."""

    lang: str
    text: str
    source: Source
    excerpt: Optional[str] = None


@dataclass(frozen=True)
class Statement:
    """One thing a CA says (``policy_quote``, ``announcement``) or does (``observed_practice``).

    ``excerpt`` is a shorter verbatim part of ``text`` for the consent notice; ``gloss``
    our short reading of it, per language (``(lang, text)`` pairs); ``note`` our longer
    remark. None of these three is ever shown as the CA's words.
    """

    id: str
    kind: str
    text: str
    lang: str
    source: Source
    verified: bool
    unverified_reason: Optional[str] = None
    effective_date: Optional[str] = None
    localized: Tuple[Localized, ...] = ()
    note: Optional[str] = None
    excerpt: Optional[str] = None
    gloss: Tuple[Tuple[str, str], ...] = ()

    @property
    def quoted(self) -> bool:
        """Whether ``text`` is the source's own words (not our description)."""
        return self.kind in QUOTED_KINDS

    def quote_in(self, language: str, *, short: bool = False) -> Tuple[str, Source]:
        """Return the words to show in *language* and their source.

        The localized quote where the facts have one (quoted from that language's version
        of the document), else the original. *short*: the excerpt where there is one.
        """
        for item in self.localized:
            if item.lang == _lang(language):
                return ((item.excerpt if short and item.excerpt else item.text), item.source)
        return ((self.excerpt if short and self.excerpt else self.text), self.source)

    def gloss_in(self, language: str) -> Optional[str]:
        """Our short reading of the statement in *language*, if the facts have one."""
        return dict(self.gloss).get(_lang(language))


@dataclass(frozen=True)
class Operator:
    """The legal entity that runs a CA (the controller an Art. 30 record names)."""

    legal_entity: str
    details: Optional[str]
    country: Optional[str]
    source: Source
    verified: bool
    short_name: Optional[str] = None
    unverified_reason: Optional[str] = None
    note: Optional[str] = None


@dataclass(frozen=True)
class PrivacyPolicy:
    """A privacy policy: where it is, its date, its versions in other languages."""

    url: str
    document_date: Optional[str]
    localized: Tuple[Tuple[str, str, Optional[str]], ...]
    canonical_lang: str
    source: Source
    verified: bool
    unverified_reason: Optional[str] = None

    def in_language(self, language: str) -> Tuple[str, Optional[str]]:
        """Return the address and date of the policy's version in *language*, or the original."""
        for lang, url, date in self.localized:
            if lang == _lang(language):
                return url, date
        return self.url, self.document_date


@dataclass(frozen=True)
class Terms:
    """The terms of service a CA's directory is expected to announce (``meta.termsOfService``)."""

    url: str
    document_date: Optional[str]
    source: Source
    verified: bool
    unverified_reason: Optional[str] = None


@dataclass(frozen=True)
class PrivacyContact:
    """Where privacy requests to a CA go; each channel ``None`` where no source gives it."""

    email: Optional[str]
    postal: Optional[str]
    web_form: Optional[str]
    source: Source
    verified: bool
    unverified_reason: Optional[str] = None
    note: Optional[str] = None


@dataclass(frozen=True)
class Forwarding:
    """A CA passes an ACME contact on: to what (in words, per language), on which statements."""

    to: str
    statements: Tuple[str, ...]
    localized: Tuple[Tuple[str, str], ...] = ()

    def to_in(self, language: str) -> str:
        """Where it goes, in *language* if the facts say it there."""
        return dict(self.localized).get(_lang(language), self.to)


@dataclass(frozen=True)
class CAInfo:
    """What is known about the CA behind one ACME directory URL.

    ``known`` is false for the description of a CA the facts do not cover
    (:func:`generic`). ``terms_of_service`` and ``website`` are what the directory's
    ``meta`` announced at run time (CA-supplied strings: escape them before showing them);
    ``terms`` is what the facts expect it to announce.
    """

    key: str
    display_name: str
    directory_url: str
    known: bool
    staging: bool = False
    directory_urls: Tuple[str, ...] = ()
    operator: Optional[Operator] = None
    privacy_policy: Optional[PrivacyPolicy] = None
    documents_url: Optional[str] = None
    terms: Optional[Terms] = None
    privacy_contact: Optional[PrivacyContact] = None
    forwards: Optional[Forwarding] = None
    ended_statement: Optional[str] = None
    statements: Tuple[Statement, ...] = ()
    unstated: Tuple[str, ...] = ()
    notes: Tuple[str, ...] = ()
    terms_of_service: Optional[str] = None
    website: Optional[str] = None

    def statement(self, statement_id: str) -> Optional[Statement]:
        """The statement with *statement_id*, or ``None`` where the facts have none."""
        return next((s for s in self.statements if s.id == statement_id), None)

    # The names the Art. 30 export and older callers use.

    @property
    def legal_entity(self) -> Optional[str]:
        return self.operator.legal_entity if self.operator else None

    @property
    def entity_details(self) -> Optional[str]:
        return self.operator.details if self.operator else None

    @property
    def country(self) -> Optional[str]:
        return self.operator.country if self.operator else None

    @property
    def entity_source(self) -> Optional[Source]:
        return self.operator.source if self.operator else None

    @property
    def privacy_policy_url(self) -> Optional[str]:
        return self.privacy_policy.url if self.privacy_policy else None

    def policy_url(self, language: str) -> Optional[str]:
        """Return the privacy policy's address in *language* if it has one there."""
        return self.privacy_policy.in_language(language)[0] if self.privacy_policy else None

    @property
    def contact_use(self) -> Optional[Statement]:
        return self.statement("contact_use")

    @property
    def contact_retention(self) -> Optional[Statement]:
        return self.statement("retention")

    @property
    def after_closure(self) -> Optional[Statement]:
        return self.statement("deletion_limits")

    @property
    def deletion_request(self) -> Optional[Statement]:
        return self.statement("erasure_request")

    @property
    def third_country_transfer(self) -> Optional[Statement]:
        return self.statement("third_country_transfer")


@dataclass(frozen=True)
class Recipient:
    """A recipient that is not a CA but that certbot can send the address to (the EFF)."""

    key: str
    display_name: str
    operator: Operator
    privacy_policy: Optional[PrivacyPolicy]
    statements: Tuple[Statement, ...]
    notes: Tuple[str, ...] = ()

    def statement(self, statement_id: str) -> Optional[Statement]:
        return next((s for s in self.statements if s.id == statement_id), None)


@dataclass(frozen=True)
class Facts:
    """The whole facts file: when it was last reviewed, the CAs, the other recipients.

    ``document`` is the file as parsed (valid against ``cas.schema.json``), for output
    that keeps its format (``certbot-privacy cas --format json``).
    """

    checked: str
    max_age_months: int
    cas: Tuple[CAInfo, ...]
    others: Tuple[Recipient, ...]
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def other(self, key: str) -> Recipient:
        """The recipient with *key* (``eff``)."""
        return next(r for r in self.others if r.key == key)


# --- parsing --------------------------------------------------------------------------------


def _source(data: Mapping[str, Any]) -> Source:
    return Source(
        url=data["url"],
        title=data["title"],
        document_date=data["document_date"],
        checked=data["checked"],
        via=data["via"],
        secondary=bool(data.get("secondary", False)),
        snapshot=data.get("snapshot"),
        evidence=data.get("evidence"),
    )


def _our_texts(items: Any) -> Tuple[Tuple[str, str], ...]:
    return tuple((item["lang"], item["text"]) for item in items or ())


def _statement(data: Mapping[str, Any]) -> Statement:
    return Statement(
        id=data["id"],
        kind=data["kind"],
        text=data["text"],
        lang=data["lang"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        unverified_reason=data.get("unverified_reason"),
        effective_date=data.get("effective_date"),
        localized=tuple(
            Localized(item["lang"], item["text"], _source(item["source"]), item.get("excerpt"))
            for item in data.get("localized", ())
        ),
        note=data.get("note"),
        excerpt=data.get("excerpt"),
        gloss=_our_texts(data.get("gloss")),
    )


def _operator(data: Mapping[str, Any]) -> Operator:
    return Operator(
        legal_entity=data["legal_entity"],
        details=data["details"],
        country=data["country"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        short_name=data.get("short_name"),
        unverified_reason=data.get("unverified_reason"),
        note=data.get("note"),
    )


def _policy(data: Optional[Mapping[str, Any]]) -> Optional[PrivacyPolicy]:
    if data is None:
        return None
    return PrivacyPolicy(
        url=data["url"],
        document_date=data["document_date"],
        localized=tuple(
            (item["lang"], item["url"], item["document_date"]) for item in data["localized"]
        ),
        canonical_lang=data["canonical_lang"],
        source=_source(data["source"]),
        verified=bool(data["verified"]),
        unverified_reason=data.get("unverified_reason"),
    )


def _ca(data: Mapping[str, Any]) -> CAInfo:
    urls = tuple(item["url"] for item in data["directory_urls"])
    terms = data["terms_of_service"]
    contact = data["privacy_contact"]
    forwards = data["forwards_contact"]
    return CAInfo(
        key=data["key"],
        display_name=data["display_name"],
        directory_url=urls[0],
        known=True,
        staging=data["environment"] == "staging",
        directory_urls=urls,
        operator=_operator(data["operator"]),
        privacy_policy=_policy(data["privacy_policy"]),
        documents_url=data["documents_url"],
        terms=None
        if terms is None
        else Terms(
            url=terms["url"],
            document_date=terms["document_date"],
            source=_source(terms["source"]),
            verified=bool(terms["verified"]),
            unverified_reason=terms.get("unverified_reason"),
        ),
        privacy_contact=None
        if contact is None
        else PrivacyContact(
            email=contact["email"],
            postal=contact["postal"],
            web_form=contact["web_form"],
            source=_source(contact["source"]),
            verified=bool(contact["verified"]),
            unverified_reason=contact.get("unverified_reason"),
            note=contact.get("note"),
        ),
        forwards=None
        if forwards is None
        else Forwarding(
            to=forwards["to"],
            statements=tuple(forwards["statements"]),
            localized=_our_texts(forwards.get("localized")),
        ),
        ended_statement=data["ended_statement"],
        statements=tuple(_statement(item) for item in data["statements"]),
        unstated=tuple(data["unstated"]),
        notes=tuple(data["notes"]),
    )


def parse(data: Mapping[str, Any]) -> Facts:
    """Turn the parsed facts file into :class:`Facts` (pure; the schema is the test's job).

    Raises ``ValueError`` for a format version this code does not know.
    """
    if data.get("schema_version") != 1:
        raise ValueError(f"CA facts of schema {data.get('schema_version')!r}: this reads 1")
    return Facts(
        checked=data["checked"],
        max_age_months=int(data["max_age_months"]),
        cas=tuple(_ca(item) for item in data["cas"]),
        others=tuple(
            Recipient(
                key=item["key"],
                display_name=item["display_name"],
                operator=_operator(item["operator"]),
                privacy_policy=_policy(item["privacy_policy"]),
                statements=tuple(_statement(s) for s in item["statements"]),
                notes=tuple(item["notes"]),
            )
            for item in data["other_recipients"]
        ),
        document=data,
    )


def read_json(name: str) -> Any:
    """Read the JSON file *name* shipped beside this module (the facts or their schema)."""
    from importlib import resources

    text = (
        resources.files(__package__ or "certbot_privacy.rules")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


@cache
def facts() -> Facts:
    """The facts shipped in the package, read on first use."""
    return parse(read_json(FACTS_FILE))


@cache
def _by_url() -> Dict[str, CAInfo]:
    found: Dict[str, CAInfo] = {}
    for ca in facts().cas:
        for url in ca.directory_urls:
            found[normalize_directory_url(url)] = replace(ca, directory_url=url)
    return found


def known_cas() -> Tuple[CAInfo, ...]:
    """Every CA the facts know, in the file's order."""
    return facts().cas


def lookup(directory_url: str) -> Optional[CAInfo]:
    """Return what is known about the CA at *directory_url*, or ``None`` if nothing is."""
    return _by_url().get(normalize_directory_url(directory_url))


def generic(
    directory_url: str, terms_of_service: Optional[str] = None, website: Optional[str] = None
) -> CAInfo:
    """Describe a CA the facts know nothing about, honestly.

    It is named by the host of its directory URL; the terms of service and website are
    the ones the directory's ``meta`` gives (RFC 8555 section 7.1.1), if any. No
    statement about contact emails is made: there is none to make.
    """
    try:
        parts = urlsplit(directory_url.strip())
        name = parts.netloc.rpartition("@")[2] or directory_url.strip()
    except ValueError:
        name = directory_url.strip()
    return CAInfo(
        key="unknown",
        display_name=name,
        directory_url=directory_url.strip(),
        known=False,
        terms_of_service=terms_of_service,
        website=website,
    )


def for_directory(
    directory_url: str, terms_of_service: Optional[str] = None, website: Optional[str] = None
) -> CAInfo:
    """Return :func:`lookup`'s answer, or :func:`generic`; with what the directory announced."""
    known = lookup(directory_url)
    if known is None:
        return generic(directory_url, terms_of_service, website)
    return replace(known, terms_of_service=terms_of_service, website=website)


# --- drift ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """Why the facts shown about a CA may be out of date.

    ``terms_changed``: the directory announced other terms (``announced``, ``None`` for
    none) than the facts expect (``expected``). ``stale``: the facts were last reviewed
    on ``checked``, more than ``max_age_months`` before today.
    """

    ca_key: str
    terms_changed: bool
    expected: Optional[str]
    announced: Optional[str]
    stale: bool
    checked: str
    max_age_months: int


def add_months(day: datetime.date, months: int) -> datetime.date:
    """*day* plus *months* calendar months (the last day of the month where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def drift(
    ca: CAInfo, today: datetime.date, *, checked: str, max_age_months: int
) -> Optional[Drift]:
    """Compare what *ca*'s directory announced with the facts, and the facts' age with *today*.

    ``None`` when nothing suggests the facts are out of date, and always for a CA the
    facts do not know (there is nothing to be out of date). The terms are compared only
    where the facts record the URL the directory should announce.
    """
    if not ca.known:
        return None
    expected = ca.terms.url if ca.terms is not None else None
    announced = ca.terms_of_service
    changed = expected is not None and (announced or "").strip() != expected
    stale = today > add_months(datetime.date.fromisoformat(checked), max_age_months)
    if not (changed or stale):
        return None
    return Drift(
        ca_key=ca.key,
        terms_changed=changed,
        expected=expected,
        announced=announced,
        stale=stale,
        checked=checked,
        max_age_months=max_age_months,
    )
