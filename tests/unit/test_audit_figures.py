"""Every figure of the report right, from the one summary every format renders (issue 20)."""

import csv
import io
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from acme import messages
from josepy.jwk import JWKEC

from certbot_privacy._internal.audit import art30, formats, parallel
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.summarise import Accumulator, Summary, summarise
from certbot_privacy._internal.log import classify, records
from tests.helpers.audit import (
    DAY,
    LE,
    T0,
    eff_request,
    fleet_log,
    issuance,
    read_items,
    request,
    response,
    with_responses,
    write_log,
)
from tests.helpers.logs import ACCOUNT_URL, ec_key, new_account_body, new_order_body, sign

Record = Dict[str, Any]


def _three_hosts(root: Path) -> Path:
    """web1 registers with a contact; web2 and web3 only order, on the same CA."""
    for n, host in enumerate(("web1", "web2", "web3")):
        contact = "dpo@example.com" if host == "web1" else None
        entries = with_responses(issuance(T0 + n * DAY, f"{host}.example.com", contact=contact))
        (root / host).mkdir(parents=True)
        write_log(root / host / "disclosure.jsonl", entries)
    return root


def _csv(summary: Summary) -> List[Dict[str, str]]:
    return list(csv.DictReader(io.StringIO(formats.report_renderer("csv")(summary))))


def test_csv_names_on_each_row_only_the_hosts_that_sent_that_value(tmp_path: Path) -> None:
    """The contact came from web1 alone: its row says web1, not every host of the fleet."""
    summary = parallel.summarise([str(_three_hosts(tmp_path / "fleet"))], Filters(), workers=1)
    rows = _csv(summary)
    (contact,) = [r for r in rows if r["category"] == "contact"]
    assert contact["host"] == "web1"
    user_agent = next(r for r in rows if r["category"] == "user_agent" and r["recipient"] == LE)
    assert user_agent["host"] == "web1 web2 web3"
    domain = next(r for r in rows if r["value"] == "web2.example.com" and r["recipient"] == LE)
    assert domain["host"] == "web2"


def test_recipients_are_counted_the_same_grouped_by_host(tmp_path: Path) -> None:
    """Three hosts sending to one CA: one recipient (and CT), whether grouped by host or not."""
    fleet = str(_three_hosts(tmp_path / "fleet"))
    by_recipient = parallel.summarise([fleet], Filters(), workers=1)
    by_host = parallel.summarise([fleet], Filters(), by="host", workers=1)
    assert by_recipient.recipient_count == by_host.recipient_count == 2
    assert len(by_host.recipients) == 6
    for name in ("table", "markdown"):
        text = formats.report_renderer(name)(by_host)
        assert "to 2 recipients" in text and "to 6 recipients" not in text
    assert json.loads(formats.report_renderer("json")(by_host))["recipient_count"] == 2


def test_art30_counts_a_value_sent_to_two_recipients_once(tmp_path: Path) -> None:
    """example.org went to the CA and to CT, the User-Agent to three recipients: distinct
    values over all recipients count each value once."""
    summary = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    record = art30.build(summary, art30.Controller(), generated="2024-09-01T00:00:00.000Z")
    categories = {c.category: c for c in record.categories}
    assert categories["domain"].distinct == 2  # example.org, example.net
    assert categories["user_agent"].distinct == 1
    assert set(categories["user_agent"].recipients) >= {LE, classify.EFF_RECIPIENT}
    per_recipient = sum(
        c.distinct for r in summary.recipients for c in r.categories if c.category == "domain"
    )
    assert per_recipient == 4  # the double count this replaces
    document = json.loads(formats.art30_renderer("json")(record))
    domain = next(c for c in document["personal_data"] if c["category"] == "domain")
    assert domain["distinct"] == 2


def _outcome_log(path: Path) -> Path:
    """Four requests to the EFF: answered, refused (HTTP 500), never delivered (an error
    record: DNS failed), and one with no outcome at all (the process died)."""
    entries: List[Record] = []
    for n in range(4):
        entries.append(eff_request(T0 + n))
    answered = response(T0 + 0.5, 0, recipient=classify.EFF_RECIPIENT, status=200)
    refused = response(T0 + 1.5, 2, recipient=classify.EFF_RECIPIENT, status=500)
    failed = records.error_record(
        request_seq=4,
        error="Name or service not known",
        recipient=classify.EFF_RECIPIENT,
        method="POST",
        url="https://supporters.eff.org/subscribe/certbot",
        when=T0 + 2.5,
    )
    ordered = [entries[0], answered, entries[1], refused, entries[2], failed, entries[3]]
    return write_log(path, ordered)


def test_outcomes_tell_sent_refused_and_never_delivered_apart(tmp_path: Path) -> None:
    """A request record is an attempt: what came back (or did not) is counted apart."""
    summary = summarise(read_items(_outcome_log(tmp_path / "eff.jsonl")))
    (eff,) = summary.recipients
    outcomes = eff.outcomes
    assert (outcomes.requests, outcomes.answered, outcomes.refused) == (4, 1, 1)
    assert (outcomes.failed, outcomes.unknown) == (1, 1)
    assert summary.outcomes == outcomes
    table = formats.report_renderer("table")(summary)
    assert "1 answered" in table and "1 answered with an error" in table
    assert "1 never delivered" in table and "1 with no outcome in the log" in table
    markdown = formats.report_renderer("markdown")(summary)
    assert "1 never delivered" in markdown
    document = json.loads(formats.report_renderer("json")(summary))
    assert document["recipients"][0]["outcomes"] == {
        "requests": 4,
        "answered": 1,
        "refused": 1,
        "not_delivered": 1,
        "no_outcome": 1,
    }
    row = _csv(summary)[0]
    assert (row["answered"], row["refused"], row["not_delivered"], row["no_outcome"]) == (
        "1",
        "1",
        "1",
        "1",
    )


def test_outcomes_survive_a_file_read_in_parts(tmp_path: Path) -> None:
    """A response read by another worker than its request still pairs with it."""
    items = read_items(_outcome_log(tmp_path / "eff.jsonl"))
    first, second = Accumulator(Filters()), Accumulator(Filters())
    for item in items[:3]:  # up to the second request; its response is in the next part
        first.add(item)
    for item in items[3:]:
        second.add(item)
    first.merge(second)
    (eff,) = first.result().recipients
    assert (eff.outcomes.answered, eff.outcomes.refused, eff.outcomes.failed) == (1, 1, 1)


def test_recipients_are_named_from_the_ca_facts_with_their_address(tmp_path: Path) -> None:
    """Let's Encrypt by its name, its directory URL whole beside it; the EFF by its name."""
    summary = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    names = {r.recipient: r.name for r in summary.recipients}
    assert names[LE] == "Let's Encrypt"
    assert names[classify.EFF_RECIPIENT] == "Electronic Frontier Foundation (EFF)"
    table = formats.report_renderer("table")(summary)
    assert "Let's Encrypt" in table and LE in table  # whole, not cut
    assert "Let's Encrypt" in formats.report_renderer("markdown")(summary)


def _two_accounts(path: Path) -> Path:
    """Account 17 (contact dpo@) orders example.org; account 99 (contact other@) orders
    nothing selected. Each new account's response names its URL (Location)."""
    other_key = JWKEC(key=ec_key())
    other_body = sign(
        messages.NewRegistration.from_data(email="other@example.com", terms_of_service_agreed=True),
        "https://ca.example/new-acct",
        key=other_key,
    )
    entries: List[Record] = [
        request(T0, new_account_body("dpo@example.com")),
        records.response_record(
            request_seq=0,
            status=201,
            recipient=LE,
            method="POST",
            url="https://ca.example/new-acct",
            when=T0 + 0.5,
            extra={"location": ACCOUNT_URL},
        ),
        request(T0 + 1, other_body),
        records.response_record(
            request_seq=2,
            status=201,
            recipient=LE,
            method="POST",
            url="https://ca.example/new-acct",
            when=T0 + 1.5,
            extra={"location": "https://ca.example/acct/99"},
        ),
        request(T0 + 2 * DAY, new_order_body("example.org")),
    ]
    return write_log(path, entries)


def test_domain_filter_includes_the_contact_of_the_account_that_ordered_it(
    tmp_path: Path,
) -> None:
    """--domain example.org shows the contact its ordering account sent on registering,
    and not the other account's."""
    log = _two_accounts(tmp_path / "accounts.jsonl")
    summary = summarise(read_items(log), Filters.create(domains=("example.org",)))
    ca = next(r for r in summary.recipients if r.recipient == LE)
    contacts = [v.value for c in ca.categories if c.category == "contact" for v in c.values]
    assert contacts == ["mailto:dpo@example.com"]
    assert ca.requests == 2  # the registration and the order
    # The same across two files (the registration in the rotated one).
    lines = log.read_bytes().splitlines(keepends=True)
    (tmp_path / "old.jsonl").write_bytes(b"".join(lines[:4]))
    (tmp_path / "new.jsonl").write_bytes(b"".join(lines[4:]))
    first, second = Accumulator(Filters.create(domains=("example.org",))), None
    second = Accumulator(Filters.create(domains=("example.org",)))
    for item in read_items(tmp_path / "old.jsonl"):
        first.add(item)
    for item in read_items(tmp_path / "new.jsonl"):
        second.add(item)
    first.merge(second)
    merged = next(r for r in first.result().recipients if r.recipient == LE)
    assert [v.value for c in merged.categories if c.category == "contact" for v in c.values] == [
        "mailto:dpo@example.com"
    ]


def test_the_ordering_account_s_own_request_counts_in_every_figure(tmp_path: Path) -> None:
    """--domain: the registration that sent the ordering account's contact is a request of
    the CA's block, so it is one of the headline's, with its outcome and its transport
    (the block said 2 requests, the headline 1, and its answer was not counted); across two
    files alike."""
    log = _two_accounts(tmp_path / "accounts.jsonl")
    selected = Filters.create(domains=("example.org",))

    def figures(summary: Summary) -> Tuple[int, int, Outcomes, Outcomes, int]:
        ca = next(r for r in summary.recipients if r.recipient == LE)
        return (
            summary.requests,
            ca.requests,
            summary.outcomes,
            ca.outcomes,
            summary.coverage.https,
        )

    whole = figures(summarise(read_items(log), selected))
    assert whole == (2, 2, Outcomes(2, 1, 0, 0), Outcomes(2, 1, 0, 0), 2)
    lines = log.read_bytes().splitlines(keepends=True)
    (tmp_path / "old.jsonl").write_bytes(b"".join(lines[:4]))
    (tmp_path / "new.jsonl").write_bytes(b"".join(lines[4:]))
    first, second = Accumulator(selected), Accumulator(selected)
    for item in read_items(tmp_path / "old.jsonl"):
        first.add(item)
    for item in read_items(tmp_path / "new.jsonl"):
        second.add(item)
    first.merge(second)
    assert figures(first.result()) == whole


def test_a_timeline_lists_each_value_per_day(tmp_path: Path) -> None:
    """--timeline: each value with the days it was sent on and how often that day."""
    log = fleet_log(tmp_path / "fleet.jsonl")
    summary = summarise(read_items(log), timeline=True)
    ca = next(r for r in summary.recipients if r.recipient == LE)
    domain = next(c for c in ca.categories if c.category == "domain")
    assert domain.values[0].days == (("2024-05-01", 2), ("2024-07-30", 2))
    table = formats.report_renderer("table")(summary)
    assert "2024-05-01 (2), 2024-07-30 (2)" in table
    document = json.loads(formats.report_renderer("json")(summary))

    def _first_value(document: Dict[str, Any]) -> Dict[str, Any]:
        le = next(r for r in document["recipients"] if r["recipient"] == LE)
        value: Dict[str, Any] = le["categories"][0]["values"][0]
        return value

    assert _first_value(document)["timeline"][0]["day"] == "2024-05-01"
    plain = json.loads(formats.report_renderer("json")(summarise(read_items(log))))
    assert "timeline" not in _first_value(plain)


def test_the_headline_says_what_was_read_before_what_was_sent(tmp_path: Path) -> None:
    """A file of which nothing is readable never opens with "No personal data was sent"."""
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b"not json\n{}\n")
    summary = summarise(read_items(junk))
    for name in ("table", "markdown"):
        text = " ".join(formats.report_renderer(name)(summary).split())
        assert "No personal data was sent" not in text
        assert "cannot tell what was sent" in text
        assert "Read 1 file: 0 records, 2 lines not readable as records." in text
    good = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    first, second = formats.report_renderer("table")(good).splitlines()[:2]
    assert first.startswith("Read 1 file: 32 records")
    assert second.startswith("Personal data sent in 15 requests to 5 recipients")


def test_the_table_fits_80_columns_and_the_terminal_width(tmp_path: Path) -> None:
    """Long values (a User-Agent, key descriptions, URLs) wrap; nothing is cut."""
    from certbot_privacy._internal.audit.formats import table

    long_ua = "CertbotACMEClient/5.8.0 (certbot; Debian GNU/Linux 12 (bookworm)) " * 3
    log = fleet_log(tmp_path / "fleet.jsonl")
    entries = [request(T0 + 200 * DAY, user_agent=long_ua.strip())]
    other = write_log(tmp_path / "long.jsonl", entries)
    summary = summarise(read_items(log, other))
    for columns in (80, 60):
        text = table.render_report(summary, columns)
        assert max(len(line) for line in text.splitlines()) <= columns
        assert "".join(text.split()).count("".join(long_ua.split())) == 1
    assert LE in table.render_report(summary, 80)


def test_art30_counts_without_keeping_values_and_agrees(tmp_path: Path) -> None:
    """export --art30 counts distinct values by digest (bounded memory): the same figures
    as a summary that keeps every value, read in one pass or in parts."""
    from certbot_privacy._internal.audit.distinct import Distinct

    fleet = _three_hosts(tmp_path / "fleet")
    fleet_log(fleet / "web1" / "more.jsonl")
    kept = parallel.summarise([str(fleet)], Filters(), workers=1)
    counted = parallel.summarise([str(fleet)], Filters(), workers=1, values=False)
    assert kept.categories == counted.categories
    for mine, theirs in zip(kept.recipients, counted.recipients):
        assert [(c.category, c.disclosures, c.distinct) for c in mine.categories] == [
            (c.category, c.disclosures, c.distinct) for c in theirs.categories
        ]
        assert all(c.values == () for c in theirs.categories)
    first, second = Accumulator(Filters(), values=False), Accumulator(Filters(), values=False)
    items = read_items(*sorted(fleet.glob("*/*.jsonl")))
    for item in items[: len(items) // 2]:
        first.add(item)
    for item in items[len(items) // 2 :]:
        second.add(item)
    first.merge(second)
    assert first.result().categories == counted.categories
    built = art30.build(counted, art30.Controller(), generated="2024-09-01T00:00:00.000Z")
    assert {c.category: c.distinct for c in built.categories}["domain"] == 5
    counter = Distinct()
    for n in range(5000):
        counter.add(f"value {n % 3000}")
    assert len(counter) == 3000


def test_the_ca_facts_as_text_fit_80_columns() -> None:
    """`cas` wraps to the terminal (80 columns when not one), as the report does."""
    from certbot_privacy._internal.audit.formats import text
    from certbot_privacy._internal.rules import facts_file, layout

    shown = text.render_cas(facts_file.facts())
    assert max(layout.width(line) for line in shown.splitlines()) <= 80


def test_report_by_host_streams_host_by_host_with_the_same_text(
    tmp_path: Path, capsys: Any
) -> None:
    """report --by host (the table) is summarised and written host by host, in memory
    bounded by the largest host; its text is that of the whole summary rendered at once."""
    from certbot_privacy._internal.audit import cli
    from certbot_privacy._internal.audit.formats import table

    fleet = _three_hosts(tmp_path / "fleet")
    fleet_log(fleet / "web2" / "more.jsonl")
    whole = table.render_report(
        parallel.summarise([str(fleet)], Filters(), by="host", workers=1), 80
    )
    for workers in (1, 2):
        spool = io.StringIO()
        totals = parallel.by_host([str(fleet)], Filters(), spool, table.by_host(), workers=workers)
        assert totals is not None
        assert all(c == () for r in totals.recipients for c in [r.categories])
        streamed = table.render_head(totals, 80) + spool.getvalue() + table.render_tail(totals, 80)
        assert streamed == whole
    assert cli.main(["report", "--by", "host", str(fleet)]) == 0
    assert capsys.readouterr().out == whole


def _streamed(stream: "formats.ByHost", names: List[str], filters: Filters, workers: int) -> str:
    spool = io.StringIO()
    totals = parallel.by_host(
        names, filters, spool, stream, months=True, timeline=True, workers=workers
    )
    assert totals is not None
    assert all(c == () for r in totals.recipients for c in [r.categories])
    return stream.head(totals) + spool.getvalue() + stream.tail(totals)


@pytest.mark.parametrize("name", ["json", "csv", "markdown", "html"])
def test_every_format_streams_by_host_with_the_same_text(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """report --by host in JSON, CSV, Markdown and HTML is written host by host (memory
    bounded by the largest host), byte for byte as the whole summary renders it: values,
    per-category totals over every host (distinct values counted once), files in the
    order given, lines that are not records; and with nothing selected."""
    from certbot_privacy._internal.audit import cli
    from certbot_privacy._internal.audit.formats.html import _page, _report

    monkeypatch.setattr(_page, "now", lambda: "2024-09-01T00:00:00.000Z")
    monkeypatch.setattr(_report, "now", lambda: "2024-09-01T00:00:00.000Z")
    fleet = _three_hosts(tmp_path / "fleet")
    fleet_log(fleet / "web2" / "more.jsonl")
    with (fleet / "web3" / "disclosure.jsonl").open("ab") as log:
        log.write(b"not a record\n")
    render = formats.report_renderer(name)
    stream = formats.report_by_host(name)
    assert stream is not None
    # Two fleets, the second's host first in order: the files as given, the hosts sorted.
    (tmp_path / "more" / "web0").mkdir(parents=True)
    fleet_log(tmp_path / "more" / "web0" / "disclosure.jsonl")
    for names in ([str(fleet)], [str(fleet), str(tmp_path / "more")]):
        for filters in (Filters(), Filters.create(recipients=("nobody.example",))):
            whole = parallel.summarise(
                names, filters, by="host", months=True, timeline=True, workers=1
            )
            for workers in (1, 2):
                assert _streamed(stream(), names, filters, workers) == render(whole)
    assert cli.main(["report", "--by", "host", "--format", name, str(fleet)]) == 0
    whole = parallel.summarise([str(fleet)], Filters(), by="host", months=name == "html")
    assert capsys.readouterr().out == render(whole)
    if name == "json":
        totals = {c["category"]: c["distinct"] for c in json.loads(render(whole))["categories"]}
        assert totals["domain"] == 5


@pytest.mark.parametrize("name", ["table", "json", "csv", "markdown", "html"])
def test_by_host_with_a_domain_follows_an_account_from_host_to_host(
    tmp_path: Path, name: str, capsys: Any
) -> None:
    """A fleet that shares one ACME account: it registered (with its contact) on web1 and
    ordered example.org on web2. --by host --domain example.org shows the contact, in every
    format (the hosts are not read apart then: an account is not a host's)."""
    from certbot_privacy._internal.audit import cli

    lines = _two_accounts(tmp_path / "accounts.jsonl").read_bytes().splitlines(keepends=True)
    for host, part in (("web1", lines[:4]), ("web2", lines[4:])):
        (tmp_path / "fleet" / host).mkdir(parents=True)
        (tmp_path / "fleet" / host / "disclosure.jsonl").write_bytes(b"".join(part))
    argv = ["report", "--by", "host", "--domain", "example.org", "--format", name]
    assert cli.main([*argv, str(tmp_path / "fleet")]) == 0
    assert "dpo@example.com" in capsys.readouterr().out
