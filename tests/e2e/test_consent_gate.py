"""Issue 9: the consent gate holds in every command, on both certbots, against Pebble.

Each test is one of the holes found by hand, as an admin (or a distro timer) would hit it:

1. ``update_account --privacy-minimal`` without a terminal read an address from stdin and
   sent it;
2. ``--privacy-share-email`` was saved in the renewal conf and restored by every ``renew``,
   so a renewal that registered a new account sent cli.ini's address;
3. (the CA's hostile terms of service: ``test_consent_text_terminal.py``);
4. ``--eff-email`` sent the address to the EFF after the admin said no to the CA.

Asserted on what the recording proxy received (and what its trap caught beyond loopback:
the EFF is ``supporters.eff.org``) and on the disclosure log.
"""

import shutil
from pathlib import Path
from typing import List, Tuple

import pytest

from harness import CertbotResult, CertbotRunner, CertbotTarget, require_success
from harness.recording_proxy import RecordedRequest

from .log_checks import LogCursor, Record, assert_log_sound, assert_run_logged, read_log
from .terminal import Terminal
from .wire_checks import new_accounts

pytestmark = pytest.mark.e2e

EMAIL = "admin@example.org"
TYPED = "typed-on-stdin@example.org"
EFF = "supporters.eff.org:443"


def _log(certbot: CertbotRunner) -> Path:
    return certbot.logs_dir / "disclosure.jsonl"


def _events(records: List[Record], event: str) -> List[Record]:
    return [r for r in records if r["event"] == event]


def _register(certbot: CertbotRunner, *extra: str) -> CertbotResult:
    return require_success(certbot.run("register", "--privacy-minimal", "--agree-tos", *extra))


# --- 1. update_account never reads stdin without a terminal ----------------------------------


@pytest.mark.parametrize("how", ["-n", "-q", "no terminal"])
def test_update_account_without_a_terminal_never_reads_stdin(
    certbot: CertbotRunner, how: str
) -> None:
    """update_account -n / -q / piped stdin: nothing asked or read, exit 2, nothing sent."""
    _register(certbot)
    cursor = LogCursor(_log(certbot))
    flags = [] if how == "no terminal" else [how]
    result = certbot.run(
        "update_account",
        "--privacy-minimal",
        *flags,
        interactive=how != "-n",
        stdin=f"y\n{TYPED}\n",
    )
    assert result.returncode == 2, result.describe()
    assert result.requests == [] and result.outside == [], result.describe()
    assert "[y/N]" not in result.stdout and TYPED not in result.stdout + result.stderr
    assert "--privacy-share-email" in result.stderr and "Traceback" not in result.stderr
    assert cursor.new_records() == []


def test_update_account_with_consent_flag_still_works(certbot: CertbotRunner) -> None:
    """-n --email --privacy-share-email: the new contact is sent, after its consent record."""
    _register(certbot)
    cursor = LogCursor(_log(certbot))
    result = require_success(
        certbot.run("update_account", "--privacy-minimal", "-m", EMAIL, "--privacy-share-email")
    )
    contacts = [
        (r.jws() or {}).get("payload") for r in result.requests if r.path.startswith("/my-account/")
    ]
    assert {"contact": [f"mailto:{EMAIL}"]} in contacts, result.describe()
    records = assert_run_logged(result, cursor)
    (consent,) = _events(records, "consent")
    assert (consent["decision"], consent["how"], consent["values"]) == ("granted", "flag", [EMAIL])


def test_update_account_email_without_flag_stops_before_sending(certbot: CertbotRunner) -> None:
    """-n --email without --privacy-share-email: exit 2, nothing sent."""
    _register(certbot)
    result = certbot.run("update_account", "--privacy-minimal", "-m", EMAIL)
    assert result.returncode == 2 and result.requests == [], result.describe()


# --- 2. --privacy-share-email is consent for its run only --------------------------------------


def _certonly_with_email(certbot: CertbotRunner, target: CertbotTarget) -> str:
    domain = certbot.domain()
    require_success(
        certbot.run(
            *certbot.certonly_args(domain),
            "--cert-name",
            domain,
            "-m",
            EMAIL,
            "--privacy-share-email",
        )
    )
    if not target.ari:
        certbot.renew_before_expiry(domain)
    return domain


def test_share_email_is_never_written_to_the_renewal_conf(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """certonly --privacy-share-email: the lineage stays private, the consent is not saved."""
    domain = _certonly_with_email(certbot, target)
    conf = certbot.renewal_conf(domain).read_text(encoding="utf-8")
    assert "privacy_minimal = True" in conf
    assert "privacy_share_email" not in conf and "privacy_withdraw_email" not in conf


def _lose_the_account(certbot: CertbotRunner, domain: str) -> None:
    """The account is gone, and the admin removed the conf's account line (the usual fix);
    the conf still holds privacy_share_email, as an earlier version of the plugin wrote."""
    shutil.rmtree(certbot.config_dir / "accounts")
    conf = certbot.renewal_conf(domain)
    lines = conf.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("account =")]
    at = kept.index("[renewalparams]\n") + 1
    kept.insert(at, "privacy_share_email = True\n")
    conf.write_text("".join(kept), encoding="utf-8")
    certbot.user_cli_ini.parent.mkdir(parents=True, exist_ok=True)
    certbot.user_cli_ini.write_text(
        "email = other@example.org\nagree-tos = true\n", encoding="utf-8"
    )


def test_renewal_registering_a_new_account_sends_no_unconsented_address(
    certbot: CertbotRunner, target: CertbotTarget
) -> None:
    """A timer's plain renew -n that has to register again: no address (cli.ini's nor the
    old one) reaches the CA, a blocked record says why, and the certificate renews."""
    domain = _certonly_with_email(certbot, target)
    _lose_the_account(certbot, domain)
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run("renew", server=None))
    (payload,) = new_accounts(result.requests)
    assert not payload.get("contact"), payload
    assert b"other@example.org" not in b"".join(r.body for r in result.requests)
    assert certbot.cert_versions(domain) == ["cert1.pem", "cert2.pem"]
    records = assert_run_logged(result, cursor)
    (blocked,) = _events(records, "blocked")
    assert "other@example.org" in blocked["reason"], blocked
    assert not [r for r in _events(records, "consent") if r["decision"] == "granted"]
    assert result.outside == []
    conf = certbot.renewal_conf(domain).read_text(encoding="utf-8")
    assert "privacy_share_email" not in conf


def test_share_email_in_cli_ini_is_not_consent(certbot: CertbotRunner) -> None:
    """privacy-share-email = true in cli.ini: ignored with a warning; -m alone stops, exit 2."""
    certbot.user_cli_ini.parent.mkdir(parents=True, exist_ok=True)
    certbot.user_cli_ini.write_text("privacy-share-email = true\n", encoding="utf-8")
    result = certbot.run("register", "--privacy-minimal", "--agree-tos", "-m", EMAIL)
    assert result.returncode == 2 and result.requests == [], result.describe()
    assert "--privacy-share-email" in result.stderr
    result = require_success(certbot.run("register", "--privacy-minimal", "--agree-tos"))
    # Warned at parse time: certbot 5.x shows it, 2.1.0 only writes it to its own log.
    certbot_log = (certbot.logs_dir / "letsencrypt.log").read_text(encoding="utf-8")
    assert "configuration file is not consent" in result.stderr + certbot_log
    (payload,) = new_accounts(result.requests)
    assert not payload.get("contact")


# --- 4. the EFF ----------------------------------------------------------------------------------


def _eff_records(records: List[Record]) -> List[Tuple[str, str, str]]:
    return [(r["purpose"], r["decision"], r["how"]) for r in _events(records, "consent")]


def _interactive_certonly(
    certbot: CertbotRunner, answers: List[str]
) -> Tuple[int, str, List[RecordedRequest], List[str]]:
    """certonly -m EMAIL --eff-email in a real terminal, answering each [y/N] in turn."""
    argv = certbot.argv(
        *certbot.certonly_args(certbot.domain()), "-m", EMAIL, "--eff-email", interactive=True
    )
    mark = certbot.proxy.mark()
    terminal = Terminal(argv, certbot.environment(), certbot.base)
    for number, answer in enumerate(answers, 1):
        terminal.expect_count("[y/N]", number)
        terminal.type(answer)
    code = terminal.finish()
    outside = [a.target for a in certbot.proxy.outside_since(mark)]
    return code, terminal.output, certbot.proxy.since(mark), outside


def test_a_no_to_the_ca_sends_nothing_to_the_eff(certbot: CertbotRunner) -> None:
    """--eff-email, and no to the CA: no contact, no EFF question, nothing to the EFF."""
    cursor = LogCursor(_log(certbot))
    code, shown, requests, outside = _interactive_certonly(certbot, ["n"])
    assert code == 0, shown
    assert outside == [], shown
    (payload,) = new_accounts(requests)
    assert not payload.get("contact")
    assert shown.count("[y/N]") == 1
    assert _eff_records(cursor.new_records()) == [
        ("contact", "refused", "interactive"),
        ("eff", "refused", "not_asked"),
    ]


@pytest.mark.parametrize(("answer", "sent"), [("n", False), ("y", True)])
def test_the_eff_gets_the_address_only_after_its_own_yes(
    certbot: CertbotRunner, answer: str, sent: bool
) -> None:
    """Yes to the CA, then the EFF question (naming the EFF, quoting the Certbot policy):
    only a yes there sends the address to supporters.eff.org, recorded first."""
    cursor = LogCursor(_log(certbot))
    code, shown, requests, outside = _interactive_certonly(certbot, ["y", answer])
    # The trap refuses the EFF's POST, which certbot reports as an error after issuing.
    assert code == 0 or (sent and "supporters.eff.org" in shown), shown
    assert "Successfully received certificate" in shown
    (payload,) = new_accounts(requests)
    assert payload["contact"] == [f"mailto:{EMAIL}"]
    question = shown[shown.index("Also share your email with the EFF") :]
    assert "Electronic Frontier Foundation" in question
    assert "https://certbot.eff.org/privacy/" in question
    assert (outside == [EFF]) is sent and (outside == []) is not sent, shown
    records = cursor.new_records()
    assert _eff_records(records) == [
        ("contact", "granted", "interactive"),
        ("eff", "granted" if sent else "refused", "interactive"),
    ]
    eff_requests = [r for r in _events(records, "request") if "eff.org" in r["url"]]
    assert len(eff_requests) == int(sent)
    if sent:
        (eff_consent,) = [r for r in _events(records, "consent") if r["purpose"] == "eff"]
        assert eff_consent["seq"] < eff_requests[0]["seq"]


def test_the_share_flag_covers_the_eff_and_both_are_recorded(certbot: CertbotRunner) -> None:
    """-n -m --privacy-share-email --eff-email: both recipients get it, both consents logged."""
    cursor = LogCursor(_log(certbot))
    result = certbot.run(
        *certbot.certonly_args(certbot.domain()),
        "-m",
        EMAIL,
        "--privacy-share-email",
        "--eff-email",
    )
    # The trap refuses the EFF's POST, which certbot reports as an error after issuing.
    assert "Successfully received certificate" in result.stdout, result.describe()
    assert [a.target for a in result.outside] == [EFF]
    assert _eff_records(cursor.new_records()) == [
        ("contact", "granted", "flag"),
        ("eff", "granted", "flag"),
    ]
    assert_log_sound(_log(certbot))


def test_a_subscription_stored_by_an_earlier_run_is_not_sent(certbot: CertbotRunner) -> None:
    """register --eff-email stores the address for the EFF; a later certonly (certbot posts
    it after issuance) is another run: nothing goes to the EFF, a blocked record says so."""
    _register(certbot, "-m", EMAIL, "--privacy-share-email", "--eff-email")
    cursor = LogCursor(_log(certbot))
    result = require_success(certbot.run(*certbot.certonly_args(certbot.domain())))
    assert result.outside == [], result.describe()
    records = assert_run_logged(result, cursor)
    (blocked,) = _events(records, "blocked")
    assert blocked["recipient"] == "EFF (supporters.eff.org)"
    assert "earlier run" in blocked["reason"]
    assert not [r for r in read_log(_log(certbot))[cursor.start :] if "eff.org" in r.get("url", "")]
