"""Plain text for a terminal: a verification, and the CA facts.

A verification: one line per file, the way compilers report (``file:line: ...``). An
intact file gets ``FILE: intact, N records, head sha256:...``; a file that is not gets
``FILE:LINE: KIND: what is wrong``; notices (a crash's truncated tail, a half line the
writer recovered) follow as ``notice: FILE:LINE: ...``. The last line sums up.

The CA facts: one block per CA (directory URLs, operator and country, documents,
statements with their kind, source, dates and whether they are verified), then the other
recipients (the EFF). Every string passes through :func:`.escape.printable`.
"""

from typing import List, Optional

from certbot_privacy.audit.formats._common import Format, plural
from certbot_privacy.audit.verify import FileVerdict, VerifyReport
from certbot_privacy.rules import layout
from certbot_privacy.rules.cas import CAInfo, Facts, Operator, Recipient, Source, Statement
from certbot_privacy.rules.escape import printable


def _file(verdict: FileVerdict) -> List[str]:
    name = printable(verdict.source)
    failure = verdict.failure
    if failure is not None:
        lines = [f"{printable(failure.where)}: {failure.kind.value}: {printable(failure.message)}"]
        if verdict.records:
            lines.append(
                f"{name}: the {plural(verdict.records, 'record')} before it chain correctly"
            )
    else:
        lines = [f"{name}: intact, {plural(verdict.records, 'record')}, head {verdict.head}"]
    if verdict.truncated_tail is not None:
        tail = verdict.truncated_tail
        lines.append(f"notice: {printable(tail.where)}: {tail.message}")
    if verdict.missing_newline and failure is None:
        lines.append(
            f"notice: {name}: the last record has no newline at its end (the "
            "next write will add one); the record itself is intact"
        )
    lines.extend(f"notice: {printable(p.where)}: {p.message}" for p in verdict.recovered)
    return lines


def render_verify(report: VerifyReport) -> str:
    """Render *report* as text, one verdict per line."""
    lines: List[str] = []
    for verdict in report.files:
        lines.extend(_file(verdict))
    bad = sum(1 for f in report.files if not f.intact)
    if not report.files:
        lines.append("no records: the log is empty")
    elif bad:
        lines.append(
            f"NOT INTACT: {plural(bad, 'file')} of {len(report.files)} failed the "
            "check (tampered with or damaged)"
        )
    else:
        lines.append(
            f"intact: {plural(len(report.files), 'file')}, "
            f"{plural(report.records, 'record')}; the head digests above let you "
            "check against a copy kept elsewhere that nothing was cut off the end"
        )
    return "\n".join(lines) + "\n"


def _p(value: Optional[str]) -> str:
    return printable(value) if value else "-"


def _source(source: Source) -> str:
    text = (
        f"{_p(source.title)}, {_p(source.document_date) if source.document_date else 'undated'}"
        f", {_p(source.url)}; checked {_p(source.checked)}, via {_p(source.via)}"
    )
    if source.secondary:
        text += " (secondary source)"
    return text


def _verified(verified: bool, reason: Optional[str]) -> str:
    return "verified" if verified else f"NOT VERIFIED: {_p(reason)}"


def _operator(operator: Optional[Operator]) -> List[str]:
    if operator is None:
        return ["operator: not stated in the sources we checked"]
    where = ", ".join(_p(x) for x in (operator.details, operator.country) if x)
    return [
        f"operator: {_p(operator.legal_entity)}" + (f" ({where})" if where else ""),
        f"  {_verified(operator.verified, operator.unverified_reason)}; source: "
        + _source(operator.source),
    ]


def _statement(statement: Statement) -> List[str]:
    kind = statement.kind.replace("_", " ")
    words = f"“{_p(statement.text)}”" if statement.quoted else _p(statement.text)
    lines = [
        f"- {_p(statement.id)} ({kind}, "
        f"{_verified(statement.verified, statement.unverified_reason)})",
        f"  {words}",
        f"  source: {_source(statement.source)}",
    ]
    if statement.effective_date:
        lines.append(f"  effective: {_p(statement.effective_date)}")
    if statement.source.evidence:
        lines.append(f"  evidence: {_p(statement.source.evidence)}")
    lines += [
        f"  in {_p(x.lang)}: “{_p(x.text)}” ({_p(x.source.url)})" for x in statement.localized
    ]
    if statement.note:
        lines.append(f"  our note: {_p(statement.note)}")
    return lines


def _ca(ca: CAInfo) -> List[str]:
    lines = [
        f"{_p(ca.display_name)} [{_p(ca.key)}]{' (staging)' if ca.staging else ''}",
        *(f"directory: {_p(url)}" for url in ca.directory_urls),
        *_operator(ca.operator),
    ]
    policy = ca.privacy_policy
    if policy is not None:
        lines.append(
            f"privacy policy: {_p(policy.url)} ({_p(policy.document_date) or 'undated'}; "
            f"{_verified(policy.verified, policy.unverified_reason)})"
        )
        lines += [f"  in {_p(lang)}: {_p(url)}" for lang, url, _date in policy.localized]
    else:
        lines.append("privacy policy: none found in the sources we checked")
    if ca.documents_url:
        lines.append(f"documents: {_p(ca.documents_url)}")
    if ca.terms is not None:
        lines.append(
            f"terms of service expected in its directory: {_p(ca.terms.url)} "
            f"({_verified(ca.terms.verified, ca.terms.unverified_reason)})"
        )
    contact = ca.privacy_contact
    if contact is not None:
        channels = ", ".join(_p(c) for c in (contact.email, contact.postal, contact.web_form) if c)
        lines.append(f"privacy requests: {channels or 'no channel in the sources we checked'}")
    if ca.forwards is not None:
        lines.append(
            f"forwards the contact address to: {_p(ca.forwards.to)} "
            f"(statements: {', '.join(_p(s) for s in ca.forwards.statements)})"
        )
    if ca.ended_statement:
        lines.append(f"service ended: see {_p(ca.ended_statement)}")
    lines.append("statements:")
    for statement in ca.statements:
        lines += ["  " + line for line in _statement(statement)]
    if ca.unstated:
        lines.append(
            "not stated in the sources we checked: " + ", ".join(_p(x) for x in ca.unstated)
        )
    lines += [f"our note: {_p(note)}" for note in ca.notes]
    return lines


def _recipient(recipient: Recipient) -> List[str]:
    lines = [f"{_p(recipient.display_name)} [{_p(recipient.key)}]", *_operator(recipient.operator)]
    if recipient.privacy_policy is not None:
        lines.append(f"privacy policy: {_p(recipient.privacy_policy.url)}")
    lines.append("statements:")
    for statement in recipient.statements:
        lines += ["  " + line for line in _statement(statement)]
    lines += [f"our note: {_p(note)}" for note in recipient.notes]
    return lines


def render_cas(facts: Facts) -> str:
    """Render what is known about each CA (and the EFF), with sources and dates, as text."""
    lines = [
        "What certbot-privacy knows about "
        f"{plural(len(facts.cas), 'ACME directory', 'ACME directories')}, "
        f"checked on {_p(facts.checked)} (counted as possibly out of date "
        f"{facts.max_age_months} months later). Quotes are the sources' own words; "
        "everything else is our description.",
    ]
    for ca in facts.cas:
        lines += ["", *_ca(ca)]
    for recipient in facts.others:
        lines += ["", "Not a CA, but certbot can send it the address:", *_recipient(recipient)]
    return layout.fill("\n".join(lines), 100) + "\n"


FORMAT = Format(name="text", verify=render_verify, cas=render_cas)
