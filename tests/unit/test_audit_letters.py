"""Access (Art. 15) and erasure (Art. 17) requests: what identifies the admin at each CA."""

from pathlib import Path
from typing import Tuple

import pytest

from certbot_privacy._internal.audit import cli, formats, letters
from certbot_privacy._internal.log import records
from tests.helpers.audit import (
    FIXTURES,
    LE,
    T0,
    UNKNOWN_CA,
    fleet_log,
    issuance,
    read_items,
    with_responses,
    write_log,
)

SSLCOM = "https://acme.ssl.com/sslcom-dv-rsa"
GOOGLE = "https://dv.acme-v02.api.pki.goog/directory"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    return fleet_log(tmp_path / "fleet.jsonl")


def test_identifiers_are_collected_per_ca_and_data_subject(log: Path) -> None:
    """Each CA gets, per contact address and for the accounts given none, the account URLs,
    key thumbprints, the address with its dates, domains and span; the EFF too."""
    found = {(i.ca.display_name, i.subject): i for i in letters.collect(read_items(log))}
    assert set(found) == {
        ("Let's Encrypt", "admin@example.org"),
        ("Let's Encrypt", None),
        ("acme.example.net", None),
        ("Electronic Frontier Foundation (EFF)", "admin@example.org"),
    }
    registered = found[("Let's Encrypt", "admin@example.org")]
    assert [c.value for c in registered.contacts] == ["admin@example.org"]
    assert registered.contacts[0].first == "2024-05-01T00:00:01.000Z"
    assert len(registered.thumbprints) == 1 and len(registered.thumbprints[0].value) == 43
    # The orders name account 17 by its URL; no Location links it to the registration.
    ordering = found[("Let's Encrypt", None)]
    assert [d.value for d in ordering.domains] == ["example.org"]
    assert [u.value for u in ordering.account_urls] == ["https://ca.example/acct/17"]
    assert (ordering.first[:10], ordering.last[:10]) == ("2024-05-01", "2024-07-30")
    assert ordering.contacts == ()


def test_the_location_of_a_new_account_is_an_account_url(tmp_path: Path) -> None:
    """The Location a CA answers a new account with is listed among the account URLs."""
    from tests.helpers.audit import request
    from tests.helpers.logs import new_account_body

    new_account = request(T0, new_account_body("me@example.org"))
    created = records.response_record(
        request_seq=0,
        status=201,
        recipient=LE,
        method="POST",
        url="https://acme-v02.api.letsencrypt.org/acme/new-acct",
        when=T0 + 1,
        extra={"location": "https://acme-v02.api.letsencrypt.org/acme/acct/123456"},
    )
    path = write_log(tmp_path / "a.jsonl", [new_account, created])
    (le,) = letters.collect(read_items(path))
    assert [u.value for u in le.account_urls] == [
        "https://acme-v02.api.letsencrypt.org/acme/acct/123456"
    ]


def test_letters_go_to_verified_contacts_or_say_where_to_look(tmp_path: Path) -> None:
    """LE and SSL.com: their verified privacy addresses; Google and unknown CAs: where to look."""
    flows = [
        *issuance(T0, "a.example.org"),
        *issuance(T0 + 10, "b.example.org", recipient=SSLCOM),
        *issuance(T0 + 20, "c.example.org", recipient=GOOGLE),
        *issuance(T0 + 30, "d.example.org", recipient=UNKNOWN_CA),
    ]
    path = write_log(tmp_path / "cas.jsonl", with_responses(flows))
    written = letters.letters(letters.collect(read_items(path)), letters.ACCESS)
    assert [(w.ca_name, w.to) for w in written] == [
        ("Let's Encrypt", "privacy@abetterinternet.org"),
        ("SSL.com (RSA)", "privacy@ssl.com"),
        ("Google Trust Services", None),
        ("acme.example.net", None),
    ]
    assert "https://pki.goog/repository/" in written[2].where
    assert "No verified privacy contact" in written[2].where
    assert "No privacy contact of acme.example.net is known" in written[3].where


@pytest.mark.parametrize("kind", ["--access-request", "--erasure-request"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_letters_from_real_runs_in_english(
    capsys: pytest.CaptureFixture[str], kind: str, fmt: str
) -> None:
    """A real run's log (certbot 5.8.0): one letter, its identifiers, signed as asked."""
    real = FIXTURES / "eff-opt-in.jsonl"
    code, out, err = run(
        capsys, "export", kind, "--format", fmt, "--requester", "Ada Admin", str(real)
    )
    assert (code, err) == (0, "")
    assert "Letter 1 of 2: " in out.replace("\\", "")  # the CA's, then the EFF's
    article = "Article 15" if kind == "--access-request" else "Article 17"
    assert article in out
    plain = out.replace("\\", "")
    assert "admin@example.org (sent on 2026-11-22)" in plain
    assert "https://127.0.0.1:45691/my-account/1f2585d36b809b44" in plain
    assert "uW79Ol6QRpSMbIvQri-0Jh5spSPvkTxgJ1D6dlH-Qcc" in plain
    assert "Ada Admin" in out
    assert "Electronic Frontier Foundation (EFF), about admin@example.org" in plain
    ca_letter = plain[: plain.index("Letter 2 of 2")]
    assert "EFF" not in ca_letter  # the EFF is not among the CA's recipients


@pytest.mark.parametrize("kind", ["--access-request", "--erasure-request"])
def test_letters_from_real_runs_in_chinese(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """The same letters in Simplified Chinese, from the catalogue; values kept as they are."""
    real = FIXTURES / "revoke-certbot-2.1.jsonl"
    code, out, _ = run(capsys, "export", kind, "--language", "zh_CN", str(real))
    assert code == 0
    article = "第 15 条" if kind == "--access-request" else "第 17 条"
    assert article in out and "《通用数据保护条例》" in out
    assert "ACME 账户密钥指纹（RFC 7638，SHA-256）：" in out  # noqa: RUF001 - Chinese punctuation
    assert "[您的姓名]" in out
    assert "I am writing" not in out


def test_no_ca_in_the_log_means_no_letter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A log with only OCSP traffic: a sentence saying there is no one to write to."""
    from tests.helpers.audit import ocsp_request

    path = write_log(tmp_path / "e.jsonl", [ocsp_request(T0)])
    code, out, _ = run(capsys, "export", "--erasure-request", str(path))
    assert (code, out) == (
        0,
        "No request to an ACME CA or the EFF in the selected records: there is no one to "
        "write to.\n",
    )


def test_letters_are_text_or_markdown_only(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """--format json with a request is a usage error; --art30 with text too."""
    assert run(capsys, "export", "--access-request", "--format", "json", str(log))[0] == 2
    assert run(capsys, "export", "--art30", "--format", "text", str(log))[0] == 2
    assert run(capsys, "export", "--art30", "--access-request", str(log))[0] == 2
    assert formats.names("letters") == ["text", "markdown"]


def test_filters_select_the_period_of_a_letter(log: Path) -> None:
    """--since/--until narrow what a letter lists."""
    from certbot_privacy._internal.audit.filters import Filters

    found = letters.collect(read_items(log), Filters.create(since="2024-07-01T00:00:00.000Z"))
    le = next(i for i in found if i.ca.display_name == "Let's Encrypt")
    assert le.contacts == () and le.first[:10] == "2024-07-30"


def test_the_request_count_says_it_counts_the_accounts_signed_requests(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """A letter counts the requests its accounts signed, and says so: the report's 9
    requests to Let's Encrypt include 2 that no account signed (directory, nonce), which
    are no one's; 1 request is one request."""
    assert cli.main(["export", "--access-request", str(log)]) == 0
    out = capsys.readouterr().out
    assert out.count("Requests to your ACME service signed with these accounts:\n") == 3
    assert "  - 1 request from 2024-05-01 to 2024-05-01 (UTC)\n" in out
    assert "  - 6 requests from 2024-05-01 to 2024-07-30 (UTC)\n" in out
    assert "1 requests" not in out
    assert cli.main(["report", "--recipient", "letsencrypt.org", str(log)]) == 0
    assert "  9 requests, " in capsys.readouterr().out
