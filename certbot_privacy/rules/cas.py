"""What is known about each ACME CA: who runs it, and what it says about contact emails.

Before any email leaves the machine the admin is told who receives it and what the
receiver says it does with it (see :mod:`certbot_privacy.rules.consent`); a GDPR Art. 30 export
needs the same facts (who the recipient is, in which country). They live here, as data.

Rules this module keeps:

* Every statement about a CA carries its :class:`Source`: the address of the document and
  which document (with its date or version where it gives one). ``quoted`` says whether
  ``text`` is the CA's own words (omissions marked ``[…]``) or a close paraphrase.
* Let's Encrypt statements are quoted from the copies of its privacy policy in the
  project's ``shared/seeds/`` (English, lastmod 2021-03-07; Simplified Chinese, lastmod
  2022-03-11). The Chinese consent text quotes the Chinese policy through the gettext
  catalog; the English one is canonical, as the policy itself says.
* For the other CAs only what the stored copies of their pages that we could find say.
  Where no statement was found the field is ``None`` and the texts say "not stated in
  the sources we checked". Retention periods are never guessed.
* ``note`` holds our own reading of a statement, shown apart from the CA's words.

All texts meant for people are gettext message ids (marked with :func:`N_`); they are
translated where they are shown, not here. Everything here is pure and frozen.
"""

from dataclasses import dataclass, replace
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

from certbot_privacy.rules.urls import normalize_directory_url


def N_(message: str) -> str:
    """Mark *message* for translation without translating it (gettext's ``N_``)."""
    return message


@dataclass(frozen=True)
class Source:
    """Where a statement comes from.

    ``document`` names the document (a message id, translated when shown), ``url`` its
    address, ``localized`` the address of the same statement in another language's
    version (``(language, url)`` pairs), and ``via`` how we read it (plain English, for
    audits): a seed file of the project or a stored copy of the page.
    """

    url: str
    document: str
    via: str
    localized: Tuple[Tuple[str, str], ...] = ()

    def url_for(self, language: str) -> str:
        """Return the address of this source in *language*, or the original one."""
        return dict(self.localized).get(language, self.url)


@dataclass(frozen=True)
class Statement:
    """Something a CA says, with its source; ``text`` and ``note`` are message ids."""

    text: str
    source: Source
    quoted: bool = True
    note: Optional[str] = None


@dataclass(frozen=True)
class CAInfo:
    """What is known about the CA behind one ACME directory URL.

    ``legal_entity`` is the operator's name and ``entity_details`` its registration or seat,
    as the source gives them (plain text, not translated). ``country`` is an ISO 3166-1
    alpha-2 code, for "transfers to third countries" in an Art. 30 record; ``None`` where no
    source we checked says. ``privacy_policy_url`` is ``None`` where we found none;
    ``documents_url`` then points at the CA's own documents. ``known`` is false for the
    generic description of a CA this module knows nothing about.
    """

    key: str
    display_name: str
    directory_url: str
    known: bool
    staging: bool = False
    legal_entity: Optional[str] = None
    entity_details: Optional[str] = None
    country: Optional[str] = None
    entity_source: Optional[Source] = None
    privacy_policy_url: Optional[str] = None
    privacy_policy_localized: Tuple[Tuple[str, str], ...] = ()
    documents_url: Optional[str] = None
    terms_of_service: Optional[str] = None
    website: Optional[str] = None
    contact_use: Optional[Statement] = None
    contact_retention: Optional[Statement] = None
    after_closure: Optional[Statement] = None
    deletion_request: Optional[Statement] = None
    third_country_transfer: Optional[Statement] = None
    notes: Tuple[Statement, ...] = ()

    def policy_url(self, language: str) -> Optional[str]:
        """Return the privacy policy's address in *language* if it has one there."""
        if self.privacy_policy_url is None:
            return None
        return dict(self.privacy_policy_localized).get(language, self.privacy_policy_url)


#: Country names for the ISO codes used below (message ids).
COUNTRY_NAMES: Dict[str, str] = {
    "AT": N_("Austria"),
    "NO": N_("Norway"),
    "US": N_("United States"),
}

NOT_STATED = N_("not stated in the sources we checked")

# --- Let's Encrypt: quoted from the seed copies of its privacy policy -------------------

_LE_POLICY = Source(
    url="https://letsencrypt.org/privacy/",
    document=N_("Let's Encrypt Privacy Policy (lastmod 2021-03-07)"),
    via="project seed copies shared/seeds/letsencrypt-privacy-policy.md and "
    "letsencrypt-privacy-policy.zh-CN.md (lastmod 2022-03-11, english_is_canonical)",
    localized=(("zh_CN", "https://letsencrypt.org/zh-cn/privacy/"),),
)

_LETSENCRYPT = CAInfo(
    key="letsencrypt",
    display_name="Let's Encrypt",
    directory_url="https://acme-v02.api.letsencrypt.org/directory",
    known=True,
    legal_entity="Internet Security Research Group (ISRG)",
    entity_details="a California (United States) Nonprofit Public Benefit Corporation",
    country="US",
    entity_source=_LE_POLICY,
    privacy_policy_url="https://letsencrypt.org/privacy/",
    privacy_policy_localized=(("zh_CN", "https://letsencrypt.org/zh-cn/privacy/"),),
    website="https://letsencrypt.org/",
    contact_use=Statement(
        N_(
            "You may have the option to provide contact information, such as your email "
            "address, for account service and recovery purposes. Your contact information "
            "will not be made public, and it will only be shared per “Law Enforcement and "
            "Extenuating Circumstances,” below. By providing your email address, you are "
            "consenting to receive service-related emails from us. You may unsubscribe from "
            "service-related emails at any time by clicking the “unsubscribe” link at the "
            "bottom of our emails or by contacting us at security@letsencrypt.org. We will "
            "not use your contact information for marketing or promotional purposes."
        ),
        _LE_POLICY,
    ),
    contact_retention=Statement(
        N_(
            "That information includes the IP addresses from which you access the Let’s "  # noqa: RUF001 - quoted verbatim
            "Encrypt service; […] full logs of all inbound HTTP / ACME requests, all "
            "outbound validation requests; and information sent by or inferred from your "
            "client software. We will store this information for a minimum of seven years "
            "per trusted root program requirements. This information will be stored for a "
            "maximum of ten years."
        ),
        _LE_POLICY,
        note=N_(
            "The policy gives no separate retention period for contact emails; the "
            "ACME requests that register or change the contact are among the inbound "
            "requests it logs."
        ),
    ),
    after_closure=Statement(
        N_(
            "We need to be able to demonstrate to the public, including those who rely on "
            "the trustworthiness of our certificates, that our services perform as "
            "expected. As a result, we may be unable to delete information, including IP "
            "addresses."
        ),
        _LE_POLICY,
    ),
    deletion_request=Statement(
        N_(
            "Request that your information be corrected or deleted by contacting us at "
            "security@letsencrypt.org."
        ),
        _LE_POLICY,
    ),
    third_country_transfer=Statement(
        N_(
            "Your personal data may be collected from or transferred to jurisdictions where "
            "we and our service providers store or process data, including the United "
            "States."
        ),
        _LE_POLICY,
    ),
    notes=(),
)

_LETSENCRYPT_STAGING = replace(
    _LETSENCRYPT,
    key="letsencrypt-staging",
    display_name="Let's Encrypt (staging)",
    directory_url="https://acme-staging-v02.api.letsencrypt.org/directory",
    staging=True,
    notes=(
        Statement(
            N_(
                "The policy does not treat the staging environment separately; it is applied "
                "here as written."
            ),
            _LE_POLICY,
            quoted=False,
        ),
    ),
)

# --- ZeroSSL -----------------------------------------------------------------------------

_ZEROSSL_POLICY = Source(
    url="https://zerossl.com/privacy/",
    document=N_("ZeroSSL Privacy Policy (undated)"),
    via="stored web copy of the policy (opening sections only) served from a zerossl.com "
    "host; the address https://zerossl.com/privacy/ as listed by Certify The Web's CA "
    "catalogue (webprofusion/certify, CertificateAuthority.cs)",
)
_ZEROSSL_EAB = Source(
    url="https://github.com/acmesh-official/acme.sh/wiki/ZeroSSL.com-CA",
    document=N_("acme.sh wiki, “ZeroSSL.com CA”"),
    via="stored web copy (third-party client documentation)",
)

_ZEROSSL = CAInfo(
    key="zerossl",
    display_name="ZeroSSL",
    directory_url="https://acme.zerossl.com/v2/DV90",
    known=True,
    legal_entity="ZeroSSL GmbH",
    entity_details="FN 443956b; Salzgries 19/3+4, 1010 Vienna, Austria",
    country="AT",
    entity_source=_ZEROSSL_POLICY,
    privacy_policy_url="https://zerossl.com/privacy/",
    website="https://zerossl.com/",
    contact_use=Statement(
        N_(
            "We process such personal data that you as a user of the Services make available "
            "to us, for example upon registration or when using the Services (the "
            '„Data").'
        ),
        _ZEROSSL_POLICY,
        note=N_(
            "This is the policy's general statement; what ZeroSSL does with an ACME "
            "contact email in particular is not stated in the sources we checked."
        ),
    ),
    deletion_request=Statement(
        N_(
            "You can contact us via mail under the address shown below or via e-mail using "
            "the E-Mail Address."
        ),
        _ZEROSSL_POLICY,
    ),
    notes=(
        Statement(
            N_(
                "The processing of your personal data takes place in compliance with the "
                "General Data Protection Regulation („GDPR“) and the Austrian data protection "
                "act in its current form."
            ),
            _ZEROSSL_POLICY,
        ),
        Statement(
            N_(
                "ACME accounts at ZeroSSL are bound to a ZeroSSL account through External "
                "Account Binding credentials, so the CA can link the ACME account to that "
                "account's own registration data."
            ),
            _ZEROSSL_EAB,
            quoted=False,
        ),
    ),
)

# --- Buypass -----------------------------------------------------------------------------

_BUYPASS_POLICY = Source(
    url="https://www.buypass.com/security/privacy-policy",
    document=N_("Buypass Privacy Policy (undated)"),
    via="stored web copy (opening sections only)",
)
_BUYPASS_GO_SSL = Source(
    url="https://www.buypass.com/products/tls-ssl-certificates/resources-tls-ssl-"
    "certificates/products/buypass-go-ssl-technical-information",
    document=N_("Buypass Go SSL – Technical information"),  # noqa: RUF001 - its title
    via="stored web copy",
)

_BUYPASS = CAInfo(
    key="buypass",
    display_name="Buypass Go SSL",
    directory_url="https://api.buypass.com/acme/directory",
    known=True,
    legal_entity="Buypass AS",
    entity_details="Norwegian organisation number 983 163 327",
    country="NO",
    entity_source=_BUYPASS_POLICY,
    privacy_policy_url="https://www.buypass.com/security/privacy-policy",
    website="https://www.buypass.com/",
    contact_use=Statement(
        N_("Email to be used for notification purposes, e.g. expiring certificates."),
        _BUYPASS_GO_SSL,
        quoted=False,
        note=N_(
            "Buypass's description of certbot's -m option in its Certbot guide. Its "
            "privacy policy says more generally: “Our primary purpose for processing "
            "your data is user administration.”"
        ),
    ),
    deletion_request=Statement(
        N_(
            "Buypass has its own data protection officer who you can contact if you have any "
            "questions about how Buypass processes your personal data, or if you need help "
            "exercising your rights in relation to your personal data."
        ),
        _BUYPASS_POLICY,
    ),
)

_BUYPASS_TEST = replace(
    _BUYPASS,
    key="buypass-test",
    display_name="Buypass Go SSL (test)",
    directory_url="https://api.test4.buypass.no/acme/directory",
    staging=True,
)

# --- Google Trust Services ---------------------------------------------------------------

_GTS_ISSUER = Source(
    url="https://github.com/acmesh-official/acme.sh/wiki/Google-Trust-Services-CA",
    document=N_(
        "Issuer of a GTS-issued certificate (O=Google Trust Services LLC, C=US), "
        "as printed in the acme.sh wiki"
    ),
    via="stored web copy; the issuer name was decoded from the certificate shown there",
)
_GTS_EAB = Source(
    url="https://cloud.google.com/sdk/gcloud/reference/publicca/external-account-keys",
    document=N_("gcloud publicca external-account-keys reference (last updated 2025-05-07)"),
    via="stored web copy",
)

_GOOGLE = CAInfo(
    key="google",
    display_name="Google Trust Services",
    directory_url="https://dv.acme-v02.api.pki.goog/directory",
    known=True,
    legal_entity="Google Trust Services LLC",
    country="US",
    entity_source=_GTS_ISSUER,
    documents_url="https://pki.goog/repository/",
    website="https://pki.goog/",
    notes=(
        Statement(
            N_(
                "The external account key will be associated with the Cloud project and it may "
                "be bound to an Automatic Certificate Management Environment (ACME) account "
                "following RFC 8555."
            ),
            _GTS_EAB,
            note=N_(
                "So the ACME account is linked to a Google Cloud project. No privacy policy "
                "specific to the ACME service was found in the sources we checked."
            ),
        ),
    ),
)

_GOOGLE_STAGING = replace(
    _GOOGLE,
    key="google-staging",
    display_name="Google Trust Services (staging)",
    directory_url="https://dv.acme-v02.test-api.pki.goog/directory",
    staging=True,
)

# --- SSL.com -----------------------------------------------------------------------------

_SSLCOM_DELETION_FAQ = Source(
    url="https://www.ssl.com/faqs/data-deletion-request-frequently-asked-questions/",
    document=N_("SSL.com, “Data Deletion Request: Frequently Asked Questions” (undated)"),
    via="stored web copy (AMP version)",
)
_SSLCOM_ENTITY = Source(
    url="https://docs.rs/crate/cacrt/0.1.1/source/roots/SSL.com/README.md",
    document=N_("cacrt 0.1.1, roots/SSL.com/README.md (third-party summary)"),
    via="stored web copy",
)

_SSLCOM_RSA = CAInfo(
    key="sslcom-rsa",
    display_name="SSL.com",
    directory_url="https://acme.ssl.com/sslcom-dv-rsa",
    known=True,
    legal_entity="SSL Corporation",
    entity_details="operating as SSL.com; headquartered in Houston, Texas, USA",
    country="US",
    entity_source=_SSLCOM_ENTITY,
    # Listed by Certify The Web's CA catalogue; its text is not in the sources we checked.
    privacy_policy_url="https://www.ssl.com/privacy-policy/",
    website="https://www.ssl.com/",
    contact_retention=Statement(
        N_(
            "As a publicly trusted Certificate Authority, SSL.com is required to retain "
            "certificate validation records and related data for a minimum of 2 years "
            "following certificate expiration or revocation"
        ),
        _SSLCOM_DELETION_FAQ,
        note=N_(
            "This is about validation records and related data; the contact email is not named."
        ),
    ),
    after_closure=Statement(
        N_(
            "Once verified, we review the data we hold against our retention obligations. "
            "We either complete the request or explain why we cannot at this time."
        ),
        _SSLCOM_DELETION_FAQ,
    ),
    deletion_request=Statement(
        N_(
            "Email privacy@ssl.com or support@ssl.com and clearly state that you are "
            "requesting deletion of your personal data."
        ),
        _SSLCOM_DELETION_FAQ,
    ),
)

_SSLCOM_ECC = replace(
    _SSLCOM_RSA, key="sslcom-ecc", directory_url="https://acme.ssl.com/sslcom-dv-ecc"
)

#: Every CA this module knows, in a stable order.
KNOWN_CAS: Tuple[CAInfo, ...] = (
    _LETSENCRYPT,
    _LETSENCRYPT_STAGING,
    _ZEROSSL,
    _BUYPASS,
    _BUYPASS_TEST,
    _GOOGLE,
    _GOOGLE_STAGING,
    _SSLCOM_RSA,
    _SSLCOM_ECC,
)

_BY_URL: Dict[str, CAInfo] = {normalize_directory_url(ca.directory_url): ca for ca in KNOWN_CAS}


def lookup(directory_url: str) -> Optional[CAInfo]:
    """Return what is known about the CA at *directory_url*, or ``None`` if nothing is."""
    return _BY_URL.get(normalize_directory_url(directory_url))


def generic(
    directory_url: str, terms_of_service: Optional[str] = None, website: Optional[str] = None
) -> CAInfo:
    """Describe a CA this module knows nothing about, honestly.

    It is named by the host of its directory URL; the terms of service and website are
    the ones the directory's ``meta`` gives (RFC 8555 section 7.1.1), if any. No
    statement about contact emails is made: there is none to make.
    """
    try:
        parts = urlsplit(directory_url.strip())
        name = parts.netloc.rpartition("@")[2] or directory_url.strip()
    except ValueError:
        name = directory_url.strip()
    return CAInfo(
        key="unknown",
        display_name=name,
        directory_url=directory_url.strip(),
        known=False,
        terms_of_service=terms_of_service,
        website=website,
    )


def for_directory(
    directory_url: str, terms_of_service: Optional[str] = None, website: Optional[str] = None
) -> CAInfo:
    """Return :func:`lookup`'s answer, or :func:`generic`; the directory's ToS is kept."""
    known = lookup(directory_url)
    if known is None:
        return generic(directory_url, terms_of_service, website)
    if terms_of_service:
        return replace(known, terms_of_service=terms_of_service)
    return known
