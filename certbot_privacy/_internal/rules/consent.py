"""Consent to send a contact email (to the CA, and to the EFF): the decisions and contact rules.

In privacy mode no email leaves the machine unless the admin agreed knowing who receives
it, what the receiver says it does with it and how long it keeps it. This module holds
that policy as pure functions; the certbot adapter shows the text (:mod:`.consent_texts`), reads
the answer (through the ``ask`` function it passes in) and records the decision before
any request.

* :func:`decide_interactive`: only an explicit yes is consent; no, Enter, anything else
  or no answer at all (end of input) is a refusal.
* :func:`decide_noninteractive`: in ``-n`` runs ``--email`` alone is not consent; it
  takes ``--privacy-share-email`` too, otherwise :class:`ConsentRequiredError`.
  ``--privacy-share-email`` is consent for the run in which it is given and the address
  given with it, to the CA and (with ``--eff-email``) to the EFF.
* :func:`validate_contact`: one contact at most, no ``mailto:`` extras (RFC 8555 7.3).

The texts are :mod:`.consent_texts`'s, the languages :mod:`.i18n`'s (both re-exported here).
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable, List, Optional
from urllib.parse import unquote

from certbot_privacy._internal.errors import ConsentRequiredError, ContactError
from certbot_privacy._internal.rules.cas import CAInfo, Recipient
from certbot_privacy._internal.rules.consent_texts import consent_text, eff_not_asked_text, eff_text
from certbot_privacy._internal.rules.drift import Drift
from certbot_privacy._internal.rules.escape import printable
from certbot_privacy._internal.rules.i18n import (
    DOMAIN,
    ENGLISH,
    LANGUAGES,
    LOCALE_DIR,
    SIMPLIFIED_CHINESE,
    choose_language,
    translations,
)
from certbot_privacy._internal.rules.layout import fill
from certbot_privacy._internal.rules.withdrawal import withdrawal_text

#: How a consent was given: by answering the prompt, or by ``--privacy-share-email``.
MEANS_INTERACTIVE = "interactive"
MEANS_FLAG = "flag"
#: How a contact was removed: ``--privacy-withdraw-email``.
MEANS_WITHDRAW = "withdraw"
#: The EFF question was not asked: the address was not sent to the CA, so not to the EFF.
MEANS_NOT_ASKED = "not_asked"
#: What a consent decision here is about, as the ``purpose`` of a ``consent`` record.
PURPOSE_CONTACT = "contact"
#: The ``purpose`` of the consent record written when the admin removes the contact.
PURPOSE_WITHDRAWN = "contact_withdrawn"
#: The ``purpose`` of a decision about passing the address to the EFF (``--eff-email``).
PURPOSE_EFF = "eff"

_YES = {
    ENGLISH: frozenset({"y", "yes"}),
    SIMPLIFIED_CHINESE: frozenset({"y", "yes", "是", "是的", "好", "好的", "同意", "确认", "可以"}),
}


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
    (``None`` for ``flag``, or when input ended). ``shown`` says, where it is not implied
    by a question (a withdrawal), whether ``text`` was shown on the terminal.
    """

    granted: bool
    email: Optional[str]
    recipient: str
    recipient_name: str
    means: str
    text: str
    language: str
    answer: Optional[str] = None
    shown: Optional[bool] = None

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
    email: Optional[str],
    share_email_flag: bool,
    *,
    ca: CAInfo,
    language: str,
    drift: Optional[Drift] = None,
) -> Optional[ConsentDecision]:
    """Apply the non-interactive rule: ``--email`` is sent only with ``--privacy-share-email``.

    No email: ``None``, there is nothing to decide and the account gets no contact.
    An email without the flag: :class:`ConsentRequiredError`, whose message is the one
    sentence to show before stopping (exit code 2). With the flag: a granted decision,
    ``means="flag"``, whose text is the consent text the flag stands for (*drift*
    included, as an admin at a terminal would have read it).
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
            ).format(
                email=checked,
                ca_name=printable(ca.display_name),
                directory_url=printable(ca.directory_url),
            )
        )
    return ConsentDecision(
        granted=True,
        email=checked,
        recipient=ca.directory_url,
        recipient_name=ca.display_name,
        means=MEANS_FLAG,
        text=fill(consent_text(ca, checked, language, drift=drift)),
        language=language,
    )


def eff_decision(
    *,
    eff: Recipient,
    recipient: str,
    email: str,
    contact: ConsentDecision,
    share_email_flag: bool,
    interactive: bool,
    ask: Callable[[str], str],
    language: str,
    columns: int = 80,
) -> ConsentDecision:
    """Decide whether *email* may go to the EFF (``--eff-email``), after the CA's *contact*.

    *recipient* is how the disclosure log names the EFF.

    * The address was not sent to the CA (*contact* refused): not to the EFF either, and
      nobody is asked (``means="not_asked"``).
    * An interactive run: the EFF question (:func:`.consent_texts.eff_text`), default no.
    * Otherwise ``--privacy-share-email``, which covers both recipients, is the consent;
      without it (nothing to ask, no flag) the answer is no.
    """
    refused = ConsentDecision(
        granted=False,
        email=email,
        recipient=recipient,
        recipient_name=eff.display_name,
        means=MEANS_NOT_ASKED,
        text=eff_not_asked_text(email, contact.recipient_name, language),
        language=language,
    )
    if not contact.granted or contact.email != email:
        return refused
    text = fill(eff_text(eff, email, language), columns)
    if not interactive:
        return replace(refused, granted=share_email_flag, means=MEANS_FLAG, text=text)
    try:
        answer: Optional[str] = ask(text)
    except EOFError:
        answer = None
    return replace(
        refused,
        granted=answer is not None and is_yes(answer, language),
        means=MEANS_INTERACTIVE,
        text=text,
        answer=answer,
    )


__all__ = [
    "DOMAIN",
    "ENGLISH",
    "LANGUAGES",
    "LOCALE_DIR",
    "SIMPLIFIED_CHINESE",
    "ConsentDecision",
    "choose_language",
    "consent_text",
    "decide_interactive",
    "decide_noninteractive",
    "eff_decision",
    "is_yes",
    "translations",
    "validate_contact",
    "withdrawal_text",
]
