"""The Article 30 record: built from the log and what is known about each CA."""

import json
from pathlib import Path

import pytest

from certbot_privacy._internal.audit import art30
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.formats import art30_renderer
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.log import classify
from certbot_privacy._internal.rules import facts_file
from tests.helpers.audit import LE, UNKNOWN_CA, fleet_log, read_items

GENERATED = "2024-09-01T00:00:00.000Z"


@pytest.fixture()
def record(tmp_path: Path) -> art30.Art30Record:
    summary = summarise(read_items(fleet_log(tmp_path / "fleet.jsonl")))
    controller = art30.Controller(
        name="Example GmbH", contact="privacy@example.org", dpo="Erika Mustermann, dpo@example.org"
    )
    return art30.build(summary, controller, generated=GENERATED, log_retention="24 months")


def _recipient(record: art30.Art30Record, name: str) -> art30.Recipient:
    return next(r for r in record.recipients if r.recipient == name)


def test_a_known_ca_is_described_from_its_own_policy(record: art30.Art30Record) -> None:
    """Let's Encrypt: legal entity, country, policy and retention quoted with the source."""
    le = _recipient(record, LE)
    info = facts_file.lookup(LE)
    assert info is not None and le.known
    assert (le.name, le.legal_entity, le.country) == (info.display_name, info.legal_entity, "US")
    assert le.third_country is True
    assert le.retention is not None and info.contact_retention is not None
    assert le.retention.text == info.contact_retention.text
    assert le.retention.url == "https://letsencrypt.org/privacy/"
    assert le.privacy_policy == "https://letsencrypt.org/privacy/"
    assert "contact" in le.categories and le.requests == 9


def test_an_unknown_ca_is_marked_unknown_not_guessed(record: art30.Art30Record) -> None:
    """A CA not in the list: named by its host, country and retention left open."""
    other = _recipient(record, UNKNOWN_CA)
    assert not other.known
    assert other.name == "acme.example.net"
    assert other.country is None and other.third_country is None
    assert other.retention is None and other.legal_entity is None
    assert other in record.transfers


def test_non_ca_recipients_are_listed_by_kind(record: art30.Art30Record) -> None:
    """The EFF and OCSP responders are recipients too, of their own kind."""
    assert _recipient(record, classify.EFF_RECIPIENT).kind == "EFF mailing list"
    assert _recipient(record, "OCSP responder r3.o.lencr.org").kind == "OCSP responder"


def test_categories_subjects_and_purposes_follow_the_log(record: art30.Art30Record) -> None:
    """Contacts in the log bring their data subjects and the service-notice purpose."""
    names = [c.category for c in record.categories]
    assert names[0] == "contact" and "eff" in names and "certificate" in names
    contact = record.categories[0]
    assert contact.disclosures == 1 and contact.recipients == (LE,)
    assert any("contact" in s for s in record.data_subjects)
    assert any("domain names" in s for s in record.data_subjects)
    assert record.purposes[0] == art30.DEFAULT_PURPOSES[0]
    assert any("EFF" in p for p in record.purposes)


def test_purposes_from_the_command_line_replace_the_defaults(tmp_path: Path) -> None:
    """--purpose given: exactly those purposes."""
    summary = summarise(read_items(fleet_log(tmp_path / "f.jsonl")))
    built = art30.build(
        summary, art30.Controller(), generated=GENERATED, purposes=("Securing our web shop.",)
    )
    assert built.purposes == ("Securing our web shop.",)


def test_an_empty_selection_gives_a_record_without_recipients(tmp_path: Path) -> None:
    """Nothing in the period: no recipients, no transfers, still a complete document."""
    summary = summarise(
        read_items(fleet_log(tmp_path / "f.jsonl")),
        Filters.create(since="2030-01-01T00:00:00.000Z"),
    )
    built = art30.build(summary, art30.Controller(), generated=GENERATED)
    assert built.recipients == () and built.transfers == () and built.categories == ()
    text = art30_renderer("markdown")(built)
    assert "None in the selected records." in text
    assert "*not given: complete it (`--controller-name`)*" in text


def test_eea_recipients_are_no_transfer() -> None:
    """A CA in the EEA (ZeroSSL, Austria) is not a third-country transfer."""
    from certbot_privacy._internal.audit.summarise import RecipientStats

    stats = RecipientStats("https://acme.zerossl.com/v2/DV90", 1, GENERATED, GENERATED, 0, ())
    described = art30.describe_recipient(stats)
    assert (described.country, described.third_country) == ("AT", False)


def test_markdown_has_every_section_of_article_30(record: art30.Art30Record) -> None:
    """The Markdown document has sections (a) to (g), with the quotes and their sources."""
    text = art30_renderer("markdown")(record)
    for section in (
        "30(1)(a)",
        "30(1)(b)",
        "30(1)(c)",
        "30(1)(d)",
        "30(1)(e)",
        "30(1)(f)",
        "30(1)(g)",
    ):
        assert section in text
    assert "Example GmbH" in text and "Erika Mustermann" in text
    assert "minimum of two years" in text  # Let's Encrypt's stated retention, quoted
    assert "<https://letsencrypt.org/privacy/>" in text
    assert "24 months" in text
    assert "*not given: complete it (`--controller-address`)*" in text
    assert "1 request in this period went out with privacy mode off" in text


def test_json_has_the_same_content(record: art30.Art30Record) -> None:
    """The JSON document carries the controller, recipients, transfers and retention."""
    document = json.loads(art30_renderer("json")(record))
    assert document["format"] == "certbot-privacy-art30/1"
    assert document["controller"]["name"] == "Example GmbH"
    assert document["generated"] == GENERATED
    transfers = {t["recipient"]: t for t in document["third_country_transfers"]}
    assert transfers[LE]["country"] == "US" and transfers[LE]["third_country"] is True
    assert transfers[UNKNOWN_CA]["third_country"] is None
    retention = {r["recipient"]: r for r in document["retention"]["recipients"]}
    assert "minimum of two years" in retention[LE]["statement"]["text"]
    assert document["retention"]["disclosure_log"] == "24 months"
    assert document["evidence"]["privacy_off"] == 1


def test_ct_logs_are_a_recipient_of_the_issued_names(record: art30.Art30Record) -> None:
    """The public CT logs are listed with the names, the dates and what publication means."""
    ct = _recipient(record, classify.CT_RECIPIENT)
    assert ct.kind == art30.CT_KIND and ct.categories == ("domain",)
    assert ct.transfer is not None and "for good" in ct.transfer.text
    assert ct in record.transfers
    document = json.loads(art30_renderer("json")(record))
    listed = next(r for r in document["recipients"] if r["recipient"] == classify.CT_RECIPIENT)
    assert listed["first"] == ct.first and listed["last"] == ct.last
    assert "Certificate Transparency" in art30_renderer("markdown")(record)
