"""What is known about each CA, and how directory URLs find it."""

import re
from dataclasses import fields
from pathlib import Path
from typing import List, Optional

import pytest

from certbot_privacy.rules import cas, consent, urls
from certbot_privacy.rules.cas import CAInfo, Statement

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

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
    ("https://acme.ssl.com/sslcom-dv-rsa", "sslcom-rsa", "SSL.com", False),
    ("https://acme.ssl.com/sslcom-dv-ecc", "sslcom-ecc", "SSL.com", False),
]


def _statements(ca: CAInfo) -> List[Statement]:
    found: List[Statement] = list(ca.notes)
    for field in fields(ca):
        value = getattr(ca, field.name)
        if isinstance(value, Statement):
            found.append(value)
    return found


@pytest.mark.parametrize(("url", "key", "name", "staging"), DIRECTORIES)
def test_lookup_finds_each_known_directory(url: str, key: str, name: str, staging: bool) -> None:
    """Each supported CA's directory URL gives its entry, name and staging flag."""
    info = cas.lookup(url)
    assert info is not None
    assert (info.key, info.display_name, info.staging, info.known) == (key, name, staging, True)
    assert info.directory_url == url


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
    info = cas.lookup(variant)
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
    assert cas.lookup(other) is None


def test_normalisation_keeps_non_default_ports_and_ipv6() -> None:
    """A non-default port and an IPv6 literal survive normalisation."""
    assert urls.normalize_directory_url("https://[::1]:14000/dir/") == "https://[::1]:14000/dir"
    assert urls.normalize_directory_url("HTTP://Example.ORG:80/a/B") == "http://example.org/a/B"


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
    assert _statements(info) == []
    assert (info.legal_entity, info.country, info.privacy_policy_url) == (None, None, None)


def test_for_directory_keeps_the_directory_terms_for_known_cas() -> None:
    """A known CA's entry also gets the ToS link its directory's meta gives."""
    info = cas.for_directory("https://acme.zerossl.com/v2/DV90/", "https://zerossl.test/tos")
    assert info.key == "zerossl" and info.terms_of_service == "https://zerossl.test/tos"
    assert cas.for_directory("https://ca.test/dir").known is False


@pytest.mark.parametrize("info", cas.KNOWN_CAS, ids=lambda ca: ca.key)
def test_every_known_ca_names_its_operator_country_and_documents(info: CAInfo) -> None:
    """An Art. 30 export can name who receives the email, where, and on what authority."""
    assert info.legal_entity and info.entity_source is not None
    assert info.country in cas.COUNTRY_NAMES
    assert (info.privacy_policy_url or info.documents_url or "").startswith("https://")
    assert info.directory_url.startswith("https://")


@pytest.mark.parametrize("info", cas.KNOWN_CAS, ids=lambda ca: ca.key)
def test_every_statement_is_sourced(info: CAInfo) -> None:
    """Each statement about a CA names the document it comes from and its address."""
    for statement in _statements(info):
        assert statement.source.url.startswith("https://")
        assert statement.source.document and statement.source.via
        assert statement.text.strip()


def test_no_retention_period_without_a_source() -> None:
    """Where no source states how long a CA keeps contact data, no period is given."""
    for key in ("zerossl", "buypass", "buypass-test", "google", "google-staging"):
        info = next(ca for ca in cas.KNOWN_CAS if ca.key == key)
        assert info.contact_retention is None
    for info in cas.KNOWN_CAS:
        retention = info.contact_retention
        if retention is not None:
            assert re.search(r"\d+ years|seven years", retention.text)
            assert retention.source.url.startswith("https://")


def test_policy_url_prefers_the_language_version() -> None:
    """Let's Encrypt's policy link points at its Chinese version for Chinese readers."""
    info = cas.lookup("https://acme-v02.api.letsencrypt.org/directory")
    assert info is not None
    assert info.policy_url("en") == "https://letsencrypt.org/privacy/"
    assert info.policy_url("zh_CN") == "https://letsencrypt.org/zh-cn/privacy/"
    google = cas.lookup("https://dv.acme-v02.api.pki.goog/directory")
    assert google is not None and google.policy_url("en") is None


def _plain(markdown: str) -> str:
    """The seed text without markdown links and without any whitespace."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"\s+", "", text)


def _seed(name: str) -> Optional[str]:
    path = SEEDS / name
    return path.read_text(encoding="utf-8") if path.exists() else None


def _assert_quoted_from(quote: str, seed: str) -> None:
    """Each part of *quote* between omission marks appears, in order, in *seed*."""
    position = 0
    for part in quote.split("[…]"):
        found = seed.find(_plain(part), position)
        assert found >= 0, f"not in the seed policy: {part!r}"
        position = found


@pytest.mark.parametrize("key", ["letsencrypt", "letsencrypt-staging"])
def test_lets_encrypt_quotes_come_from_the_seed_policies(key: str) -> None:
    """Let's Encrypt statements are verbatim from the seed policy, in English and Chinese."""
    english, chinese = (
        _seed("letsencrypt-privacy-policy.md"),
        _seed("letsencrypt-privacy-policy.zh-CN.md"),
    )
    if english is None or chinese is None:
        pytest.skip(f"the seed policies are not beside the repository ({SEEDS})")
    info = next(ca for ca in cas.KNOWN_CAS if ca.key == key)
    zh = consent.translations(consent.SIMPLIFIED_CHINESE).gettext
    quoted = [s for s in _statements(info) if s.quoted]
    assert len(quoted) >= 5
    for statement in quoted:
        _assert_quoted_from(statement.text, _plain(english))
        _assert_quoted_from(zh(statement.text), _plain(chinese))
    assert info.contact_use is not None
    document = info.contact_use.source.document
    assert "lastmod: 2021-03-07" in english and "2021-03-07" in document
    assert "lastmod: 2022-03-11" in chinese and "2022-03-11" in zh(document)
