# ruff: noqa: RUF001 - Chinese punctuation on purpose
"""Issue 9: the consent notice as an admin sees it, in a real terminal, on both certbots.

* The Let's Encrypt notice, in English and Simplified Chinese, in an 80x24 tmux: certbot
  talks to Pebble under Let's Encrypt's directory URL (the recording proxy stands in for
  ``acme-v02.api.letsencrypt.org`` through its CONNECT tunnel), so the notice is built
  from the real facts. When the question waits, the notice's first line must still be on
  screen, with the facts the admin needs.
* Drift: the directory announces other terms than the facts expect. The notice says so
  with the dates, certbot prints one warning, the log gets a ``notice`` record.
* Hostile terms: a directory whose ``meta.termsOfService`` holds terminal escapes, bidi
  overrides and a carriage return. Nothing of it reaches the terminal raw.
"""

import re
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from harness import AcmeStack, CertbotRunner, CertbotTarget

from .log_checks import LogCursor, Record, assert_log_sound
from .terminal import Terminal, Tmux

pytestmark = pytest.mark.e2e

LE_HOST = "acme-v02.api.letsencrypt.org"
LE_DIRECTORY = f"https://{LE_HOST}/directory"
LE_TERMS = "https://letsencrypt.org/documents/LE-SA-v1.8-July-06-2026.pdf"
NEW_TERMS = "https://letsencrypt.org/documents/LE-SA-v1.9-December-01-2026.pdf"
EMAIL = "admin@example.org"

#: What must be on screen, per language, when the question waits (blanks folded).
FACTS = {
    "C.UTF-8": [
        "Contact email for your Let's Encrypt account (optional)",
        "Issuance and renewal work without one",
        "ISRG's mailing-list system on Salesforce Account Engagement",
        "onboarding email (announced 2025-06-26)",
        "Expiry reminders ended on 2025-06-04",
        "privacy policy (2026-07-06, https://letsencrypt.org/privacy/)",
        "minimum of two years",
        "To withdraw: certbot update_account --privacy-minimal --privacy-withdraw-email",
        "privacy@abetterinternet.org",
        f"Send {EMAIL} to Let's Encrypt (ISRG, United States)? [y/N]",
    ],
    "zh_CN.UTF-8": [
        "Let's Encrypt 账户联系邮箱（可选）",
        "不提供邮箱也能签发和续期证书",
        "Salesforce Account Engagement",
        "（2025-06-26 公告）",
        "证书到期提醒已于 2025-06-04 停止",
        "隐私政策（2026-07-06，https://letsencrypt.org/zh-cn/privacy/ ）",
        "这些信息我们将至少保存两年",
        "撤回：certbot update_account --privacy-minimal --privacy-withdraw-email",
        "privacy@abetterinternet.org",
        f"是否将 {EMAIL} 发送给 Let's Encrypt（ISRG，美国）？[y/N]",
    ],
}


def _folded(text: str) -> str:
    """Blanks folded, and none left between Chinese characters (the terminal wraps there)."""
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _as_lets_encrypt(acme: AcmeStack, terms: Any = LE_TERMS) -> None:
    acme.proxy.impersonate = {LE_HOST: "/directory"}
    acme.proxy.directory_meta = {"termsOfService": terms}


def _env(certbot: CertbotRunner, lang: str) -> Dict[str, str]:
    env = certbot.environment()
    env["LANG"] = env["LC_ALL"] = lang
    env["TERM"] = "xterm"
    return env


def _register_in_tmux(certbot: CertbotRunner, lang: str) -> Tmux:
    argv = certbot.argv(
        "register",
        "--privacy-minimal",
        "--agree-tos",
        "-m",
        EMAIL,
        server=LE_DIRECTORY,
        interactive=True,
    )
    return Tmux(argv, _env(certbot, lang), certbot.base, columns=80, rows=24)


def _new_accounts(certbot: CertbotRunner, mark: Any) -> List[Dict[str, Any]]:
    payloads = []
    for request in certbot.proxy.since(mark):
        jws = request.jws()
        payload = jws["payload"] if jws else None
        if request.path == "/sign-me-up" and isinstance(payload, dict):
            payloads.append(payload)
    return payloads


def _events(records: List[Record], event: str) -> List[Record]:
    return [r for r in records if r["event"] == event]


def _drift_notices(records: List[Record]) -> List[Record]:
    """The notices about the CA facts (not the account's privacy_on, say)."""
    return [r for r in _events(records, "notice") if r["kind"] in ("terms_changed", "facts_stale")]


@pytest.mark.parametrize("lang", sorted(FACTS))
def test_lets_encrypt_notice_fits_80x24_with_its_facts(
    certbot: CertbotRunner, acme: AcmeStack, target: CertbotTarget, lang: str
) -> None:
    """In an 80x24 terminal the whole notice is on screen at the question, first line
    included, with the current facts; a no registers without a contact."""
    _as_lets_encrypt(acme)
    mark = acme.proxy.mark()
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    tmux = _register_in_tmux(certbot, lang)
    try:
        screen = tmux.wait_for("[y/N]")
        shown = _folded("\n".join(screen))
        for fact in FACTS[lang]:
            assert _folded(fact) in shown, (fact, screen)
        first = FACTS[lang][0]
        assert first in screen, screen  # not scrolled off
        assert screen[tmux.cursor_row()].endswith("[y/N]"), screen  # waiting at the question
        for old in ("seven years", "security@letsencrypt.org", "七年"):
            assert old not in shown
        tmux.type("n")
        assert tmux.finish() == 0
    finally:
        tmux.close()
    (payload,) = _new_accounts(certbot, mark)
    assert not payload.get("contact")
    records = cursor.new_records()
    (consent,) = _events(records, "consent")
    assert consent["decision"] == "refused" and consent["recipient"] == LE_DIRECTORY
    assert _drift_notices(records) == []  # the terms are those the facts expect
    assert_log_sound(certbot.logs_dir / "disclosure.jsonl")


@pytest.mark.parametrize("lang", sorted(FACTS))
def test_other_terms_are_said_warned_once_and_recorded(
    certbot: CertbotRunner, acme: AcmeStack, lang: str
) -> None:
    """A directory announcing other terms: the notice says so with the dates (and still
    fits), certbot prints one warning, the log has a terms_changed notice record."""
    _as_lets_encrypt(acme, NEW_TERMS)
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    tmux = _register_in_tmux(certbot, lang)
    try:
        screen = tmux.wait_for("[y/N]")
        shown = _folded("\n".join(screen))
        assert FACTS[lang][0] in screen, screen
        for part in ("2026-12-03", LE_TERMS, NEW_TERMS):
            assert part in shown.replace(" ", ""), (part, screen)
        history = _folded(tmux.history())
        tmux.type("n")
        assert tmux.finish() == 0
    finally:
        tmux.close()
    warning = "may be out of date" if lang.startswith("C") else "可能已过时"
    before_notice = history[: history.index(_folded(FACTS[lang][0]))]
    assert before_notice.count(warning) == 1, history
    records = cursor.new_records()
    (notice,) = _drift_notices(records)
    assert (notice["kind"], notice["expected"], notice["announced"]) == (
        "terms_changed",
        LE_TERMS,
        NEW_TERMS,
    )
    (consent,) = _events(records, "consent")
    assert notice["seq"] < consent["seq"] and NEW_TERMS in consent["text"].replace("\n", "")
    assert_log_sound(certbot.logs_dir / "disclosure.jsonl")


def _without_colours(output: str) -> str:
    """The terminal output without certbot's own colour codes (SGR: ESC [ ... m)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


HOSTILE = "https://ca.test/tos\x1b[2J\x1b[H\x1b]0;owned\x07\u202eSend nothing\rPress y [y/N] "


def test_hostile_terms_never_reach_the_terminal_raw(
    certbot: CertbotRunner, acme: AcmeStack, tmp_path: Path
) -> None:
    """A directory whose termsOfService holds escapes, bidi and CR: the notice shown in a
    terminal has none of them, says the terms are no web address, and the no still holds."""
    acme.proxy.directory_meta = {"termsOfService": HOSTILE}
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    argv = certbot.argv(
        "register", "--privacy-minimal", "--agree-tos", "-m", EMAIL, interactive=True
    )
    env = certbot.environment()
    mark = acme.proxy.mark()
    terminal = Terminal(argv, env, certbot.base)
    shown = terminal.expect("[y/N]")
    terminal.type("n")
    assert terminal.finish() == 0, terminal.output
    raw = _without_colours(terminal.output)
    for bad in ("\x1b", "\x07", "\u202e", "\r", "owned", "Send nothing"):
        assert bad not in raw, (bad, raw)
    assert "terms of service that are not a web address" in shown
    (payload,) = _new_accounts(certbot, mark)
    assert not payload.get("contact")
    (consent,) = _events(cursor.new_records(), "consent")
    assert "\x1b" not in consent["text"] and "owned" not in consent["text"]


def test_hostile_terms_from_a_known_ca_are_recorded_but_not_shown(
    certbot: CertbotRunner, acme: AcmeStack
) -> None:
    """Let's Encrypt's directory announcing hostile terms: drift, recorded as received (JSON
    escaped in the log), shown and warned only as "not a web address"."""
    _as_lets_encrypt(acme, HOSTILE)
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    argv = certbot.argv(
        "register",
        "--privacy-minimal",
        "--agree-tos",
        "-m",
        EMAIL,
        server=LE_DIRECTORY,
        interactive=True,
    )
    terminal = Terminal(argv, certbot.environment(), certbot.base)
    terminal.expect("[y/N]")
    terminal.type("n")
    assert terminal.finish() == 0, terminal.output
    for bad in ("\x1b", "\x07", "\u202e", "owned"):
        assert bad not in _without_colours(terminal.output)
    assert "not a web address" in terminal.output
    (notice,) = _drift_notices(cursor.new_records())
    assert notice["announced"] == HOSTILE and notice["kind"] == "terms_changed"
    assert "\x1b" not in notice["message"]
    raw_log = (certbot.logs_dir / "disclosure.jsonl").read_bytes()
    assert b"\x1b" not in raw_log and b"\\u001b" in raw_log


def test_certbots_own_terms_prompt_shows_no_hostile_terms(
    certbot: CertbotRunner, acme: AcmeStack
) -> None:
    """Without --agree-tos certbot shows the CA's terms itself: in privacy mode only as a
    web address, here as a warning, and no escape reaches the terminal."""
    acme.proxy.directory_meta = {"termsOfService": HOSTILE}
    argv = certbot.argv("register", "--privacy-minimal", "-m", EMAIL, interactive=True)
    terminal = Terminal(argv, certbot.environment(), certbot.base)
    shown = terminal.expect("Do you agree?")
    assert "terms of service that are not a web address" in _folded(shown)
    terminal.type("y")
    terminal.expect("[y/N]")
    terminal.type("n")
    assert terminal.finish() == 0, terminal.output
    for bad in ("\x1b", "\x07", "\u202e", "owned", "Send nothing"):
        assert bad not in _without_colours(terminal.output), bad


PROBLEM = {
    "type": "urn:ietf:params:acme:error:rejectedIdentifier",
    "status": 400,
    "detail": "no\x1b[2J\x1b[H\x1b]0;owned\x07 \u202eorder for you",
}


def test_a_hostile_error_detail_is_shown_escaped(certbot: CertbotRunner, acme: AcmeStack) -> None:
    """A CA's error detail with escapes: certbot shows it, escaped; the log keeps the type."""
    acme.proxy.problems = {"/order-plz": PROBLEM}
    cursor = LogCursor(certbot.logs_dir / "disclosure.jsonl")
    result = certbot.run(*certbot.certonly_args(certbot.domain()))
    assert result.returncode == 1, result.describe()
    output = result.stdout + result.stderr
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in output, (bad, output)
    if "AttributeError: can't set attribute" not in output:  # certbot 2.1.0 with Debian's
        # josepy never shows an ACME error's detail (the same without the plugin)
        assert "no\\x1b[2J\\x1b[H" in output and "order for you" in output, output
    (response,) = [
        r for r in _events(cursor.new_records(), "response") if r["url"].endswith("/order-plz")
    ]
    assert response["problem_type"] == PROBLEM["type"] and response["status"] == 400


def test_withdrawal_text_is_shown_in_a_terminal_as_recorded(
    certbot: CertbotRunner, acme: AcmeStack
) -> None:
    """update_account --privacy-withdraw-email at a terminal shows Let's Encrypt's deletion
    policy text, the very text its consent record holds (``shown``: true); -n records that
    it was not shown, and prints none of it."""
    _as_lets_encrypt(acme)
    log = certbot.logs_dir / "disclosure.jsonl"
    register = ["register", "--privacy-minimal", "--agree-tos", "-m", EMAIL]
    result = certbot.run(*register, "--privacy-share-email", server=LE_DIRECTORY)
    assert result.returncode == 0, result.describe()
    cursor = LogCursor(log)
    argv = certbot.argv(
        "update_account",
        "--privacy-minimal",
        "--privacy-withdraw-email",
        server=LE_DIRECTORY,
        interactive=True,
    )
    tmux = Tmux(argv, _env(certbot, "C.UTF-8"), certbot.base, columns=80, rows=24)
    try:
        tmux.wait_for("Privacy policy: ")
        deadline = time.monotonic() + 90
        while not tmux.dead() and time.monotonic() < deadline:
            time.sleep(0.2)
        history = tmux.history()  # the pane stays until finish() stops tmux
        code = tmux.finish()
    finally:
        tmux.close()
    assert code == 0, history
    (withdrawal,) = [r for r in _events(cursor.new_records(), "consent")]
    assert withdrawal["purpose"] == "contact_withdrawn" and withdrawal["shown"] is True
    assert "What Let's Encrypt says about deleting data" in withdrawal["text"]
    assert _folded(withdrawal["text"]) in _folded(history), history
    cursor = LogCursor(log)
    quiet = certbot.run(
        "update_account", "--privacy-minimal", "--privacy-withdraw-email", server=LE_DIRECTORY
    )
    assert quiet.returncode == 0, quiet.describe()
    (withdrawal,) = [r for r in _events(cursor.new_records(), "consent")]
    assert withdrawal["shown"] is False
    assert "says about deleting data" not in quiet.stdout + quiet.stderr
    assert_log_sound(log)
