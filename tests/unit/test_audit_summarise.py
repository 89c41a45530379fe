"""summarise: what personal data went to whom, when, and with privacy mode off."""

import json
from pathlib import Path
from typing import Dict

import pytest

from certbot_privacy._internal.audit import summarise as summarise_module
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.summarise import RecipientStats, Summary, summarise
from certbot_privacy._internal.audit.times import format_utc, parse_bound
from certbot_privacy._internal.audit.values import IMPLICIT_IP_LABEL, label
from certbot_privacy._internal.log import classify
from certbot_privacy._internal.log.reader import Line
from tests.helpers.audit import (
    DAY,
    LE,
    REAL_LOGS,
    T0,
    UA,
    UNKNOWN_CA,
    fleet_log,
    gzip_copy,
    issuance,
    lines_of,
    read_items,
    request,
    write_log,
)

CT = classify.CT_RECIPIENT

OCSP = "OCSP responder r3.o.lencr.org"


def _at(seconds: float) -> str:
    from datetime import datetime, timezone

    return format_utc(datetime.fromtimestamp(seconds, tz=timezone.utc))


def _by_name(summary: Summary) -> Dict[str, RecipientStats]:
    return {r.recipient: r for r in summary.recipients}


def _values(stats: RecipientStats, category: str) -> Dict[str, int]:
    return {v.value: v.count for c in stats.categories if c.category == category for v in c.values}


@pytest.fixture()
def fleet(tmp_path: Path) -> Path:
    return fleet_log(tmp_path / "fleet.jsonl")


def test_requests_are_counted_per_recipient(fleet: Path) -> None:
    """Each recipient gets its requests, first and last time; blocked ones apart."""
    summary = summarise(read_items(fleet))
    recipients = _by_name(summary)
    assert set(recipients) == {LE, UNKNOWN_CA, OCSP, classify.EFF_RECIPIENT, CT}
    assert recipients[LE].requests == 5 + 4
    assert recipients[LE].first == _at(T0)
    assert recipients[LE].last == _at(T0 + 90 * DAY + 4)
    assert summary.requests == 9 + 4 + 1 + 1
    assert summary.blocked == ((classify.EFF_RECIPIENT, 1),)
    assert dict(summary.events) == {"consent": 1, "request": 15, "response": 15, "blocked": 1}
    assert summary.skipped == 0 and summary.files == (str(fleet),)


def test_each_distinct_value_has_its_count_and_times(fleet: Path) -> None:
    """A domain sent in two orders and two CSRs: one value, counted four times."""
    stats = _by_name(summarise(read_items(fleet)))[LE]
    domain = next(c for c in stats.categories if c.category == "domain")
    (value,) = domain.values
    assert (value.value, value.count) == ("example.org", 4)
    assert (value.first, value.last) == (_at(T0 + 2), _at(T0 + 90 * DAY + 4))
    assert _values(stats, "contact") == {"mailto:admin@example.org": 1}
    assert _values(stats, "user_agent") == {UA: 9}
    assert _values(stats, "ip_address") == {IMPLICIT_IP_LABEL: 9}


def test_categories_come_in_a_fixed_order(fleet: Path) -> None:
    """People-identifying categories first, the implicit address last."""
    stats = _by_name(summarise(read_items(fleet)))[LE]
    names = [c.category for c in stats.categories]
    assert names[0] == "contact" and names[-1] == "ip_address"
    assert names.index("domain") < names.index("account_key") < names.index("user_agent")


def test_requests_with_privacy_mode_off_are_counted(fleet: Path) -> None:
    """A record saying privacy_mode false counts as off, for its recipient and values."""
    summary = summarise(read_items(fleet))
    recipients = _by_name(summary)
    assert recipients[UNKNOWN_CA].privacy_off == 1
    assert recipients[LE].privacy_off == 0
    assert summary.privacy_off == 1
    domain = next(c for c in recipients[UNKNOWN_CA].categories if c.category == "domain")
    assert domain.values[0].privacy_off == 1


def test_missing_privacy_mode_means_on() -> None:
    """Schema 1 records are written in privacy mode: no field means on."""
    assert not summarise_module.privacy_mode_off({})
    assert not summarise_module.privacy_mode_off({"privacy_mode": True})
    assert summarise_module.privacy_mode_off({"privacy_mode": False})


def test_since_and_until_select_by_time(fleet: Path) -> None:
    """Only requests within the bounds count; a date as --until takes the whole day."""
    filters = Filters.create(
        since=parse_bound("2024-06-01", end_of_day=False),
        until=parse_bound("2024-07-30", end_of_day=True),
    )
    recipients = _by_name(summarise(read_items(fleet), filters))
    assert set(recipients) == {LE, UNKNOWN_CA, CT}
    assert recipients[LE].requests == 4
    assert recipients[LE].first == _at(T0 + 90 * DAY)


def test_recipient_filter_matches_part_of_the_name(fleet: Path) -> None:
    """--recipient letsencrypt selects the Let's Encrypt endpoints only, ignoring case."""
    summary = summarise(read_items(fleet), Filters.create(recipients=("LetsEncrypt",)))
    assert [r.recipient for r in summary.recipients] == [LE]


def test_domain_filter_keeps_everything_sent_with_that_domain(fleet: Path) -> None:
    """--domain selects the requests that disclosed it, with all their other data."""
    summary = summarise(read_items(fleet), Filters.create(domains=("EXAMPLE.NET.",)))
    stats, published = sorted(summary.recipients, key=lambda r: r.recipient == CT)
    assert published.recipient == CT
    assert stats.recipient == UNKNOWN_CA and stats.requests == 2
    assert {c.category for c in stats.categories} >= {"domain", "user_agent", "ip_address"}


def test_category_filter_keeps_only_those_categories(fleet: Path) -> None:
    """--category contact counts only contacts (requests are still counted)."""
    summary = summarise(read_items(fleet), Filters.create(categories=("contact",)))
    stats = _by_name(summary)[LE]
    assert [c.category for c in stats.categories] == ["contact"]
    assert all(c.category == "contact" for r in summary.recipients for c in r.categories)


def test_lines_that_are_not_records_are_skipped_with_file_and_line(
    fleet: Path, tmp_path: Path
) -> None:
    """Garbage, foreign JSON and a crash tail are listed by file:line; the rest is counted."""
    lines = lines_of(fleet)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b"\n".join(
            [lines[0], b"\xff\xfe garbage", b'{"hello": "world"}', *lines[1:], b'{"schema":1,"se']
        )
    )
    summary = summarise(read_items(path))
    assert summary.requests == 15
    assert [(p.lineno, p.where) for p in summary.problems] == [
        (2, f"{path}:2"),
        (3, f"{path}:3"),
        (len(lines) + 3, f"{path}:{len(lines) + 3}"),
    ]
    assert "crash" in summary.problems[-1].message
    assert summary.skipped == 3


def test_only_the_first_problems_are_kept_but_all_are_counted(tmp_path: Path) -> None:
    """Memory stays bounded on a foreign file: a capped list and a full count."""
    path = tmp_path / "foreign.txt"
    count = summarise_module.PROBLEM_LIMIT + 50
    path.write_bytes(b"not json\n" * count)
    summary = summarise(read_items(path))
    assert summary.skipped == count
    assert len(summary.problems) == summarise_module.PROBLEM_LIMIT
    assert summary.recipients == ()


def test_a_damaged_gzip_is_reported_and_later_files_still_count(
    fleet: Path, tmp_path: Path
) -> None:
    """A .gz cut short becomes one problem line; the other files are summarised."""
    data = gzip_copy(fleet, tmp_path / "whole.gz").read_bytes()
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(data[: len(data) // 2])
    summary = summarise(read_items(broken, fleet))
    assert summary.skipped == 1
    assert summary.problems[0].source == str(broken)
    assert "damaged or cut short" in summary.problems[0].message
    assert summary.lines > len(lines_of(fleet))
    assert _by_name(summary)[classify.EFF_RECIPIENT].requests == 1
    assert summary.files == (str(broken), str(fleet))


def test_account_keys_are_one_value_per_key(tmp_path: Path) -> None:
    """The same key is one value whether it signs or is named in a key change."""
    jwk = {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}
    signer = label("account_key", {"role": "signer", "thumbprint": "T", "jwk": jwk})
    old = label("account_key", {"role": "old", "thumbprint": "T", "jwk": jwk})
    assert signer == old == "EC P-256 key, thumbprint T"
    assert (
        label("csr_public_key", {"key_type": "RSA", "key_size": 2048, "spki_sha256": "ab"})
        == "RSA 2048 key, SPKI sha256 ab"
    )
    assert (
        label("certificate", {"serial": "0a", "sha256": "x", "names": [], "issuer": "CN=I"})
        == "serial 0a, issuer CN=I"
    )
    assert label("domain", "example.org") == "example.org"
    assert label("other", {"b": 1, "a": [2]}) == '{"a":[2],"b":1}'


def test_renewals_only_add_counts_not_values(tmp_path: Path) -> None:
    """Ten renewals of one site: one domain value, counted in every order and CSR."""
    entries = [r for i in range(10) for r in issuance(T0 + i * 60 * DAY, "example.org")]
    summary = summarise(read_items(write_log(tmp_path / "r.jsonl", entries)))
    published, stats = sorted(summary.recipients, key=lambda r: r.recipient != CT)
    assert _values(stats, "domain") == {"example.org": 20}
    assert stats.requests == summary.requests == 40
    assert _values(published, "domain") == {"example.org": 10}  # one publication per order


def test_in_memory_lines_need_no_file() -> None:
    """The core takes any lines: one request from a Line built by hand."""
    record = dict(request(T0, user_agent="UA/1"), seq=0, prev="sha256:" + "0" * 64)
    summary = summarise([Line("mem", 1, json.dumps(record).encode())])
    assert _values(summary.recipients[0], "user_agent") == {"UA/1": 1}


@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_real_logs_add_up(path: Path) -> None:
    """On real certbot logs every request is counted and every record read."""
    parsed = [json.loads(line) for line in lines_of(path)]
    summary = summarise(read_items(path))
    assert summary.skipped == 0
    assert summary.records == len(parsed)
    assert summary.requests == sum(1 for r in parsed if r["event"] == "request")
    for stats in summary.recipients:
        sent = [r for r in parsed if r["event"] == "request" and r["recipient"] == stats.recipient]
        assert stats.requests == len(sent)
        assert _values(stats, "ip_address") == {IMPLICIT_IP_LABEL: len(sent)}
        assert stats.first == min(r["time"] for r in sent)


def test_real_renewal_log_shows_the_ocsp_responder_and_one_user_agent() -> None:
    """certbot 2.1.0's renewals: OCSP checks are a recipient; the UA is the minimal one."""
    summary = summarise(read_items(Path(__file__).parent / "data/audit/renewals.jsonl"))
    names = [r.recipient for r in summary.recipients]
    assert any(name.startswith("OCSP responder") for name in names)
    for stats in summary.recipients:
        assert list(_values(stats, "user_agent")) == [
            "CertbotACMEClient/2.1.0 python-requests/2.28.1"
        ]


def _notices(path: Path) -> Path:
    from certbot_privacy._internal.log import records

    changed = records.notice_record(
        kind="terms_changed",
        recipient=LE,
        when=T0,
        **{"expected": "https://le.test/v1.8.pdf", "announced": "https://le.test/\x1b[2J"},
    )
    stale = records.notice_record(
        kind="facts_stale",
        recipient=LE,
        when=T0 + 1,
        **{"checked": "2026-12-01", "max_age_months": 12},
    )
    return write_log(path, [*issuance(T0, "example.org"), changed, stale, changed])


def test_notice_records_are_summarised_and_shown_escaped(tmp_path: Path) -> None:
    """notice records (schema 1) are counted per kind, and reports show them escaped."""
    from certbot_privacy._internal.audit.formats import markdown, table

    summary = summarise(read_items(_notices(tmp_path / "n.jsonl")))
    assert dict(summary.events)["notice"] == 3
    kinds = {(n.kind, n.count) for n in summary.notices}
    assert kinds == {("terms_changed", 2), ("facts_stale", 1)}
    for render in (table.render_report, markdown.render_report):
        shown = render(summary)
        assert "\x1b" not in shown
        text = shown.replace("\\\\", "\x00").replace("\\", "")  # Markdown's escapes
        assert "terms_changed" in text and "facts_stale" in text
        assert "https://le.test/v1.8.pdf" in text


def test_logs_without_notices_summarise_as_before(fleet: Path) -> None:
    """An older log, with no notice record, has no notices and no new section."""
    assert summarise(read_items(fleet)).notices == ()


def test_finalized_orders_publish_their_names_to_ct(fleet: Path) -> None:
    """Each finalize counts as a disclosure of its names to the public CT logs, no request."""
    summary = summarise(read_items(fleet))
    published = _by_name(summary)[CT]
    assert {c.category for c in published.categories} == {"domain"}
    assert published.privacy_off == 0
    assert summary.requests == sum(r.requests for r in summary.recipients if r.recipient != CT)


def test_a_name_only_looked_up_is_no_recipient(tmp_path: Path) -> None:
    """A gethostbyaddr record (certbot's getfqdn as it makes an account) asked the resolver
    about the name: the name is no recipient of the host's address; a connect is."""
    from certbot_privacy._internal.log import records

    def connection(host: str, port: object, via: str) -> Dict[str, object]:
        return records.connection_record(
            recipient=host,
            host=host,
            port=port,  # type: ignore[arg-type]
            address=None,
            transport="tcp",
            via=via,
            module="certbot._internal.account",
            plugin=None,
            seen="connection",
            own=None,
            when=T0,
        )

    log = write_log(
        tmp_path / "disclosure.jsonl",
        [
            connection("vm", None, "socket.gethostbyaddr"),
            connection("mail.example", None, "socket.gethostbyname"),
            connection("api.example", 443, "socket.connect"),
        ],
    )
    summary = summarise(read_items(log))
    assert [r.recipient for r in summary.recipients] == ["api.example"]
