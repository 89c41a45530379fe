"""The Art. 30 record from the facts and the records: recipients, purposes, transfers,
coverage and when recording began (issue 20 item 2, issue 18 item 6)."""

import json
from pathlib import Path

import pytest

from certbot_privacy._internal.audit import art30, coverage
from certbot_privacy._internal.audit.formats import art30_renderer, report_renderer
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.log import classify
from certbot_privacy._internal.log.schema import EVENTS
from certbot_privacy._internal.rules import facts_file
from tests.helpers.audit import LE, T0, fleet_log, read_items, request, write_log

GENERATED = "2024-09-01T00:00:00.000Z"


@pytest.fixture()
def record(tmp_path: Path) -> art30.Art30Record:
    summary = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    return art30.build(summary, art30.Controller(name="Example GmbH"), generated=GENERATED)


def _recipient(record: art30.Art30Record, name: str) -> art30.Recipient:
    return next(r for r in record.recipients if r.recipient == name)


def test_the_eff_is_described_from_the_facts(record: art30.Art30Record) -> None:
    """The EFF's legal entity and privacy policy come from the facts (`cas --format json`)."""
    eff = _recipient(record, classify.EFF_RECIPIENT)
    facts = facts_file.facts().other("eff")
    assert eff.legal_entity == facts.operator.legal_entity == "Electronic Frontier Foundation"
    assert facts.privacy_policy is not None and eff.privacy_policy == facts.privacy_policy.url
    assert eff.name == facts.display_name
    text = art30_renderer("markdown")(record)
    section = text[text.index("### " + facts.display_name) :]
    section = section[: section.index("\n###")] if "\n###" in section else section
    assert "Legal entity: Electronic Frontier Foundation" in section
    assert "Privacy policy: <https://www.eff.org/code/privacy/policy>" in section
    assert "none found" not in section


def test_purposes_match_today_s_practice(record: art30.Art30Record) -> None:
    """No "expiry warnings": Let's Encrypt ended them on 2025-06-04."""
    assert not any("expiry" in p for p in record.purposes)
    assert any("service-related email" in p for p in record.purposes)


def test_a_transfer_names_the_safeguard_stated_or_that_none_is(
    record: art30.Art30Record,
) -> None:
    """Let's Encrypt (US) states no safeguard in the sources: the record says so."""
    le = _recipient(record, LE)
    assert le.third_country and le.safeguard is None
    text = art30_renderer("markdown")(record)
    transfers = text[text.index("## 6.") : text.index("## 7.")]
    assert "Let's Encrypt: United States is a third country" in transfers
    assert "It states no transfer safeguard" in transfers
    document = json.loads(art30_renderer("json")(record))
    transfer = next(t for t in document["third_country_transfers"] if t["recipient"] == LE)
    assert transfer["safeguard"] is None


def test_security_measures_state_coverage_from_the_records(record: art30.Art30Record) -> None:
    """No "every request is recorded" and no "all over HTTPS" claim the records do not back:
    an old log says what is not known; the OCSP request went over plain HTTP."""
    text = art30_renderer("markdown")(record)
    section = text[text.index("## 8.") : text.index("## Evidence")]
    assert "Every request is recorded" not in section and "`" not in section
    assert "what went outside the requests library" in section and "is not known" in section
    assert "1 over plain HTTP" in section
    assert "All requests are sent over HTTPS" not in text
    document = json.loads(art30_renderer("json")(record))
    assert any("is not known" in s for s in document["coverage"])


def test_the_record_says_when_recording_began_per_host(tmp_path: Path) -> None:
    """Each host's first record: disclosures before it cannot be known from the log."""
    for n, host in enumerate(("web1", "web2")):
        (tmp_path / "hosts" / host).mkdir(parents=True)
        write_log(tmp_path / "hosts" / host / "disclosure.jsonl", [request(T0 + n * 86400)])
    from certbot_privacy._internal.audit import parallel
    from certbot_privacy._internal.audit.filters import Filters

    summary = parallel.summarise([str(tmp_path / "hosts")], Filters(), workers=1)
    built = art30.build(summary, art30.Controller(), generated=GENERATED)
    text = art30_renderer("markdown")(built)
    assert "Recording began" in text and "cannot be known from it" in text
    assert "host web1: 2024-05-01 00:00:00 UTC" in text
    assert "host web2: 2024-05-02 00:00:00 UTC" in text
    document = json.loads(art30_renderer("json")(built))
    assert document["evidence"]["recording_began"][1] == {
        "host": "web2",
        "first_record": "2024-05-02T00:00:00.000Z",
    }


def _coverage_records() -> coverage.Coverage:
    gathered = coverage.Coverage()
    run = "0123456789abcdef0123456789abcdef"
    gathered.record(
        {
            "event": "coverage",
            "time": "2026-12-01T00:00:00.000Z",
            "phase": "start",
            "run": run,
            "request_level": ["requests", "httpx", "dns-update"],
            "connection_level": True,
            "unseen": [
                {"what": "hook", "kind": "manual-auth", "executable": "/usr/local/bin/auth"},
                {"what": "native", "library": "lego_bridge.so", "plugin": "certbot-dns-multi"},
                {"what": "native", "library": "x.so", "plugin": "certbot-x", "role": "loaded"},
            ],
            "strict": False,
        }
    )
    gathered.record(
        {
            "event": "connection",
            "time": "2026-12-01T00:00:01.000Z",
            "recipient": "api.example-dns.net",
            "host": "api.example-dns.net",
            "port": 443,
            "transport": "tcp",
            "seen": "connection",
            "own": None,
            "run": run,
        }
    )
    gathered.record(
        {
            "event": "hook",
            "time": "2026-12-01T00:00:02.000Z",
            "kind": "manual-auth",
            "executable": "/usr/local/bin/auth",
            "run": run,
        }
    )
    gathered.request({"url": "https://acme.example/new-order", "run": run})
    for method in ("QUERY", "UPDATE"):  # the SOA query dnspython sends first, the update
        gathered.request(
            {
                "url": "dns://192.0.2.53:53/example.org",
                "recipient": "DNS server 192.0.2.53:53",
                "method": method,
                "run": run,
            }
        )
    return gathered


def test_coverage_is_said_from_the_coverage_connection_and_hook_records() -> None:
    """Request level, connection level only, not at all; plain DNS is not HTTPS."""
    stats = _coverage_records().result()
    assert stats.known and not stats.all_https
    said = " ".join(coverage.sentences(stats))
    assert "1 run(s) recorded their coverage" in said and "requests, httpx, dns-update" in said
    assert "api.example-dns.net:443 over tcp" in said
    assert "Hook /usr/local/bin/auth (manual-auth) ran 1 time(s)" in said
    assert "lego_bridge.so (certbot-dns-multi)" in said
    assert "x.so (certbot-x, loaded, not used by the run)" in said
    assert "2 DNS messages over plain DNS (1 UPDATE (RFC 2136), 1 query)" in said
    assert "DNS UPDATE messages" not in said
    assert "is not known" not in said


def test_dns_messages_are_labelled_by_what_each_was() -> None:
    """A DNS server that got only queries is not said to have got UPDATEs (report, Art. 30)."""
    gathered = coverage.Coverage()
    for recipient, method in (
        ("DNS server 192.0.2.1:53", "QUERY"),
        ("DNS server 192.0.2.1:53", "QUERY"),
        ("DNS server 192.0.2.2:53", "UPDATE"),
        ("DNS server 192.0.2.3:53", "QUERY"),
        ("DNS server 192.0.2.3:53", "UPDATE"),
    ):
        gathered.request({"url": "dns://x/", "recipient": recipient, "method": method})
    stats = gathered.result()
    said = " ".join(coverage.sentences(stats))
    assert "5 DNS messages over plain DNS (2 UPDATE (RFC 2136), 3 queries)" in said
    kinds = {
        server: art30._kind(server, stats.dns_opcodes(server))
        for server in ("DNS server 192.0.2.1:53", "DNS server 192.0.2.2:53")
    }
    assert kinds == {
        "DNS server 192.0.2.1:53": "DNS server (DNS queries)",
        "DNS server 192.0.2.2:53": "DNS server (DNS UPDATE, RFC 2136)",
    }
    assert art30._kind("DNS server 192.0.2.3:53", stats.dns_opcodes("DNS server 192.0.2.3:53")) == (
        "DNS server (DNS UPDATE, RFC 2136; DNS queries)"
    )
    assert art30._kind("DNS server 192.0.2.9:53", ()) == "DNS server"


def test_dns_updates_over_tls_and_https_are_not_plain_dns() -> None:
    """DoT (dns+tls://) is counted apart from plain DNS; DoH's URL is HTTPS; both label
    their server by what it got."""
    gathered = coverage.Coverage()
    for url in ("dns+tls://192.0.2.1:853/example.org", "https://192.0.2.1/dns-query"):
        gathered.request(
            {
                "url": url,
                "recipient": "DNS server 192.0.2.1:853",
                "method": "UPDATE",
                "stack": "dns",
            }
        )
    stats = gathered.result()
    said = " ".join(coverage.sentences(stats))
    assert "Of 2 recorded requests: 1 over HTTPS, 1 DNS UPDATE messages over TLS or QUIC." in said
    assert stats.plain_dns == 0 and stats.dns_opcodes("DNS server 192.0.2.1:853") == ("UPDATE",)


def test_a_name_only_looked_up_is_said_to_be_a_lookup() -> None:
    """gethostbyaddr (or getaddrinfo) with no connection after it: a lookup, not a
    connection; a destination also connected to stays a connection."""
    gathered = coverage.Coverage()
    base: dict[str, object] = {"event": "connection", "time": "2026-12-01T00:00:01.000Z"}
    base |= {"seen": "connection", "own": None, "transport": "tcp"}
    gathered.record(base | {"host": "vm", "port": None, "via": "socket.gethostbyaddr"})
    gathered.record(base | {"host": "api.example", "port": 443, "via": "socket.getaddrinfo"})
    gathered.record(base | {"host": "api.example", "port": 443, "via": "socket.connect"})
    said = coverage.sentences(gathered.result())
    assert (
        "Looked up through the system resolver, which may have asked a DNS server (no "
        "connection to it recorded): vm, 1 time(s)."
    ) in said
    assert any(
        s.startswith("Reached with only the connection known") and "api.example:443" in s
        for s in said
    )


def test_coverage_merges_across_parts() -> None:
    """Two parts of a log add up."""
    first, second = _coverage_records(), _coverage_records()
    first.merge(second)
    stats = first.result()
    assert stats.runs == 1 and stats.covered_requests == 6
    assert (stats.dns_updates, stats.dns_queries) == (2, 2)
    assert stats.dns_servers == (("DNS server 192.0.2.53:53", ("QUERY", "UPDATE")),)
    assert stats.connection_only[0].connections == 2


def test_a_report_says_what_an_old_log_cannot_tell(tmp_path: Path) -> None:
    """No coverage records: the report says what went outside requests is not known."""
    summary = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    assert summary.coverage.uncovered_requests == summary.requests
    for name in ("table", "markdown"):
        text = " ".join(report_renderer(name)(summary).split())
        assert "What the log could see:" in text
        assert "what went outside the requests library" in text


@pytest.mark.skipif("coverage" not in EVENTS, reason="the coverage records are not in yet")
def test_a_report_reads_coverage_records_from_the_log(tmp_path: Path) -> None:
    """Coverage and connection records in a log reach the report; a destination reached
    with only the connection known is a recipient (of the host's address at least)."""
    from certbot_privacy._internal.log import records

    run = "0123456789abcdef0123456789abcdef"
    start = records.coverage_record(
        phase="start",
        run=run,
        request_level=["requests"],
        unseen=[],
        strict=False,
        when=T0,
    )
    connection = records.connection_record(
        recipient="api.example-dns.net",
        host="api.example-dns.net",
        port=443,
        address="192.0.2.9",
        transport="tcp",
        via="socket.connect",
        module="httpx",
        plugin=None,
        seen="connection",
        own=None,
        when=T0 + 1,
    )
    sent = request(T0 + 2)
    for entry in (start, connection, sent):
        entry["run"] = run
    summary = summarise(read_items(write_log(tmp_path / "c.jsonl", [start, connection, sent])))
    assert summary.coverage.known
    assert "api.example-dns.net" in summary.recipient_names


def test_a_hook_is_a_recipient_but_no_request(tmp_path: Path) -> None:
    """What certbot handed a hook is a disclosure to it; a hook run has no outcome and is
    not counted among the requests."""
    from certbot_privacy._internal.log import records

    hook = records.hook_record(
        kind="manual-auth",
        executable="/usr/local/bin/auth",
        args=[],
        env={"CERTBOT_DOMAIN": "example.org"},
        personal_data={"domain": ["example.org"]},
        when=T0,
    )
    summary = summarise(read_items(write_log(tmp_path / "h.jsonl", [hook, request(T0 + 1)])))
    assert summary.requests == 1 and summary.outcomes.requests == 1
    hooked = next(r for r in summary.recipients if r.recipient.startswith("hook "))
    assert hooked.outcomes.requests == 0
    assert [c.category for c in hooked.categories] == ["domain"]
    text = " ".join(report_renderer("table")(summary).split())
    assert "Hook /usr/local/bin/auth (manual-auth) ran 1 time(s)" in text
