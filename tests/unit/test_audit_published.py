"""The Certificate Transparency logs in what a DPO reads: no host sends them anything, so
no format says it did. Their figures are the finalized orders whose names the CA
publishes, ordered from the hosts (they were "4 requests ... from web1", "Sent from")."""

import json
from pathlib import Path

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import classify
from tests.helpers.audit import fleet_log

CT = classify.CT_RECIPIENT


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    """A fleet directory of one host, web1."""
    (tmp_path / "hosts" / "web1").mkdir(parents=True)
    fleet_log(tmp_path / "hosts" / "web1" / "disclosure.jsonl")
    return tmp_path / "hosts"


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _block(text: str, start: str) -> str:
    """The part of *text* from *start* to the next blank line, white space folded."""
    block = text[text.index(start) :].split("\n\n")[0]
    return " ".join(block.split())


def test_the_figures_are_orders_whose_names_are_published(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """The JSON's count for the CT logs, in words in the table, Markdown and Art. 30."""
    document = json.loads(_out(capsys, "report", "--format", "json", str(log)))
    (ct,) = [r for r in document["recipients"] if r["recipient"] == CT]
    orders = ct["requests"]
    assert orders > 0 and ct["outcomes"]["requests"] == 0  # nothing was sent to them

    table = _block(_out(capsys, "report", str(log)), CT)
    assert f"the names of {orders} finalized orders, published by the CA, " in table
    assert "ordered from " in table and "published" in table.split("domain:")[1]
    assert " requests," not in table and " from " not in table.replace("ordered from", "")

    markdown = _out(capsys, "report", "--format", "markdown", str(log))
    markdown = " ".join(markdown.split(f"## {CT}")[1].split("|")[0].split())
    assert f"The names of {orders} finalized orders, published by the CA, " in markdown
    assert "Ordered from host" in markdown and "Sent from" not in markdown

    art30 = _out(capsys, "export", "--art30", "--format", "markdown", str(log))
    section = _block(art30, f"### {CT}") + " " + art30.split(f"### {CT}")[1].split("###")[0]
    assert f"- Finalized orders whose names the CA publishes: {orders}, " in section
    assert "- Personal data published: domain" in section
    assert "- Sent from" not in section and "- Requests:" not in section


def test_other_recipients_keep_their_requests(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """A CA's block still counts the requests the hosts sent it, from the hosts."""
    table = _out(capsys, "report", str(log))
    block = _block(table, "Let's Encrypt")
    assert " requests, " in block and "published" not in block


def test_html_names_the_ct_figures_for_what_they_are(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """The report page and the Art. 30 page head the CT logs' count and hosts apart."""
    for argv in (["report"], ["export", "--art30"]):
        page = _out(capsys, *argv, "--format", "html", str(log))
        assert "Finalized orders whose names the CA publishes" in page
        assert "Ordered from hosts" in page
