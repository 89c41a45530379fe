"""The notices a report lists: each kind the plugin writes says what it is about, in every
format (a discontinuity was listed as "discontinuity, " with nothing after the comma)."""

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import records
from tests.helpers.audit import T0, request, write_log

#: A discontinuity notice as the writer records it (log/evidence.check_head's fields).
DISCONTINUITY: Dict[str, Any] = {
    "kind": "discontinuity",
    "message": "the disclosure log /var/log/letsencrypt/disclosure.jsonl does not hold ...",
    "found": {"file": "disclosure.jsonl", "bytes": 0},
    "expected_head": {
        "file": "disclosure.jsonl",
        "lines": 42,
        "offset": 51234,
        "time": "2024-05-01T00:00:09.000Z",
        "head": "sha256:" + "ab" * 32,
    },
}

DISCONTINUITY_DETAIL = (
    "the log did not hold the record this host last wrote to it (disclosure.jsonl line 42, "
    f"head sha256:{'ab' * 32}, written 2024-05-01T00:00:09.000Z); the file then held 0 "
    "bytes: records before this one were moved aside, cut off, replaced or deleted"
)

NOTICES = [
    (
        "local",
        DISCONTINUITY,
        DISCONTINUITY_DETAIL,
    ),
    (
        "certbot-dns-multi",
        {
            "kind": "native_code",
            "library": "dns-multi.so",
            "plugin": "certbot-dns-multi",
            "role": "authenticator",
            "message": "certbot-dns-multi, this run's authenticator, runs native code in "
            "certbot (dns-multi.so): what it sends cannot be seen by the disclosure log, "
            "not even its connections.",
        },
        "certbot-dns-multi, this run's authenticator, runs native code in certbot "
        "(dns-multi.so): what it sends cannot be seen by the disclosure log, not even its "
        "connections.",
    ),
    (
        "local",
        {
            "kind": "saved_consent_ignored",
            "options": ["privacy_share_email", "eff_email"],
            "message": "ignored (a long warning)",
        },
        "consent saved in a file, not typed in this run, was ignored: privacy_share_email, "
        "eff_email",
    ),
]


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    entries = [request(T0)]
    for n, (recipient, fields, _) in enumerate(NOTICES, 1):
        entries.append(records.notice_record(recipient=recipient, when=T0 + n, **fields))
    return write_log(tmp_path / "disclosure.jsonl", entries)


def _report(capsys: pytest.CaptureFixture[str], log: Path, fmt: str) -> str:
    assert cli.main(["report", "--format", fmt, str(log)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_json_gives_each_kind_its_detail(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """--format json: every notice kind the plugin writes has its detail, from its fields."""
    notices = json.loads(_report(capsys, log, "json"))["notices"]
    found = {(n["recipient"], n["kind"]): n["detail"] for n in notices}
    assert found == {(r, f["kind"]): detail for r, f, detail in NOTICES}


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_format_shows_the_detail_after_the_kind(
    capsys: pytest.CaptureFixture[str], log: Path, fmt: str
) -> None:
    """The table, Markdown and HTML show each kind with its detail, never an empty one."""
    out = " ".join(_report(capsys, log, fmt).split())
    assert "discontinuity, the log did not hold the record this host last wrote" in out or (
        fmt == "html" and "the log did not hold the record this host last wrote" in out
    )
    assert "(disclosure.jsonl line 42, head sha256:" in out
    assert "consent saved in a file, not typed in this run, was ignored" in out
    assert "certbot-dns-multi, this run&#x27;s authenticator" in out or (
        "certbot-dns-multi, this run's authenticator" in out
    )
    for kind in ("discontinuity", "native_code", "saved_consent_ignored"):
        assert f"{kind}, (" not in out and f"{kind}, |" not in out


def test_a_notice_with_nothing_to_say_shows_its_kind_without_a_comma(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A notice of a kind this version does not know, with no fields: its kind alone."""
    path = write_log(
        tmp_path / "d.jsonl",
        [request(T0), records.notice_record(kind="future_kind", recipient="local", when=T0 + 1)],
    )
    table = " ".join(_report(capsys, path, "table").split())
    assert "local: future_kind (1 time, last 2024-05-01 00:00:01)" in table
    markdown = _report(capsys, path, "markdown")
    assert "- local: future_kind (1 time, last 2024-05-01 00:00:01)" in markdown


SWITCHED_OFF = (
    "Privacy mode was switched off for 1 certificate(s) or account(s) (certificate "
    "example.org; the last on 2024-05-01), and not on again in these records: what certbot "
    "sent for them afterwards, without privacy mode, is not in this log."
)


def _switches(path: Path, *kinds: str) -> Path:
    entries = [request(T0)]
    for n, kind in enumerate(kinds, 1):
        entries.append(
            records.notice_record(
                kind=kind,
                recipient="https://acme-v02.api.letsencrypt.org/directory",
                when=T0 + n,
                scope="lineage",
                name="example.org",
                by="switch",
            )
        )
    return write_log(path, entries)


def test_a_certificate_switched_off_is_said_where_the_log_says_what_it_saw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """After a privacy_off notice the certificate's runs are not recorded: the report (every
    format, from the coverage) and Art. 30 section 8 say so, not only "all in privacy
    mode"; the Art. 30 measure is said of the runs the log records."""
    log = _switches(tmp_path / "off.jsonl", "privacy_on", "privacy_off")
    document = json.loads(_report(capsys, log, "json"))
    assert document["coverage"]["switched_off"] == [
        ["lineage", "example.org", "2024-05-01T00:00:02.000Z"]
    ]
    assert SWITCHED_OFF in document["coverage"]["sentences"]
    assert SWITCHED_OFF in " ".join(_report(capsys, log, "table").split())
    assert cli.main(["export", "--art30", "--format", "markdown", str(log)]) == 0
    art30 = capsys.readouterr().out
    section = art30.split("## 8.")[1].split("## Evidence")[0]
    assert SWITCHED_OFF in " ".join(section.split())
    assert "In the runs this log records, certbot runs in privacy-minimal mode" in section


def test_a_certificate_switched_on_again_is_not_said_to_be_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Off, then on again: the last switch counts."""
    log = _switches(tmp_path / "on.jsonl", "privacy_off", "privacy_on")
    document = json.loads(_report(capsys, log, "json"))
    assert document["coverage"]["switched_off"] == []
    assert not any("switched off" in s for s in document["coverage"]["sentences"])
