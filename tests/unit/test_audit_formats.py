"""The output formats: one interface, and values from the log shown safely."""

import csv
import io
import json
import textwrap
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbot_privacy._internal.audit import formats
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.formats import json as json_format
from certbot_privacy._internal.audit.formats import table
from certbot_privacy._internal.audit.summarise import Summary, summarise
from certbot_privacy._internal.audit.verify import verify
from certbot_privacy._internal.rules.escape import printable
from tests.helpers.audit import LE, T0, fleet_log, read_items, request, unwrapped, write_log


@pytest.fixture()
def summary(tmp_path: Path) -> Summary:
    return summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))


def _hostile_summary(tmp_path: Path) -> Summary:
    """A log whose User-Agent carries a terminal escape, Markdown and a bidi override."""
    hostile = "evil\x1b[2J\u202e|*x*|[link](http://a)<b>"
    return summarise(read_items(write_log(tmp_path / "h.jsonl", [request(T0, user_agent=hostile)])))


def test_each_kind_has_its_formats() -> None:
    """report: table/json/csv/markdown/html; verify: text/json; art30: json/markdown/html."""
    assert formats.names("report") == ["table", "json", "csv", "markdown", "html"]
    assert formats.names("verify") == ["text", "json"]
    assert formats.names("art30") == ["json", "markdown", "html"]


def test_asking_a_format_for_what_it_cannot_show_is_an_error() -> None:
    """csv has no verify renderer: a ValueError naming the ones that do."""
    with pytest.raises(ValueError, match="text, json"):
        formats.verify_renderer("csv")


def test_table_shows_recipients_values_and_privacy_off(summary: Summary) -> None:
    """The table names each recipient, counts per value, and says what went out with OFF."""
    text = formats.report_renderer("table")(summary)
    assert text.splitlines()[1].startswith("Personal data sent in 15 requests to 5 recipients")
    assert LE in text
    assert "mailto:admin@example.org" in text
    assert "1 request went out with privacy mode OFF" in text
    assert "Blocked by certbot-privacy (not sent):" in text
    assert "    example.org\n      4 times, 2024-05-01 00:00:02 to 2024-07-30 00:00:04" in text
    assert "1 with privacy mode OFF" in " ".join(text.split())


def test_table_of_nothing_says_so(tmp_path: Path) -> None:
    """No request selected: a sentence, not an empty table."""
    empty = summarise([], Filters.create(recipients=("nobody",)))
    text = formats.report_renderer("table")(empty)
    assert "No personal data was sent" in text and "--recipient nobody" in text


def test_csv_has_one_row_per_value(summary: Summary) -> None:
    """CSV: a header and one row per recipient, category and value, times in full."""
    rows = list(csv.DictReader(io.StringIO(formats.report_renderer("csv")(summary))))
    contact = [r for r in rows if r["category"] == "contact"]
    assert contact == [
        {
            "recipient": LE,
            "category": "contact",
            "value": "mailto:admin@example.org",
            "count": "1",
            "first": "2024-05-01T00:00:01.000Z",
            "last": "2024-05-01T00:00:01.000Z",
            "privacy_off": "0",
            "host": "",
            "name": "Let's Encrypt",
            "requests": "9",
            "answered": "9",
            "refused": "0",
            "not_delivered": "0",
            "no_outcome": "0",
        }
    ]
    assert len(rows) == sum(c.distinct for r in summary.recipients for c in r.categories)


def test_json_report_round_trips_the_numbers(summary: Summary) -> None:
    """JSON: the same recipients, requests and values as the summary."""
    document = json.loads(formats.report_renderer("json")(summary))
    assert document["format"] == "certbot-privacy-report/1"
    assert document["requests"] == summary.requests == 15
    assert document["privacy_off"] == 1
    assert [r["recipient"] for r in document["recipients"]] == [
        r.recipient for r in summary.recipients
    ]
    assert document["blocked"] == {"EFF (supporters.eff.org)": 1}


def test_a_json_value_has_its_figures_in_order(tmp_path: Path) -> None:
    """Each value of the JSON report: its figures and hosts in this order (then its
    timeline, with --timeline), whatever builds them."""
    log = fleet_log(tmp_path / "fleet.jsonl")
    for timeline, keys in (
        (False, ["value", "count", "first", "last", "privacy_off", "hosts"]),
        (True, ["value", "count", "first", "last", "privacy_off", "hosts", "timeline"]),
    ):
        summary = summarise(read_items(log), timeline=timeline)
        document = json.loads(formats.report_renderer("json")(summary))
        values = [v for r in document["recipients"] for c in r["categories"] for v in c["values"]]
        assert len(values) > 10 and all(list(v) == keys for v in values)
        assert values[0]["hosts"] == [] and isinstance(values[0]["count"], int)


def test_markdown_report_has_a_table_per_recipient(summary: Summary) -> None:
    """Markdown: a heading and a table for each recipient."""
    text = formats.report_renderer("markdown")(summary)
    assert text.count("\n## ") == len(summary.recipients) + 1  # + "Blocked"
    assert "| Category | Count | First (UTC) | Last (UTC) | Privacy mode off | Value |" in text


def test_values_cannot_drive_the_terminal(tmp_path: Path) -> None:
    """Escape sequences and bidi overrides in a log are shown escaped in the table."""
    text = formats.report_renderer("table")(_hostile_summary(tmp_path))
    assert "\x1b" not in text and "\u202e" not in text
    assert "evil\\x1b[2J\\u202e" in text


def test_values_cannot_inject_markdown(tmp_path: Path) -> None:
    """Pipes, emphasis, links and HTML in values are escaped in Markdown."""
    text = formats.report_renderer("markdown")(_hostile_summary(tmp_path))
    row = next(line for line in text.splitlines() if "evil" in line)
    assert row.count(" | ") == 5  # six cells, the value's pipes escaped
    assert "\\|\\*x\\*\\|\\[link\\](http\\://a)\\<b\\>" in row


def test_json_keeps_values_exact(tmp_path: Path) -> None:
    """Machines get the value exactly as it was sent."""
    document = json.loads(formats.report_renderer("json")(_hostile_summary(tmp_path)))
    values = [
        v["value"]
        for c in document["recipients"][0]["categories"]
        for v in c["values"]
        if c["category"] == "user_agent"
    ]
    assert values == ["evil\x1b[2J\u202e|*x*|[link](http://a)<b>"]


def test_printable_leaves_ordinary_text_alone() -> None:
    """Unicode letters (an IDN, a Chinese name) are not escaped."""
    assert printable("bücher.example 例子") == "bücher.example 例子"
    assert printable("a\tb\x7f") == "a\\x09b\\x7f"


def test_verify_text_names_the_bad_line_and_json_the_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text verdict reads file:line: kind: message; the JSON one has the same facts."""
    monkeypatch.setenv("COLUMNS", "120")  # no long test path cut
    path = fleet_log(tmp_path / "f.jsonl")
    lines = path.read_bytes().split(b"\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join(lines[:3] + lines[4:]))
    report = verify(read_items(path, bad))
    text = unwrapped(formats.verify_renderer("text")(report))
    assert (
        f"{path}: intact, 32 records (1 parsed and checked as records, 31 checked by "
        "their hash chain only), head sha256:"
    ) in text
    assert f"{bad}:4: removed: 1 record removed before line 4" in text
    assert text.rstrip().endswith(
        "NOT INTACT: 1 file of 2 failed the check (tampered with or damaged)"
    )
    document = json.loads(formats.verify_renderer("json")(report))
    assert document["intact"] is False
    assert document["files"][1]["failure"] == {
        "line": 4,
        "kind": "removed",
        "message": "1 record removed before line 4: seq jumps from 2 to 4",
    }


@settings(max_examples=400)
@given(
    text=st.text(alphabet=st.sampled_from("ab -é\t\n\r\x0b\x0c\u00a0\u2028x"), max_size=60),
    indent=st.sampled_from(["", "  ", "    ", "      "]),
    columns=st.integers(min_value=40, max_value=60),
    later=st.sampled_from([None, "        "]),
    cut=st.booleans(),
)
def test_the_table_wraps_as_textwrap_does(
    text: str, indent: str, columns: int, later: Optional[str], cut: bool
) -> None:
    """The table's one-line shortcut gives what textwrap gives, whatever the spaces, tabs
    and line breaks at either end or within."""
    expected = textwrap.wrap(
        text,
        width=columns,
        initial_indent=indent,
        subsequent_indent=later if later is not None else indent,
        break_long_words=cut,
        break_on_hyphens=False,
    ) or [indent]
    assert table._wrap(text, indent, columns, later, cut) == expected


class _Text(str):
    """A str subclass: json.dumps writes it as a string; indented leaves it to json.dumps."""


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and the infinities too: left to json.dumps
    | st.text()
    | st.builds(_Text, st.text(max_size=3)),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
        | st.dictionaries(st.integers(0, 3), children, min_size=1, max_size=2)
    ),
    max_leaves=30,
)


@settings(max_examples=500)
@given(value=_JSON_VALUES)
def test_indented_json_is_json_dumps_text(value: object) -> None:
    """The report's JSON encoder writes exactly what json.dumps(indent=2, ensure_ascii)
    writes, whatever the value (what it does not take is left to json.dumps), and with a
    deeper indent, that text with each line after the first moved in."""
    expected = json.dumps(value, indent=2, ensure_ascii=True)
    assert json_format.indented(value) == expected
    assert json_format.indented(value, "\n    ") == expected.replace("\n", "\n    ")


def test_indented_json_of_a_real_report_is_json_dumps_text(tmp_path: Path) -> None:
    """A report of a fleet with hostile values (DEL, bidi, Markdown, escapes): the same."""
    for summary in (
        summarise(read_items(fleet_log(tmp_path / "f.jsonl"))),
        _hostile_summary(tmp_path),
    ):
        document = json_format.report_document(summary)
        assert json_format.indented(document) == json.dumps(document, indent=2, ensure_ascii=True)
