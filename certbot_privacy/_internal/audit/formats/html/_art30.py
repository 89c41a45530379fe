"""The Article 30 record as an HTML page, with the sections of Art. 30(1) (rendered from
``json.art30_document``)."""

from typing import Any, Mapping

from certbot_privacy._internal.audit.art30 import Art30Record
from certbot_privacy._internal.audit.formats import json as json_format
from certbot_privacy._internal.audit.formats._common import plural
from certbot_privacy._internal.audit.formats.html._page import (
    as_published,
    facts,
    link,
    page,
    text,
    time_cell,
    value,
)

_ART30_SECTIONS = (
    ("controller", "1. Controller (Art. 30(1)(a))"),
    ("purposes", "2. Purposes of the processing (Art. 30(1)(b))"),
    ("data_subjects", "3. Categories of data subjects (Art. 30(1)(c))"),
    ("personal_data", "4. Categories of personal data (Art. 30(1)(c))"),
    ("recipients", "5. Recipients (Art. 30(1)(d))"),
    ("third_country_transfers", "6. Transfers to third countries (Art. 30(1)(e))"),
    ("retention", "7. Time limits for erasure (Art. 30(1)(f))"),
    ("security_measures", "8. Security measures (Art. 30(1)(g))"),
    ("period", "Period"),
    ("evidence", "Evidence"),
)
_ART30_HEAD = ("format", "generated", "activity")


def render_art30(record: Art30Record) -> str:
    """Render *record* as an HTML page with the sections of Art. 30(1)."""
    document = json_format.art30_document(record)
    body = [
        f"<p><strong>Processing activity:</strong> {text(document['activity'])}</p>",
        f'<p class="meta">From {text(plural(record.requests, "request"))} between '
        f"{time_cell(record.first)} and {time_cell(record.last)} UTC.</p>",
    ]
    known = {key for key, _ in _ART30_SECTIONS}
    for key, title in _ART30_SECTIONS:
        if key in document:
            body.append(f"<section>\n<h2>{text(title)}</h2>\n{_art30_section(key, document[key])}")
            body.append("</section>")
    extra = {k: v for k, v in document.items() if k not in known and k not in _ART30_HEAD}
    if extra:
        body.append(f"<section>\n<h2>More</h2>\n{facts(extra)}\n</section>")
    return page(
        "Record of processing activities (GDPR Article 30)", record.generated, body, "art30"
    )


def _art30_section(key: str, item: Any) -> str:
    if key == "controller" and isinstance(item, Mapping):
        return facts(
            {
                k: v if v is not None else f"not given: add it with {_OPTIONS.get(k, 'its option')}"
                for k, v in item.items()
            }
        )
    if key == "recipients" and isinstance(item, list):
        return "\n".join(_art30_recipient(r) for r in item) or '<p class="none">None.</p>'
    if isinstance(item, list) and item and all(isinstance(i, str) for i in item):
        return "<ul>" + "".join(f"<li>{text(i)}</li>" for i in item) + "</ul>"
    if isinstance(item, list) and not item:
        return '<p class="none">None.</p>'
    return value(item)


#: The option of ``export --art30`` that gives each of the controller's details.
_OPTIONS = {
    "name": "--controller-name",
    "contact": "--controller-contact",
    "address": "--controller-address",
    "representative": "--representative",
    "dpo": "--dpo",
}


def _art30_recipient(recipient: Mapping[str, Any]) -> str:
    name = recipient.get("name") or recipient.get("recipient") or ""
    shown = as_published(
        {k: v for k, v in recipient.items() if k != "privacy_policy"},
        str(recipient.get("recipient")),
    )
    policy = recipient.get("privacy_policy")
    return (
        f"<h3>{text(name)}</h3>\n"
        + facts(shown, skip=("name",))
        + (
            f'<p class="source">Privacy policy: {link(policy)}</p>'
            if "privacy_policy" in recipient
            else ""
        )
    )
