"""The CA facts brought up to date: Let's Encrypt's Subscriber Agreement v1.8 section 6.8,
Buypass's end, the EAB key identifier as a category of its own (issue 20 item 6), Actalis."""

import json
from pathlib import Path

import pytest
from acme import messages

from certbot_privacy._internal.audit import art30
from certbot_privacy._internal.audit.formats import art30_renderer, report_renderer
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.rules import consent_texts, facts_file
from certbot_privacy._internal.rules.consent import LANGUAGES, SIMPLIFIED_CHINESE
from tests.helpers.audit import T0, read_items, request, write_log
from tests.helpers.logs import account_jwk, sign

LE = facts_file.for_directory("https://acme-v02.api.letsencrypt.org/directory")


def test_section_6_8_is_a_verified_quote_of_the_agreement() -> None:
    """The agreement's own words, checked against its snapshot (test_cas_facts), verified."""
    statement = LE.statement("identifier_contact_email")
    assert statement is not None and statement.verified and statement.quoted
    assert "RDAP domain or IP address contacts" in statement.text
    assert statement.source.snapshot == "letsencrypt-2026/subscriber-agreement-v1.8-2026-07-06.txt"
    offer = LE.statement("acme_address_subscription_offer")
    assert offer is not None and offer.verified and "one email message" in offer.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notice_says_withholding_does_not_stop_rdap_mail(lang: str) -> None:
    """Plainly, in both languages; only where the facts verify it (not for other CAs)."""
    text = consent_texts.consent_text(LE, "admin@example.org", lang)
    expected = "RDAP" if lang != SIMPLIFIED_CHINESE else "不提供地址也不能阻止其向域名的 RDAP"
    assert expected in text
    if lang != SIMPLIFIED_CHINESE:
        assert "Withholding it does not stop its mail to RDAP or admin contacts." in text
    zerossl = facts_file.for_directory("https://acme.zerossl.com/v2/DV90")
    assert "RDAP" not in consent_texts.consent_text(zerossl, "admin@example.org", lang)


def test_buypass_ended_issuance_on_2025_10_31_not_confirmed() -> None:
    """The last issuance date, and that it rests on third parties' quotes."""
    buypass = facts_file.for_directory("https://api.buypass.com/acme/directory")
    assert buypass.known and buypass.ended_statement
    ended = buypass.statement(buypass.ended_statement)
    assert ended is not None and ended.effective_date == "2025-10-31"
    assert not ended.verified and ended.unverified_reason
    assert "31 October 2025" in ended.text


ACTALIS = "https://acme-api.actalis.com/acme/directory"


def test_actalis_is_known_with_what_its_sources_say_and_no_more() -> None:
    """Actalis: its directory and operator from a third-party client (not verified), its own
    guide's words on the customer area (verified), and no privacy policy found."""
    actalis = facts_file.for_directory(ACTALIS)
    assert actalis.known and (actalis.key, actalis.display_name) == ("actalis", "Actalis")
    assert actalis.operator is not None and not actalis.operator.verified
    assert (actalis.legal_entity, actalis.country) == ("Actalis S.p.A.", "IT")
    assert actalis.privacy_policy is None and actalis.privacy_contact is None
    binding, payment = actalis.statement("account_binding"), actalis.statement("payment_method")
    assert binding is not None and binding.verified and binding.quoted
    assert payment is not None and payment.verified and "payment method" in payment.text
    assert {"contact_use", "retention", "erasure_request"} <= set(actalis.unstated)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notice_for_actalis_says_plainly_what_is_not_known(lang: str) -> None:
    """The consent notice: bound to a customer account, use and retention not stated, no
    privacy policy found, the operator not confirmed."""
    text = " ".join(
        consent_texts.consent_text(facts_file.for_directory(ACTALIS), None, lang).split()
    )
    if lang == SIMPLIFIED_CHINESE:
        for part in ("客户账户绑定", "未说明 Actalis 如何使用该地址", "未找到", "意大利，未经确认"):  # noqa: RUF001
            assert part in text, part
        return
    for part in (
        "That account is tied to your Actalis customer account (external account binding).",
        "What Actalis does with the address is not stated in the sources we checked.",
        "How long Actalis keeps it: not stated in the sources we checked.",
        "Privacy policy: none found in the sources we checked; its documents: "
        "https://guide.actalis.com/ssl-certificate/acme.aspx",
        "Send an email address to Actalis (Actalis S.p.A., Italy, not confirmed)? [y/N]",
    ):
        assert part in text, part


def test_cas_shows_actalis_with_its_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    """certbot-privacy cas: Actalis's block names the unverified directory and operator,
    says no privacy policy was found, and lists what its sources do not state."""
    from certbot_privacy._internal.audit import cli

    assert cli.main(["cas"]) == 0
    out = capsys.readouterr().out
    block = " ".join(out[out.index("Actalis [actalis]") :].split())
    assert "directory: https://acme-api.actalis.com/acme/directory" in block
    assert "operator: Actalis S.p.A. (IT) NOT VERIFIED:" in block
    assert "privacy policy: none found in the sources we checked" in block
    assert (
        "not stated in the sources we checked: contact_use, retention, contact_recipient, "
        "marketing, erasure_request" in block
    )


def _eab_account(path: Path) -> Path:
    """A new account at ZeroSSL with an External Account Binding (the EAB key id)."""
    jwk = account_jwk()
    eab = messages.ExternalAccountBinding.from_data(
        account_public_key=jwk.public_key(),
        kid="kid-of-customer-4711",
        hmac_key="c2VjcmV0LWhtYWMta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2g",
        directory=messages.Directory({"newAccount": "https://acme.zerossl.com/v2/DV90/newAccount"}),
    )
    registration = messages.NewRegistration.from_data(
        terms_of_service_agreed=True, external_account_binding=eab
    )
    body = sign(registration, "https://acme.zerossl.com/v2/DV90/newAccount")
    return write_log(path, [request(T0, body, recipient="https://acme.zerossl.com/v2/DV90")])


def test_the_eab_key_id_is_its_own_category_everywhere(tmp_path: Path) -> None:
    """Classified as external_account, reported, and worded in the Art. 30 record as what
    ties the account to a customer identity; the HMAC key is never in the log."""
    log = _eab_account(tmp_path / "eab.jsonl")
    assert "c2VjcmV0" not in log.read_text()
    summary = summarise(read_items(log))
    (zerossl,) = summary.recipients[-1:]
    categories = {c.category: c for c in zerossl.categories}
    assert [v.value for v in categories["external_account"].values] == ["kid-of-customer-4711"]
    assert "external_account" in report_renderer("table")(summary)
    record = art30.build(summary, art30.Controller(), generated="2024-09-01T00:00:00.000Z")
    text = art30_renderer("markdown")(record)
    assert "External Account Binding" in text
    assert "link the ACME account to a customer account at the CA" in text
    document = json.loads(art30_renderer("json")(record))
    assert any(c["category"] == "external_account" for c in document["personal_data"])
