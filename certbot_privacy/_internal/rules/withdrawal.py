"""What the admin reads once the account's contact was removed (pure).

``update_account --privacy-withdraw-email`` sends ``"contact": []``. That does not make the
CA forget the address: the text says so, quotes what the CA says about deleting and keeping
data where the facts have it, and how to ask it to delete what it has. Its sentences are
gettext messages like the consent texts' (:mod:`.consent_texts`).
"""

from typing import List, Optional

from certbot_privacy._internal.rules.cas import NOT_STATED, CAInfo, Source, Statement
from certbot_privacy._internal.rules.consent_texts import _, _date, _name, _quote
from certbot_privacy._internal.rules.escape import printable

__all__ = ["withdrawal_text"]


def withdrawal_text(ca: CAInfo, lang: str) -> str:
    """Return what to tell the admin once the contact was removed (``contact: []`` sent).

    Removing the contact does not make the CA forget it: the text says so, quotes what
    the CA says about deleting and keeping data where the facts have it, and how to ask
    it to delete what it has.
    """
    name = _name(ca)
    lines = [
        _(
            lang,
            "The contact email was removed from your account at {ca_name} "
            '({directory_url}): the CA was sent "contact": [].',
        ).format(ca_name=name, directory_url=printable(ca.directory_url)),
    ]
    if ca.known and ca.forwards is not None:
        lines.append(
            _(
                lang,
                "Removing it does not make {ca_name} delete what it already has, nor what "
                "it forwarded to {system}.",
            ).format(ca_name=name, system=ca.forwards.to_in(lang))
        )
    else:
        lines.append(
            _(lang, "Removing it does not by itself make the CA delete what it already has.")
        )
    lines.append("")
    if not ca.known:
        lines.append(
            _(
                lang,
                "This tool knows nothing about this certificate authority: ask it "
                "directly whether it keeps the address and how to have it deleted.",
            )
        )
        return "\n".join(lines)
    for heading, statement in (
        (_(lang, "What {ca_name} says about deleting data:"), ca.after_closure),
        (_(lang, "How long {ca_name} says it keeps data:"), ca.contact_retention),
        (_(lang, "How to ask {ca_name} to delete it:"), ca.deletion_request),
    ):
        lines += _statement_lines(heading.format(ca_name=name), statement, lang)
    url = ca.policy_url(lang)
    if url is not None:
        lines.append(_(lang, "Privacy policy: {url}").format(url=url))
    return "\n".join(lines)


def _statement_lines(heading: str, statement: Optional[Statement], lang: str) -> List[str]:
    if statement is None:
        return [
            _(lang, "{heading} {not_stated}.").format(
                heading=heading, not_stated=_(lang, NOT_STATED)
            )
        ]
    _words, source = statement.quote_in(lang)
    return [
        heading,
        "  " + _quote(lang, statement, short=False),
        "  " + _source_line(source, lang),
    ]


def _source_line(source: Source, lang: str) -> str:
    return _(lang, "Source: {title} ({date}), {url}").format(
        title=source.title, date=_date(lang, source.document_date), url=source.url
    )
