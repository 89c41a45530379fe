"""Consent to send a contact email to the CA: the texts, the decision, the contact rules.

In privacy mode no email leaves the machine unless the admin agreed knowing who receives
it, what the receiver says it does with it and how long it keeps it. This module holds
that policy as pure functions; the certbot adapter shows the text, reads the answer
(through the ``ask`` function it passes in) and records the decision before any request.

* :func:`consent_text`: what the admin reads before typing anything.
* :func:`decide_interactive`: only an explicit yes is consent; no, Enter, anything else
  or no answer at all (end of input) is a refusal.
* :func:`decide_noninteractive`: in ``-n`` runs ``--email`` alone is not consent; it
  takes ``--privacy-share-email`` too, otherwise :class:`ConsentRequiredError`.
* :func:`validate_contact`: one contact at most, no ``mailto:`` extras (RFC 8555 7.3).
* :func:`withdrawal_text`: what to say when the contact is removed (``contact: []``).

Texts exist in English and Simplified Chinese, through gettext (domain
``certbot-privacy``, catalogs in ``locale/``); :func:`choose_language` picks one from the
environment the way GNU gettext does, and English whenever unsure.
"""

import gettext
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Callable, List, Mapping, Optional
from urllib.parse import unquote

from certbot_privacy.errors import ConsentRequiredError, ContactError
from certbot_privacy.rules.cas import COUNTRY_NAMES, NOT_STATED, CAInfo, Statement

ENGLISH = "en"
SIMPLIFIED_CHINESE = "zh_CN"
#: The languages there are texts for; English is the source language.
LANGUAGES = (ENGLISH, SIMPLIFIED_CHINESE)

#: The gettext domain and where its catalogs are.
DOMAIN = "certbot-privacy"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: How a consent was given: by answering the prompt, or by ``--privacy-share-email``.
MEANS_INTERACTIVE = "interactive"
MEANS_FLAG = "flag"
#: How a contact was removed: ``--privacy-withdraw-email``.
MEANS_WITHDRAW = "withdraw"
#: What a consent decision here is about, as the ``purpose`` of a ``consent`` record.
PURPOSE_CONTACT = "contact"
#: The ``purpose`` of the consent record written when the admin removes the contact.
PURPOSE_WITHDRAWN = "contact_withdrawn"

_YES = {
    ENGLISH: frozenset({"y", "yes"}),
    SIMPLIFIED_CHINESE: frozenset({"y", "yes", "是", "是的", "好", "好的", "同意", "确认", "可以"}),
}


# --- language ----------------------------------------------------------------------------


def choose_language(env: Mapping[str, str]) -> str:
    """Return the language of the texts for a process with environment *env*.

    As GNU gettext does: the locale is the first set of ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``; in the ``C``/``POSIX`` locale (or none) the texts are English and
    ``LANGUAGE`` is ignored; otherwise ``LANGUAGE`` (a ``:``-separated list of
    preferences) wins over the locale, and the first language there is a text for is
    used. Only ``zh_CN`` selects Chinese (``zh_TW``, ``zh_HK``, a bare ``zh`` do not:
    Simplified Chinese is not what those readers asked for); anything else is English.
    """
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    if _language_part(locale) in ("", "C", "POSIX"):
        return ENGLISH
    preferences = env.get("LANGUAGE", "").split(":") if env.get("LANGUAGE") else [locale]
    for preference in preferences:
        language = _supported(preference)
        if language is not None:
            return language
    return ENGLISH


def _language_part(locale: str) -> str:
    """``zh_CN.UTF-8@x`` -> ``zh_CN``: the locale without encoding and modifier."""
    return re.split(r"[.@]", locale.strip(), maxsplit=1)[0]


def _supported(preference: str) -> Optional[str]:
    name = _language_part(preference).replace("-", "_").lower()
    if name == "zh_cn":
        return SIMPLIFIED_CHINESE
    if name == "en" or name.startswith("en_"):
        return ENGLISH
    return None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the gettext catalog for *language* (English: no catalog, the source text)."""
    return gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
    )


# --- contact validation --------------------------------------------------------------------


def validate_contact(value: str, language: str = ENGLISH) -> str:
    """Return the single email address in *value* (``addr`` or ``mailto:addr``).

    Refused, with a message that says what to give instead: an empty value; more than
    one address (privacy mode sends at most one contact); a ``mailto:`` URL with more than
    one address or with header fields such as ``?subject=`` (RFC 8555 section 7.3 forbids
    both); any other URL scheme. Whether the address itself is well formed is left to
    certbot, whose own error message for that is clear.
    """
    _ = translations(language).gettext
    text = value.strip()
    if not text:
        raise ContactError(
            _(
                "The contact email is empty: give one address, or none to "
                "register without a contact."
            )
        )
    scheme, colon, rest = text.partition(":")
    is_mailto = bool(colon) and scheme.lower() == "mailto"
    if is_mailto:
        address, question, _fields = rest.partition("?")
        if question:
            raise ContactError(
                _(
                    "A mailto: contact cannot carry extra fields such as "
                    "?subject= (RFC 8555 section 7.3): give the plain address "
                    "{address}."
                ).format(address=unquote(address))
            )
        if len(_split_addresses(unquote(address))) > 1:
            raise ContactError(
                _(
                    "A mailto: contact can name only one address (RFC 8555 "
                    "section 7.3): give a single address instead of "
                    "{value}."
                ).format(value=text)
            )
        text = unquote(address).strip()
    elif colon and "@" not in scheme and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise ContactError(
            _(
                "Only an email address (or a mailto: URL) can be the account contact, not {value}."
            ).format(value=text)
        )
    addresses = _split_addresses(text)
    if len(addresses) > 1:
        raise ContactError(
            _(
                "Privacy mode sends at most one contact email: give a single "
                "address instead of {value}."
            ).format(value=value.strip())
        )
    if not addresses:
        raise ContactError(
            _(
                "The contact email is empty: give one address, or none to "
                "register without a contact."
            )
        )
    return addresses[0]


def _split_addresses(text: str) -> List[str]:
    return [part for part in re.split(r"[,;\s]+", text) if part]


# --- the decision --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentDecision:
    """A consent decision, ready to become a ``consent`` disclosure record.

    ``email`` is the address the decision is about (``None`` when the admin was asked
    before typing one: fill it in with :meth:`with_email`). ``text`` is exactly what was
    shown (for ``flag``: the text the flag stands for), ``answer`` what was typed
    (``None`` for ``flag``, or when input ended).
    """

    granted: bool
    email: Optional[str]
    recipient: str
    recipient_name: str
    means: str
    text: str
    language: str
    answer: Optional[str] = None

    def with_email(self, email: str) -> "ConsentDecision":
        """Return this decision about *email* (validated as :func:`validate_contact` does)."""
        return replace(self, email=validate_contact(email, self.language))


def is_yes(answer: str, language: str) -> bool:
    """Return whether *answer* is an explicit yes (``y``/``yes``; in Chinese also 是, 同意...).

    Case, surrounding blanks, full-width forms and a final full stop or exclamation
    mark do not matter (NFKC folds the full-width ones); anything not in the list is a no.
    """
    normalized = unicodedata.normalize("NFKC", answer).strip().rstrip("。.!").strip()
    return normalized.casefold() in _YES.get(language, _YES[ENGLISH])


def decide_interactive(
    text: str, ask: Callable[[str], str], *, ca: CAInfo, email: Optional[str], language: str
) -> ConsentDecision:
    """Show *text* through *ask* and turn the answer into a decision (default: no).

    *ask* shows the text and returns the line typed. End of input (``EOFError``) is no
    answer, so no consent. *email* is the address given on the command line, if any; it
    is validated first, so a refused contact never reaches the question.
    """
    checked = validate_contact(email, language) if email and email.strip() else None
    try:
        answer: Optional[str] = ask(text)
    except EOFError:
        answer = None
    granted = answer is not None and is_yes(answer, language)
    return ConsentDecision(
        granted=granted,
        email=checked,
        recipient=ca.directory_url,
        recipient_name=ca.display_name,
        means=MEANS_INTERACTIVE,
        text=text,
        language=language,
        answer=answer,
    )


def decide_noninteractive(
    email: Optional[str], share_email_flag: bool, *, ca: CAInfo, language: str
) -> Optional[ConsentDecision]:
    """Apply the non-interactive rule: ``--email`` is sent only with ``--privacy-share-email``.

    No email: ``None``, there is nothing to decide and the account gets no contact.
    An email without the flag: :class:`ConsentRequiredError`, whose message is the one
    sentence to show before stopping (exit code 2). With the flag: a granted decision,
    ``means="flag"``, whose text is the consent text the flag stands for.
    """
    if email is None or not email.strip():
        return None
    checked = validate_contact(email, language)
    if not share_email_flag:
        _ = translations(language).gettext
        raise ConsentRequiredError(
            _(
                "--email alone is not consent in privacy mode: add --privacy-share-email to "
                "send {email} to {ca_name} ({directory_url}) as the account contact, or drop "
                "--email to register without a contact."
            ).format(email=checked, ca_name=ca.display_name, directory_url=ca.directory_url)
        )
    return ConsentDecision(
        granted=True,
        email=checked,
        recipient=ca.directory_url,
        recipient_name=ca.display_name,
        means=MEANS_FLAG,
        text=consent_text(ca, checked, language),
        language=language,
    )


# --- the texts -----------------------------------------------------------------------------


def consent_text(ca: CAInfo, email: Optional[str], lang: str) -> str:
    """Return what the admin reads before answering, ending with the yes/no question.

    It says that the email is optional and issuance works without it; who receives it
    (the CA by name, its operator and country where known, the directory URL); what the
    CA says it uses it for and how long it keeps it, each with its source, or that our
    sources do not say; where its privacy policy is; that the address may be kept after
    the contact is removed or the account closed; then the question, default no.
    *email* is ``None`` when the address will be asked for after a yes.
    """
    _ = translations(lang).gettext
    name = ca.display_name
    lines = [
        _("Account contact email: optional"),
        "",
        _(
            "An email address is optional: certificates are issued and renewed without "
            "one. If you answer no, no email address is sent and the account has no "
            "contact."
        ),
    ]
    if email is not None:
        lines.append(
            _(
                "If you answer yes, {email} is sent to the certificate authority below "
                "as the account contact."
            ).format(email=email)
        )
    else:
        lines.append(
            _(
                "If you answer yes, you are asked for the address next, and it is "
                "sent to the certificate authority below as the account contact."
            )
        )
    lines += ["", *_recipient_lines(ca, lang), ""]
    if ca.known:
        lines += _statement_lines(
            _("What {ca_name} says it uses the email for:").format(ca_name=name),
            ca.contact_use,
            lang,
        )
        lines += _statement_lines(
            _("How long {ca_name} says it keeps it:").format(ca_name=name),
            ca.contact_retention,
            lang,
        )
    else:
        lines.append(
            _(
                "This tool knows nothing about this certificate authority: what it "
                "does with a contact email, and how long it keeps it, is unknown here. "
                "Read its terms of service (and its privacy policy, if it has one) "
                "before you answer."
            )
        )
    lines += _policy_lines(ca, lang)
    lines += [
        "",
        _(
            "Once sent, the address may be kept even after you remove it from the "
            "account or close the account: removing it does not by itself make the "
            "CA delete what it already has."
        ),
    ]
    if ca.after_closure is not None:
        lines += _statement_lines(
            _("What {ca_name} says about deleting data:").format(ca_name=name),
            ca.after_closure,
            lang,
        )
    for note in ca.notes:
        lines += _statement_lines(_("Also:"), note, lang)
    lines += ["", _("Type y or yes to agree. Enter, or anything else, means no.")]
    if email is not None:
        question = _("Send {email} to {ca_name}? [y/N] ").format(email=email, ca_name=name)
    else:
        question = _("Send an email address to {ca_name}? [y/N] ").format(ca_name=name)
    lines.append(question)
    return "\n".join(lines)


def withdrawal_text(ca: CAInfo, lang: str) -> str:
    """Return what to tell the admin once the contact was removed (``contact: []`` sent).

    Removing the contact does not make the CA forget it: the text says so, quotes what
    the CA says about deleting and keeping data where we have it, and how to ask it to
    delete what it has.
    """
    _ = translations(lang).gettext
    name = ca.display_name
    lines = [
        _(
            "The contact email was removed from your account at {ca_name} "
            '({directory_url}): the CA was sent "contact": [].'
        ).format(ca_name=name, directory_url=ca.directory_url),
        _(
            "The account no longer lists an address, but removing it does not by itself "
            "make the CA delete what it already has."
        ),
        "",
    ]
    if ca.known:
        lines += _statement_lines(
            _("What {ca_name} says about deleting data:").format(ca_name=name),
            ca.after_closure,
            lang,
        )
        lines += _statement_lines(
            _("How long {ca_name} says it keeps it:").format(ca_name=name),
            ca.contact_retention,
            lang,
        )
        lines += _statement_lines(
            _("How to ask {ca_name} to delete it:").format(ca_name=name), ca.deletion_request, lang
        )
    else:
        lines.append(
            _(
                "This tool knows nothing about this certificate authority: ask it "
                "directly whether it keeps the address and how to have it deleted."
            )
        )
    lines += _policy_lines(ca, lang)
    return "\n".join(lines)


def _recipient_lines(ca: CAInfo, lang: str) -> List[str]:
    _ = translations(lang).gettext
    lines = [_("Recipient: {ca_name}").format(ca_name=ca.display_name)]
    if ca.known:
        if ca.legal_entity is not None:
            country = COUNTRY_NAMES.get(ca.country or "")
            operator = (
                ca.legal_entity
                if country is None
                else _("{entity}, {country}").format(entity=ca.legal_entity, country=_(country))
            )
        else:
            operator = _(NOT_STATED)
        lines.append(_("Operated by: {operator}").format(operator=operator))
    lines.append(_("ACME directory: {directory_url}").format(directory_url=ca.directory_url))
    if ca.terms_of_service:
        lines.append(_("Terms of service: {url}").format(url=ca.terms_of_service))
    elif not ca.known:
        lines.append(_("Its directory names no terms of service."))
    return lines


def _policy_lines(ca: CAInfo, lang: str) -> List[str]:
    _ = translations(lang).gettext
    url = ca.policy_url(lang)
    if url is not None:
        return [_("Privacy policy: {url}").format(url=url)]
    if ca.documents_url is not None:
        return [
            _("Privacy policy: none found in the sources we checked; its documents: {url}").format(
                url=ca.documents_url
            )
        ]
    if ca.known:
        return [_("Privacy policy: none found in the sources we checked.")]
    return []


def _statement_lines(heading: str, statement: Optional[Statement], lang: str) -> List[str]:
    """Render one statement: heading, the CA's words, its source, our note if any."""
    _ = translations(lang).gettext
    if statement is None:
        return [_("{heading} {not_stated}.").format(heading=heading, not_stated=_(NOT_STATED))]
    words = _(statement.text)
    shown = (
        _("“{text}”").format(text=words)
        if statement.quoted
        else _("(paraphrased) {text}").format(text=words)
    )
    source = statement.source
    lines = [
        heading,
        "  " + shown,
        "  "
        + _("Source: {document}, {url}").format(
            document=_(source.document), url=source.url_for(lang)
        ),
    ]
    if lang != ENGLISH and lang not in dict(source.localized):
        lines.append("  " + _("(Our translation; the English original is authoritative.)"))
    if statement.note is not None:
        lines.append("  " + _("Our note: {note}").format(note=_(statement.note)))
    return lines
