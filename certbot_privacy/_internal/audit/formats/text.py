"""Verifications, request letters and the CA facts as text.

A verification: one entry per file, the way compilers report (``file:line: ...``), each
entry wrapped to the terminal's width (80 columns when the output is not a terminal) with
a hanging indent, so that its first line still starts with the file and line.

An intact file gets ``FILE: intact, N records (M parsed ..., K by their hash chain only),
head sha256:...``; a file that is not gets ``FILE:LINE: KIND: what is wrong``; notices (a
crash's truncated tail, a half line the writer recovered) follow as ``notice: FILE:LINE:
...``. Copies of hosts' logs (journal, syslog) and the comparison of each host's files
with its copy come next; the last line sums up. Everything from the input is shown
through :func:`certbot_privacy._internal.rules.escape.printable`. Letters come one after another,
each under a heading line, ready to paste into an email. The CA facts: one block per CA
(directory URLs, operator and country, documents, statements with their kind, source,
dates and whether they are verified), then the other recipients (the EFF).
"""

import textwrap
from typing import Iterable, List, Optional, Tuple

from certbot_privacy._internal.audit.chaincheck import FileVerdict
from certbot_privacy._internal.audit.copies import ComparisonVerdict, CopyVerdict
from certbot_privacy._internal.audit.formats import table
from certbot_privacy._internal.audit.formats._common import Format, plural
from certbot_privacy._internal.audit.letters import Letter, heading, labels, section_heading, wraps
from certbot_privacy._internal.audit.verify import VerifyReport
from certbot_privacy._internal.rules import layout
from certbot_privacy._internal.rules.cas import (
    CAInfo,
    Facts,
    Operator,
    Recipient,
    Source,
    Statement,
)
from certbot_privacy._internal.rules.escape import printable


def checked(verdict: FileVerdict) -> str:
    """How the records of a file were checked, in words."""
    if verdict.thorough or verdict.hash_checked == 0:
        return "each parsed and checked as a record"
    return (
        f"{verdict.parsed} parsed and checked as records, {verdict.hash_checked} "
        "checked by their hash chain only"
    )


def _file(verdict: FileVerdict) -> List[str]:
    name = printable(verdict.source)
    failure = verdict.failure
    if failure is not None:
        lines = [f"{printable(failure.where)}: {failure.kind.value}: {printable(failure.message)}"]
        if verdict.records and failure.lineno > 1:
            lines.append(
                f"{name}: the {plural(verdict.records, 'record')} before it chain correctly"
            )
    else:
        lines = [
            f"{name}: {'chain ' if verdict.gaps else ''}intact, "
            f"{plural(verdict.records, 'record')} ({checked(verdict)}), head {verdict.head}"
        ]
    lines.extend(f"{printable(p.where)}: {printable(p.message)}" for p in verdict.gaps)
    if verdict.truncated_tail is not None:
        tail = verdict.truncated_tail
        lines.append(f"notice: {printable(tail.where)}: {printable(tail.message)}")
    if verdict.missing_newline and failure is None:
        lines.append(
            f"notice: {name}: the last record has no newline at its end (the "
            "next write will add one); the record itself is intact"
        )
    lines.extend(f"notice: {printable(p.where)}: {printable(p.message)}" for p in verdict.recovered)
    return lines


def host_name(host: object) -> str:
    """A host as shown: its name, escaped, or a phrase for records of no named host."""
    return printable(host) if isinstance(host, str) else "(no host named)"


def _copy(copy: CopyVerdict) -> List[str]:
    where = ", ".join(printable(s) for s in copy.sources)
    line = (
        f"copy: {copy.kind} of host {host_name(copy.host)} ({where}): "
        f"{plural(copy.records, 'record')} in {plural(copy.chains, 'file')}"
    )
    if copy.gaps:
        line += (
            f"; records missing from the copy in {plural(copy.gaps, 'place')} (syslog "
            "loses messages, or the mirror was off)"
        )
    if not copy.authenticated:
        line += "; unauthenticated (syslog does not say which process sent a message)"
    lines = [line]
    if not copy.intact:
        lines.append(
            f"copy: NOT INTACT: {plural(copy.forked, 'fork')}, "
            f"{plural(copy.altered, 'altered record')}"
        )
        lines.extend(f"  {printable(f.message)}" for f in copy.forks)
        lines.extend(f"  {printable(a.message)}" for a in copy.alterations)
    if copy.rejected:
        lines.append(
            f"notice: {plural(copy.rejected, 'journal entry', 'journal entries')} under the "
            "ident certbot-privacy rejected, not written by the certbot process"
            + (
                ""
                if len(copy.rejections) == copy.rejected
                else f" (the first {len(copy.rejections)})"
            )
            + ":"
        )
        lines.extend(f"  {printable(p.where)}: {printable(p.message)}" for p in copy.rejections)
    if copy.skipped:
        lines.append(
            f"notice: {plural(copy.skipped, 'line')} of the copy are not records"
            + ("" if len(copy.problems) == copy.skipped else f" (the first {len(copy.problems)})")
            + ":"
        )
        lines.extend(f"  {printable(p.where)}: {printable(p.message)}" for p in copy.problems)
    return lines


def _comparison(comparison: ComparisonVerdict) -> List[str]:
    host = host_name(comparison.host)
    extra = (
        f" ({plural(comparison.not_in_copy, 'line')} of the files are not in the copy)"
        if comparison.not_in_copy
        else ""
    )
    if comparison.agrees:
        return [
            f"compare host {host}: the files hold every record of its copy, unchanged "
            f"({comparison.matched} matched){extra}"
        ]
    lines = [
        f"compare host {host}: NOT INTACT: {comparison.missing} records of the copy are "
        f"missing from the files, {comparison.different} different in them"
        + (f", {comparison.forked} forked in the copy" if comparison.forked else "")
        + extra
    ]
    lines.extend(f"  {printable(d.message)}" for d in comparison.differences)
    return lines


def fit(lines: Iterable[str], columns: Optional[int] = None) -> List[str]:
    """*lines* (escaped already) wrapped to *columns* (default: the terminal's width, or
    80), each with a hanging indent: an entry's first line still starts with its place."""
    width = columns or table.width()
    return [part for line in lines for part in layout.hang(line, width)]


def render_verify(report: VerifyReport) -> str:
    """Render *report* as text, one verdict per entry, every line within the width."""
    lines: List[str] = []
    for verdict in report.files:
        lines.extend(_file(verdict))
    for copy in report.copies:
        lines.extend(_copy(copy))
    for comparison in report.comparisons:
        lines.extend(_comparison(comparison))
    bad = sum(1 for f in report.files if not f.intact)
    differing = sum(1 for c in report.comparisons if not c.agrees)
    forked = sum(1 for c in report.copies if not c.intact)
    if not report.files and not report.copies:
        lines.append("no records: the log is empty")
    elif forked and not report.files:
        lines.append(
            f"NOT INTACT: the copies of {plural(forked, 'host')} hold forked or altered "
            "records (only copies were read; give the hosts' logs too, to compare them)"
        )
    elif not report.files:
        lines.append(
            "no log files: only copies were read; give the hosts' logs too, to check them "
            "and compare them with their copies"
        )
    elif bad or differing or forked:
        parts = []
        if bad:
            parts.append(
                f"{plural(bad, 'file')} of {len(report.files)} failed the check (tampered "
                "with or damaged)"
            )
        if differing:
            parts.append(
                f"the files of {plural(differing, 'host')} lack records of the host's copy, "
                "or hold them otherwise"
            )
        if forked:
            parts.append(f"the copies of {plural(forked, 'host')} hold forked or altered records")
        lines.append("NOT INTACT: " + "; ".join(parts))
    else:
        hashed = sum(f.hash_checked for f in report.files)
        lines.append(
            f"intact: {plural(len(report.files), 'file')}, "
            f"{plural(report.records, 'record')}"
            + (
                f" ({hashed} of them checked by their hash chain only: their bytes are as "
                "written, in the writer's form, but they were not parsed; --thorough "
                "parses every line)"
                if hashed
                else ""
            )
            + "; the head digests above let you check against a copy kept elsewhere "
            "that nothing was cut off the end"
        )
    return "\n".join(fit(lines)) + "\n"


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
    return layout.fill("\n".join(lines), table.width()) + "\n"


def render_letters(letters: Tuple[Letter, ...]) -> str:
    """Render request letters as plain text, ready to paste into an email, one after another."""
    if not letters:
        return "\n"
    out: List[str] = []
    for index, letter in enumerate(letters, 1):
        to_label, subject_label, where_label = labels(letter.language)
        if index > 1:
            out.append("")
        wrap = wraps(letter.language)
        out.append(f"===== {printable(heading(letter, index, len(letters)))} =====")
        out.append(f"{to_label}{printable(letter.to or '-')}")
        if letter.to is None:
            out.extend(_wrapped(f"{where_label}{letter.where}", wrap))
        out.append(f"{subject_label}{printable(letter.subject)}")
        out += ["", printable(letter.greeting), ""]
        for paragraph in letter.paragraphs:
            out += [*_wrapped(paragraph, wrap), ""]
        for section in letter.sections:
            out.append(printable(section_heading(section.heading, letter.language)))
            out.extend(f"  - {printable(item)}" for item in section.items)
            out.append("")
        for paragraph in letter.closing:
            out += [*_wrapped(paragraph, wrap), ""]
        out.extend(printable(line) for line in letter.signature)
    return "\n".join(out) + "\n"


def _wrapped(paragraph: str, wrap: bool) -> List[str]:
    """A paragraph in lines of at most 78 columns (English), or as one line (Chinese)."""
    if not wrap:
        return [printable(paragraph)]
    return textwrap.wrap(printable(paragraph), width=78, break_on_hyphens=False) or [""]


FORMAT = Format(name="text", verify=render_verify, letters=render_letters, cas=render_cas)
