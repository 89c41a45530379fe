"""The record format's single owner: version, byte layout, events and personal-data categories.

Everything that writes, reads, documents or reports records takes these facts from here:
the writer (:mod:`.writer`) serialises with :func:`serialise`; the audit's fast checks
(:mod:`certbot_privacy._internal.audit.contract`) recognise lines by :func:`written_head` and
:data:`WRITTEN_REST`; the JSON Schema's ``personal_data`` members, the docs, the report's
order and the Art. 30 wording all come from :data:`CATEGORIES` (a unit test checks that
the shipped ``record-1.json`` lists exactly these).
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, Mapping, Tuple

#: The record schema version this package writes and reads.
SCHEMA_VERSION = 1

#: The kinds of record (the ``event`` field).
EVENTS = (
    "request",
    "response",
    "error",
    "consent",
    "blocked",
    "notice",
    "seal",
    "connection",
    "hook",
    "coverage",
)


class Category:
    """A personal-data category: its name in records, what its values are, and its meaning.

    ``values`` says what a record holds (for the log format's docs); ``description`` is
    the plain-language text a data-protection officer reads (the Art. 30 export). A plain
    class: a ``NamedTuple`` costs every private run more to create than it is used.
    """

    __slots__ = ("description", "name", "values")

    def __init__(self, name: str, values: str, description: str) -> None:
        self.name = name
        self.values = values
        self.description = description


#: The personal-data categories, in the order reports show them: what identifies people
#: first. A record's ``personal_data`` maps some of these names to lists of values.
CATEGORIES: Tuple[Category, ...] = (
    Category(
        "contact",
        "The account contact URIs as sent (``mailto:admin@example.org``), "
        "from ``newAccount`` and account updates.",
        "contact email addresses of the ACME account",
    ),
    Category(
        "eff",
        "Email addresses in an EFF mailing-list subscription.",
        "email addresses passed to the EFF's mailing list",
    ),
    Category(
        "domain",
        "DNS names in order identifiers (``newOrder``, ``newAuthz``) and in "
        "the CSR sent to ``finalize`` (its subject CN and subjectAltName).",
        "domain names in certificate orders and CSRs (they can identify a natural "
        "person, e.g. a personal domain)",
    ),
    Category(
        "ip_identifier",
        "IP addresses in order identifiers and in the CSR.",
        "IP addresses in certificate orders and CSRs",
    ),
    Category(
        "dns_challenge",
        "DNS-01 validation values (the TXT records' contents) in a request to a DNS "
        "provider's API.",
        "DNS-01 challenge values sent to DNS providers (they tie the provider's records "
        "to the ACME account's validations)",
    ),
    Category(
        "csr_subject",
        "The CSR subject as an RFC 4514 string, when not empty.",
        "subject names in the CSRs",
    ),
    Category(
        "csr_other_names",
        "subjectAltNames of the CSR that are neither DNS names nor "
        "IPs (``email:...``, ``uri:...``).",
        "other names in the CSRs (email addresses, URIs)",
    ),
    Category(
        "account_key",
        '``{"role", "thumbprint", "jwk"}``: an account public key '
        "as a public JWK with its RFC 7638 thumbprint. ``role`` is ``signer`` (the JWS "
        "``jwk`` header), ``new`` or ``old`` (a key change). Never a private member.",
        "ACME account public keys (pseudonymous identifiers that link requests)",
    ),
    Category(
        "account_url",
        "Account URLs (the JWS ``kid``): a pseudonymous identifier that links requests.",
        "ACME account URLs (pseudonymous identifiers that link requests)",
    ),
    Category(
        "external_account",
        "The key identifier of an external account binding.",
        "external account binding key identifiers (link the ACME account to a "
        "customer account at the CA)",
    ),
    Category(
        "csr_public_key",
        '``{"key_type", "key_size", "curve"?, "spki_sha256"}`` of the CSR\'s public key.',
        "public keys of the certificates requested",
    ),
    Category(
        "certificate",
        'Certificates named by revocation (``{"serial", "sha256", '
        '"names", "issuer"}``), OCSP requests (``{"serial", "issuer_name_hash", '
        '"issuer_key_hash", "hash_algorithm"}``) and ARI renewal-info queries '
        '(``{"serial", "authority_key_id"}``); hex strings.',
        "certificates named in revocation, OCSP and renewal-information requests",
    ),
    Category(
        "user_agent",
        "The User-Agent header value as sent.",
        "User-Agent header: the client software and versions",
    ),
    Category(
        "ip_address",
        "Always present on a ``request``: sending anything discloses the "
        "source address of this host. The value says so in words, because the public "
        "address the recipient sees (after NAT, proxies) is not known locally.",
        "the IP address of the host running certbot (implicit in every request)",
    ),
)

#: Category name to :class:`Category`.
BY_NAME: Dict[str, Category] = {category.name: category for category in CATEGORIES}


def category_key(name: str) -> Tuple[int, str]:
    """Sort key for category names: registry order first, unknown names after, by name."""
    for index, category in enumerate(CATEGORIES):
        if category.name == name:
            return (index, "")
    return (len(CATEGORIES), name)


def rfc3339(when: float) -> str:
    """Return *when* (seconds since the epoch) as ``2026-11-22T10:00:00.123Z``.

    UTC with milliseconds, in this one form, so that comparing strings compares times.
    """
    moment = datetime.datetime.fromtimestamp(when, tz=datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def serialise(entry: Mapping[str, Any]) -> str:
    """Return the line (without its newline) that stands for *entry*: compact, ASCII JSON.

    The writer puts ``schema`` and ``seq`` first, then the record as the builders made it
    (``time``, ``event``, ``request`` on a response or an error, ``recipient``, ...).
    ASCII only (non-ASCII escaped), so that a crash can leave only a prefix of a line.
    """
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=True)


#: How every line the writer writes begins (``schema`` is its first key).
LINE_START = b'{"schema":'


#: How every line begins up to its ``seq`` value, as :func:`serialise` writes it.
_HEAD_START = serialise({"schema": SCHEMA_VERSION, "seq": 0})[:-2].encode("ascii")


def written_head(seq: int) -> bytes:
    """How the line of record *seq* begins as :func:`serialise` writes it (fast: the audit
    asks for every line's)."""
    return _HEAD_START + b"%d," % seq


#: After :func:`written_head`, the rest of the head of a line as the writer writes it: the
#: builders' ``time``, ``event`` (with ``request`` for a response or an error) and
#: ``recipient``, in this order (the builders in :mod:`.records` put them first). The
#: pattern's source: the audit, which matches it on every line, compiles it; certbot runs
#: import this module to write records and never match it. Its groups name the values:
#: ``time``, ``event`` (or ``follow`` and ``request`` for a response or an error).
WRITTEN_REST = (
    rb'"time":"(?P<time>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)",'
    rb'"event":"(?:(?P<event>request|consent|blocked|notice|connection|hook|coverage)"'
    rb'|(?P<follow>response|error)","request":(?P<request>0|[1-9][0-9]*)),'
    rb'"recipient":"'
)


def json_schema() -> Dict[str, Any]:
    """Return the JSON Schema of a record (draft 2020-12), as shipped in the package."""
    from importlib import resources

    text = (
        resources.files("certbot_privacy._internal.log")
        .joinpath("record-1.json")
        .read_text(encoding="utf-8")
    )
    result: Dict[str, Any] = json.loads(text)
    return result
