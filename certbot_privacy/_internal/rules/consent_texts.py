"""What the admin reads before an email leaves the machine, built from the CA facts (pure).

* :func:`consent_text`: the notice before the yes/no question about sending the contact
  email to the CA, in the order an admin needs to decide: (1) that the address is
  optional and what works without it; (2) where it actually goes and what it triggers;
  (3) what the CA's policy says about use and retention, quoted with its date and the
  link to the full text (and, when the facts may be out of date, since when and why);
  (4) how to withdraw, and that withdrawing does not make the CA delete what it has;
  then the question, default no.
* :func:`eff_text`: the separate question before certbot passes the address to the EFF.
* :func:`drift_warning`: the one-line warning certbot prints when the facts may be stale.

Quotes are rendered from :mod:`.cas` (so the unit test that checks every quote against its
source covers what is shown); the connecting sentences are gettext messages (English and
Simplified Chinese). Every string that comes from the CA (its announced terms of service)
or from outside (the directory URL) passes through :func:`.escape.printable`, and the
terms are shown only when they are a plain http(s) URL. The texts are one paragraph per
line: :func:`.layout.fill` wraps them to the terminal.
"""

import re
import unicodedata
from typing import List, Optional

from certbot_privacy._internal.rules.cas import (
    COUNTRY_NAMES,
    NOT_STATED,
    CAInfo,
    Recipient,
    Source,
    Statement,
)
from certbot_privacy._internal.rules.drift import Drift
from certbot_privacy._internal.rules.escape import is_printable, printable
from certbot_privacy._internal.rules.i18n import ENGLISH, translations

#: The command that withdraws the contact (shown as is, never translated).
WITHDRAW_COMMAND = "certbot update_account --privacy-minimal --privacy-withdraw-email"

#: The statements the policy paragraph quotes, in this order, where the facts have them.
_POLICY_QUOTES = ("contact_use", "marketing", "retention")

_WEB_URL = re.compile(r"https?://[^\s\\]+\Z", re.IGNORECASE)


def web_url(value: Optional[str]) -> Optional[str]:
    """Return *value* if it is a plain http(s) URL that is safe to show, else ``None``.

    Plain: an ``http://`` or ``https://`` URL of at most 500 characters with no blank,
    backslash, control, escape or bidi character in it. Anything else a CA announces is not shown.
    """
    if value is None or len(value) > 500 or not is_printable(value):
        return None
    return value if _WEB_URL.match(value) else None


def terms_for_display(value: str, lang: str = ENGLISH) -> str:
    """What to show where certbot would show the CA's terms: the URL, or a plain warning."""
    url = web_url(value)
    if url is not None:
        return url
    return _(lang, "(its directory names terms of service that are not a web address)")


def _(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def _date(lang: str, date: Optional[str]) -> str:
    return date if date else _(lang, "undated")


def _country(lang: str, code: Optional[str]) -> Optional[str]:
    name = COUNTRY_NAMES.get(code or "")
    return _(lang, name) if name else None


def _join(lang: str, *parts: str) -> str:
    """Join sentences with a blank; in Chinese none after full-width text or a closing quote."""
    text = ""
    for part in parts:
        tight = (
            lang != ENGLISH
            and bool(text)
            and (unicodedata.east_asian_width(text[-1]) in ("W", "F") or text[-1] == "”")
        )
        text += part if tight or not text else " " + part
    return text


def _quote(lang: str, statement: Statement, *, short: bool = True) -> str:
    words, _source = statement.quote_in(lang, short=short)
    text = _(lang, "“{text}”").format(text=words)
    if not statement.verified:
        text = _join(lang, text, _(lang, "(not confirmed)"))
    gloss = statement.gloss_in(lang)
    if gloss:
        text = _join(lang, text, _(lang, "({gloss})").format(gloss=gloss))
    return text


# --- the consent notice ----------------------------------------------------------------------


def consent_text(
    ca: CAInfo, email: Optional[str], lang: str, *, drift: Optional[Drift] = None
) -> str:
    """Return the notice the admin reads before answering, ending with the yes/no question.

    *email* is ``None`` when the address will be asked for after a yes. *drift* says why
    the facts about *ca* may be out of date (:func:`.drift.drift`); the notice then says so.
    """
    paragraphs = [
        _optional(ca, email, lang),
        _where(ca, lang),
    ]
    if ca.known:
        paragraphs.append(_policy(ca, lang, drift))
    paragraphs.append(_withdraw(ca, lang))
    lines: List[str] = []
    for paragraph in paragraphs:
        lines += [*paragraph, ""]
    lines.append(_question(ca, email, lang))
    return "\n".join(lines)


def _name(ca: CAInfo) -> str:
    return printable(ca.display_name)


def _optional(ca: CAInfo, email: Optional[str], lang: str) -> List[str]:
    if ca.known:
        title = _(lang, "Contact email for your {ca_name} account (optional)")
    else:
        title = _(lang, "Contact email for your account at {ca_name} (optional)")
    second = _(lang, "Issuance and renewal work without one; answer no and none is sent.")
    if email is None:
        second = _join(
            lang, second, _(lang, "If you answer yes, you are asked for the address next.")
        )
    lines = [title.format(ca_name=_name(ca)), second]
    ended = ca.statement(ca.ended_statement) if ca.ended_statement else None
    if ended is not None:
        note = _(lang, "{ca_name} has announced the end of this ACME service ({date}).").format(
            ca_name=_name(ca), date=_date(lang, ended.effective_date or ended.source.document_date)
        )
        if not ended.verified:
            note = _join(lang, note, _(lang, "(not confirmed)"))
        lines.append(note)
    return lines


def _where(ca: CAInfo, lang: str) -> List[str]:
    name = _name(ca)
    if not ca.known:
        lines = [
            _(
                lang,
                "Where it goes: to the certificate authority at {directory_url}, as the "
                "contact of your ACME account. This tool knows nothing about this CA: who "
                "runs it, what it does with the address and how long it keeps it are "
                "unknown here.",
            ).format(directory_url=printable(ca.directory_url))
        ]
        return lines + _terms_lines(ca, lang)
    if ca.forwards is not None:
        announced = ca.statement("contact_recipient")
        date = _date(lang, announced.source.document_date if announced else None)
        system = ca.forwards.to_in(lang)
        if ca.statement("onboarding_email") is not None:
            text = _(
                lang,
                "Where it goes: not into your account. {ca_name} forwards it to {system}, "
                "which may send you an onboarding email (announced {date}).",
            )
        else:
            text = _(
                lang,
                "Where it goes: not into your account. {ca_name} forwards it to {system} "
                "(announced {date}).",
            )
        text = text.format(ca_name=name, system=system, date=date)
    else:
        text = _(
            lang,
            "Where it goes: to {ca_name} ({directory_url}), as the contact of your ACME account.",
        ).format(ca_name=name, directory_url=printable(ca.directory_url))
        if ca.statement("account_binding") is not None:
            text = _join(
                lang,
                text,
                _(
                    lang,
                    "That account is tied to your {ca_name} customer account (external "
                    "account binding).",
                ).format(ca_name=name),
            )
        if ca.contact_use is None:
            text = _join(
                lang,
                text,
                _(
                    lang,
                    "What {ca_name} does with the address is not stated in the sources we checked.",
                ).format(ca_name=name),
            )
    expiry = ca.statement("expiry_email")
    if expiry is not None and expiry.effective_date:
        text = _join(
            lang,
            text,
            _(lang, "Expiry reminders ended on {date}.").format(date=expiry.effective_date),
        )
    return [text]


def _terms_lines(ca: CAInfo, lang: str) -> List[str]:
    """The directory's own terms of service, for a CA the facts do not know."""
    url = web_url(ca.terms_of_service)
    if url is not None:
        return [
            _(lang, "Terms of service named by its directory: {url}").format(url=url),
            _(lang, "Read them, and its privacy policy if it has one, before you answer."),
        ]
    if ca.terms_of_service:
        return [_(lang, "Its directory names terms of service that are not a web address.")]
    return [_(lang, "Its directory names no terms of service.")]


def _policy(ca: CAInfo, lang: str, drift: Optional[Drift]) -> List[str]:
    """What the CA says about use and retention, each quote under its source."""
    name = _name(ca)
    parts: List[str] = []
    current: Optional[str] = None
    for statement_id in _POLICY_QUOTES:
        statement = ca.statement(statement_id)
        if statement is None:
            continue
        _words, source = statement.quote_in(lang)
        if source.url != current:
            parts.append(_source_lead(ca, source, lang))
            current = source.url
        parts.append(_quote(lang, statement))
    if ca.contact_retention is None:
        parts.append(
            _(lang, "How long {ca_name} keeps it: {not_stated}.").format(
                ca_name=name, not_stated=_(lang, NOT_STATED)
            )
        )
    identifiers = ca.statement("identifier_contact_email")
    if identifiers is not None and identifiers.verified:
        # Withholding an address does not stop mail about the certificate (SA section 6.8).
        parts.append(_(lang, "Withholding it does not stop its mail to RDAP or admin contacts."))
    lines = [_join(lang, *parts)]
    policy = ca.privacy_policy
    quoted_policy = policy is not None and any(
        (s := ca.statement(i)) is not None
        and s.quote_in(lang)[1].url == policy.in_language(lang)[0]
        for i in _POLICY_QUOTES
    )
    if policy is None:
        if ca.documents_url:
            lines.append(
                _(
                    lang,
                    "Privacy policy: none found in the sources we checked; its documents: {url}",
                ).format(url=ca.documents_url)
            )
        else:
            lines.append(_(lang, "Privacy policy: none found in the sources we checked."))
    elif not quoted_policy:
        line = _(lang, "Privacy policy: {url}").format(url=policy.in_language(lang)[0])
        if not policy.verified:
            line = _join(lang, line, _(lang, "(not confirmed)"))
        lines.append(line)
    if drift is not None:
        lines.append(drift_text(drift, lang))
    return lines


def _source_lead(ca: CAInfo, source: Source, lang: str) -> str:
    """``Let's Encrypt privacy policy (2026-07-06, https://...):`` before its quotes."""
    policy = ca.privacy_policy
    date = _date(lang, source.document_date)
    if policy is not None and source.url in (
        policy.url,
        *(url for _l, url, _d in policy.localized),
    ):
        return _(lang, "{ca_name} privacy policy ({date}, {url}):").format(
            ca_name=_name(ca), date=date, url=source.url
        )
    return _(lang, "{title} ({date}, {url}):").format(title=source.title, date=date, url=source.url)


def drift_text(drift: Drift, lang: str) -> str:
    """The notice's sentence saying why its facts may be out of date, with the dates."""
    return _(lang, "Possibly out of date: {reason}").format(reason=_drift_reason(drift, lang))


def drift_warning(drift: Drift, ca_name: str, lang: str) -> str:
    """The one warning certbot prints when the facts about a CA may be out of date."""
    return _(
        lang, "The facts certbot-privacy shows about {ca_name} may be out of date: {reason}"
    ).format(ca_name=printable(ca_name), reason=_drift_reason(drift, lang))


def _drift_reason(drift: Drift, lang: str) -> str:
    if drift.terms_changed and drift.stale:
        text = _(
            lang,
            "these facts were checked on {checked}, more than {months} months ago, for "
            "the terms {expected}; the CA now announces {announced}.",
        )
    elif drift.terms_changed:
        text = _(
            lang,
            "these facts were checked on {checked} for the terms {expected}; the CA now "
            "announces {announced}.",
        )
    else:
        text = _(lang, "these facts were checked on {checked}, more than {months} months ago.")
    return text.format(
        checked=drift.checked,
        months=drift.max_age_months,
        expected=drift.expected or "",
        announced=_announced(drift, lang),
    )


def _announced(drift: Drift, lang: str) -> str:
    url = web_url(drift.announced)
    if url is not None:
        return url
    if drift.announced:
        return _(lang, "terms that are not a web address")
    return _(lang, "no terms at all")


def _withdraw(ca: CAInfo, lang: str) -> List[str]:
    name = _name(ca)
    if not ca.known:
        effect = _(
            lang,
            "This clears the account's contact; it does not make the CA delete what it "
            "already has.",
        )
    elif ca.forwards is not None:
        effect = _(
            lang,
            "This clears the account's contact; it does not make {ca_name} delete what it "
            "has or forwarded.",
        ).format(ca_name=name)
    else:
        effect = _(
            lang,
            "This clears the account's contact; it does not make {ca_name} delete what it "
            "already has.",
        ).format(ca_name=name)
    contact = ca.privacy_contact
    if contact is not None and contact.email:
        effect = _join(
            lang, effect, _(lang, "For that, ask {address}.").format(address=contact.email)
        )
    return [_(lang, "To withdraw: {command}").format(command=WITHDRAW_COMMAND), effect]


def _operator(ca: CAInfo, lang: str) -> Optional[str]:
    operator = ca.operator
    if operator is None:
        return None
    parts = [operator.short_name or operator.legal_entity]
    country = _country(lang, operator.country)
    if country:
        parts.append(country)
    if not operator.verified:
        parts.append(_(lang, "not confirmed"))
    return _(lang, ", ").join(parts)


def _question(ca: CAInfo, email: Optional[str], lang: str) -> str:
    recipient = _name(ca)
    operator = _operator(ca, lang)
    if operator:
        recipient = _(lang, "{ca_name} ({operator})").format(ca_name=recipient, operator=operator)
    if email is not None:
        return _(lang, "Send {email} to {recipient}? [y/N] ").format(
            email=printable(email), recipient=recipient
        )
    return _(lang, "Send an email address to {recipient}? [y/N] ").format(recipient=recipient)


# --- the EFF -----------------------------------------------------------------------------------


def eff_text(eff: Recipient, email: str, lang: str) -> str:
    """The separate question before certbot passes *email* to the EFF's mailing list.

    It names the EFF, says it is not the CA, quotes what the Certbot privacy policy says
    about information given to the EFF through certbot (with our translation where the
    policy has no version in *lang*), and asks, default no.
    """
    sharing = eff.statement("eff_sharing")
    lines = [
        _(lang, "Also share your email with the EFF? (optional)"),
        _(
            lang,
            "The Electronic Frontier Foundation (EFF) publishes Certbot; it is not your "
            "certificate authority, and this is a separate question.",
        ),
    ]
    if sharing is not None:
        words, source = sharing.quote_in(lang)
        said = _(lang, "The {title} ({url}) says: “{text}”").format(
            title=_(lang, source.title), url=source.url, text=words
        )
        if eff.privacy_policy is not None:
            said += " (" + eff.privacy_policy.url + ")"
        lines.append(said)
        gloss = sharing.gloss_in(lang)
        if gloss:
            lines.append(_(lang, "({gloss})").format(gloss=gloss))
    lines += [
        _(
            lang,
            "If you answer yes, certbot sends the address to the EFF after your first "
            "certificate is issued; if no, nothing goes to the EFF.",
        ),
        _(lang, "Send {email} to the EFF? [y/N] ").format(email=printable(email)),
    ]
    return "\n".join(lines)


def eff_not_asked_text(email: str, ca_name: str, lang: str) -> str:
    """What a ``consent`` record says when the EFF question was not asked: the CA got no address."""
    return _(
        lang,
        "Not asked: {email} was not sent to {ca_name}, so it is not sent to the EFF either "
        "(--eff-email).",
    ).format(email=printable(email), ca_name=printable(ca_name))


__all__ = [
    "ENGLISH",
    "WITHDRAW_COMMAND",
    "consent_text",
    "drift_text",
    "drift_warning",
    "eff_not_asked_text",
    "eff_text",
    "terms_for_display",
    "web_url",
]
