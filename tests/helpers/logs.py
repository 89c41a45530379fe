"""Helpers for the disclosure log tests: realistic ACME bodies, and checks of whole logs.

The body helpers sign with josepy and ``acme.jws`` exactly like
``acme.client.ClientNetwork._wrap_in_jws`` (payload ``json_dumps(indent=2)``, empty for
POST-as-GET), so the record builder meets the bytes certbot really sends. Their own tests are in
``tests/unit/test_helpers.py``.
"""

import datetime
import functools
import importlib
import ipaddress
import json
import os
from typing import Any, Optional

import jsonschema
from acme import jws as acme_jws
from acme import messages
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from josepy.interfaces import JSONDeSerializable
from josepy.jwa import ES256, RS256
from josepy.jwk import JWK, JWKEC, JWKRSA
from josepy.jws import JWS

from certbot_privacy._internal.log import chain, schema

DIRECTORY = "https://ca.example/dir"
ACCOUNT_URL = "https://ca.example/acct/17"
NONCE = "a-nonce_value"


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    """One RSA account key for the whole test run (generating keys is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    """One P-256 key, used as a certificate key and as a second account key."""
    return ec.generate_private_key(ec.SECP256R1())


def account_jwk() -> JWKRSA:
    return JWKRSA(key=rsa_key())


def sign(
    payload: Optional[JSONDeSerializable],
    url: str,
    kid: Optional[str] = None,
    key: Optional[JWK] = None,
    raw_payload: Optional[bytes] = None,
) -> bytes:
    """Return the body acme's ClientNetwork would POST (flattened JWS, indented JSON)."""
    if raw_payload is None:
        raw_payload = payload.json_dumps(indent=2).encode() if payload else b""
    key = key or account_jwk()
    alg = RS256 if isinstance(key, JWKRSA) else ES256
    signed: JWS = acme_jws.JWS.sign(
        raw_payload, key=key, alg=alg, nonce=NONCE.encode(), url=url, kid=kid
    )
    return signed.json_dumps(indent=2).encode()


def new_account_body(email: Optional[str] = "admin@example.org") -> bytes:
    registration = messages.NewRegistration.from_data(email=email, terms_of_service_agreed=True)
    return sign(registration, "https://ca.example/new-acct")


def new_order_body(*names: str) -> bytes:
    identifiers = tuple(
        messages.Identifier(typ=messages.IDENTIFIER_FQDN, value=name) for name in names
    )
    return sign(
        messages.NewOrder(identifiers=identifiers), "https://ca.example/new-order", kid=ACCOUNT_URL
    )


def make_csr(
    names: tuple[str, ...], ips: tuple[str, ...] = (), subject: Optional[x509.Name] = None
) -> x509.CertificateSigningRequest:
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject or x509.Name([]))
    builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ec_key(), hashes.SHA256())


def _for_acme(obj: Any) -> Any:
    """*obj* (a cryptography CSR or certificate) as this acme's messages take it.

    acme 3.0 and later take cryptography objects; older ones (Debian bookworm's 2.1.0, whose
    josepy still has ``ComparableX509``) take pyOpenSSL objects in that wrapper.
    """
    comparable = getattr(importlib.import_module("josepy"), "ComparableX509", None)
    if comparable is None:
        return obj
    # pyOpenSSL's X509Req is gone from the pyOpenSSL beside acme 3+; only reached with old acme.
    crypto: Any = importlib.import_module("OpenSSL.crypto")
    if isinstance(obj, x509.CertificateSigningRequest):
        return comparable(crypto.X509Req.from_cryptography(obj))
    return comparable(crypto.X509.from_cryptography(obj))


def finalize_body(csr: x509.CertificateSigningRequest) -> bytes:
    return sign(
        messages.CertificateRequest(csr=_for_acme(csr)),
        "https://ca.example/finalize/1",
        kid=ACCOUNT_URL,
    )


def post_as_get_body(url: str = "https://ca.example/authz/1") -> bytes:
    return sign(None, url, kid=ACCOUNT_URL)


def make_certificate(names: tuple[str, ...], serial: int = 0x1234ABCD) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Issuer")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(name)
        .public_key(ec_key().public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    )
    return builder.sign(ec_key(), hashes.SHA256())


def revoke_body(cert: x509.Certificate) -> bytes:
    return sign(
        messages.Revocation(certificate=_for_acme(cert), reason=4),
        "https://ca.example/revoke-cert",
        kid=ACCOUNT_URL,
    )


def key_change_body() -> bytes:
    new_key = JWKEC(key=ec_key())
    inner = {"account": ACCOUNT_URL, "oldKey": account_jwk().public_key().to_partial_json()}
    inner_jws = sign(
        None, "https://ca.example/key-change", key=new_key, raw_payload=json.dumps(inner).encode()
    )
    signed: JWS = acme_jws.JWS.sign(
        inner_jws,
        key=account_jwk(),
        alg=RS256,
        nonce=NONCE.encode(),
        url="https://ca.example/key-change",
        kid=ACCOUNT_URL,
    )
    return signed.json_dumps(indent=2).encode()


def eab_account_body() -> bytes:
    binding = messages.ExternalAccountBinding.from_data(
        account_public_key=account_jwk().public_key(),
        kid="eab-kid-42",
        hmac_key="c2VjcmV0LWhtYWMta2V5LWZvci10ZXN0cw",
        directory=messages.Directory({"newAccount": "https://ca.example/new-acct"}),
    )
    registration = messages.NewRegistration.from_data(
        email="admin@example.org", external_account_binding=binding
    )
    return sign(registration, "https://ca.example/new-acct")


def ocsp_request_body(cert: x509.Certificate) -> bytes:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, cert, hashes.SHA1()).build()
    return request.public_bytes(serialization.Encoding.DER)


def pem_private_key() -> str:
    return (
        ec_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def private_jwk() -> dict[str, Any]:
    result: dict[str, Any] = account_jwk().to_partial_json()
    return result


VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())


def log_lines(path: "str | os.PathLike[str]") -> list[bytes]:
    """The lines of a log file, without newlines; the file must end with one."""
    with open(path, "rb") as handle:
        data = handle.read()
    assert data == b"" or data.endswith(b"\n")
    return data.split(b"\n")[:-1]


def chain_breaks(lines: list[bytes]) -> list[int]:
    """Indexes of lines whose seq or prev does not follow from the lines before them."""
    breaks = []
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
            expected = chain.GENESIS if index == 0 else chain.digest(lines[index - 1])
            ok = record["prev"] == expected and record["seq"] == index
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            breaks.append(index)
    return breaks


def assert_valid_log(path: "str | os.PathLike[str]") -> list[dict[str, Any]]:
    """The log chains from GENESIS, every record matches the schema; return the records."""
    lines = log_lines(path)
    assert chain_breaks(lines) == []
    parsed = [json.loads(line) for line in lines]
    for record in parsed:
        VALIDATOR.validate(record)
    return parsed
