"""Credentials other services receive (DNS provider APIs) are never logged in clear."""

import json

from certbot_privacy.log import classify, records
from certbot_privacy.rules import redaction


def _record(headers: dict[str, str], body: bytes) -> classify.Record:
    return records.request_record(
        method="POST",
        url="https://api.dns.example/zones/1",
        headers=headers,
        body=body,
        recipient="https://api.dns.example",
        when=0.0,
    )


def test_authorization_header_is_redacted_with_a_digest() -> None:
    """A bearer token is replaced by a digest prefix; the same token gives the same mark."""
    record = _record({"Authorization": "Bearer s3cr3t", "Content-Type": "text/plain"}, b"x")
    assert "s3cr3t" not in json.dumps(record)
    assert record["headers"]["Authorization"] == redaction.redacted("Bearer s3cr3t")
    assert record["redacted"] == ["header:Authorization"]
    assert record["headers"]["Content-Type"] == "text/plain"


def test_json_body_secrets_are_redacted_and_the_rest_kept() -> None:
    """API keys in a JSON body are redacted; the record names (a domain) stay readable."""
    body = json.dumps(
        {"api_token": "tok-123", "record": {"name": "_acme-challenge.a.example", "password": "pw"}}
    ).encode()
    record = _record({"Content-Type": "application/json"}, body)
    text = json.dumps(record)
    assert "tok-123" not in text and '"pw"' not in text
    assert "_acme-challenge.a.example" in record["body"]
    assert sorted(record["redacted"]) == ["body:api_token", "body:record.password"]


def test_form_body_secrets_are_redacted() -> None:
    """Form-encoded credentials are redacted too."""
    record = _record(
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"user=me&secret_key=abc&domain=a.example",
    )
    assert "abc" not in record["body"] and "domain=a.example" in record["body"]
    assert record["redacted"] == ["body:secret_key"]


def test_acme_jws_is_kept_byte_for_byte() -> None:
    """A JWS has a "signature" member: it is not a credential and is never touched."""
    body = json.dumps(
        {"protected": "eyJhbGciOiJSUzI1NiJ9", "payload": "", "signature": "c2ln"}
    ).encode()
    record = _record({"Content-Type": "application/jose+json"}, body)
    assert record["body"].encode() == body
    assert "redacted" not in record


def test_plain_requests_have_no_redactions() -> None:
    """Nothing is redacted where nothing looks like a credential."""
    record = _record({"User-Agent": "CertbotACMEClient/5 python-requests/2"}, b"")
    assert "redacted" not in record
