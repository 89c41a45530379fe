"""A contact email leaves only with explicit, informed consent, recorded first.

Real certbot (both targets) against Pebble behind the recording proxy. Interactive runs
are driven in a real pseudo-terminal; the answers are typed as an admin would.
"""

import json
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from harness import CertbotResult, CertbotRunner, require_success
from harness.recording_proxy import RecordedRequest

from .log_checks import LogCursor, Record, assert_run_logged, read_log
from .terminal import Terminal
from .wire_checks import new_accounts

pytestmark = pytest.mark.e2e

EMAIL = "admin@example.org"


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def _consents(records: List[Record]) -> List[Record]:
    return [r for r in records if r["event"] == "consent"]


def _first(records: List[Record], event: str, url_part: str = "") -> int:
    return next(
        i for i, r in enumerate(records) if r["event"] == event and url_part in r.get("url", "")
    )


def test_noninteractive_registration_without_email(certbot: CertbotRunner) -> None:
    """-n with no email and no --register-unsafely-without-email registers with no contact."""
    result = require_success(certbot.run("register", "--privacy-minimal", "--agree-tos"))
    (payload,) = new_accounts(result.requests)
    assert "contact" not in payload or payload["contact"] == [], payload


def test_email_without_consent_stops_before_anything_is_sent(certbot: CertbotRunner) -> None:
    """-n --email without --privacy-share-email: exit 2, one sentence, no request at all."""
    result = certbot.run("register", "--privacy-minimal", "--agree-tos", "-m", EMAIL)
    assert result.returncode == 2, result.describe()
    assert result.requests == []
    assert "--privacy-share-email" in result.stderr and "Traceback" not in result.stderr
    assert not _log(certbot).exists() or read_log(_log(certbot)) == []


def test_email_with_consent_flag_is_sent_after_a_consent_record(certbot: CertbotRunner) -> None:
    """--email --privacy-share-email: the contact reaches the CA; consent is logged first."""
    cursor = LogCursor(_log(certbot))
    result = require_success(
        certbot.run(
            "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL, "--privacy-share-email"
        )
    )
    (payload,) = new_accounts(result.requests)
    assert payload["contact"] == [f"mailto:{EMAIL}"]
    records = assert_run_logged(result, cursor)
    (consent,) = _consents(records)
    assert consent["decision"] == "granted" and EMAIL in consent["values"]
    assert _first(records, "consent") < _first(records, "request", "sign-me-up")
    assert "Pebble" in consent["text"] or "127.0.0.1" in consent["text"]


def _lookups(requests: List[RecordedRequest]) -> List[RecordedRequest]:
    """The account lookups by key: newAccount requests with onlyReturnExisting."""
    return [
        request
        for request in requests
        if request.path == "/sign-me-up"
        and isinstance((request.jws() or {}).get("payload"), dict)
        and (request.jws() or {})["payload"].get("onlyReturnExisting") is True
    ]


def test_account_lookup_does_not_resend_the_contact(certbot: CertbotRunner) -> None:
    """update_account -m: the lookup before the update carries contact: [], not the address."""
    # acme's update_registration first looks the account up by key, re-sending the body it
    # is about to send (the new contact included) with onlyReturnExisting; the stored
    # account never has a contact (certbot saves an empty body), so this is the lookup
    # that would carry one.
    require_success(certbot.run("register", "--privacy-minimal", "--agree-tos"))
    cursor = LogCursor(_log(certbot))
    result = require_success(
        certbot.run("update_account", "--privacy-minimal", "-m", EMAIL, "--privacy-share-email")
    )
    (lookup,) = _lookups(result.requests)
    decoded = lookup.jws() or {}
    assert decoded["payload"].get("contact") == [], result.describe()
    assert EMAIL not in json.dumps(decoded), result.describe()
    updates = [
        (r.jws() or {}).get("payload") for r in result.requests if r.path.startswith("/my-account/")
    ]
    assert {"contact": [f"mailto:{EMAIL}"]} in updates, result.describe()
    assert_run_logged(result, cursor)


def test_withdrawal_sends_an_empty_contact_and_is_recorded(certbot: CertbotRunner) -> None:
    """update_account --privacy-withdraw-email sends contact: [] and records it first."""
    require_success(
        certbot.run(
            "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL, "--privacy-share-email"
        )
    )
    cursor = LogCursor(_log(certbot))
    result = require_success(
        certbot.run("update_account", "--privacy-minimal", "--privacy-withdraw-email")
    )
    updates = [
        (r.jws() or {}).get("payload") for r in result.requests if r.path.startswith("/my-account/")
    ]
    assert {"contact": []} in updates, result.describe()
    records = assert_run_logged(result, cursor)
    (withdrawal,) = _consents(records)
    assert withdrawal["purpose"] == "contact_withdrawn"
    assert _first(records, "consent") < _first(records, "request", "my-account")


def test_unsafe_flag_never_silently_removes_contacts(certbot: CertbotRunner) -> None:
    """update_account --register-unsafely-without-email in privacy mode: refused, exit 2."""
    require_success(
        certbot.run(
            "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL, "--privacy-share-email"
        )
    )
    result = certbot.run("update_account", "--privacy-minimal", "--register-unsafely-without-email")
    assert result.returncode == 2, result.describe()
    assert result.requests == []


# --- interactive, in a real terminal -------------------------------------------------------


def _terminal(certbot: CertbotRunner, *args: str, lang: str = "C.UTF-8") -> Tuple[Terminal, Any]:
    argv = certbot.argv(*args, interactive=True)
    env = certbot.environment()
    env["LANG"] = env["LC_ALL"] = lang
    mark = certbot.proxy.mark()
    return Terminal(argv, env, certbot.base), mark


def _register_interactively(
    certbot: CertbotRunner,
    answers: List[str],
    *extra: str,
    lang: str = "C.UTF-8",
    question: str = "[y/N]",
) -> Tuple[CertbotResult, str]:
    terminal, mark = _terminal(
        certbot, "register", "--privacy-minimal", "--agree-tos", *extra, lang=lang
    )
    terminal.expect(question)
    for answer in answers:
        terminal.type(answer)
        if answer and answer.lower() in ("y", "yes", "是", "同意") and not extra:
            terminal.expect(":", timeout=30)
    code = terminal.finish()
    result = CertbotResult(
        ["register"],
        code,
        terminal.output,
        "",
        certbot.proxy.since(mark),
        certbot.proxy.outside_since(mark),
    )
    return result, terminal.output


@pytest.mark.parametrize("answer", ["n", ""])
def test_interactive_decline_or_enter_registers_without_contact(
    certbot: CertbotRunner, answer: str
) -> None:
    """The admin reads who gets the email and why, then says no (or just Enter)."""
    cursor = LogCursor(_log(certbot))
    result, shown = _register_interactively(certbot, [answer])
    assert result.returncode == 0, shown
    assert "optional" in shown and "127.0.0.1" in shown
    (payload,) = new_accounts(result.requests)
    assert not payload.get("contact"), payload
    (consent,) = _consents(cursor.new_records())
    assert consent["decision"] == "refused"
    assert consent["text"].splitlines()[0] in shown


def test_interactive_accept_then_address(certbot: CertbotRunner) -> None:
    """y, then the address: the contact is sent, after the consent record."""
    cursor = LogCursor(_log(certbot))
    terminal, mark = _terminal(certbot, "register", "--privacy-minimal", "--agree-tos")
    terminal.expect("[y/N]")
    terminal.type("y")
    terminal.expect("Email address")
    terminal.type(EMAIL)
    assert terminal.finish() == 0, terminal.output
    (payload,) = new_accounts(certbot.proxy.since(mark))
    assert payload["contact"] == [f"mailto:{EMAIL}"]
    records = cursor.new_records()
    (consent,) = _consents(records)
    assert consent["decision"] == "granted" and consent["values"] == [EMAIL]
    assert _first(records, "consent") < _first(records, "request", "sign-me-up")


def test_interactive_email_given_then_declined(certbot: CertbotRunner) -> None:
    """-m given at a terminal: the admin is asked about that address; no keeps it home."""
    terminal, mark = _terminal(certbot, "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL)
    shown = terminal.expect("[y/N]")
    assert EMAIL in shown
    terminal.type("no")
    assert terminal.finish() == 0, terminal.output
    (payload,) = new_accounts(certbot.proxy.since(mark))
    assert not payload.get("contact")


def _chinese_question(certbot: CertbotRunner, answer: Optional[str]) -> Tuple[Terminal, Any]:
    terminal, mark = _terminal(
        certbot, "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL, lang="zh_CN.UTF-8"
    )
    terminal.expect("[y/N]")
    if answer is not None:
        terminal.type(answer)
    return terminal, mark


def test_chinese_text_and_accept(certbot: CertbotRunner) -> None:
    """zh_CN: the text is in Chinese, and 是 is a yes."""
    terminal, mark = _chinese_question(certbot, "是")
    assert terminal.finish() == 0, terminal.output
    assert "电子邮件" in terminal.output or "邮箱" in terminal.output, terminal.output
    (payload,) = new_accounts(certbot.proxy.since(mark))
    assert payload["contact"] == [f"mailto:{EMAIL}"]


@pytest.mark.parametrize("answer", ["否", ""])
def test_chinese_decline(certbot: CertbotRunner, answer: str) -> None:
    """zh_CN: 否, or Enter, is a no."""
    terminal, mark = _chinese_question(certbot, answer)
    assert terminal.finish() == 0, terminal.output
    (payload,) = new_accounts(certbot.proxy.since(mark))
    assert not payload.get("contact")
