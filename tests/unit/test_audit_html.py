"""The HTML report and Art. 30 record: one self-contained page, every value escaped, the
figures of the JSON document, a timeline per recipient (the browser test is in tests/e2e)."""

import base64
import datetime
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.audit.formats import html
from certbot_privacy._internal.audit.formats._common import short_time
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.audit.timeline import Timeline
from certbot_privacy._internal.log import classify
from certbot_privacy._internal.rules.escape import is_printable, printable
from tests.helpers.audit import fleet_log, read_items
from tests.helpers.hostile import HOSTILE, hostile_fleet
from tests.helpers.html_page import ELEMENTS, Page


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return out


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fleet_log(tmp_path_factory.mktemp("html") / "fleet.jsonl")


def _assert_self_contained(document: str) -> Page:
    """No script, no resource, the policy that forbids them, the stylesheet it allows."""
    page = Page(document)
    (policy,) = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None and policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "img-src data:" in policy and "script-src" not in policy
    style = re.search(r"<style>(.*?)</style>", document, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert {t for t, _ in page.tags} <= ELEMENTS
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("style", "src", "srcset"), name
            if name == "href":
                assert tag == "a" and value is not None and value.startswith("https://"), value
    return page


@pytest.mark.parametrize(
    "argv",
    [("report",), ("report", "--by", "host"), ("export", "--art30")],
    ids=" ".join,
)
def test_each_page_is_self_contained(
    capsys: pytest.CaptureFixture[str], log: Path, argv: Tuple[str, ...]
) -> None:
    """report and export --art30 in html: no script, no resource, a CSP that says so."""
    document = _run(capsys, *argv, "--format", "html", str(log))
    assert document.startswith("<!DOCTYPE html>")
    _assert_self_contained(document)


def test_the_report_holds_the_figures_of_the_json_document(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """Every recipient, category, value and count of --format json is on the page."""
    data = json.loads(_run(capsys, "report", "--format", "json", str(log)))
    page = Page(_run(capsys, "report", "--format", "html", str(log)))
    assert page.has_row(requests=data["requests"], privacy_off=data["privacy_off"])
    for recipient in data["recipients"]:
        assert printable(recipient["recipient"]) in page.text
        counted = (  # the CT logs get nothing from a host: the CA publishes what it ordered
            "Finalized orders whose names the CA publishes"
            if recipient["recipient"] == classify.CT_RECIPIENT
            else "requests"
        )
        assert page.has_row(
            **{counted: recipient["requests"]},
            first=short_time(recipient["first"]),
            last=short_time(recipient["last"]),
        )
        for category in recipient["categories"]:
            assert f"{category['category']}: disclosures {category['disclosures']}, " in page.text
            for value in category["values"]:
                assert page.has_row(
                    value=" ".join(printable(value["value"]).split()),
                    count=value["count"],
                    first=short_time(value["first"]),
                )


def test_the_report_draws_a_timeline_per_recipient_with_privacy_off_marked(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """One SVG per recipient; the month with a request sent with privacy mode off is banded."""
    data = json.loads(_run(capsys, "report", "--format", "json", str(log)))
    document = _run(capsys, "report", "--format", "html", str(log))
    page = Page(document)
    figures = [a for t, a in page.tags if t == "svg" and a.get("role") == "img"]
    assert len(figures) == len(data["recipients"])
    assert "2024-06: 1 request outside privacy mode" in page.text
    assert page.text.count("outside privacy mode</") == 0  # titles are text, not markup
    assert sum(1 for t, a in page.tags if t == "rect" and a.get("fill") == html.OFF_COLOUR) == 2


def test_the_art30_page_has_its_sections_and_a_signature_block(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """Art. 30(1)(a) to (g), the figures of the JSON record, dated, with a place to sign."""
    data = json.loads(_run(capsys, "export", "--art30", "--format", "json", str(log)))
    page = Page(_run(capsys, "export", "--art30", "--format", "html", str(log))).text
    for section in ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"):
        assert f"Art. 30(1){section}" in page
    for recipient in data["recipients"]:
        assert printable(recipient["name"]) in page
        counted = (
            "Finalized orders whose names the CA publishes"
            if recipient["recipient"] == classify.CT_RECIPIENT
            else "Requests"
        )
        assert f"{counted} {recipient['requests']} " in page
    assert "Name and role" in page and "Signature" in page
    # The page was made a moment after the JSON: past midnight UTC, on the next day.
    day = datetime.date.fromisoformat(data["generated"][:10])
    assert any(f"generated on {d}" in page for d in (day, day + datetime.timedelta(days=1)))


def _hostile_pages(capsys: pytest.CaptureFixture[str], root: Path) -> List[str]:
    hosts, journal = hostile_fleet(root)
    return [
        _run(capsys, *argv, "--format", "html", str(hosts), str(journal))
        for argv in (
            ("report",),
            ("report", "--by", "host"),
            ("export", "--art30", "--controller-name", HOSTILE[16]),
        )
    ]


def test_hostile_values_are_text_on_the_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The hostile corpus: no element or attribute it could inject, no character that
    reorders or hides text, and each value shown as it was (printable)."""
    for document in _hostile_pages(capsys, tmp_path):
        page = _assert_self_contained(document)
        assert is_printable(document.replace("\n", " "))
        for hostile in HOSTILE:
            assert " ".join(printable(hostile).split()) in page.text
        assert "<script>alert(1)</script>" in page.text


def test_the_timeline_counts_months_per_host_and_merges() -> None:
    """Per month and host, the busiest hosts named, the rest summed; parts merge exactly."""
    one, two = Timeline(), Timeline()
    for n in range(10):
        one.add(f"web{n}", "CA", "2024-01-05T00:00:00.000Z", 0)
    two.add("web0", "CA", "2023-11-30T00:00:00.000Z", 1)
    two.add("web0", "CA", "2024-03-01T00:00:00.000Z", 0)
    one.merge(two)
    result = one.result(top=2)
    assert result.months == ("2023-11", "2023-12", "2024-01", "2024-02", "2024-03")
    (ca,) = result.recipients
    assert ca.requests == (1, 0, 10, 0, 1) and ca.privacy_off == (1, 0, 0, 0, 0)
    assert [h.host for h in ca.hosts] == ["web0", "web1", None]
    assert ca.hosts[0].requests == (1, 0, 1, 0, 1) and ca.hosts[2].others == 8
    assert ca.host_count == 10


def test_the_summary_has_months_only_when_asked(log: Path) -> None:
    """Only the HTML report pays for the timeline; its months add up to the requests."""
    assert summarise(read_items(log)).months is None
    summary = summarise(read_items(log), months=True)
    assert summary.months is not None
    totals = {r.recipient: sum(r.requests) for r in summary.months.recipients}
    assert totals == {r.recipient: r.requests for r in summary.recipients}


def test_certbot_runs_import_nothing_of_the_audit_tool() -> None:
    """The plugin certbot imports on every run loads no audit module (HTML included)."""
    code = (
        "import sys, certbot_privacy._internal.adapter.plugin as p; "
        "print([m for m in sys.modules if m.startswith('certbot_privacy._internal.audit')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_fleet_recipient_names_its_first_hosts_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """Sixty hosts: a recipient's section names fifty, says how many more, and its
    timeline names the eight busiest and sums the rest."""
    for n in range(60):
        host = tmp_path / "hosts" / f"web{n:02d}"
        host.mkdir(parents=True)
        (host / "disclosure.jsonl").write_bytes(log.read_bytes())
    page = Page(_run(capsys, "report", "--format", "html", str(tmp_path / "hosts"))).text
    assert page.count("web49") > page.count("web55") and "and 10 more (--format json)" in page
    # Named in the lists of files, hosts and when recording began, not in a value's row.
    assert page.count("web55") == 3
    assert "52 other hosts: " in page


def test_a_page_by_host_has_sections_for_the_first_hosts_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str],
    log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--by host on a fleet: sections for the first hosts only (200; 3 here), then how many
    more and where their sections are; the totals still count every host."""
    from certbot_privacy._internal.audit.formats.html import _report

    monkeypatch.setattr(_report, "HOST_SECTIONS", 3)
    for n in range(5):
        host = tmp_path / "hosts" / f"web{n}"
        host.mkdir(parents=True)
        (host / "disclosure.jsonl").write_bytes(log.read_bytes())
    argv = ("report", "--by", "host", "--format", "html", str(tmp_path / "hosts"))
    page = Page(_run(capsys, *argv)).text
    assert "and 2 more hosts not shown here" in page
    assert "their sections in --format json and --format csv" in page
    document = json.loads(_run(capsys, *argv[:4], "json", argv[-1]))
    assert len({r["host"] for r in document["recipients"]}) == 5
    sections = [name for name in ("web0", "web1", "web2", "web3", "web4") if f"{name} to " in page]
    assert sections == ["web0", "web1", "web2"], sections


def test_a_section_lists_the_first_values_of_a_category_and_says_where_the_rest_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A host that ordered 60 names: its section lists 20 of them, says how many more and
    where every value is; the page grows by little with more names (bounded per section),
    and with --by host the same holds per host."""
    from tests.helpers.audit import DAY, T0, issuance, with_responses, write_log

    def page_for(names: int) -> str:
        requests = [  # over the same 60 days, whatever the number of names
            r
            for n in range(names)
            for r in issuance(T0 + n * 60 * DAY / names, f"n{n:03d}.example")
        ]
        path = write_log(tmp_path / f"{names}.jsonl", with_responses(requests))
        return _run(capsys, "report", "--format", "html", str(path))

    document = page_for(60)
    page = _assert_self_contained(document)
    assert "n019.example" in page.text and "n020.example" not in page.text
    assert (
        "and 40 more values of domain, not listed here: every value is in --format json and "
        "--format csv ." in page.text
    )
    assert "domain: disclosures 60, distinct 60" in page.text
    assert len(page_for(600)) < len(document) + 1000
    by_host = _run(capsys, "report", "--by", "host", "--format", "html", str(tmp_path))
    assert by_host.count("more values of domain, not listed here") == 2
