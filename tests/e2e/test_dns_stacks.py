"""DNS plugins that do not use requests, in privacy mode: every request recorded first (issue 18).

The real plugins (PyPI's on certbot 5.x; Debian's own ``python3-certbot-dns-*`` on 2.1.0,
unpacked by ``scripts/bootstrap``) run against fakes on loopback: certbot-dns-rfc2136
(dnspython, DNS UPDATE signed with TSIG) against a tiny DNS server that copies the
disclosure log the moment each message arrives; certbot-dns-route53 (botocore on urllib3)
and certbot-dns-google (httplib2 on http.client: the token POST, the API and, on 2.1.0,
the discovery document) against the recording proxy's trap playing their hosts with
test-CA certificates, noting the log as each request arrives. Each test asserts on what
the fake received and on the log: each message or request was recorded before it arrived,
with the minimal User-Agent at the provider, and no credential (nor TSIG secret or MAC, in
any encoding) is in the log or the syslog mirror.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget, TestCA
from harness.recording_proxy import XmlAnswer
from tests.helpers import watching

from .conftest import SyslogDaemon
from .log_checks import assert_log_sound, read_log

pytestmark = pytest.mark.e2e

TSIG_KEY = "certbot-tsig."


def _soa_or_update(zone: str, tcp_queries: bool) -> watching.DnsResponder:
    """Answer like an authoritative server for *zone*: its SOA, and NOERROR to UPDATEs.

    Without *tcp_queries* a query over TCP is reset, so the plugin asks again over UDP.
    """
    import dns.flags
    import dns.message
    import dns.opcode
    import dns.rrset

    def respond(query: Any, transport: str) -> Optional[Any]:
        response = dns.message.make_response(query)
        if query.opcode() == dns.opcode.UPDATE:
            return response
        if transport == "tcp" and not tcp_queries:
            return None
        (question,) = query.question
        if question.name.to_text(omit_final_dot=True) == zone:
            response.flags |= dns.flags.AA
            soa = f"ns.{zone}. admin.{zone}. 1 3600 600 86400 10"
            response.answer.append(dns.rrset.from_text(question.name, 10, "IN", "SOA", soa))
        return response

    return respond


@pytest.mark.parametrize("queries", ["tcp", "udp"])
def test_rfc2136_messages_are_recorded_before_they_reach_the_server(
    certbot: CertbotRunner,
    target: CertbotTarget,
    syslog_socket: SyslogDaemon,
    tmp_path: Path,
    queries: str,
) -> None:
    """Each DNS message (SOA queries, UPDATEs) is a request record on disk before it arrives."""
    import dns.message
    import dns.opcode
    import dns.tsigkeyring

    secret = base64.b64encode(os.urandom(64)).decode()
    keyring = dns.tsigkeyring.from_text({TSIG_KEY: ("hmac-sha512", secret)})
    log = certbot.logs_dir / "disclosure.jsonl"
    domain = certbot.domain()
    zone = "example.com"
    respond = _soa_or_update(zone, tcp_queries=queries == "tcp")
    with watching.dns_server(log, keyring, respond) as server:
        credentials = tmp_path / "rfc2136.ini"
        credentials.write_text(
            f"dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = {server.port}\n"
            f"dns_rfc2136_name = {TSIG_KEY}\ndns_rfc2136_secret = {secret}\n"
            "dns_rfc2136_algorithm = HMAC-SHA512\n"
        )
        credentials.chmod(0o600)
        result = certbot.run(
            "certonly",
            "--authenticator",
            "dns-rfc2136",
            "--dns-rfc2136-credentials",
            str(credentials),
            "--dns-rfc2136-propagation-seconds",
            "0",
            "--register-unsafely-without-email",
            "--agree-tos",
            "--privacy-minimal",
            "--privacy-syslog",
            "-d",
            domain,
        )
    assert result.returncode == 0, result.describe()
    assert_log_sound(log)
    messages = [dns.message.from_wire(wire, keyring=keyring) for wire in server.received]
    updates = [m for m in messages if m.opcode() == dns.opcode.UPDATE]
    assert len(updates) == 2, "the plugin never sent its UPDATEs: the test proves nothing"
    assert all(m.had_tsig for m in updates)
    recipient = f"DNS server 127.0.0.1:{server.port}"
    for message, at_arrival in zip(messages, server.log_at_arrival):
        sent = [r for r in _records(at_arrival) if r.get("recipient") == recipient]
        asked = [r for r in sent if r["event"] == "request"]
        assert asked, f"a {dns.opcode.to_text(message.opcode())} arrived before its record"
        last = asked[-1]
        assert last["method"] == dns.opcode.to_text(message.opcode())
        first = (message.sections[2] or message.question)[0]
        assert last["dns"]["name"] == first.name.to_text(omit_final_dot=True)
        assert last.get("tsig_key_name") == (TSIG_KEY.rstrip(".") if message.had_tsig else None)
    records = read_log(log)
    requests_ = [r for r in records if r["event"] == "request" and r["recipient"] == recipient]
    assert len(requests_) == len(messages), [r["method"] for r in requests_]
    by_transport = {(r["method"], r["transport"]) for r in requests_}
    assert ("UPDATE", "tcp") in by_transport
    assert ("QUERY", queries) in by_transport
    added = next(r for r in requests_ if r["method"] == "UPDATE")
    (change,) = added["body_redacted"]["changes"]
    sent_value = b"".join(next(iter(updates[0].sections[2][0])).strings).decode()
    assert change["values"] == [sent_value] == added["personal_data"]["dns_challenge"]
    assert added["dns"]["type"] == "TXT" and added["dns"]["zone"] == zone
    assert any(domain.endswith(d) for d in added["personal_data"]["domain"])
    answered = [r for r in records if r["event"] == "response" and r["recipient"] == recipient]
    assert {r["rcode"] for r in answered} == {"NOERROR"}
    text = log.read_text()
    mirrored = b"\n".join(syslog_socket.received()).decode("utf-8", "replace")
    macs = [f for m in messages if m.had_tsig and m.mac for f in _forms(m.mac)]
    for form in _forms(base64.b64decode(secret)) + macs:
        assert form not in text, "a TSIG secret or MAC is in the disclosure log"
        assert form not in mirrored, "a TSIG secret or MAC is in the syslog mirror"
    assert secret not in text and secret not in mirrored
    # The audit tool says what each message was, from the records (not all "DNS UPDATE").
    n_queries = sum(1 for r in requests_ if r["method"] == "QUERY")
    report = _audit_json(target, "report", str(log))
    said = " ".join(report["coverage"]["sentences"])
    plural = "query" if n_queries == 1 else "queries"
    assert (
        f"{len(requests_)} DNS messages over plain DNS "
        f"({len(requests_) - n_queries} UPDATE (RFC 2136), {n_queries} {plural})"
    ) in said, said
    art30 = _audit_json(target, "export", "--art30", str(log))
    (server,) = [r for r in art30["recipients"] if r["recipient"] == recipient]
    assert server["kind"] == "DNS server (DNS UPDATE, RFC 2136; DNS queries)"


def _audit_json(target: CertbotTarget, *args: str) -> Any:
    """The target's own ``certbot-privacy`` with ``--format json``, parsed."""
    import subprocess

    tool = target.certbot.parent / "certbot-privacy"
    done = subprocess.run(
        [str(tool), *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _forms(data: bytes) -> List[str]:
    """*data* as base64 and as hex (both cases): how a secret or MAC could appear in text."""
    assert len(data) >= 16
    return [base64.b64encode(data).decode(), data.hex(), data.hex().upper()]


def _records(text: str) -> List[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- Route 53 (botocore on urllib3) -------------------------------------------------------

ROUTE53 = "route53.amazonaws.com"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
XMLNS = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"'
CHANGE = (
    "<ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status>"
    "<SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo>"
)


def _route53(zone: str, log: Path, seen: List[Tuple[str, str, int]]) -> Any:
    """Route 53's API for one hosted zone; notes how many requests the log held at each."""

    def respond(method: str, path: str, body: bytes) -> Tuple[int, Any]:
        on_disk = _records(log.read_text()) if log.exists() else []
        recorded = [r for r in on_disk if r["event"] == "request" and ROUTE53 in r["recipient"]]
        seen.append((method, path, len(recorded)))
        route = path.split("?")[0].rstrip("/")
        if method == "GET" and route.endswith("/hostedzone"):
            zones = (
                f"<HostedZone><Id>/hostedzone/Z1</Id><Name>{zone}.</Name>"
                "<CallerReference>r</CallerReference><Config><PrivateZone>false</PrivateZone>"
                "</Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>"
            )
            return 200, XmlAnswer(
                f"<ListHostedZonesResponse {XMLNS}><HostedZones>{zones}</HostedZones>"
                "<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems>"
                "</ListHostedZonesResponse>".encode()
            )
        if method == "POST" and route.endswith("/rrset"):
            answer = f"<ChangeResourceRecordSetsResponse {XMLNS}>{CHANGE}"
            return 200, XmlAnswer(f"{answer}</ChangeResourceRecordSetsResponse>".encode())
        if method == "GET" and "/change/" in route:
            return 200, XmlAnswer(
                f"<GetChangeResponse {XMLNS}>{CHANGE}</GetChangeResponse>".encode()
            )
        error = "<Error><Code>InvalidInput</Code><Message>no</Message></Error>"
        return 400, XmlAnswer(f"<ErrorResponse {XMLNS}>{error}</ErrorResponse>".encode())

    return respond


def test_route53_requests_are_recorded_first_with_the_minimal_user_agent(
    certbot: CertbotRunner,
    target: CertbotTarget,
    acme: AcmeStack,
    tls: TestCA,
    syslog_socket: SyslogDaemon,
    tmp_path: Path,
) -> None:
    """botocore's requests (urllib3) are recorded before they arrive; no os/ nor md/arch.

    With --privacy-strict: urllib3 is seen at request level, so the run is let through (it
    was refused while the strict check ran before the stacks' wrappers were installed)."""
    log = certbot.logs_dir / "disclosure.jsonl"
    seen: List[Tuple[str, str, int]] = []
    cert, key = tls.issue(ROUTE53, tmp_path / "route53-tls")
    acme.proxy.add_provider(ROUTE53, str(cert), str(key), _route53("example.com", log, seen))
    domain = certbot.domain()
    mark = certbot.proxy.mark()
    try:
        result = certbot.run(
            "certonly",
            "--authenticator",
            "dns-route53",
            "--register-unsafely-without-email",
            "--agree-tos",
            "--privacy-minimal",
            "--privacy-syslog",
            "--privacy-strict",
            "-d",
            domain,
            extra_env={
                "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
            },
        )
    finally:
        acme.proxy.providers.pop(ROUTE53, None)
    assert result.returncode == 0, result.describe()
    assert_log_sound(log)
    at_provider = [r for r in certbot.proxy.since(mark) if r.listener == "provider"]
    assert len(at_provider) >= 3, result.describe()
    assert any(ACCESS_KEY in v for r in at_provider for v in r.header_values("Authorization")), (
        "botocore never sent its credential: the test proves nothing"
    )
    for request in at_provider:
        assert request.header_values("User-Agent") == [target.minimal_user_agent]
    for i, (method, path, recorded) in enumerate(seen):
        assert recorded >= i + 1, f"{method} {path} arrived before its record"
    records = read_log(log)
    sent = [r for r in records if r["event"] == "request" and r["recipient"].endswith(ROUTE53)]
    assert len(sent) == len(at_provider)
    assert {r["stack"] for r in sent} == {"urllib3"}
    for record in sent:
        assert record["headers"]["User-Agent"] == target.minimal_user_agent
        assert record["headers"]["Authorization"]["redacted"] is True
    answered = [r for r in records if r["event"] == "response" and r["recipient"].endswith(ROUTE53)]
    assert [r["status"] for r in answered] == [200] * len(sent)
    (end,) = [r for r in records if r["event"] == "coverage" and r["phase"] == "end"]
    assert end["strict"] is True and "urllib3" in end["request_level"]
    # The change batches (XML, one redaction each) list the DNS-01 value and the record
    # name Route 53 received as personal data.
    changes = [
        r for r in at_provider if r.method == "POST" and r.path.split("?")[0].endswith("/rrset/")
    ]
    posted = [r for r in sent if r["method"] == "POST"]
    assert len(changes) == len(posted) == 2, [r.path for r in at_provider]
    for change, record in zip(changes, posted):
        value = _xml_text(change.body, "Value").strip('"')
        name = _xml_text(change.body, "Name").rstrip(".")
        assert name == f"_acme-challenge.{domain}"
        assert record["body_redacted"] == {"redacted": True, "bytes": len(change.body)}
        assert record["personal_data"]["dns_challenge"] == [value]
        assert name in record["personal_data"]["domain"]
    text = log.read_text()
    mirrored = b"\n".join(syslog_socket.received()).decode("utf-8", "replace")
    for secret in (ACCESS_KEY, SECRET_KEY):
        assert secret not in text, f"{secret} is in the disclosure log"
        assert secret not in mirrored, f"{secret} is in the syslog mirror"


def _xml_text(body: bytes, element: str) -> str:
    """The text of the one *element* (any namespace) of an XML *body*."""
    import xml.etree.ElementTree as ElementTree

    (found,) = [e for e in ElementTree.fromstring(body).iter() if e.tag.endswith("}" + element)]
    return found.text or ""


# --- Google Cloud DNS (httplib2 on http.client) -------------------------------------------

GOOGLE_TOKEN_HOST = "oauth2.googleapis.com"
GOOGLE_DNS_HOST = "dns.googleapis.com"
#: googleapiclient 1.7 (Debian's, under certbot-dns-google 2.0.0) fetches the discovery
#: document; 2.x ships it.
GOOGLE_DISCOVERY_HOST = "www.googleapis.com"
ACCESS_TOKEN = "ya29.c0AfH6SMBx-fake-access-token-5e1f"


def _google_account(path: Path) -> Tuple[Path, str]:
    """A service account file with a fresh RSA key; returns it and the key's PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "privacy-test",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "certbot@privacy-test.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": f"https://{GOOGLE_TOKEN_HOST}/token",
    }
    path.write_text(json.dumps(account))
    path.chmod(0o600)
    return path, pem


def _google(zone: str, log: Path, seen: List[Tuple[str, str, str, int]]) -> Any:
    """Google's token endpoint and Cloud DNS API for one zone, noting the log at each request."""
    import googleapiclient  # type: ignore[import-untyped]

    documents = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    discovery = json.loads((documents / "dns.v1.json").read_text())

    def responder(host: str) -> Any:
        def respond(method: str, path: str, body: bytes) -> Tuple[int, Any]:
            on_disk = _records(log.read_text()) if log.exists() else []
            recorded = [r for r in on_disk if r["event"] == "request" and host in r["recipient"]]
            seen.append((host, method, path, len(recorded)))
            route = path.split("?")[0]
            if host == GOOGLE_TOKEN_HOST:
                return 200, {
                    "access_token": ACCESS_TOKEN,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                }
            if host == GOOGLE_DISCOVERY_HOST:
                return 200, discovery
            if route.endswith("/managedZones"):
                zones = [{"id": "z1", "name": "z1", "dnsName": f"{zone}.", "visibility": "public"}]
                return 200, {"managedZones": zones}
            if route.endswith("/rrsets"):
                return 200, {"rrsets": []}
            if "/changes" in route:
                return 200, {"kind": "dns#change", "id": "c1", "status": "done"}
            return 404, {"error": {"code": 404, "message": "not found"}}

        return respond

    return responder


def test_google_requests_are_recorded_first_with_the_minimal_user_agent(
    certbot: CertbotRunner,
    target: CertbotTarget,
    acme: AcmeStack,
    tls: TestCA,
    syslog_socket: SyslogDaemon,
    tmp_path: Path,
) -> None:
    """httplib2's requests (http.client): the token POST and the API, each recorded first."""
    log = certbot.logs_dir / "disclosure.jsonl"
    seen: List[Tuple[str, str, str, int]] = []
    responder = _google("example.com", log, seen)
    hosts = (GOOGLE_TOKEN_HOST, GOOGLE_DNS_HOST, GOOGLE_DISCOVERY_HOST)
    for host in hosts:
        cert, key = tls.issue(host, tmp_path / f"{host}-tls")
        acme.proxy.add_provider(host, str(cert), str(key), responder(host))
    account, pem = _google_account(tmp_path / "google.json")
    domain = certbot.domain()
    mark = certbot.proxy.mark()
    try:
        result = certbot.run(
            "certonly",
            "--authenticator",
            "dns-google",
            "--dns-google-credentials",
            str(account),
            "--dns-google-propagation-seconds",
            "0",
            "--register-unsafely-without-email",
            "--agree-tos",
            "--privacy-minimal",
            "--privacy-syslog",
            "-d",
            domain,
        )
    finally:
        for host in hosts:
            acme.proxy.providers.pop(host, None)
    assert result.returncode == 0, result.describe()
    assert_log_sound(log)
    at_provider = [r for r in certbot.proxy.since(mark) if r.listener == "provider"]
    assert any(r.path.startswith("/token") for r in at_provider), result.describe()
    assert any(ACCESS_TOKEN in v for r in at_provider for v in r.header_values("Authorization")), (
        "the API never got the token: the test proves nothing"
    )
    for request in at_provider:
        assert request.header_values("User-Agent") == [target.minimal_user_agent], request.path
    counts: dict[str, int] = {}
    for host, method, path, recorded in seen:
        counts[host] = counts.get(host, 0) + 1
        assert recorded >= counts[host], f"{method} {host}{path} arrived before its record"
    records = read_log(log)
    google = [r for r in records if r.get("recipient", "").endswith(hosts)]
    sent = [r for r in google if r["event"] == "request"]
    assert len(sent) == len(at_provider)
    assert {r["stack"] for r in sent} == {"http.client"}
    for record in sent:
        assert record["headers"]["User-Agent"] == target.minimal_user_agent
    # httplib2 connects before it sends: the request is recorded before the connection.
    tunnels = [
        r
        for r in records
        if r["event"] == "connection"
        and (r.get("opened_by") or {}).get("module") in ("socks", "httplib2.socks")
    ]
    assert tunnels and {r["seen"] for r in tunnels} == {"request"}, tunnels
    text = log.read_text()
    mirrored = b"\n".join(syslog_socket.received()).decode("utf-8", "replace")
    body = "".join(pem.splitlines()[1:-1])
    for secret in (ACCESS_TOKEN, body[:64], body[-64:]):
        assert secret not in text, f"{secret} is in the disclosure log"
        assert secret not in mirrored, f"{secret} is in the syslog mirror"
