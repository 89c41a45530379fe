"""Requests not to the CA are recorded by allowance: no credential, every disclosure (issue 10)."""

import json
import string
from typing import Any, Optional

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbot_privacy._internal.audit import contract
from certbot_privacy._internal.log import classify, records, schema
from certbot_privacy._internal.rules import redaction, urls

VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())
UA = "CertbotACMEClient/5.8.0 python-requests/2.32.3"
NAME = "www.example.com"
CHALLENGE = "7Ag5pCjYQ3WnbFHi9uvy6jmBVZkBuC6dzjoqyvD7Pkc"


def _known() -> classify.Known:
    known = classify.Known()
    known.add_name(NAME)
    known.add_challenge("_acme-challenge." + NAME, CHALLENGE)
    return known


def _record(
    headers: dict[str, str],
    body: bytes = b"",
    url: str = "https://api.dns.example/v1/zones/example.com",
    method: str = "POST",
    known: Optional[classify.Known] = None,
) -> dict[str, Any]:
    record = records.request_record(
        method=method,
        url=url,
        headers={"User-Agent": UA, **headers},
        body=body,
        recipient=urls.origin(url),
        when=0.0,
        exact=False,
        known=known if known is not None else _known(),
    )
    full = {**record, "seq": 0, "prev": "sha256:" + "0" * 64}
    errors = sorted(VALIDATOR.iter_errors(full), key=str)
    assert not errors, errors[0].message
    assert contract.check(full) is None
    return record


@pytest.mark.parametrize(
    "header",
    ["X-NSONE-Key", "X-Ovh-Application", "X-Ovh-Consumer", "X-Ovh-Signature", "Authorization"],
)
def test_headers_outside_the_allowance_are_redacted_whatever_their_name(header: str) -> None:
    """Provider-invented credential headers lose their value; only their size is kept."""
    record = _record({header: "s3cr3t-value", "Accept": "application/json"})
    assert "s3cr3t" not in json.dumps(record)
    assert record["headers"][header] == {"redacted": True, "bytes": 12}
    assert record["headers"]["Accept"] == "application/json"
    assert record["headers"]["User-Agent"] == UA
    assert f"header:{header}" in record["redacted"]


def test_url_loses_its_user_info_and_query_values() -> None:
    """user:password@ and query values do not reach the record; a known name in the query does."""
    url = "https://user:pa55@api.dns.example:8443/zones?api_token=t0k3n&name=example.com&ttl=60"
    record = _record({}, url=url, method="GET")
    assert "pa55" not in json.dumps(record) and "t0k3n" not in json.dumps(record)
    assert record["url"] == (
        "https://api.dns.example:8443/zones?api_token=[redacted]&name=example.com&ttl=[redacted]"
    )
    assert record["redacted"] == ["url:userinfo", "query:api_token", "query:ttl"]
    assert record["personal_data"]["domain"] == ["example.com"]


def test_json_body_keeps_disclosures_and_harmless_values_only() -> None:
    """The TXT record's name and value stay (disclosures); an API key in the body does not."""
    body = json.dumps(
        {
            "type": "TXT",
            "name": "_acme-challenge." + NAME,
            "content": CHALLENGE,
            "ttl": 120,
            "proxied": False,
            "api_key": "k3y-in-body",
            "answers": [{"answer": [f'"{CHALLENGE}"']}],
        }
    ).encode()
    record = _record({"Content-Type": "application/json"}, body)
    text = json.dumps(record)
    assert "k3y-in-body" not in text and "body" not in record
    kept = record["body_redacted"]
    assert kept["type"] == "TXT" and kept["ttl"] == 120 and kept["proxied"] is False
    assert kept["name"] == "_acme-challenge." + NAME and kept["content"] == CHALLENGE
    assert kept["api_key"] == {"redacted": True, "bytes": 11}
    assert kept["answers"] == [{"answer": [f'"{CHALLENGE}"']}]
    assert record["body_bytes"] == len(body)
    assert record["redacted"] == ["body:api_key"]
    assert record["personal_data"]["dns_challenge"] == [CHALLENGE]
    assert "_acme-challenge." + NAME in record["personal_data"]["domain"]


def test_relative_names_and_zones_are_known_forms() -> None:
    """A provider's zone (a parent) and relative name (_acme-challenge.www) are kept."""
    body = json.dumps({"zone": "example.com", "subDomain": "_acme-challenge.www"}).encode()
    record = _record({"Content-Type": "application/json"}, body)
    assert record["body_redacted"] == {"zone": "example.com", "subDomain": "_acme-challenge.www"}
    assert "redacted" not in record


def test_unknown_names_are_not_kept() -> None:
    """Without knowing the run's names, nothing but harmless values is kept."""
    body = json.dumps({"name": NAME, "type": "TXT"}).encode()
    record = _record({"Content-Type": "application/json"}, body, known=classify.Known())
    assert record["body_redacted"] == {
        "name": {"redacted": True, "bytes": len(NAME)},
        "type": "TXT",
    }
    assert "domain" not in record["personal_data"]


def test_form_body_is_kept_as_pairs() -> None:
    """A form body keeps its field names and known values, in order (strings: no number)."""
    body = b"domain=www.example.com&password=hunter2&ttl=300"
    record = _record({"Content-Type": "application/x-www-form-urlencoded"}, body)
    assert record["body_redacted"] == [
        ["domain", NAME],
        ["password", {"redacted": True, "bytes": 7}],
        ["ttl", {"redacted": True, "bytes": 3}],
    ]
    assert "hunter2" not in json.dumps(record)


def test_other_bodies_are_redacted_whole() -> None:
    """XML, text or binary bodies are one redaction of their size."""
    record = _record({"Content-Type": "text/xml"}, b"<key>s3cr3t</key>")
    assert record["body_redacted"] == {"redacted": True, "bytes": 17}
    assert record["redacted"] == ["body"]


def test_get_without_body_keeps_the_empty_body() -> None:
    """No body: recorded as "" (nothing to hide), the record stays schema-valid."""
    record = _record({"X-Auth": "x"}, method="GET")
    assert record["body"] == "" and "body_redacted" not in record


def test_requests_to_the_ca_stay_exact() -> None:
    """exact=True (the ACME server) keeps every header and the body byte for byte."""
    record = records.request_record(
        method="POST",
        url="https://ca.example/acme/new-order",
        headers={"User-Agent": UA, "Content-Type": "application/jose+json", "X-Odd": "v"},
        body=b'{"x": "y"}',
        recipient="https://ca.example/dir",
        when=0.0,
    )
    assert record["headers"]["X-Odd"] == "v" and record["body"] == '{"x": "y"}'
    assert "redacted" not in record


@pytest.mark.parametrize(
    ("url", "content_type", "exact"),
    [
        ("https://ca.example/acme/new-order", "application/jose+json", True),
        ("https://CA.example:443/renewal-info/x.y", "", True),
        ("http://r3.o.lencr.org/", classify.OCSP_CONTENT_TYPE, True),
        ("https://supporters.eff.org/subscribe/certbot", "application/x-www-form-urlencoded", True),
        ("https://api.nsone.net/v1/zones/example.com", "application/json", False),
        ("https://ca.example:8443/acme/new-order", "application/jose+json", False),
    ],
)
def test_what_is_recorded_exactly(url: str, content_type: str, exact: bool) -> None:
    """The ACME server's origin, OCSP and the EFF are exact; everything else by allowance."""
    headers = {"Content-Type": content_type} if content_type else {}
    assert classify.recorded_exactly(url, headers, {"https://ca.example"}) is exact


def test_known_names_cover_wildcards_and_parents() -> None:
    """*.example.org is known as example.org; its zone and labels are known forms."""
    known = classify.Known()
    known.add_name("*.Example.ORG.")
    assert known.category("example.org") == "domain"
    assert known.category("EXAMPLE.org.") == "domain"
    assert known.category("org") == ""
    assert known.category("other.example.org") is None
    assert not known.keeps("s3cr3t")


def test_harmless_values() -> None:
    """Only values that cannot be secrets are harmless."""
    assert all(map(redaction.harmless, [None, True, 3600, "TXT", "txt", ""]))
    assert not any(map(redaction.harmless, ["s3cr3t", 12345678, 1.5, "example.com"]))


TOKEN = "k9XbQ2mZ7vLwP4sT1yRnE8cH"


@pytest.mark.parametrize(
    ("url", "recorded", "where"),
    [
        (
            f"https://dyn.example/update.php?{TOKEN}",
            "https://dyn.example/update.php?[redacted]",
            ["query"],
        ),
        (
            f"https://dyn.example/u/{TOKEN}/",
            "https://dyn.example/u/[redacted]/",
            ["url:path:2"],
        ),
        (
            f"https://dyn.example/nic/update?hostname={NAME}&{TOKEN}&myip=",
            f"https://dyn.example/nic/update?hostname={NAME}&[redacted]&myip=",
            ["query"],
        ),
        (
            f"https://api.dns.example/v1/zones/{NAME}/records/12345",
            f"https://api.dns.example/v1/zones/{NAME}/records/12345",
            [],
        ),
        (
            "https://route53.example/2013-04-01/hostedzone/Z0123456789ABCDEFGHIJ/rrset",
            "https://route53.example/2013-04-01/hostedzone/[redacted]/rrset",
            ["url:path:3"],
        ),
        (
            f"https://api.dns.example/1.0/domain/zone/{NAME}/record?fieldType=TXT",
            f"https://api.dns.example/1.0/domain/zone/{NAME}/record?fieldType=TXT",
            [],
        ),
        (
            f"https://api.dns.example/client/v4/zones/{TOKEN.lower()}/dns_records",
            "https://api.dns.example/client/v4/zones/[redacted]/dns_records",
            ["url:path:4"],
        ),
        (
            f"https://api.dns.example/records/{CHALLENGE}",
            f"https://api.dns.example/records/{CHALLENGE}",
            [],
        ),
    ],
    ids=[
        "bare-query-token",
        "path-token",
        "bare-token-among-pairs",
        "api-words-name-number",
        "dated-version-zone-id",
        "dotted-version",
        "hex-zone-id",
        "known-challenge",
    ],
)
def test_path_segments_and_bare_tokens_are_kept_only_when_harmless(
    url: str, recorded: str, where: list[str]
) -> None:
    """A token as a path segment or a bare query token is redacted like any other value;
    API words, versions, small numbers, names and the run's disclosures stay."""
    record = _record({}, url=url, method="GET")
    assert record["url"] == recorded
    assert record.get("redacted", []) == where


@pytest.mark.parametrize(
    "segment",
    [
        "zones",
        "dns_records",
        "dnsZones",
        "resourceGroups",
        "TXT",
        "v1",
        "v2.1",
        "1.0",
        "2013-04-01",
        "12345",
        "update.php",
        "p",
        "",
    ],
)
def test_known_harmless_segments(segment: str) -> None:
    """The segments recorded as they are."""
    assert redaction.harmless_segment(segment)


@pytest.mark.parametrize(
    "segment",
    [
        TOKEN,
        "Z0123456789ABCDEFGHIJ",
        "a" * 25,
        "kXbQmZvLwPsT",
        "1234567890",
        "abc123",
        "0f" * 16,
        "x=y",
    ],
)
def test_segments_that_may_be_secrets(segment: str) -> None:
    """Tokens, ids with digits and letters, long words: not known-harmless."""
    assert not redaction.harmless_segment(segment)


_TOKENS = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=12, max_size=64)


@settings(max_examples=200, deadline=None)
@given(
    token=_TOKENS.filter(lambda t: any(c.isdigit() for c in t)),
    where=st.sampled_from(["/u/{}/", "/update.php?{}", "/a/b?x=1&{}", "/{}", "/zones/{}/records"]),
)
def test_no_token_with_a_digit_survives_in_a_path_or_bare_query(token: str, where: str) -> None:
    """Property: a token with a digit in it, as a path segment or bare query token, is
    never recorded (short numbers and versions aside, which it cannot be at 12+ chars)."""
    recorded = redaction.redact_url("https://dyn.example" + where.format(token), _no, [])
    assert token not in recorded


def _no(value: str) -> bool:
    return False


@settings(max_examples=200, deadline=None)
@given(
    token=st.text(alphabet=string.ascii_letters, min_size=12, max_size=64).filter(
        lambda t: len(t) > 24 or sum(c.isupper() for c in t) > 3
    )
)
def test_no_long_or_mixed_case_letter_token_survives(token: str) -> None:
    """Property: letters only, but longer than an API word or with more capitals than
    camelCase has: redacted."""
    assert token not in redaction.redact_url(f"https://dyn.example/u/{token}/?{token}", _no, [])


#: Route 53's ChangeResourceRecordSets body as botocore sends it (certbot-dns-route53).
ROUTE53_CHANGE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest '
    'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>'
    "certbot-dns-route53 certificate validation UPSERT</Comment><Changes><Change><Action>"
    "UPSERT</Action><ResourceRecordSet><Name>_acme-challenge.www.example.com</Name><Type>TXT"
    "</Type><TTL>10</TTL><ResourceRecords><ResourceRecord><Value>"
    f'"{CHALLENGE}"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>'
    "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
).encode()


def test_a_route53_change_batch_lists_its_dns01_value_and_name() -> None:
    """The XML body stays one redaction, but its DNS-01 value and record name are listed as
    personal data (the report and Art. 30 count them)."""
    url = "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset/"
    record = _record({}, ROUTE53_CHANGE, url=url)
    assert record["body_redacted"] == {"redacted": True, "bytes": len(ROUTE53_CHANGE)}
    assert record["personal_data"]["dns_challenge"] == [CHALLENGE]
    assert record["personal_data"]["domain"] == ["_acme-challenge.www.example.com"]


@pytest.mark.parametrize(
    "body",
    [
        # An external entity (XXE): never declared, so never fetched.
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b"<r><Name>&x;</Name><Value>www.example.com</Value></r>",
        # Entity expansion ("billion laughs"): refused at the DTD.
        b'<!DOCTYPE r [<!ENTITY a "www.example.com"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<r><Name>&b;</Name></r>",
        # An external DTD.
        b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r><Value>www.example.com</Value></r>',
        # Not well-formed, too deep, too large.
        b"<r><Value>www.example.com</Value>",
        b"<a>" * 65 + b"<Value>www.example.com</Value>" + b"</a>" * 65,
        b"<r><Value>www.example.com</Value>" + b" " * (1 << 20) + b"</r>",
    ],
    ids=["xxe", "entity-expansion", "external-dtd", "not-well-formed", "too-deep", "too-large"],
)
def test_an_xml_body_with_a_dtd_or_past_the_bounds_gives_no_values(body: bytes) -> None:
    """No DTD, no entity, bounded: such a body is one redaction with nothing listed."""
    from certbot_privacy._internal.rules import xmlbody

    assert xmlbody.text_values(body) == []
    record = _record({}, body, url="https://api.dns.example/v1/change")
    assert "domain" not in record["personal_data"]
    assert record["body_redacted"] == {"redacted": True, "bytes": len(body)}
