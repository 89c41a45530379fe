"""The Certificate Transparency notice: new names only, once, as a notice (issue 10)."""

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certbot_privacy._internal.adapter import transparency as adapter
from certbot_privacy._internal.rules import transparency


def _lineage(config_dir: Path, name: str, *names: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    live = config_dir / "live" / name
    live.mkdir(parents=True)
    (live / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_new_names_ignore_case_dots_and_repeats() -> None:
    """Only names not issued before count, each once, in the order asked."""
    assert transparency.new_names(
        ["A.example.org", "b.example.org.", "c.example.org", "c.example.org"],
        ["a.example.org", "B.EXAMPLE.ORG"],
    ) == ["c.example.org"]


def test_notice_says_public_for_good_and_wildcards() -> None:
    """The notice names the names, says they are public for good, and how to avoid it."""
    text = transparency.public_log_text(["new.example.org"])
    assert "new.example.org" in text and "for good" in text and "wildcard" in text


def test_issued_names_come_from_certbot_lineages(tmp_path: Path) -> None:
    """The names in live/*/cert.pem are this machine's issued names; junk is skipped."""
    _lineage(tmp_path, "one", "one.example.org", "www.one.example.org")
    (tmp_path / "live" / "broken").mkdir()
    (tmp_path / "live" / "broken" / "cert.pem").write_text("not a certificate")
    assert adapter.issued_names(str(tmp_path)) == {"one.example.org", "www.one.example.org"}
    assert adapter.issued_names(str(tmp_path / "none")) == set()


def test_notice_is_shown_once_and_only_for_new_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renewing a known name shows nothing; the first new name shows one notice per run."""
    from certbot.display import util

    shown: list[str] = []
    monkeypatch.setattr(util, "notify", shown.append)
    _lineage(tmp_path, "one", "one.example.org")
    notice = adapter.Notice(str(tmp_path))
    notice(["one.example.org"])
    assert shown == []
    notice(["one.example.org", "two.example.org"])
    notice(["three.example.org"])
    assert len(shown) == 1 and "two.example.org" in shown[0]
    assert "one.example.org" not in shown[0]
