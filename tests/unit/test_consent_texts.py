"""The consent notice, the EFF question and the withdrawal text, built from the CA facts."""

# ruff: noqa: RUF001 - Chinese punctuation on purpose

import datetime
import re
from typing import List, Optional, Set

import pytest

from certbot_privacy._internal.rules import (
    cas,
    consent_texts,
    drift,
    facts_file,
    layout,
    withdrawal,
)
from certbot_privacy._internal.rules.cas import CAInfo
from certbot_privacy._internal.rules.i18n import ENGLISH, LANGUAGES, SIMPLIFIED_CHINESE

LE_URL = "https://acme-v02.api.letsencrypt.org/directory"
LE_TERMS = "https://letsencrypt.org/documents/LE-SA-v1.8-July-06-2026.pdf"
EMAIL = "admin@example.org"
LONG_EMAIL = "certificate-notifications.webmaster@department.example-university.ac.uk"
LE = facts_file.for_directory(LE_URL, LE_TERMS)
UNKNOWN = cas.generic("https://127.0.0.1:14000/dir", terms_of_service="https://ca.test/tos")
ALL = [*facts_file.known_cas(), UNKNOWN]


def _text(ca: CAInfo, lang: str, email: Optional[str] = EMAIL, **kwargs: object) -> str:
    return consent_texts.consent_text(ca, email, lang, **kwargs)  # type: ignore[arg-type]


def _worst_drift(ca: CAInfo) -> Optional[drift.Drift]:
    """The longest drift sentence the CA can get: stale facts and, where the facts record
    terms, other terms announced at a long URL."""
    if not ca.known:
        return None
    return drift.Drift(
        ca_key=ca.key,
        terms_changed=ca.terms is not None,
        expected=ca.terms.url if ca.terms else None,
        announced="https://letsencrypt.org/documents/LE-SA-v1.9-December-31-2027.pdf",
        stale=True,
        checked="2026-12-01",
        max_age_months=12,
    )


# --- order and content ---------------------------------------------------------------------


def test_lets_encrypt_notice_says_what_the_issue_asks_in_that_order() -> None:
    """Optional; where it goes (ISRG's list on Salesforce, onboarding, no expiry mail);
    the policy quoted with date and link; how to withdraw; the question, default no."""
    text = _text(LE, ENGLISH)
    order = [
        "(optional)",
        "Issuance and renewal work without one",
        "ISRG's mailing-list system on Salesforce Account Engagement",
        "onboarding email (announced 2025-06-26)",
        "Expiry reminders ended on 2025-06-04",
        "privacy policy (2026-07-06, https://letsencrypt.org/privacy/)",
        "for account service and recovery purposes",
        "without your consent",
        "minimum of two years",
        "no maximum",
        "To withdraw: " + consent_texts.WITHDRAW_COMMAND,
        "does not make Let's Encrypt delete what it has or forwarded",
        "privacy@abetterinternet.org",
        "Send admin@example.org to Let's Encrypt (ISRG, United States)? [y/N] ",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions) if i < 0]
    assert positions == sorted(positions)
    assert text.endswith("[y/N] ")


def test_lets_encrypt_chinese_notice_quotes_the_chinese_policy() -> None:
    """The Chinese notice quotes Let's Encrypt's Chinese policy and links to it, with dates."""
    text = _text(LE, SIMPLIFIED_CHINESE)
    for part in (
        "（可选）",
        "Salesforce Account Engagement",
        "欢迎邮件（2025-06-26 公告）",
        "证书到期提醒已于 2025-06-04 停止",
        "隐私政策（2026-07-06，https://letsencrypt.org/zh-cn/privacy/ ）",
        "以便获得账户服务或找回账户",
        "未经您同意，我们不会将您的联系信息用于营销或推广。",
        "这些信息我们将至少保存两年",
        "撤回：" + consent_texts.WITHDRAW_COMMAND,
        "privacy@abetterinternet.org",
        "是否将 admin@example.org 发送给 Let's Encrypt（ISRG，美国）？[y/N] ",
    ):
        assert part in text, part
    positions = [text.find(p) for p in ("（可选）", "Salesforce", "隐私政策", "撤回", "[y/N]")]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_2021_policy_is_never_shown(lang: str) -> None:
    """Nothing of the 2021 policy text reaches any notice."""
    for ca in ALL:
        text = _text(ca, lang)
        for old in ("seven years", "ten years", "security@letsencrypt.org", "七年", "十年"):
            assert old not in text


def _quotable(ca: CAInfo) -> Set[str]:
    texts: Set[str] = set()
    for statement in ca.statements:
        for lang in LANGUAGES:
            for short in (False, True):
                texts.add(statement.quote_in(lang, short=short)[0])
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("ca", ALL, ids=lambda ca: ca.key)
def test_every_quote_shown_is_one_of_the_facts(ca: CAInfo, lang: str) -> None:
    """What the notice puts in quotation marks is a statement of the facts, word for word
    (so the test that checks the facts against their sources covers what is shown)."""
    text = _text(ca, lang)
    shown = [q for q in re.findall(r"“([^”]*)”", text) if q not in ("是", "否")]
    assert shown or not ca.known or ca.key.startswith("google") or ca.key == "actalis"
    assert set(shown) <= _quotable(ca), set(shown) - _quotable(ca)


@pytest.mark.parametrize(
    "ca", [c for c in facts_file.known_cas() if c.statements], ids=lambda c: c.key
)
def test_unconfirmed_facts_are_marked(ca: CAInfo) -> None:
    """A quote the facts do not verify is followed by "(not confirmed)"."""
    text = _text(ca, ENGLISH)
    for words in re.findall(r"“([^”]*)”( \(not confirmed\))?", text):
        statement = next(
            s
            for s in ca.statements
            if words[0] in (s.text, s.excerpt, *(x.text for x in s.localized))
        )
        assert bool(words[1]) == (not statement.verified), statement.id


def test_an_unknown_ca_is_described_honestly() -> None:
    """An unknown CA: named by its directory, nothing claimed, its own terms linked."""
    text = _text(UNKNOWN, ENGLISH)
    assert "https://127.0.0.1:14000/dir" in text
    assert "This tool knows nothing about this CA" in text
    assert "Terms of service named by its directory: https://ca.test/tos" in text
    assert "Send admin@example.org to 127.0.0.1:14000? [y/N] " in text
    bare = _text(cas.generic("https://ca.test/acme"), ENGLISH, email=None)
    assert "Its directory names no terms of service." in bare
    assert bare.endswith("Send an email address to ca.test? [y/N] ")


def test_a_ca_without_a_policy_says_so_and_names_its_documents() -> None:
    """Google Trust Services: no policy found, documents linked, nothing guessed."""
    google = facts_file.for_directory("https://dv.acme-v02.api.pki.goog/directory")
    text = _text(google, ENGLISH)
    assert "none found in the sources we checked; its documents: https://pki.goog/repository/" in (
        text
    )
    assert "How long Google Trust Services keeps it: not stated in the sources we checked." in text


def test_a_ca_whose_service_ended_says_so() -> None:
    """Buypass: the end of the service is announced in the notice, marked unconfirmed."""
    text = _text(facts_file.for_directory("https://api.buypass.com/acme/directory"), ENGLISH)
    assert "announced the end of this ACME service (2025-10-31). (not confirmed)" in text


# --- what comes from the CA ----------------------------------------------------------------

HOSTILE = [
    "https://ca.test/tos\x1b[2J\x1b[H\x1b]0;pwned\x07",
    "https://ca.test/\u202etos",
    "https://ca.test/tos\rSend nothing? [y/N]",
    "https://ca.test/tos\nhttps://evil.test",
    "javascript:alert(1)",
    "data:text/plain,Do%20what%20thou%20wilt",
    "https://ca.test/" + "a" * 600,
    "https://ca.test/\u200btos",
]


@pytest.mark.parametrize("terms", HOSTILE)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_hostile_terms_never_reach_the_notice(terms: str, lang: str) -> None:
    """Terms with escapes, bidi, CR/LF, other schemes or absurd length are not shown."""
    text = _text(cas.generic("https://ca.test/dir", terms_of_service=terms), lang)
    assert terms not in text and "ca.test/tos" not in text
    assert not set(text) & {"\x1b", "\r", "\x07", "\u202e", "\u200b"}
    assert ("not a web address" in text) or ("不是网址" in text)


def test_hostile_directory_url_and_announced_terms_are_escaped() -> None:
    """A directory URL with escapes is shown escaped; drift never shows a hostile URL raw."""
    text = _text(cas.generic("https://ca.test/\x1b[2Jdir"), ENGLISH)
    assert "\x1b" not in text and "\\x1b[2Jdir" in text
    hostile = drift.Drift(
        "letsencrypt", True, LE_TERMS, "https://x.test/\x1b[2J", False, "2026-12-01", 12
    )
    for lang in LANGUAGES:
        assert "\x1b" not in consent_texts.drift_text(hostile, lang)
        assert "\x1b" not in consent_texts.drift_warning(hostile, "CA\x1b[2J", lang)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://ca.test/tos", True),
        ("HTTP://ca.test/tos", True),
        ("https://ca.test/a b", False),
        ("ftp://ca.test/tos", False),
        ("https://", False),
        ("", False),
        (None, False),
    ],
)
def test_web_url_accepts_plain_http_urls_only(value: Optional[str], shown: bool) -> None:
    """Only a plain http(s) URL is a web address worth showing."""
    assert (consent_texts.web_url(value) is not None) is shown


# --- drift ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_drift_is_said_with_the_dates_and_both_urls(lang: str) -> None:
    """Other terms announced: the notice gives the review date, the expected and new URLs."""
    announced = "https://letsencrypt.org/documents/LE-SA-v1.9.pdf"
    ca = facts_file.for_directory(LE_URL, announced)
    found = drift.drift(ca, datetime.date(2026, 12, 2), checked="2026-12-01", max_age_months=12)
    assert found is not None
    text = _text(ca, lang, drift=found)
    for part in ("2026-12-01", LE_TERMS, announced):
        assert part in text
    assert text.index(announced) < text.index(consent_texts.WITHDRAW_COMMAND)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stale_facts_are_said_with_their_age(lang: str) -> None:
    """Facts older than 12 months: the notice says when they were checked and how old that is."""
    found = drift.drift(LE, datetime.date(2028, 1, 1), checked="2026-12-01", max_age_months=12)
    assert found is not None and found.stale and not found.terms_changed
    text = consent_texts.drift_text(found, lang)
    assert "2026-12-01" in text and "12" in text


def test_the_drift_warning_is_one_line() -> None:
    """certbot prints one warning line naming the CA and the reason."""
    found = drift.drift(
        facts_file.for_directory(LE_URL, None),
        datetime.date(2026, 12, 2),
        checked="2026-12-01",
        max_age_months=12,
    )
    assert found is not None
    warning = consent_texts.drift_warning(found, "Let's Encrypt", ENGLISH)
    assert "\n" not in warning and "Let's Encrypt" in warning and "no terms at all" in warning


# --- fits a terminal -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("ca", ALL, ids=lambda ca: ca.key)
def test_every_notice_fits_an_80x24_terminal(ca: CAInfo, lang: str) -> None:
    """Wrapped at 80 columns, with a long address and the longest drift sentence, the notice
    and its question take at most 24 rows: its first line is on screen at the question."""
    for email in (EMAIL, LONG_EMAIL, None):
        shown = layout.fill(_text(ca, lang, email=email, drift=_worst_drift(ca)), 80)
        assert layout.rows(shown, 80) <= 24, shown
        assert max(layout.width(line.rstrip()) for line in shown.split("\n")) <= 80


# --- the EFF -------------------------------------------------------------------------------

EFF = facts_file.facts().other("eff")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_eff_question_names_the_eff_and_quotes_the_certbot_policy(lang: str) -> None:
    """Its own question: the EFF named, not the CA, the Certbot privacy policy quoted and linked."""
    text = consent_texts.eff_text(EFF, EMAIL, lang)
    sharing = EFF.statement("eff_sharing")
    assert sharing is not None
    assert "EFF" in text and sharing.text in text
    assert "https://certbot.eff.org/privacy/" in text
    assert "https://www.eff.org/code/privacy/policy" in text
    assert text.endswith("[y/N] ") and EMAIL in text.splitlines()[-1]
    if lang == SIMPLIFIED_CHINESE:
        assert "本工具译文" in text  # the policy is English only: our translation, marked
    assert layout.rows(layout.fill(text), 80) <= 24


def test_not_asking_the_eff_is_explained() -> None:
    """When the CA got no address the EFF question is not asked, and the record says why."""
    text = consent_texts.eff_not_asked_text(EMAIL, "Let's Encrypt", ENGLISH)
    assert EMAIL in text and "not sent to the EFF" in text


# --- the withdrawal ----------------------------------------------------------------------------


def test_withdrawal_text_quotes_what_the_ca_may_keep() -> None:
    """Removing the contact is explained with the CA's own words on deleting and keeping data."""
    text = withdrawal.withdrawal_text(LE, ENGLISH)
    assert '"contact": []' in text and LE.directory_url in text
    assert "does not make Let's Encrypt delete what it already has, nor what it forwarded" in text
    assert "we may be unable to delete information" in text
    assert "privacy@abetterinternet.org" in text
    zh = withdrawal.withdrawal_text(LE, SIMPLIFIED_CHINESE)
    assert "我们可能无法删除包括 IP 地址在内的某些信息" in zh
    assert "https://letsencrypt.org/zh-cn/privacy/" in zh


def test_withdrawal_text_says_when_nothing_is_known() -> None:
    """For a CA without sourced statements the text says so instead of guessing."""
    google = facts_file.for_directory("https://dv.acme-v02.api.pki.goog/directory")
    text = withdrawal.withdrawal_text(google, ENGLISH)
    assert text.count("not stated in the sources we checked") == 3
    assert "ask it directly" in withdrawal.withdrawal_text(UNKNOWN, ENGLISH)


def _lines(text: str) -> List[str]:
    return text.split("\n")


def test_texts_are_one_paragraph_per_line() -> None:
    """The texts leave wrapping to layout.fill: no line of a notice is pre-wrapped."""
    for lang in LANGUAGES:
        for line in _lines(_text(LE, lang)):
            assert not line.endswith(" ") or line.endswith("[y/N] ")


@pytest.mark.parametrize(
    ("terms", "shown"),
    [
        ("https://ca.test/tos", "https://ca.test/tos"),
        (
            "https://ca.test/tos\x1b[2J",
            "(its directory names terms of service that are not a web address)",
        ),
        (
            "https://ca.test/t\\x1b",
            "(its directory names terms of service that are not a web address)",
        ),
    ],
)
def test_certbots_own_terms_prompt_gets_a_web_address_or_a_warning(terms: str, shown: str) -> None:
    """What certbot's terms-of-service prompt shows in privacy mode."""
    assert consent_texts.terms_for_display(terms) == shown
