"""The audit's figures on a real run's log (both targets, real certbot against Pebble):
outcomes, coverage said from the records, letters per data subject (issue 20, issue 18
item 6). The audit tool is the target's own ``certbot-privacy`` script."""

import json
import subprocess
from typing import Any, Dict

import pytest

from certbot_privacy._internal.log.schema import EVENTS
from harness import CertbotRunner, CertbotTarget, require_success

from .log_checks import read_log

pytestmark = pytest.mark.e2e


def _audit(target: CertbotTarget, *args: str) -> str:
    tool = target.certbot.parent / "certbot-privacy"
    done = subprocess.run(
        [str(tool), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _json(target: CertbotTarget, *args: str) -> Dict[str, Any]:
    document: Dict[str, Any] = json.loads(_audit(target, *args, "--format", "json"))
    return document


def test_a_real_run_s_figures_outcomes_and_coverage(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """Every request Pebble answered is counted as answered; coverage is said from the
    records (a run with coverage records says what it saw; an old one what is not known)."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain)))
    log = certbot.logs_dir / "disclosure.jsonl"
    records = read_log(log)
    requests = [r for r in records if r["event"] == "request"]
    answered = [r for r in records if r["event"] == "response"]
    report = _json(target, "report", str(log))
    assert report["outcomes"]["requests"] == len(requests)
    assert report["outcomes"]["answered"] + report["outcomes"]["refused"] == len(answered)
    assert report["outcomes"]["not_delivered"] == 0
    assert report["recipient_count"] == len({r["recipient"] for r in report["recipients"]})
    said = " ".join(report["coverage"]["sentences"])
    if "coverage" in EVENTS:  # this version records its coverage: the report says what it saw
        assert any(r["event"] == "coverage" for r in records)
        assert report["coverage"]["runs"] >= 1 and "is not known" not in said
        assert "recorded their coverage" in said
    else:
        assert "what went outside the requests library" in said and "is not known" in said
    # A name only looked up (certbot's getfqdn as it makes an account) is said to be a
    # lookup, and is no recipient.
    for looked_up in {
        r["host"]
        for r in records
        if r["event"] == "connection" and r["via"] == "socket.gethostbyaddr"
    }:
        assert f"no connection to it recorded): {looked_up}, " in said, said
        assert looked_up not in {r["recipient"] for r in report["recipients"]}
    table = _audit(target, "report", str(log))
    assert table.splitlines()[0].startswith("Read 1 file: ")
    assert max(len(line) for line in table.splitlines()) <= 80


def test_a_real_run_s_letter_is_per_data_subject_and_says_when_recording_began(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """The access request from a real run: the account, when the log began, the IP
    placeholder."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain)))
    log = certbot.logs_dir / "disclosure.jsonl"
    first = read_log(log)[0]["time"][:10]
    letters = " ".join(_audit(target, "export", "--access-request", str(log)).split())
    assert domain in letters
    assert f"My disclosure log began recording on {first}" in letters
    assert "[the public IP addresses of your servers: the log does not record them]" in letters
    # its count is of the requests the account signed (a JWS with kid or jwk), fewer than
    # the report's requests to the CA (the directory and nonces are signed by no one)
    records = read_log(log)
    signed = [
        r
        for r in records
        if r["event"] == "request"
        and r["recipient"].startswith("https://")
        and any(k in (r.get("jws") or {}).get("protected", {}) for k in ("kid", "jwk"))
    ]
    to_ca = [r for r in records if r["event"] == "request" and r["recipient"].startswith("https")]
    assert 0 < len(signed) < len(to_ca)
    # The days of the first and the last (one day, unless the run went past midnight UTC).
    first_day, last_day = signed[0]["time"][:10], signed[-1]["time"][:10]
    assert (
        "Requests to your ACME service signed with these accounts: "
        f"- {len(signed)} requests from {first_day} to {last_day} (UTC)"
    ) in letters


def test_report_domain_counts_the_ordering_account_s_registration_in_every_figure(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """A real registration with a consented address, then an order: report --domain NAME
    shows the address, and the headline's requests and answers are the CA block's (the
    registration included), every one answered by Pebble."""
    registered = certbot.run(
        "register",
        "-m",
        "dpo@example.com",
        "--privacy-share-email",
        "--agree-tos",
        "--no-eff-email",
        "--privacy-minimal",
    )
    require_success(registered)
    domain = certbot.domain()
    require_success(
        certbot.run(
            "certonly", "--webroot", "-w", str(certbot.webroot), "--privacy-minimal", "-d", domain
        )
    )
    log = certbot.logs_dir / "disclosure.jsonl"
    report = _json(target, "report", "--domain", domain, str(log))
    (ca,) = [r for r in report["recipients"] if r["recipient"].startswith("https://")]
    contacts = [c for c in ca["categories"] if c["category"] == "contact"]
    assert [v["value"] for v in contacts[0]["values"]] == ["mailto:dpo@example.com"]
    assert report["requests"] == ca["requests"] == ca["outcomes"]["requests"]
    assert report["outcomes"] == ca["outcomes"]
    assert report["outcomes"]["answered"] + report["outcomes"]["refused"] == ca["requests"]
    assert report["coverage"]["https"] == ca["requests"]
