"""Issuing publishes the names in public CT logs: the log, the report and Art. 30 say so.

Real certbot (both targets) against Pebble; the audit tool is the target's own
``certbot-privacy`` script. Interactively, a notice (not a question) comes before the
first order for a name this machine has not issued before, and never for a renewal.
"""

import json
import subprocess
from typing import Any, Dict

import pytest

from harness import CertbotRunner, CertbotTarget, require_success

from .log_checks import read_log
from .terminal import Terminal

pytestmark = pytest.mark.e2e

CT = "Certificate Transparency logs (public)"


def _audit(target: CertbotTarget, *args: str) -> Dict[str, Any]:
    tool = target.certbot.parent / "certbot-privacy"
    done = subprocess.run(
        [str(tool), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document: Dict[str, Any] = json.loads(done.stdout)
    return document


def test_issued_names_are_a_disclosure_to_the_ct_logs(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """After a real issuance, report --format json and export --art30 list the CT logs."""
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain)))
    log = certbot.logs_dir / "disclosure.jsonl"
    (finalize,) = [r for r in read_log(log) if r.get("published")]
    assert finalize["published"][0]["recipient"] == CT
    assert finalize["published"][0]["personal_data"]["domain"] == [domain]

    report = _audit(target, "report", "--format", "json", str(log))
    (ct,) = [r for r in report["recipients"] if r["recipient"] == CT]
    (names,) = [c for c in ct["categories"] if c["category"] == "domain"]
    assert [v["value"] for v in names["values"]] == [domain]
    assert ct["first"] == finalize["time"]

    art30 = _audit(target, "export", "--art30", "--format", "json", str(log))
    (listed,) = [r for r in art30["recipients"] if r["recipient"] == CT]
    assert listed["categories"] == ["domain"] and listed["first"] == finalize["time"]
    assert any(CT in c["recipients"] for c in art30["personal_data"])

    # No format says a host sent the CT logs anything: the CA publishes the order's names.
    tool = str(target.certbot.parent / "certbot-privacy")
    for argv, heading, said in (
        (["report"], CT, "the names of 1 finalized order, published by the CA, "),
        (["report", "--format", "markdown"], f"## {CT}", "The names of 1 finalized order, "),
        (["export", "--art30", "--format", "markdown"], f"### {CT}", "- Finalized orders whose"),
    ):
        done = subprocess.run(
            [tool, *argv, str(log)], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        part = " ".join(done.stdout.split(heading, 1)[1].split())
        assert said in part[:500] and "Sent from" not in part[:500], (argv, part[:500])


def test_interactive_run_gives_one_notice_before_a_new_name_only(
    certbot: CertbotRunner,
) -> None:
    """A first issuance for a name shows the CT notice; issuing it again does not."""
    domain = certbot.domain()
    args = [*certbot.certonly_args(domain), "--cert-name", domain]
    first = Terminal(certbot.argv(*args, interactive=True), certbot.environment(), certbot.base)
    try:
        first.expect("[y/N]", timeout=60)  # the contact email question: Enter is no
        first.type("")
        first.expect("Certificate Transparency", timeout=60)
    finally:
        code = first.finish()
    assert code == 0, first.output
    assert first.output.count("Certificate Transparency: ") == 1
    assert "wildcard" in first.output and domain in first.output
    again = Terminal(
        certbot.argv(*args, "--force-renewal", interactive=True),
        certbot.environment(),
        certbot.base,
    )
    assert again.finish() == 0, again.output
    assert "Certificate Transparency" not in again.output
