"""What a request discloses, and to whom (pure): recipients, JWS/CSR/OCSP/ARI decoding.

:func:`classify` returns the personal data in one request by category (the categories
are :data:`certbot_privacy._internal.log.schema.CATEGORIES`); :func:`recipient_for` names who
receives a request and :func:`recorded_exactly` whether its bytes are recorded as they
are (the CA, OCSP, the EFF) or only what an allowance keeps (DNS provider APIs and
anything else: :mod:`certbot_privacy._internal.rules.redaction`); :class:`Known` holds what the
run knows to be disclosures in such requests (the names being validated and the DNS-01
challenge values). Nothing here touches the network, the file system or certbot.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from certbot_privacy._internal.errors import RecordError
from certbot_privacy._internal.rules.keyguard import BASE64URL_LETTERS, PRIVATE_JWK_MEMBERS
from certbot_privacy._internal.rules.urls import origin

#: The value of the ``ip_address`` category: every request discloses it implicitly.
IMPLICIT_IP_ADDRESS = (
    "source address of this host (sent implicitly with every request; "
    "the public address the recipient sees is not known locally)"
)

#: The host of the EFF's mailing-list subscription form, which certbot posts to.
EFF_HOST = "supporters.eff.org"
EFF_RECIPIENT = "EFF (supporters.eff.org)"

OCSP_CONTENT_TYPE = "application/ocsp-request"

#: The recipient of the names in a finalized order: publicly trusted CAs log every
#: certificate they issue in public Certificate Transparency logs (RFC 6962).
CT_RECIPIENT = "Certificate Transparency logs (public)"

if TYPE_CHECKING:  # a typing alias costs every private run import time; it only types
    Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
Record = dict[str, Any]


def recipient_for(
    url: str, headers: Optional[Headers] = None, directory_urls: Iterable[str] = ()
) -> str:
    """Name who receives a request to *url*.

    The EFF for its subscription form; ``OCSP responder <host>`` for an OCSP request
    (by its Content-Type); the CA's directory URL when *url* is on the same origin as one
    of *directory_urls*; otherwise the URL's ``scheme://host[:port]``.
    """
    host = (urlsplit(url).hostname or "").lower()
    if host == EFF_HOST:
        return EFF_RECIPIENT
    if content_type(header_dict(headers or {})) == OCSP_CONTENT_TYPE:
        return f"OCSP responder {host}"
    for directory in directory_urls:
        if origin(directory) == origin(url):
            return directory
    return origin(url)


def recorded_exactly(
    url: str, headers: Mapping[str, str], acme_origins: Iterable[str] = ()
) -> bool:
    """Whether a request is recorded byte for byte rather than through the allowance.

    True for the requests certbot itself builds from known fields, with no credential in
    them: those to the ACME server (the origin of a directory URL in use, or of a URL that
    directory lists, in *acme_origins*), OCSP requests (by their Content-Type) and the
    EFF's subscription form. Everything else (a DNS provider's API) is not.
    """
    try:
        where = origin(url)
    except ValueError:
        return False
    if (urlsplit(url).hostname or "").lower() == EFF_HOST:
        return True
    if content_type(headers) == OCSP_CONTENT_TYPE:
        return True
    return where in acme_origins


def header_dict(headers: Headers) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for name, value in pairs:
        result[name] = f"{result[name]}, {value}" if name in result else value
    return result


def content_type(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


# --- JWS ----------------------------------------------------------------------------------


def _is_b64url(text: str) -> bool:
    """Whether *text* is made of the base64url alphabet alone: stripping it leaves
    nothing (what a regular expression would say, without compiling one on every
    private run)."""
    return not text.strip(BASE64URL_LETTERS)


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url (RFC 7515 section 2); raise :class:`RecordError`."""
    if not isinstance(text, str) or not _is_b64url(text) or len(text) % 4 == 1:
        raise RecordError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    """Encode *data* as unpadded base64url."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_jws(body: Union[bytes, str, Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """Decode a flattened JWS into ``{"protected": {...}, "payload": ...}``, else ``None``.

    The payload is its JSON value, or ``""`` for an empty payload (POST-as-GET); a payload
    that is not JSON is kept as ``payload_b64`` instead. The signature is left out: it is
    in the body and tells nothing more. A JWS in the payload (a key change's inner JWS) is
    decoded into ``inner``; an external account binding into ``external_account_binding``.
    """
    try:
        obj = json.loads(body) if isinstance(body, (bytes, str)) else body
        if not isinstance(obj, Mapping) or not {"protected", "payload", "signature"} <= set(obj):
            return None
        protected = json.loads(b64url_decode(obj["protected"]))
        raw_payload = b64url_decode(obj["payload"])
        b64url_decode(obj["signature"])
    except (ValueError, TypeError):  # JSONDecodeError and RecordError are ValueErrors
        return None
    if not isinstance(protected, dict):
        return None
    decoded: dict[str, Any] = {"protected": protected}
    if not raw_payload:
        decoded["payload"] = ""
        return decoded
    try:
        decoded["payload"] = json.loads(raw_payload)
    except ValueError:
        decoded["payload_b64"] = base64.b64encode(raw_payload).decode("ascii")
        return decoded
    payload = decoded["payload"]
    if isinstance(payload, dict):
        inner = decode_jws(payload)
        if inner is not None:
            decoded["inner"] = inner
        binding = payload.get("externalAccountBinding")
        eab = decode_jws(binding) if isinstance(binding, Mapping) else None
        if eab is not None:
            decoded["external_account_binding"] = eab
    return decoded


def jwk_thumbprint(jwk: Mapping[str, Any]) -> Optional[str]:
    """Return the RFC 7638 SHA-256 thumbprint of a public JWK, or ``None`` for an odd one."""
    required = {
        "RSA": ("e", "kty", "n"),
        "EC": ("crv", "kty", "x", "y"),
        "OKP": ("crv", "kty", "x"),
    }.get(str(jwk.get("kty")))
    if required is None or not all(isinstance(jwk.get(m), str) for m in required):
        return None
    canonical = json.dumps({m: jwk[m] for m in required}, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


# --- what the run knows is disclosed -------------------------------------------------------


def _name_form(value: str) -> str:
    return value.strip().strip('"').rstrip(".").lower()


class Known:
    """Values this run knows it discloses to others than the CA (mutable, bounded by the run).

    The names in its orders (:meth:`add_name`) and, for DNS-01, each validation name and
    TXT value (:meth:`add_challenge`). A DNS provider's API receives them as they are, as
    the zone (a parent of the name) or relative to it (``_acme-challenge.www``): these
    forms are recognised too. Anything else in such a request is not known, and redacted.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.challenges: set[str] = set()
        self._forms: set[str] = set()

    def add_name(self, name: str) -> None:
        """Know *name* (a wildcard's ``*.`` left out), its parents and its relative forms."""
        norm = _name_form(name)
        if norm.startswith("*."):
            norm = norm[2:]
        if not norm or norm in self.names:
            return
        self.names.add(norm)
        labels = norm.split(".")
        for i in range(1, len(labels)):
            self._forms.add(".".join(labels[i:]))  # a parent: the zone
            self._forms.add(".".join(labels[:i]))  # relative to the zone

    def add_challenge(self, name: str, value: str) -> None:
        """Know a DNS-01 validation: the record *name* and its TXT *value*."""
        self.add_name(name)
        self.challenges.add(value.strip().strip('"'))

    def category(self, value: str) -> Optional[str]:
        """The category of a known *value*: ``dns_challenge``, ``domain``, ``""`` for a
        known label that is no name by itself (``_acme-challenge``), ``None`` if unknown."""
        if value.strip().strip('"') in self.challenges:
            return "dns_challenge"
        norm = _name_form(value)
        if norm in self.names or norm in self._forms:
            return "domain" if "." in norm else ""
        return None

    def keeps(self, value: str) -> bool:
        """Whether *value* is a known disclosure, to be recorded rather than redacted."""
        return self.category(value) is not None


# --- personal data ------------------------------------------------------------------------


def classify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    jws: Optional[Mapping[str, Any]],
    recipient: str,
    notes: Optional[list[str]] = None,
    known: Optional[Known] = None,
) -> dict[str, list[Any]]:
    """Return the personal data a request discloses, by category (see the module doc).

    What cannot be decoded (a malformed CSR) is described in *notes* rather than raising:
    the request is still recorded in full. With *known* (a request not recorded exactly),
    the known disclosures in its URL and body values are found too.
    """
    found: dict[str, list[Any]] = {}
    notes = [] if notes is None else notes

    def add(category: str, value: Any) -> None:
        values = found.setdefault(category, [])
        if value not in values:
            values.append(value)

    add("ip_address", IMPLICIT_IP_ADDRESS)
    for name, value in headers.items():
        if name.lower() == "user-agent":
            add("user_agent", value)
    if jws is not None:
        _classify_jws(jws, add, notes)
    if recipient == EFF_RECIPIENT and body:
        for name, value in parse_qsl(body.decode("utf-8", "replace")):
            if name == "email":
                add("eff", value)
    if content_type(headers) == OCSP_CONTENT_TYPE and body:
        _classify_ocsp(body, add, notes)
    if method.upper() == "GET":
        _classify_ari(url, add)
    if known is not None:
        for value in _values_of(url, body, content_type(headers)):
            category = known.category(value)
            if category:
                add(category, _name_form(value) if category == "domain" else value.strip('" '))
    return found


def _values_of(url: str, body: bytes, kind: str) -> Iterable[str]:
    """The strings a request carries: URL path segments, query values, body values (of a
    form, JSON, or XML body: Route 53's change batch names the record and its value)."""
    parts = urlsplit(url)
    yield from (unquote(segment) for segment in parts.path.split("/") if segment)
    yield from (value for _, value in parse_qsl(parts.query))
    if not body:
        return
    if kind == "application/x-www-form-urlencoded":
        yield from (value for _, value in parse_qsl(body.decode("utf-8", "replace")))
        return
    from certbot_privacy._internal.rules import xmlbody  # a DNS API's body: not every run

    if xmlbody.looks_like_xml(body):
        yield from xmlbody.text_values(body)
        return
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield item


def _classify_jws(jws: Mapping[str, Any], add: Any, notes: list[str]) -> None:
    from cryptography import x509

    protected = jws.get("protected", {})
    if isinstance(protected.get("jwk"), Mapping):
        add("account_key", _account_key(protected["jwk"], "signer"))
    if isinstance(protected.get("kid"), str):
        add("account_url", protected["kid"])
    payload = jws.get("payload")
    if not isinstance(payload, Mapping):
        return
    contacts = payload.get("contact")
    for contact in contacts if isinstance(contacts, list) else ():
        if isinstance(contact, str):
            add("contact", contact)
    identifiers = payload.get("identifiers")
    identifiers = list(identifiers) if isinstance(identifiers, list) else []
    if isinstance(payload.get("identifier"), Mapping):
        identifiers.append(payload["identifier"])
    for identifier in identifiers:
        if isinstance(identifier, Mapping) and isinstance(identifier.get("value"), str):
            add(
                "ip_identifier" if identifier.get("type") == "ip" else "domain", identifier["value"]
            )
    if isinstance(payload.get("csr"), str):
        try:
            _classify_csr(x509.load_der_x509_csr(b64url_decode(payload["csr"])), add)
        except Exception as error:  # any malformed CSR: describe it, record the request
            notes.append(f"the CSR could not be decoded: {error}")
    if isinstance(payload.get("certificate"), str):
        try:
            cert = x509.load_der_x509_certificate(b64url_decode(payload["certificate"]))
            add("certificate", _certificate(cert))
        except Exception as error:  # a malformed certificate: describe it, as above
            notes.append(f"the certificate could not be decoded: {error}")
    inner = jws.get("inner")
    if isinstance(inner, Mapping):  # key change: the new key signs an inner JWS
        inner_protected = inner.get("protected", {})
        if isinstance(inner_protected.get("jwk"), Mapping):
            add("account_key", _account_key(inner_protected["jwk"], "new"))
        inner_payload = inner.get("payload")
        if isinstance(inner_payload, Mapping):
            if isinstance(inner_payload.get("oldKey"), Mapping):
                add("account_key", _account_key(inner_payload["oldKey"], "old"))
            if isinstance(inner_payload.get("account"), str):
                add("account_url", inner_payload["account"])
    eab = jws.get("external_account_binding")
    if isinstance(eab, Mapping) and isinstance(eab.get("protected", {}).get("kid"), str):
        add("external_account", eab["protected"]["kid"])


def _account_key(jwk: Mapping[str, Any], role: str) -> dict[str, Any]:
    public = {k: v for k, v in jwk.items() if k not in PRIVATE_JWK_MEMBERS and k != "k"}
    return {"role": role, "thumbprint": jwk_thumbprint(public), "jwk": public}


def _classify_csr(csr: Any, add: Any) -> None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    for attribute in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        add("domain", attribute.value)
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = x509.SubjectAlternativeName([])
    for name in sans:
        if isinstance(name, x509.DNSName):
            add("domain", name.value)
        elif isinstance(name, x509.IPAddress):
            add("ip_identifier", str(name.value))
        elif isinstance(name, x509.RFC822Name):
            add("csr_other_names", f"email:{name.value}")
        elif isinstance(name, x509.UniformResourceIdentifier):
            add("csr_other_names", f"uri:{name.value}")
        else:
            add("csr_other_names", f"{type(name).__name__}:{name.value!r}")
    if len(csr.subject):
        add("csr_subject", csr.subject.rfc4514_string())
    add("csr_public_key", public_key_summary(csr.public_key()))


def public_key_summary(key: Any) -> dict[str, Any]:
    """Describe a public key: type, size, curve and the SHA-256 of its SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    summary: dict[str, Any] = {"key_type": "unknown"}
    if isinstance(key, rsa.RSAPublicKey):
        summary = {"key_type": "RSA", "key_size": key.key_size}
    elif isinstance(key, ec.EllipticCurvePublicKey):
        summary = {"key_type": "EC", "key_size": key.key_size, "curve": key.curve.name}
    elif isinstance(key, dsa.DSAPublicKey):
        summary = {"key_type": "DSA", "key_size": key.key_size}
    elif isinstance(key, ed25519.Ed25519PublicKey):
        summary = {"key_type": "Ed25519"}
    elif isinstance(key, ed448.Ed448PublicKey):
        summary = {"key_type": "Ed448"}
    summary["spki_sha256"] = hashlib.sha256(spki).hexdigest()
    return summary


def _certificate(cert: Any) -> dict[str, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    names: list[str] = []
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n.value) for n in sans if isinstance(n, (x509.DNSName, x509.IPAddress))]
    except x509.ExtensionNotFound:
        pass
    return {
        "serial": _hex(cert.serial_number),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "names": names,
        "issuer": cert.issuer.rfc4514_string(),
    }


def _classify_ocsp(body: bytes, add: Any, notes: list[str]) -> None:
    from cryptography.x509 import ocsp

    try:
        request = ocsp.load_der_ocsp_request(body)
        add(
            "certificate",
            {
                "serial": _hex(request.serial_number),
                "issuer_name_hash": request.issuer_name_hash.hex(),
                "issuer_key_hash": request.issuer_key_hash.hex(),
                "hash_algorithm": request.hash_algorithm.name,
            },
        )
    except Exception as error:  # a malformed OCSP request: describe it, as above
        notes.append(f"the OCSP request could not be decoded: {error}")


def _classify_ari(url: str, add: Any) -> None:
    """An ARI query (RFC 9773) names a certificate: base64url(AKI) "." base64url(serial)."""
    path = urlsplit(url).path
    base, _, last = path.rpartition("/")
    parts = last.split(".")  # base64url(AKI) "." base64url(serial), neither empty
    if len(parts) != 2 or not all(parts) or "renewal" not in base.lower():
        return
    try:
        aki, serial = (b64url_decode(part) for part in parts)
    except RecordError:
        return
    add(
        "certificate",
        {"serial": _hex(int.from_bytes(serial, "big")), "authority_key_id": aki.hex()},
    )


def _hex(number: int) -> str:
    digits = f"{number:x}"
    return digits if len(digits) % 2 == 0 else "0" + digits
