"""The private-key guard looks at keys, not at letters (issue 10)."""

import base64
import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from certbot_privacy.errors import PrivateKeyError
from certbot_privacy.rules.keyguard import (
    ensure_no_private_key,
    find_private_key,
    withhold_private_keys,
)


def _der(key: Any) -> bytes:
    der: bytes = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


def _pem(key: Any) -> str:
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode()


def _pem_body(key: Any) -> str:
    """A PEM key without its BEGIN/END lines: base64 in 64-character lines."""
    return "\n".join(line for line in _pem(key).splitlines() if not line.startswith("-----"))


def _mime(data: bytes) -> str:
    """Base64 as MIME writes it: 76-character lines ending in CRLF."""
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\r\n"


EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


@pytest.mark.parametrize(
    "harmless",
    [
        {"q": "example.com"},
        {"d": "x", "p": "y", "dp": "z"},
        {"filter": {"q": "_acme-challenge.example.com", "type": "TXT"}},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"},
        "q=example.com&d=1",
        "https://api.dns.example/search?q=example.com&d=2",
        "Your PRIVATE KEY never leaves this host.",
    ],
)
def test_dns_api_fields_and_public_keys_pass(harmless: Any) -> None:
    """Member names alone are no key: a DNS API's {"q": ...}, a public JWK, form fields pass."""
    assert ensure_no_private_key({"body": harmless, "body_json": json.dumps(harmless)})


@pytest.mark.parametrize("member", ["d", "p", "q", "dp", "dq", "qi", "oth"])
def test_private_member_in_an_object_with_kty_is_found(member: str) -> None:
    """A JWK private member is found when its object has a kty, however deep."""
    jwk = {"kty": "RSA", "n": "AQAB", "e": "AQAB", member: "c2VjcmV0"}
    with pytest.raises(PrivateKeyError, match="JWK private member"):
        ensure_no_private_key({"headers": {"X": json.dumps({"outer": [jwk]})}})


def test_symmetric_jwk_is_found() -> None:
    """An "oct" JWK's k is its secret."""
    assert find_private_key({"kty": "oct", "k": "c2VjcmV0"}) is not None
    assert find_private_key({"k": "not a key without kty"}) is None


@pytest.mark.parametrize("key", [EC_KEY, RSA_KEY, ED_KEY], ids=["ec", "rsa", "ed25519"])
def test_pem_body_without_boundaries_is_found(key: Any) -> None:
    """The base64 lines of a PEM key, without BEGIN/END, are decoded and recognised."""
    assert find_private_key({"body": _pem_body(key)}) is not None
    assert find_private_key({"body": f"key material follows:\n{_pem_body(key)}\nend"})


@pytest.mark.parametrize("key", [EC_KEY, RSA_KEY], ids=["ec", "rsa"])
def test_mime_wrapped_base64_der_is_found(key: Any) -> None:
    """Base64 DER in 76-character CRLF lines (MIME) is a private key too."""
    assert find_private_key(_mime(_der(key))) is not None
    assert find_private_key({"body_b64": base64.b64encode(_mime(_der(key)).encode())})


@pytest.mark.parametrize(
    "encode",
    [
        lambda key: urlencode({"name": "x", "key": _pem_body(key)}),
        lambda key: urlencode({"key": base64.b64encode(_der(key)).decode()}),
        lambda key: urlencode({"key": _pem(key)}),
        lambda key: "key=" + quote(quote(base64.b64encode(_der(key)).decode(), safe="")),
    ],
    ids=["pem-body", "base64-der", "pem", "double-encoded"],
)
def test_key_in_a_form_field_is_found(encode: Any) -> None:
    """A key URL-encoded in a form field (once or twice) is decoded and found."""
    assert find_private_key({"body": encode(EC_KEY)}) is not None


def test_key_in_a_query_value_is_found() -> None:
    """A URL whose query carries a base64 DER key is caught."""
    url = "https://api.dns.example/upload?" + urlencode({"k": base64.b64encode(_der(EC_KEY))})
    assert find_private_key({"url": url}) is not None


def test_certificates_and_csrs_are_not_keys() -> None:
    """Other DER (a CSR's public key, a public key) in base64 is not mistaken for a key."""
    public = EC_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert find_private_key({"body": base64.b64encode(public).decode()}) is None
    assert find_private_key({"body": _mime(public)}) is None


def test_withheld_values_become_their_digest() -> None:
    """A response field that looks like a key is replaced by sha256:<hex>; others are kept."""
    fields = {
        "location": json.dumps({"kty": "EC", "d": "x"}),
        "problem_type": "urn:ietf:params:acme:error:badNonce",
    }
    cleaned, withheld = withhold_private_keys(fields, ["location", "problem_type", "absent"])
    assert withheld == ["location"]
    assert cleaned["location"].startswith("sha256:") and len(cleaned["location"]) == 71
    assert cleaned["problem_type"] == fields["problem_type"]
    assert find_private_key(cleaned) is None


def test_deeply_nested_encodings_end() -> None:
    """An adversarial value (percent-encoding nested many times) is scanned in bounded time."""
    value = "a=b"
    for _ in range(40):
        value = quote(value + "&c=" + value, safe="")[:4000]
    assert find_private_key(value) is None


@pytest.mark.parametrize("text", ['{"kty":1,"d":1}', '{"d":"x","kty":"EC"}'])
def test_the_shortest_jwk_text_is_still_scanned(text: str) -> None:
    """Short strings are skipped for speed, but never one long enough to hold a JWK key."""
    with pytest.raises(PrivateKeyError):
        ensure_no_private_key({"body": text})
