"""DNS plugins that do not use requests, in privacy mode: every request recorded first (issue 18).

The real plugins (PyPI's on certbot 5.x; Debian's own ``python3-certbot-dns-*`` on
2.1.0, unpacked by ``scripts/bootstrap``) run against fakes on loopback: certbot-dns-rfc2136
(dnspython, DNS UPDATE signed with TSIG) against a tiny DNS server that copies the
disclosure log the moment each message arrives, and certbot-dns-route53 (botocore on
urllib3) against the recording proxy's trap playing ``route53.amazonaws.com`` with a test-CA
certificate. Each test asserts on what the fake received and on the log: each message or
request was recorded before it arrived, with the minimal User-Agent at the provider, and
no credential (nor TSIG secret or MAC, in any encoding) is in the log or the syslog mirror.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any, List, Optional

import pytest

from harness import CertbotRunner, CertbotTarget
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


def _forms(data: bytes) -> List[str]:
    """*data* as base64 and as hex (both cases): how a secret or MAC could appear in text."""
    assert len(data) >= 16
    return [base64.b64encode(data).decode(), data.hex(), data.hex().upper()]


def _records(text: str) -> List[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
