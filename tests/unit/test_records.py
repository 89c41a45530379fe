"""The record builder: JWS decoding, personal data by category, recipients, the key guard."""

import base64
import hashlib
import json
import string
from typing import Any, Optional
from urllib.parse import urlencode

import jsonschema
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from certbot_privacy._internal.errors import PrivateKeyError, RecordError
from certbot_privacy._internal.log import chain, classify, records, schema
from certbot_privacy._internal.rules import urls
from certbot_privacy._internal.rules.keyguard import PRIVATE_JWK_MEMBERS, ensure_no_private_key
from tests.helpers.logs import (
    ACCOUNT_URL,
    DIRECTORY,
    account_jwk,
    eab_account_body,
    ec_key,
    finalize_body,
    key_change_body,
    make_certificate,
    make_csr,
    new_account_body,
    new_order_body,
    ocsp_request_body,
    pem_private_key,
    post_as_get_body,
    private_jwk,
    revoke_body,
    sign,
)

UA = "CertbotACMEClient/5.8.0 python-requests/2.32.3"
VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())


def request(
    body: Optional[bytes],
    url: str = "https://ca.example/new-order",
    method: str = "POST",
    **headers: str,
) -> dict[str, Any]:
    """Build a request record as the recorder would, with typical ACME headers."""
    sent = {"User-Agent": UA, "Content-Type": "application/jose+json", **headers}
    return records.request_record(
        method=method,
        url=url,
        headers=sent,
        body=body,
        recipient=classify.recipient_for(url, sent, [DIRECTORY]),
        when=1_800_000_000.1234,
    )


def assert_valid(record: dict[str, Any]) -> None:
    """The record, once the log gives it a seq and prev, matches the shipped schema."""
    VALIDATOR.validate({**record, "seq": 0, "prev": chain.GENESIS})


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    """The shipped schema is itself a valid JSON Schema, draft 2020-12."""
    document = schema.json_schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_time_is_rfc3339_utc_with_milliseconds() -> None:
    """Times are UTC with exactly three fractional digits and a Z."""
    assert schema.rfc3339(1_800_000_000.1239) == "2027-01-15T08:00:00.123Z"
    assert schema.rfc3339(0) == "1970-01-01T00:00:00.000Z"


def test_new_account_discloses_contact_key_user_agent_and_address() -> None:
    """newAccount: the contact email, the account public key, the User-Agent, the IP."""
    record = request(new_account_body("admin@example.org"), url="https://ca.example/new-acct")
    data = record["personal_data"]
    assert data["contact"] == ["mailto:admin@example.org"]
    assert data["user_agent"] == [UA]
    assert data["ip_address"] == [classify.IMPLICIT_IP_ADDRESS]
    (key,) = data["account_key"]
    public = account_jwk().public_key()
    assert key["role"] == "signer"
    assert key["jwk"] == public.to_partial_json()
    assert key["thumbprint"] == classify.b64url_encode(public.thumbprint())
    assert record["jws"]["payload"]["contact"] == ["mailto:admin@example.org"]
    assert record["jws"]["protected"]["url"] == "https://ca.example/new-acct"
    assert_valid(record)


def test_new_account_without_email_has_no_contact_category() -> None:
    """An account registered without email discloses no contact."""
    record = request(new_account_body(None), url="https://ca.example/new-acct")
    assert "contact" not in record["personal_data"]


def test_body_is_recorded_exactly_and_signature_left_out_of_jws() -> None:
    """The body is the exact text sent; the decoded JWS keeps header and payload only."""
    body = new_order_body("example.org")
    record = request(body)
    assert record["body"].encode() == body
    assert set(record["jws"]) == {"protected", "payload"}


def test_new_order_discloses_domains_and_account_url() -> None:
    """newOrder: the domain names, and the account URL in the kid."""
    record = request(new_order_body("example.org", "www.example.org"))
    assert record["personal_data"]["domain"] == ["example.org", "www.example.org"]
    assert record["personal_data"]["account_url"] == [ACCOUNT_URL]
    assert "account_key" not in record["personal_data"]
    assert_valid(record)


def test_finalize_discloses_csr_names_and_public_key() -> None:
    """finalize: the CSR's names and IPs, and its public key's type and SPKI digest."""
    record = request(finalize_body(make_csr(("example.org", "a.example.org"), ("192.0.2.7",))))
    data = record["personal_data"]
    spki = (
        ec_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert data["domain"] == ["example.org", "a.example.org"]
    assert data["ip_identifier"] == ["192.0.2.7"]
    assert data["csr_public_key"] == [
        {
            "key_type": "EC",
            "key_size": 256,
            "curve": "secp256r1",
            "spki_sha256": hashlib.sha256(spki).hexdigest(),
        }
    ]
    assert "csr_subject" not in data
    assert_valid(record)


def test_finalize_reports_extra_identity_in_the_csr_subject() -> None:
    """A CSR subject with an organisation is disclosed and reported as csr_subject."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Jane Doe Ltd"),
            x509.NameAttribute(NameOID.COMMON_NAME, "example.org"),
        ]
    )
    data = request(finalize_body(make_csr(("example.org",), subject=subject)))["personal_data"]
    assert data["csr_subject"] == ["CN=example.org,O=Jane Doe Ltd"]
    assert data["domain"] == ["example.org"]


def test_undecodable_csr_is_noted_and_the_request_still_recorded() -> None:
    """A CSR that does not parse is described in classification_notes, not an exception."""
    body = sign(
        None, "https://ca.example/finalize/1", kid=ACCOUNT_URL, raw_payload=b'{"csr": "AAAA"}'
    )
    record = request(body)
    assert record["classification_notes"][0].startswith("the CSR could not be decoded")
    assert_valid(record)


def test_post_as_get_payload_is_the_empty_string() -> None:
    """POST-as-GET: the decoded payload is ""."""
    record = request(post_as_get_body())
    assert record["jws"]["payload"] == ""
    assert set(record["personal_data"]) == {"ip_address", "user_agent", "account_url"}
    assert_valid(record)


def test_revocation_names_the_certificate() -> None:
    """revokeCert: the certificate's serial, names, issuer and fingerprint."""
    cert = make_certificate(("example.org", "www.example.org"), serial=0xABCDEF)
    (named,) = request(revoke_body(cert))["personal_data"]["certificate"]
    assert named == {
        "serial": "abcdef",
        "names": ["example.org", "www.example.org"],
        "issuer": "CN=Test Issuer",
        "sha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    }


def test_key_change_discloses_new_and_old_keys() -> None:
    """keyChange: the inner JWS is decoded; both public keys are listed by role."""
    record = request(key_change_body(), url="https://ca.example/key-change")
    keys = {key["role"]: key for key in record["personal_data"]["account_key"]}
    assert set(keys) == {"new", "old"}
    assert keys["old"]["jwk"] == account_jwk().public_key().to_partial_json()
    assert record["jws"]["inner"]["payload"]["account"] == ACCOUNT_URL
    assert_valid(record)


def test_external_account_binding_discloses_its_key_id() -> None:
    """newAccount with EAB: the EAB key identifier, never the HMAC key."""
    record = request(eab_account_body(), url="https://ca.example/new-acct")
    assert record["personal_data"]["external_account"] == ["eab-kid-42"]
    assert "c2VjcmV0LWhtYWMta2V5" not in json.dumps(record)
    assert_valid(record)


def test_ocsp_request_goes_to_the_responder_and_names_the_certificate() -> None:
    """OCSP: recipient is the responder; the serial and issuer hashes are disclosed."""
    cert = make_certificate(("example.org",), serial=0x42)
    record = request(
        ocsp_request_body(cert),
        url="http://ocsp.example/",
        **{"Content-Type": "application/ocsp-request"},
    )
    assert record["recipient"] == "OCSP responder ocsp.example"
    (named,) = record["personal_data"]["certificate"]
    assert named["serial"] == "42" and named["hash_algorithm"] == "sha1"
    assert base64.b64decode(record["body_b64"]) == ocsp_request_body(cert)
    assert_valid(record)


def test_ari_query_names_the_certificate() -> None:
    """An ARI renewal-info GET discloses the certificate's AKI and serial."""
    url = (
        "https://ca.example/renewal-info/"
        + classify.b64url_encode(b"\x01\x02")
        + "."
        + classify.b64url_encode(b"\x00\x87\x65")
    )
    record = request(None, url=url, method="GET")
    assert record["personal_data"]["certificate"] == [
        {"serial": "8765", "authority_key_id": "0102"}
    ]
    assert record["body"] == ""


def test_plain_get_with_a_dotted_name_is_not_an_ari_query() -> None:
    """A GET to some file.json is not mistaken for an ARI certificate identifier."""
    record = request(None, url="https://ca.example/static/file.json", method="GET")
    assert "certificate" not in record["personal_data"]


@pytest.mark.parametrize(
    "last",
    ["AQI.", ".AIdl", "AQI.AIdl.AA", "AQI", "AQ=.AIdl", "AQ\u0661.AIdl", "AQI.AI+l", "AQI.AI/l"],
    ids=["no serial", "no AKI", "three parts", "no dot", "padding", "arabic digit", "+", "/"],
)
def test_a_renewal_info_name_that_is_not_two_base64url_parts_names_no_certificate(
    last: str,
) -> None:
    """Only base64url(AKI) "." base64url(serial), each non-empty and of the URL-safe
    alphabet alone (RFC 9773 section 4.1), names a certificate."""
    record = request(None, url=f"https://ca.example/renewal-info/{last}", method="GET")
    assert "certificate" not in record["personal_data"]


@pytest.mark.parametrize(
    ("text", "decodes"),
    [
        ("AQI", True),
        ("", True),
        ("AQ-_", True),
        ("AQ=", False),
        ("AQ+/", False),
        ("A\u0661", False),
        ("A\u00e9", False),
        ("AQIDB", False),
    ],
)
def test_b64url_decode_takes_the_url_safe_alphabet_only(text: str, decodes: bool) -> None:
    """Unpadded base64url: its 64 letters and no other (nor a length of 4n+1)."""
    if decodes:
        classify.b64url_decode(text)
    else:
        with pytest.raises(RecordError):
            classify.b64url_decode(text)


def test_eff_subscription_discloses_the_email_to_the_eff() -> None:
    """The EFF form POST: recipient is the EFF and the email is in the eff category."""
    body = urlencode(
        {
            "data_type": "json",
            "email": "me@example.org",
            "form_id": "eff_supporters_library_subscribe_form",
        }
    ).encode()
    record = request(
        body,
        url="https://supporters.eff.org/subscribe/certbot",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert record["recipient"] == classify.EFF_RECIPIENT
    assert record["personal_data"]["eff"] == ["me@example.org"]
    assert_valid(record)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ca.example/new-order", DIRECTORY),
        ("https://CA.example:443/acme/authz/1", DIRECTORY),
        ("https://other.example:8443/x", "https://other.example:8443"),
        ("http://ca.example/x", "http://ca.example"),
        ("https://supporters.eff.org/subscribe/certbot", classify.EFF_RECIPIENT),
    ],
)
def test_recipient_is_the_directory_or_the_origin(url: str, expected: str) -> None:
    """Requests on a CA directory's origin go to its directory URL; others to their origin."""
    assert classify.recipient_for(url, {}, [DIRECTORY]) == expected


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://ca.example/x", "ca.example"),
        ("https://ca.example:443/x", "ca.example"),
        ("http://127.0.0.1:14000/dir", "127.0.0.1:14000"),
        ("https://[2001:db8::1]:8443/", "[2001:db8::1]:8443"),
    ],
)
def test_host_header_is_derived_like_urllib3(url: str, host: str) -> None:
    """Host is host[:port], the default port left out, IPv6 in brackets."""
    assert urls.host_header(url) == host


def test_repeated_headers_are_joined() -> None:
    """Header pairs with a repeated name are joined with a comma, as HTTP allows."""
    record = records.request_record(
        method="GET",
        url="https://x.example/",
        body=None,
        headers=[("Accept", "a"), ("Accept", "b")],
        recipient="https://x.example",
        when=0,
    )
    assert record["headers"] == {"Accept": "a, b"}


def test_response_error_consent_and_blocked_records_match_the_schema() -> None:
    """Every kind of record the builders make matches the schema."""
    common: dict[str, Any] = {"recipient": DIRECTORY, "when": 5.0}
    built = [
        records.response_record(
            request_seq=3,
            status=201,
            method="POST",
            url=DIRECTORY,
            reason="Created",
            extra={"location": ACCOUNT_URL},
            **common,
        ),
        records.error_record(
            request_seq=3,
            error="Connection refused",
            method="POST",
            url=DIRECTORY,
            error_type="ConnectionError",
            **common,
        ),
        records.consent_record(
            purpose="share_email",
            text="Send admin@example.org?",
            granted=False,
            values=["admin@example.org"],
            how="prompt",
            **common,
        ),
        records.blocked_record(
            reason="no consent",
            method="POST",
            url=DIRECTORY,
            headers={"User-Agent": UA},
            body=new_account_body(),
            **common,
        ),
        records.blocked_record(reason="EFF subscription not consented", **common),
    ]
    for record in built:
        assert_valid(record)
    assert "ip_address" not in built[3]["personal_data"]
    assert built[3]["personal_data"]["contact"] == ["mailto:admin@example.org"]


def test_schema_rejects_a_request_without_personal_data() -> None:
    """The schema is strict on the contract: a request record needs personal_data."""
    record = request(post_as_get_body())
    del record["personal_data"]
    with pytest.raises(jsonschema.ValidationError):
        assert_valid(record)


# --- the private key guard ----------------------------------------------------------------


def test_pem_private_key_in_a_body_is_refused() -> None:
    """A body holding a PEM private key cannot become a record."""
    with pytest.raises(PrivateKeyError):
        request(pem_private_key().encode())


def test_form_encoded_pem_private_key_is_refused() -> None:
    """A PEM private key in a form-encoded body (spaces as +) is found too."""
    with pytest.raises(PrivateKeyError):
        request(
            urlencode({"key": pem_private_key()}).encode(),
            url="https://supporters.eff.org/subscribe/certbot",
        )


def test_private_jwk_in_the_protected_header_is_refused() -> None:
    """A JWS whose protected header carries a private JWK is refused (decoded or not)."""
    body = json.loads(post_as_get_body())
    protected = json.loads(classify.b64url_decode(body["protected"]))
    protected["jwk"] = private_jwk()
    body["protected"] = classify.b64url_encode(json.dumps(protected).encode())
    with pytest.raises(PrivateKeyError):
        request(json.dumps(body).encode())
    with pytest.raises(PrivateKeyError):  # also as an opaque body that is not decoded
        ensure_no_private_key({"body": json.dumps(body)})


def test_der_private_key_in_a_binary_body_is_refused() -> None:
    """A DER private key sent as binary (body_b64) is found."""
    der = ec_key().private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    with pytest.raises(PrivateKeyError):
        request(der, **{"Content-Type": "application/octet-stream"})


def test_text_about_private_keys_is_not_a_private_key() -> None:
    """Words like "private key" in a consent text do not trip the guard."""
    record = records.consent_record(
        purpose="share_email",
        granted=True,
        when=0,
        recipient=DIRECTORY,
        text="Your PRIVATE KEY never leaves this host.",
    )
    assert record["text"].startswith("Your")


_safe_keys = st.text(string.ascii_letters, min_size=3, max_size=8).filter(
    lambda key: key not in PRIVATE_JWK_MEMBERS
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_safe_keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(payload=_json)
def test_any_json_payload_is_decoded_back(payload: Any) -> None:
    """Whatever JSON payload a JWS carries, the record holds it decoded, unchanged."""
    body = sign(
        None, "https://ca.example/x", kid=ACCOUNT_URL, raw_payload=json.dumps(payload).encode()
    )
    record = request(body)
    assert record["jws"]["payload"] == payload
    assert_valid(record)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300))
def test_any_body_is_recorded_exactly(body: bytes) -> None:
    """Any body bytes are recoverable from body or body_b64, never both."""
    try:
        record = request(body, **{"Content-Type": "application/octet-stream"})
    except PrivateKeyError:
        return  # a random DER private key is not a body the builder must keep
    assert ("body" in record) != ("body_b64" in record)
    recovered = (
        record["body"].encode() if "body" in record else base64.b64decode(record["body_b64"])
    )
    assert recovered == body
    assert_valid(record)


_secret = st.sampled_from(["d", "p", "q", "dp", "dq", "qi"]).map(
    lambda member: {"kty": "RSA", "n": "AQAB", "e": "AQAB", member: "c2VjcmV0"}
) | st.just("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")


def _wrap(value: Any, how: str, key: str) -> Any:
    return {
        "list": [value],
        "dict": {key: value},
        "json": json.dumps(value),
        "b64url": classify.b64url_encode(json.dumps(value).encode()),
        "b64": base64.b64encode(json.dumps(value).encode()).decode(),
    }[how]


@settings(max_examples=300, deadline=None)
@given(
    secret=_secret,
    layers=st.lists(
        st.tuples(st.sampled_from(["list", "dict", "json", "b64url", "b64"]), _safe_keys),
        max_size=5,
    ),
    field=st.sampled_from(["body", "jws", "personal_data", "headers", "extra"]),
)
def test_a_private_key_anywhere_is_refused(
    secret: Any, layers: list[tuple[str, str]], field: str
) -> None:
    """A private JWK or PEM key, nested and encoded any number of ways, is always found."""
    value = secret
    for how, key in layers:
        value = _wrap(value, how, key)
    with pytest.raises(PrivateKeyError):
        ensure_no_private_key({"schema": 1, "event": "request", field: value})


def test_notice_record_is_valid_and_says_what_changed() -> None:
    """A notice (terms changed) validates, names both URLs, and carries no body."""
    record = records.notice_record(
        kind="terms_changed",
        recipient="https://acme-v02.api.letsencrypt.org/directory",
        when=0,
        **{"expected": "https://le.test/1.pdf", "announced": None, "ca": "letsencrypt"},
    )
    assert_valid(record)
    assert (record["event"], record["kind"], record["expected"], record["announced"]) == (
        "notice",
        "terms_changed",
        "https://le.test/1.pdf",
        None,
    )
    with pytest.raises(jsonschema.ValidationError):
        assert_valid({key: value for key, value in record.items() if key != "kind"})


def test_finalize_names_the_ct_publication() -> None:
    """Finalizing an order records that its names go to the public CT logs; other requests don't."""
    record = request(finalize_body(make_csr(("example.org", "*.example.org"), ("192.0.2.7",))))
    assert record["published"] == [
        {
            "recipient": classify.CT_RECIPIENT,
            "personal_data": {
                "domain": ["example.org", "*.example.org"],
                "ip_identifier": ["192.0.2.7"],
            },
            "reason": records.CT_REASON,
        }
    ]
    assert_valid(record)
    assert "published" not in request(new_order_body("example.org"))


@pytest.mark.parametrize(
    ("body", "as_text"),
    [
        (b'{"protected": "eyJ"}', True),
        (b"a=1&b=2", True),
        (b"", True),
        (b"0\x02\x01\x01", False),  # starts like DER (a SEQUENCE): searched as bytes
        (b'{"a": "\x00"}', False),  # NUL: UTF-16 JSON is ASCII with NULs
        ('{"a": "\u00e9"}'.encode(), False),
    ],
)
def test_a_body_is_searched_as_text_only_when_the_text_says_all_the_bytes_do(
    body: bytes, as_text: bool
) -> None:
    """The key guard searches a request body as the record's text (then the writer's check
    of the record finds it searched) only for ASCII without NUL that cannot be DER."""
    searched = records._searched_as(body)
    assert searched == (body.decode("ascii") if as_text else body)
    assert isinstance(searched, str) is as_text
