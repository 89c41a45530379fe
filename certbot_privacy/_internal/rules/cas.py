"""What is known about each ACME CA: who runs it, and what it says or does with a contact email.

The facts are data, shipped in the package: ``cas.json`` (checked against ``cas.schema.json``
by a unit test, and every quote in it against the verbatim copies of its sources under
``tests/data/ca-sources/``). Each statement carries its source (the document's address,
title and own date, the date we checked it, how we read it), its kind (a verbatim
``policy_quote`` or ``announcement``, an ``observed_practice`` with its evidence, or a
``secondary_summary``) and whether it is verified. This module holds the frozen objects
the file becomes, and :func:`generic` for a CA the facts do not know; :mod:`.facts_file`
reads the file and finds the CA behind a directory URL (it imports this module, never the
other way round).

Nothing is read at import: certbot imports the plugin on every run, and the facts are
needed only when a contact email is in play (and by ``certbot-privacy cas``), so the file
is loaded on first use (:func:`.facts_file.facts`). Everything else here is pure. Whether the facts
may be out of date is :mod:`.drift`'s question.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from certbot_privacy._internal.rules.urls import normalize_directory_url

__all__ = [
    "COUNTRY_NAMES",
    "NOT_STATED",
    "QUOTED_KINDS",
    "CAInfo",
    "Facts",
    "Forwarding",
    "Operator",
    "PrivacyContact",
    "PrivacyPolicy",
    "Recipient",
    "Source",
    "Statement",
    "Terms",
    "generic",
    "normalize_directory_url",
]


def N_(message: str) -> str:
    """Mark *message* for translation without translating it (gettext's ``N_``)."""
    return message


#: Country names for the ISO codes the facts use (message ids).
COUNTRY_NAMES: Dict[str, str] = {
    "AT": N_("Austria"),
    "IT": N_("Italy"),
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
