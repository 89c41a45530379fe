"""A GDPR Article 30 record of processing activities, from a log summary and the CA facts (pure).

Article 30(1) asks a controller to keep, for each processing activity: (a) its name and
contact details and those of its representative and data protection officer; (b) the
purposes; (c) the categories of data subjects and of personal data; (d) the categories of
recipients; (e) transfers to third countries; (f) where possible, the time limits for
erasure; (g) where possible, a description of the security measures.

Here the processing activity is "obtaining and managing TLS certificates with certbot". What the log
shows fills (c), (d) and the time span; :mod:`certbot_privacy._internal.rules.cas` fills who each
recipient is, where it is, and what it says about use and retention (quoted, with the source); the
controller's own details come from the command line. Nothing is guessed: what no source states is
marked as such, for the controller to complete.
"""

from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Tuple

from certbot_privacy._internal.audit import coverage
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.summarise import RecipientStats, Summary
from certbot_privacy._internal.log import classify
from certbot_privacy._internal.log.schema import BY_NAME
from certbot_privacy._internal.rules import cas, facts_file

#: EU member states and the other EEA states (ISO 3166-1 alpha-2): not third countries.
EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    }
)

DEFAULT_PURPOSES = (
    "Obtaining, renewing and revoking TLS certificates for the controller's domain names "
    "from an ACME certificate authority (RFC 8555), with certbot.",
)
_CONDITIONAL_PURPOSES = (
    (
        "contact",
        "Letting the certificate authority reach the account's contact about the "
        "account and its certificates (service-related email, as each recipient's "
        "statements below say).",
    ),
    (
        "external_account",
        "Binding the ACME account to the controller's customer account at the certificate "
        "authority (External Account Binding), which that authority requires.",
    ),
    (
        "certificate",
        "Checking certificates' revocation status and renewal timing (OCSP, "
        "ACME Renewal Information).",
    ),
    ("eff", "Subscribing the contact to the EFF's mailing list, as consented to."),
)

SECURITY_MEASURES = (
    "In the runs this log records, certbot runs in privacy-minimal mode (certbot-privacy): "
    "a minimal User-Agent that "
    "names only the ACME client and the HTTP library; no contact email is sent to a CA "
    "without the administrator's explicit, informed consent; no email goes to the EFF "
    "unless asked for.",
    "What the log records is written before it is sent, in a local, append-only, "
    "hash-chained disclosure log (file mode 0600), checked with certbot-privacy verify. "
    "What it could see, and how the recorded requests travelled, as its records show:",
)


@dataclass(frozen=True)
class Controller:
    """Art. 30(1)(a): who the controller is, from the command line (``None``: not given)."""

    name: Optional[str] = None
    contact: Optional[str] = None
    address: Optional[str] = None
    representative: Optional[str] = None
    dpo: Optional[str] = None


@dataclass(frozen=True)
class Quote:
    """A statement of a recipient, in its words (or a close paraphrase), with its source."""

    text: str
    quoted: bool
    document: str
    url: str
    note: Optional[str] = None


@dataclass(frozen=True)
class Recipient:
    """Art. 30(1)(d)-(f) for one recipient seen in the log."""

    recipient: str
    name: str
    kind: str
    known: bool
    legal_entity: Optional[str]
    country: Optional[str]
    country_name: Optional[str]
    third_country: Optional[bool]
    privacy_policy: Optional[str]
    categories: Tuple[str, ...]
    requests: int
    first: str
    last: str
    privacy_off: int
    contact_use: Optional[Quote]
    retention: Optional[Quote]
    after_closure: Optional[Quote]
    transfer: Optional[Quote]
    deletion: Optional[Quote]
    hosts: Tuple[str, ...] = ()
    #: The safeguard for a third-country transfer the recipient states (``None``: none in
    #: the sources we checked).
    safeguard: Optional[Quote] = None
    outcomes: Outcomes = field(default_factory=Outcomes)


@dataclass(frozen=True)
class Category:
    """Art. 30(1)(c): one category of personal data, how often and to whom it went."""

    category: str
    description: str
    disclosures: int
    distinct: int
    recipients: Tuple[str, ...]


@dataclass(frozen=True)
class Art30Record:
    """The record of processing activities (see the module documentation)."""

    activity: str
    controller: Controller
    purposes: Tuple[str, ...]
    data_subjects: Tuple[str, ...]
    categories: Tuple[Category, ...]
    recipients: Tuple[Recipient, ...]
    security_measures: Tuple[str, ...]
    log_retention: Optional[str]
    first: Optional[str]
    last: Optional[str]
    files: Tuple[str, ...]
    records: int
    requests: int
    privacy_off: int
    skipped: int
    generated: str
    hosts: Tuple[str, ...] = ()
    #: Records read from copies only, by kind (``Summary.copied``).
    copied: Tuple[Tuple[str, int], ...] = ()
    #: What the records say the log could see, in sentences (:func:`.coverage.sentences`).
    coverage: Tuple[str, ...] = ()
    #: When recording began, per host (the first record's time).
    began: Tuple[Tuple[Optional[str], str], ...] = ()

    @property
    def transfers(self) -> Tuple[Recipient, ...]:
        """The recipients in third countries, or in countries no source states."""
        return tuple(r for r in self.recipients if r.third_country is not False)


def _quote(statement: Optional[cas.Statement]) -> Optional[Quote]:
    if statement is None:
        return None
    return Quote(
        statement.text,
        statement.quoted,
        statement.source.document,
        statement.source.url,
        statement.note,
    )


#: How :data:`~certbot_privacy._internal.log.classify.CT_RECIPIENT` is described.
CT_KIND = "public logs (Certificate Transparency)"
_CT_PUBLICATION = Quote(
    "Publicly trusted certificate authorities submit every certificate they issue to "
    "public Certificate Transparency logs, which are append-only and readable by anyone: "
    "the names in a certificate are public worldwide, for good.",
    False,
    "RFC 6962, Certificate Transparency",
    "https://www.rfc-editor.org/rfc/rfc6962",
    "Not a transfer to one recipient: a publication. A wildcard certificate "
    "(*.example.org) keeps the names below it out of the logs.",
)


def _kind(recipient: str, dns_opcodes: Tuple[str, ...] = ()) -> str:
    if recipient == classify.CT_RECIPIENT:
        return CT_KIND
    if recipient == classify.EFF_RECIPIENT:
        return "EFF mailing list"
    if recipient.startswith("OCSP responder "):
        return "OCSP responder"
    if recipient.startswith("DNS server "):
        return _dns_kind(dns_opcodes)
    if recipient.startswith("hook "):
        return "hook (another process certbot ran)"
    if recipient.startswith(("https://", "http://")):
        return "certificate authority (ACME)"
    return "other destination"


def _dns_kind(opcodes: Tuple[str, ...]) -> str:
    """A DNS server, by what its records show it got: updates (RFC 2136), queries, both."""
    what = []
    if "UPDATE" in opcodes:
        what.append("DNS UPDATE, RFC 2136")
    if "QUERY" in opcodes:
        what.append("DNS queries")
    if any(opcode not in ("UPDATE", "QUERY") for opcode in opcodes):
        what.append("other DNS messages")
    return f"DNS server ({'; '.join(what)})" if what else "DNS server"


def _other(stats: RecipientStats, kind: str, facts_key: str) -> Recipient:
    """A recipient the facts know that is not a CA (the EFF), from its facts entry."""
    other = facts_file.facts().other(facts_key)
    country = other.operator.country
    return Recipient(
        recipient=stats.recipient,
        name=other.display_name,
        kind=kind,
        known=True,
        legal_entity=other.operator.legal_entity,
        country=country,
        country_name=cas.COUNTRY_NAMES.get(country) if country else None,
        third_country=None if country is None else country not in EEA,
        privacy_policy=other.privacy_policy.url if other.privacy_policy else None,
        categories=tuple(c.category for c in stats.categories),
        requests=stats.requests,
        first=stats.first,
        last=stats.last,
        privacy_off=stats.privacy_off,
        contact_use=_quote(other.statement("eff_sharing")),
        retention=_quote(other.statement("retention")),
        after_closure=None,
        transfer=_quote(other.statement("third_country_transfer")),
        deletion=_quote(other.statement("erasure_request")),
        hosts=stats.hosts,
        safeguard=_quote(other.statement("transfer_safeguard")),
        outcomes=stats.outcomes,
    )


def describe_recipient(
    stats: RecipientStats,
    lookup: Callable[[str], cas.CAInfo] = facts_file.for_directory,
    dns_opcodes: Tuple[str, ...] = (),
) -> Recipient:
    """Describe one recipient for the record: what the log shows and what *lookup* knows
    (*dns_opcodes*: for a DNS server, the kinds of message its records show it got)."""
    kind = _kind(stats.recipient, dns_opcodes)
    if stats.recipient == classify.EFF_RECIPIENT:
        return _other(stats, kind, "eff")
    info = lookup(stats.recipient) if kind.startswith("certificate") else None
    country = info.country if info is not None else None
    return Recipient(
        recipient=stats.recipient,
        name=info.display_name if info is not None else stats.recipient,
        kind=kind,
        known=bool(info is not None and info.known),
        legal_entity=info.legal_entity if info is not None else None,
        country=country,
        country_name=cas.COUNTRY_NAMES.get(country) if country else None,
        third_country=None if country is None else country not in EEA,
        privacy_policy=(info.privacy_policy_url or info.documents_url)
        if info is not None
        else None,
        categories=tuple(c.category for c in stats.categories),
        requests=stats.requests,
        first=stats.first,
        last=stats.last,
        privacy_off=stats.privacy_off,
        contact_use=_quote(info.contact_use) if info is not None else None,
        retention=_quote(info.contact_retention) if info is not None else None,
        after_closure=_quote(info.after_closure) if info is not None else None,
        transfer=_quote(info.third_country_transfer)
        if info is not None
        else _CT_PUBLICATION
        if kind == CT_KIND
        else None,
        deletion=_quote(info.deletion_request) if info is not None else None,
        hosts=stats.hosts,
        safeguard=_quote(info.statement("transfer_safeguard")) if info is not None else None,
        outcomes=stats.outcomes,
    )


def _categories(summary: Summary) -> Tuple[Category, ...]:
    """Each category once over every recipient (a value sent to two recipients is one
    distinct value), from the summary's own totals."""
    return tuple(
        Category(
            total.category,
            BY_NAME[total.category].description
            if total.category in BY_NAME
            else f"{total.category} (see the log's records)",
            total.disclosures,
            total.distinct,
            total.recipients,
        )
        for total in summary.categories
    )


def _data_subjects(categories: Iterable[str]) -> Tuple[str, ...]:
    present = set(categories)
    subjects = [
        "Administrators who run certbot on the controller's hosts (their hosts' "
        "IP addresses, the software they use)."
    ]
    if present & {"contact", "eff"}:
        subjects.append(
            "Persons whose email addresses are registered as the ACME account's contact."
        )
    if present & {"domain", "csr_subject", "csr_other_names", "ip_identifier"}:
        subjects.append(
            "Holders of the domain names in the certificates, where a name "
            "identifies a natural person."
        )
    return tuple(subjects)


def build(
    summary: Summary,
    controller: Controller,
    *,
    generated: str,
    purposes: Tuple[str, ...] = (),
    log_retention: Optional[str] = None,
    lookup: Callable[[str], cas.CAInfo] = facts_file.for_directory,
) -> Art30Record:
    """Build the Art. 30 record for what *summary* shows.

    *generated* is the time the record is made (the caller's clock: this is pure);
    *purposes* replace the default ones; *log_retention* says how long the controller
    keeps the disclosure log itself.
    """
    categories = _categories(summary)
    present = {c.category for c in categories}
    if not purposes:
        purposes = DEFAULT_PURPOSES + tuple(
            text for name, text in _CONDITIONAL_PURPOSES if name in present
        )
    return Art30Record(
        activity="Obtaining and managing TLS certificates with certbot (ACME)",
        controller=controller,
        purposes=purposes,
        data_subjects=_data_subjects(present),
        categories=categories,
        recipients=tuple(
            describe_recipient(r, lookup, summary.coverage.dns_opcodes(r.recipient))
            for r in summary.recipients
        ),
        security_measures=SECURITY_MEASURES,
        log_retention=log_retention,
        first=summary.first,
        last=summary.last,
        files=summary.files,
        records=summary.records,
        requests=summary.requests,
        privacy_off=summary.privacy_off,
        skipped=summary.skipped,
        generated=generated,
        hosts=summary.hosts,
        copied=summary.copied,
        coverage=coverage.sentences(summary.coverage),
        began=summary.began,
    )
