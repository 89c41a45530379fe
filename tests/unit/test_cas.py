"""What is known about each CA, how directory URLs find it, and when the facts may be stale."""

import datetime
import json
import os
import re
import subprocess
import sys
from typing import Any, Dict

import pytest

from certbot_privacy._internal.rules import cas, drift, facts_file
from certbot_privacy._internal.rules.cas import CAInfo

DIRECTORIES = [
    ("https://acme-v02.api.letsencrypt.org/directory", "letsencrypt", "Let's Encrypt", False),
    (
        "https://acme-staging-v02.api.letsencrypt.org/directory",
        "letsencrypt-staging",
        "Let's Encrypt (staging)",
        True,
    ),
    ("https://acme.zerossl.com/v2/DV90", "zerossl", "ZeroSSL", False),
    ("https://api.buypass.com/acme/directory", "buypass", "Buypass Go SSL", False),
    ("https://api.test4.buypass.no/acme/directory", "buypass-test", "Buypass Go SSL (test)", True),
    ("https://dv.acme-v02.api.pki.goog/directory", "google", "Google Trust Services", False),
    (
        "https://dv.acme-v02.test-api.pki.goog/directory",
        "google-staging",
        "Google Trust Services (staging)",
        True,
    ),
    ("https://acme.ssl.com/sslcom-dv-rsa", "sslcom-rsa", "SSL.com (RSA)", False),
    ("https://acme.ssl.com/sslcom-dv-ecc", "sslcom-ecc", "SSL.com (ECC)", False),
    ("https://acme-api.actalis.com/acme/directory", "actalis", "Actalis", False),
]

LE_URL = "https://acme-v02.api.letsencrypt.org/directory"
LE_TERMS = "https://letsencrypt.org/documents/LE-SA-v1.8-July-06-2026.pdf"


def _le() -> CAInfo:
    info = facts_file.lookup(LE_URL)
    assert info is not None
    return info


@pytest.mark.parametrize(("url", "key", "name", "staging"), DIRECTORIES)
def test_lookup_finds_each_known_directory(url: str, key: str, name: str, staging: bool) -> None:
    """Each CA's directory URL gives its entry, name and staging flag."""
    info = facts_file.lookup(url)
    assert info is not None
    assert (info.key, info.display_name, info.staging, info.known) == (key, name, staging, True)
    assert info.directory_url == url


def test_every_entry_of_the_facts_is_tested_above() -> None:
    """The table above covers every CA the facts know (a new CA needs its row)."""
    assert [ca.key for ca in facts_file.known_cas()] == [key for _u, key, _n, _s in DIRECTORIES]


@pytest.mark.parametrize(
    "variant",
    [
        "https://acme-v02.api.letsencrypt.org/directory/",
        "HTTPS://ACME-V02.API.LETSENCRYPT.ORG/directory",
        "https://acme-v02.api.letsencrypt.org:443/directory",
        "  https://acme-v02.api.letsencrypt.org/directory\n",
        "https://acme-v02.api.letsencrypt.org/directory#x",
    ],
)
def test_lookup_matches_normalised_urls(variant: str) -> None:
    """Case of scheme and host, the default port, a trailing slash and blanks do not matter."""
    info = facts_file.lookup(variant)
    assert info is not None and info.key == "letsencrypt"


@pytest.mark.parametrize(
    "other",
    [
        "https://acme.zerossl.com/v2/dv90",  # the path is case-sensitive
        "http://acme-v02.api.letsencrypt.org/directory",  # not the same URL without TLS
        "https://acme-v02.api.letsencrypt.org:8443/directory",
        "https://127.0.0.1:14000/dir",
        "https://host:notaport/dir",
        "",
    ],
)
def test_lookup_knows_nothing_of_other_urls(other: str) -> None:
    """URLs that are not a known directory find nothing."""
    assert facts_file.lookup(other) is None


def test_generic_describes_an_unknown_ca_by_its_directory() -> None:
    """An unknown CA is named by its host and carries the ToS its directory gives, nothing else."""
    info = cas.generic(
        "https://127.0.0.1:14000/dir",
        terms_of_service="https://ca.test/tos",
        website="https://ca.test/",
    )
    assert (info.known, info.key, info.display_name) == (False, "unknown", "127.0.0.1:14000")
    assert info.directory_url == "https://127.0.0.1:14000/dir"
    assert (info.terms_of_service, info.website) == ("https://ca.test/tos", "https://ca.test/")
    assert info.statements == () and info.operator is None and info.privacy_policy is None


def test_for_directory_keeps_what_the_directory_announced() -> None:
    """A known CA's entry also gets the ToS and website its directory's meta gives."""
    info = facts_file.for_directory("https://acme.zerossl.com/v2/DV90/", "https://zerossl.test/tos")
    assert info.key == "zerossl" and info.terms_of_service == "https://zerossl.test/tos"
    assert facts_file.for_directory("https://ca.test/dir").known is False


@pytest.mark.parametrize("info", facts_file.known_cas(), ids=lambda ca: ca.key)
def test_every_known_ca_names_its_operator_country_and_documents(info: CAInfo) -> None:
    """An Art. 30 export can name who receives the email, where, and on what authority."""
    assert info.legal_entity and info.entity_source is not None
    assert info.country in cas.COUNTRY_NAMES
    assert (info.privacy_policy_url or info.documents_url or "").startswith("https://")
    assert info.directory_url.startswith("https://")


@pytest.mark.parametrize("info", facts_file.known_cas(), ids=lambda ca: ca.key)
def test_every_unverified_fact_says_why(info: CAInfo) -> None:
    """A statement that is not verified carries the reason; a secondary summary never is."""
    for statement in info.statements:
        assert statement.verified == (statement.unverified_reason is None), statement.id
        if statement.kind == "secondary_summary":
            assert not statement.verified and statement.source.secondary


def test_no_retention_period_without_a_source() -> None:
    """Where no source states how long a CA keeps data, no period is given."""
    for key in ("zerossl", "buypass", "buypass-test", "google", "google-staging"):
        info = next(ca for ca in facts_file.known_cas() if ca.key == key)
        assert info.contact_retention is None and "retention" in info.unstated
    for info in facts_file.known_cas():
        retention = info.contact_retention
        if retention is not None:
            assert re.search(r"(two|2) years", retention.text)


def test_lets_encrypt_facts_are_the_current_ones() -> None:
    """Let's Encrypt: the 2026 policy (two years, no maximum), the forwarding, no 2021 text."""
    le = _le()
    assert le.privacy_policy is not None and le.privacy_policy.document_date == "2026-07-06"
    retention = le.contact_retention
    assert retention is not None and "minimum of two years" in retention.text
    assert le.forwards is not None and "Salesforce" in le.forwards.to
    assert le.privacy_contact is not None and le.privacy_contact.email == (
        "privacy@abetterinternet.org"
    )
    assert le.terms is not None and le.terms.url == LE_TERMS
    everything = json.dumps(facts_file.read_json(cas.FACTS_FILE))
    for old in ("seven years", "ten years", "security@letsencrypt.org"):
        assert old not in everything
    assert all((s.source.document_date or "2024") >= "2024" for s in le.statements)


def test_policy_url_prefers_the_language_version() -> None:
    """Let's Encrypt's policy link points at its Chinese version for Chinese readers."""
    le = _le()
    assert le.policy_url("en") == "https://letsencrypt.org/privacy/"
    assert le.policy_url("zh_CN") == "https://letsencrypt.org/zh-cn/privacy/"
    google = facts_file.lookup("https://dv.acme-v02.api.pki.goog/directory")
    assert google is not None and google.policy_url("en") is None


def test_quotes_come_in_the_readers_language_where_the_source_has_one() -> None:
    """A statement is quoted from the Chinese policy for Chinese readers, else the original."""
    use = _le().contact_use
    assert use is not None
    words, source = use.quote_in("zh_CN")
    assert "找回账户" in words and source.url == "https://letsencrypt.org/zh-cn/privacy/"
    assert use.quote_in("en", short=True)[0] == "[…] for account service and recovery purposes."
    assert use.quote_in("en")[0].startswith("You may have the option")


def test_parse_refuses_an_unknown_format_version() -> None:
    """A facts file of another schema version is refused, not half read."""
    data: Dict[str, Any] = dict(facts_file.read_json(cas.FACTS_FILE), schema_version=2)
    with pytest.raises(ValueError, match="schema 2"):
        facts_file.parse(data)


def test_the_facts_are_read_only_when_needed() -> None:
    """Certbot imports the plugin on every run: that imports no CA facts, and reads no file."""
    code = (
        "import sys\n"
        "import certbot_privacy._internal.adapter.plugin\n"
        "print('certbot_privacy._internal.rules.facts_file' in sys.modules)\n"
        "from certbot_privacy._internal.rules import facts_file\n"
        "print(facts_file.facts.cache_info().currsize)\n"
        "facts_file.lookup('https://acme-v02.api.letsencrypt.org/directory')\n"
        "print(facts_file.facts.cache_info().currsize)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    assert out.stdout.split() == ["False", "0", "1"]


# --- drift ---------------------------------------------------------------------------------


def _drift(info: CAInfo, today: str) -> "drift.Drift | None":
    return drift.drift(
        info, datetime.date.fromisoformat(today), checked="2026-12-01", max_age_months=12
    )


def test_no_drift_when_the_terms_match_and_the_facts_are_recent() -> None:
    """The announced terms are those of the facts, checked less than 12 months ago."""
    le = facts_file.for_directory(LE_URL, LE_TERMS)
    assert _drift(le, "2027-12-01") is None


def test_other_terms_are_drift_with_both_urls() -> None:
    """A directory announcing other terms: terms_changed, with what was expected and announced."""
    announced = "https://letsencrypt.org/documents/LE-SA-v1.9.pdf"
    found = _drift(facts_file.for_directory(LE_URL, announced), "2026-12-02")
    assert found is not None and found.terms_changed and not found.stale
    assert (found.expected, found.announced) == (LE_TERMS, announced)


def test_missing_terms_are_drift_too() -> None:
    """A directory that announces no terms where the facts expect some: drift, announced None."""
    found = _drift(facts_file.for_directory(LE_URL), "2026-12-02")
    assert found is not None and found.terms_changed and found.announced is None


@pytest.mark.parametrize(("today", "stale"), [("2027-12-01", False), ("2027-12-02", True)])
def test_facts_older_than_twelve_months_are_stale(today: str, stale: bool) -> None:
    """Twelve months after the review date the facts count as stale, the day after that."""
    found = _drift(facts_file.for_directory(LE_URL, LE_TERMS), today)
    assert (found is not None and found.stale) == stale


def test_no_terms_check_where_the_facts_record_none() -> None:
    """Staging has no recorded terms: only the age is checked; unknown CAs never drift."""
    staging = facts_file.for_directory(
        "https://acme-staging-v02.api.letsencrypt.org/directory", "x"
    )
    assert _drift(staging, "2026-12-02") is None
    assert _drift(cas.generic("https://ca.test/dir", "https://ca.test/tos"), "2040-01-01") is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-12-01", 12, "2027-12-01"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: str, months: int, expected: str) -> None:
    """Month arithmetic keeps the day where it can and takes the month's last day otherwise."""
    result = drift.add_months(datetime.date.fromisoformat(day), months)
    assert result == datetime.date.fromisoformat(expected)
