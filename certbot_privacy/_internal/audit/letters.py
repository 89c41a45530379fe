"""GDPR access (Art. 15) and erasure (Art. 17) requests, from the log (pure).

:mod:`.subjects` gathers, per recipient (each CA, the EFF) and data subject (one contact
address with its accounts, or the accounts given none), what identifies their data there;
:func:`letters` turns each into one ready-to-send :class:`Letter`: never two people's
addresses in one letter, never the internal host names, with when recording began and a
placeholder for what the log cannot know (the servers' public IP addresses). A letter is
addressed to the recipient's privacy contact where a verified one is known
(:func:`privacy_contact`), else names where to send it. Nothing is sent: the command
prints the letters.

The texts are gettext messages (English source, Simplified Chinese in the catalogue of
:mod:`certbot_privacy._internal.rules.consent`); values from the log are kept as they are and
escaped by the output format.
"""

from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

from certbot_privacy._internal.audit.source import SYSLOG
from certbot_privacy._internal.audit.subjects import (
    ACME,
    MAILING_LIST,
    Collector,
    Identifiers,
    Seen,
    collect,
    is_ca,
)
from certbot_privacy._internal.rules import cas
from certbot_privacy._internal.rules.consent import ENGLISH, translations

__all__ = [
    "ACCESS",
    "ACME",
    "ERASURE",
    "MAILING_LIST",
    "Collector",
    "Identifiers",
    "Letter",
    "PrivacyContact",
    "Requester",
    "Section",
    "Seen",
    "collect",
    "is_ca",
    "letter",
    "letters",
    "privacy_contact",
]

ACCESS = "access"
ERASURE = "erasure"


@dataclass(frozen=True)
class PrivacyContact:
    """Where a request to a CA goes: a verified address, or else the policy to look in."""

    email: Optional[str]
    policy_url: Optional[str]


def privacy_contact(info: cas.CAInfo) -> PrivacyContact:
    """The CA's privacy contact: the address the CA facts give, only where it is verified."""
    contact = info.privacy_contact if info.known else None
    return PrivacyContact(
        contact.email if contact is not None and contact.verified else None,
        info.privacy_policy_url or info.documents_url or info.website,
    )


# --- the letters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A list in a letter: its heading and its lines (values from the log, already worded)."""

    heading: str
    items: Tuple[str, ...]


@dataclass(frozen=True)
class Letter:
    """One request to one CA, in one language, ready to render as text or Markdown.

    ``to`` is the verified privacy address, or ``None``; ``where`` then says where to send
    it. ``paragraphs`` come before the ``sections`` (the identifiers), ``closing`` after.
    """

    kind: str
    language: str
    ca_name: str
    to: Optional[str]
    where: str
    subject: str
    greeting: str
    paragraphs: Tuple[str, ...]
    sections: Tuple[Section, ...]
    closing: Tuple[str, ...]
    signature: Tuple[str, ...]
    #: The data subject's address the letter is about (``None``: accounts given none).
    subject_address: Optional[str] = None


@dataclass(frozen=True)
class Requester:
    """Who signs the letters (``None``: a placeholder to fill in)."""

    name: Optional[str] = None
    contact: Optional[str] = None


def _day(time: str) -> str:
    return time[:10]


def _when(seen: Seen, _: "Translate", sent: bool = False) -> str:
    """When a value was sent (a contact address) or used (the others), in words."""
    if seen.first[:10] == seen.last[:10]:
        once = _("sent on {day}") if sent else _("used on {day}")
        return once.format(day=_day(seen.first))
    span = (
        _("sent {count} times, from {first} to {last}")
        if sent
        else _("used from {first} to {last}")
    )
    return span.format(count=seen.count, first=_day(seen.first), last=_day(seen.last))


def _item(seen: Seen, _: "Translate", sent: bool = False) -> str:
    if seen.copies:
        copies = ", ".join(
            _("syslog, which does not authenticate its sender")
            if kind == SYSLOG
            else _("the system journal")
            for kind in seen.copies
        )
        return _("{value} ({when}; only in a copy of my log: {copies})").format(
            value=seen.value, when=_when(seen, _, sent), copies=copies
        )
    return _("{value} ({when})").format(value=seen.value, when=_when(seen, _, sent))


def _copies_only(identifiers: "Identifiers") -> bool:
    """Whether some value of *identifiers* rests on copies of the log alone."""
    return any(
        s.copies
        for group in (
            identifiers.account_urls,
            identifiers.thumbprints,
            identifiers.contacts,
            identifiers.domains,
        )
        for s in group
    )


class Translate:
    """gettext's ``_`` for one language (a class, so that it can be typed and passed)."""

    def __init__(self, language: str) -> None:
        self._gettext = translations(language).gettext

    def __call__(self, message: str) -> str:
        return self._gettext(message)


def letter(
    identifiers: Identifiers,
    kind: str,
    requester: Requester = Requester(),
    language: str = ENGLISH,
) -> Letter:
    """The *kind* (:data:`ACCESS` or :data:`ERASURE`) request to the CA of *identifiers*."""
    _ = Translate(language)
    info = identifiers.ca
    contact = privacy_contact(info)
    legal = (
        f"{info.legal_entity} ({info.display_name})"
        if info.legal_entity and info.legal_entity != info.display_name
        else info.display_name
    )
    if contact.email is not None:
        where = _("{ca}'s privacy contact, as its privacy policy names it ({policy})").format(
            ca=info.display_name, policy=contact.policy_url or "-"
        )
    elif contact.policy_url is not None:
        where = _(
            "No verified privacy contact of {ca} is known to certbot-privacy: send it "
            "through the channel its privacy policy or documents name ({policy})."
        ).format(ca=info.display_name, policy=contact.policy_url)
    else:
        where = _(
            "No privacy contact of {ca} is known to certbot-privacy: find the CA's privacy "
            "contact (its website, its terms of service) before sending it."
        ).format(ca=info.display_name)
    period = {"first": _day(identifiers.first), "last": _day(identifiers.last)}
    if kind == ACCESS:
        subject = _("Request for access to personal data (GDPR Article 15)")
        paragraphs = [
            _(
                "I am writing to request access to the personal data that {legal} holds "
                "about me, under Article 15 of the General Data Protection Regulation "
                "(GDPR)."
            ).format(legal=legal),
            _(
                "Please confirm whether you process personal data concerning me and, if "
                "so, send me a copy of it with the information Article 15(1) lists: the "
                "purposes of the processing, the categories of personal data, the "
                "recipients to whom it has been or will be disclosed (in particular in "
                "third countries, and the safeguards for those transfers), how long it "
                "will be stored, and its source where it was not collected from me."
            ),
        ]
    else:
        subject = _("Request for erasure of personal data (GDPR Article 17)")
        paragraphs = [
            _(
                "I am writing to request that {legal} erase the personal data it holds "
                "about me, under Article 17 of the General Data Protection Regulation "
                "(GDPR): the contact addresses below, and the data linked to the ACME "
                "accounts below, where no legal obligation requires you to keep it "
                "(Article 17(3)(b))."
            ).format(legal=legal),
            _(
                "If you keep some of it, please tell me which data, on which ground and "
                "for how long; and please tell the recipients to whom you disclosed it of "
                "the erasure, as Article 19 requires."
            ),
        ]
    if identifiers.subject is not None and identifiers.service == ACME:
        paragraphs.append(
            _(
                "This request concerns the email address {address} and the ACME accounts "
                "it was given for."
            ).format(address=identifiers.subject)
        )
    elif identifiers.service == ACME:
        paragraphs.append(
            _("This request concerns the ACME accounts below, which were given no contact address.")
        )
    if identifiers.service == MAILING_LIST:
        paragraphs.append(
            _(
                "To help you find it: my systems sent the email address {address} to your "
                "mailing-list sign-up through Certbot ({directory}) from {first} to {last} "
                "(UTC), as recorded in my disclosure log."
            ).format(
                address=identifiers.subject or "-",
                directory=", ".join(identifiers.recipients),
                **period,
            )
        )
    else:
        paragraphs.append(
            _(
                "To help you find it: these are the identifiers that my systems sent to your "
                "ACME service ({directory}) from {first} to {last} (UTC), as recorded in my "
                "disclosure log."
            ).format(directory=", ".join(identifiers.recipients), **period)
        )
    paragraphs.append(_began(identifiers, _))
    if _copies_only(identifiers):
        paragraphs.append(
            _(
                'The values marked "only in a copy of my log" are recorded only in a copy '
                "of my disclosure log that a central log server received, not in the log "
                "on the host itself."
            )
        )
    sections = _sections(identifiers, _)
    closing = [
        _(
            "I can prove that these accounts are mine by signing a text of your choice with "
            "the account key."
        )
        if identifiers.service == ACME
        else _("I can confirm that this address is mine by answering an email you send to it."),
        _("Please reply within one month of receiving this request (GDPR Article 12(3))."),
    ]
    signature = (
        requester.name or _("[your name]"),
        requester.contact or _("[your postal address or email address]"),
    )
    return Letter(
        kind=kind,
        language=language,
        ca_name=info.display_name,
        to=contact.email,
        where=where,
        subject=subject,
        greeting=_("Dear {ca} privacy team,").format(ca=info.display_name),
        paragraphs=tuple(paragraphs),
        sections=sections,
        closing=tuple(closing),
        signature=signature,
        subject_address=identifiers.subject,
    )


def _began(identifiers: Identifiers, _: Translate) -> str:
    """When recording began: what was sent before is not in the log, nor in this letter."""
    first, last = (_day(t) for t in identifiers.began)
    if first == last:
        return _(
            "My disclosure log began recording on {day}: anything my systems sent before "
            "then is not in it, so the lists below may be incomplete."
        ).format(day=first or "-")
    return _(
        "My systems' disclosure logs began recording between {first} and {last}: anything "
        "sent before then is not in them, so the lists below may be incomplete."
    ).format(first=first, last=last)


def _sections(identifiers: Identifiers, _: Translate) -> Tuple[Section, ...]:
    sections = []
    if identifiers.account_urls:
        sections.append(
            Section(
                _("ACME account URLs"),
                tuple(_item(s, _) for s in identifiers.account_urls),
            )
        )
    if identifiers.thumbprints:
        sections.append(
            Section(
                _("ACME account key thumbprints (RFC 7638, SHA-256)"),
                tuple(_item(s, _) for s in identifiers.thumbprints),
            )
        )
    if identifiers.contacts:
        sections.append(
            Section(
                _("Contact email addresses sent"),
                tuple(_item(s, _, sent=True) for s in identifiers.contacts),
            )
        )
    if identifiers.domains:
        sections.append(
            Section(
                _("Domain names in certificate orders"),
                tuple(_item(s, _) for s in identifiers.domains),
            )
        )
    counted = (
        _("{count} request from {first} to {last} (UTC)")
        if identifiers.requests == 1
        else _("{count} requests from {first} to {last} (UTC)")
    )
    summary = [
        counted.format(
            count=identifiers.requests,
            first=_day(identifiers.first),
            last=_day(identifiers.last),
        )
    ]
    sections.append(
        Section(
            # signed ones only: the directory and nonce requests no account signed are no
            # one's, so this count is below the report's requests to the CA
            _("Requests to your ACME service signed with these accounts")
            if identifiers.service == ACME
            else _("Requests to your mailing-list sign-up"),
            tuple(summary),
        )
    )
    sections.append(
        Section(
            _("The IP addresses my systems sent these requests from"),
            (_("[the public IP addresses of your servers: the log does not record them]"),),
        )
    )
    return tuple(sections)


def letters(
    identifiers: Iterable[Identifiers],
    kind: str,
    requester: Requester = Requester(),
    language: str = ENGLISH,
) -> Tuple[Letter, ...]:
    """One letter per recipient and data subject (one address and its accounts)."""
    return tuple(letter(i, kind, requester, language) for i in identifiers)


def heading(letter_: Letter, index: int, total: int) -> str:
    """The line that introduces a letter in the output (not part of the letter)."""
    _ = Translate(letter_.language)
    about = letter_.subject_address or _("the accounts given no contact address")
    return _(
        "Letter {index} of {total}: {ca}, about {about} (certbot-privacy sends nothing)"
    ).format(index=index, total=total, ca=letter_.ca_name, about=about)


def labels(language: str) -> Tuple[str, str, str]:
    """ "To: ", "Subject: " and "Where to send it: " in *language*, to put before a value."""
    _ = Translate(language)
    return (_("To: "), _("Subject: "), _("Where to send it: "))


def section_heading(heading_: str, language: str) -> str:
    """A section's heading as a line that introduces a list ("...:")."""
    _ = Translate(language)
    return _("{heading}:").format(heading=heading_)


def wraps(language: str) -> bool:
    """Whether text in *language* is wrapped at spaces (not Chinese: lines are not broken)."""
    return language == ENGLISH


def none_found(language: str) -> str:
    """What the output says when the log shows no request to a CA or the EFF."""
    _ = Translate(language)
    return _(
        "No request to an ACME CA or the EFF in the selected records: there is no one to write to."
    )
