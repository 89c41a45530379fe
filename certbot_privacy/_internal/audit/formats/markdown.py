"""Reports, Article 30 records and request letters as Markdown, for documents people file
and read.

Every value from the log or from the command line goes through :func:`_cell` or
:func:`_text`, that is :func:`certbot_privacy._internal.rules.escape.markdown`, which escapes what
Markdown would otherwise interpret (``|``, ``*``, ``<``, ``&``, backticks, what GFM
autolinks, ...) and control characters, so a value shows as it is and cannot inject
markup, entities or links into the document. Only the addresses of known CAs' documents,
from certbot-privacy's own facts, are written as links.
"""

import re
from typing import List, Optional, Tuple

from certbot_privacy._internal.audit.art30 import Art30Record, Quote, Recipient
from certbot_privacy._internal.audit.coverage import sentences
from certbot_privacy._internal.audit.formats._common import (
    ByHost,
    Format,
    copies_notes,
    plural,
    published,
    requests_words,
    sent_word,
    short_time,
)
from certbot_privacy._internal.audit.letters import Letter, heading, labels
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.summarise import Summary
from certbot_privacy._internal.rules.escape import markdown


def _text(value: str) -> str:
    """Escape *value* for Markdown running text."""
    return markdown(value)


_URL = re.compile(r"https?://[^\s<>`\\\x00-\x1f\x7f]+")


def _link(url: str) -> str:
    """An autolink for a plain http(s) URL; anything else as escaped text."""
    return f"<{url}>" if _URL.fullmatch(url) else _text(url)


def _host(host: Optional[str]) -> str:
    return "host " + _text(host) if host is not None else "no host named"


def _hosts(hosts: Tuple[str, ...]) -> str:
    return ("host " if len(hosts) == 1 else "hosts ") + ", ".join(_text(h) for h in hosts)


def _cell(value: str) -> str:
    """Escape *value* for a table cell (never empty: an empty cell reads as a mistake)."""
    return _text(value) if value else "-"


def _table(headings: List[str], rows: List[List[str]]) -> List[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _outcomes(outcomes: Outcomes) -> str:
    return (
        f"{outcomes.answered} answered, {outcomes.refused} answered with an error, "
        f"{outcomes.failed} never delivered (the send failed), {outcomes.unknown} with no "
        "outcome in the log"
    )


def _address(recipient: str) -> str:
    """A recipient's address: a link where the CA facts know it (their URL), else text."""
    from certbot_privacy._internal.rules import facts_file

    known = facts_file.lookup(recipient) if recipient.startswith("https://") else None
    return _link(recipient) if known is not None else _text(recipient)


def render_report(summary: Summary) -> str:
    """Render *summary* as Markdown: what was read, then a heading and a table per recipient."""
    return _report_head(summary) + _report_recipients(summary) + _report_tail(summary)


def _lines(lines: List[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _report_head(summary: Summary) -> str:
    """What was read and what the log could see, before the recipients."""
    lines = ["# Personal data disclosed by certbot", ""]
    lines.append(
        f"Read {plural(len(summary.files), 'file')}"
        + (f" from {plural(len(summary.hosts), 'host')}" if summary.hosts else "")
        + f": {plural(summary.records, 'record')}, "
        f"{plural(summary.skipped, 'line')} not readable as records."
    )
    lines.append("")
    if summary.records == 0 and summary.skipped:
        lines.append(
            "Nothing in the input could be read as a record: this report cannot tell what was sent."
        )
    elif summary.requests:
        lines.append(
            f"{plural(summary.requests, 'request')} to "
            f"{plural(summary.recipient_count, 'recipient')}, "
            f"{short_time(summary.first)} to {short_time(summary.last)} UTC: "
            f"{_outcomes(summary.outcomes)}."
        )
    else:
        lines.append("No personal data was sent (no request records match).")
    if summary.copied:
        lines += ["", *copies_notes(summary.copied)]
    if summary.records:
        lines += ["", "What the log could see:", ""]
        lines += [f"- {_text(sentence)}" for sentence in sentences(summary.coverage)]
    if summary.filters.active:
        lines += [
            "",
            "Selected: "
            + ", ".join(f"`--{flag}` {_text(value)}" for flag, value in summary.filters.describe())
            + ".",
        ]
    if summary.privacy_off:
        lines += [
            "",
            f"**{plural(summary.privacy_off, 'request')} went out with privacy mode off.**",
        ]
    return _lines(lines)


def _report_recipients(summary: Summary) -> str:
    """A heading and a table per recipient of *summary* (grouped by host: one host's)."""
    lines: List[str] = []
    for stats in summary.recipients:
        heading = _text(stats.name)
        if summary.by == "host":
            heading = f"{_host(stats.host)}: {heading}"
        lines += ["", f"## {heading}", ""]
        if stats.name != stats.recipient:
            lines.append(f"Recipient as logged: {_address(stats.recipient)}  ")
        words = requests_words(stats.recipient, stats.requests)
        lines.append(
            f"{words[0].upper()}{words[1:]}, {short_time(stats.first)} to "
            f"{short_time(stats.last)} UTC, {stats.privacy_off} with privacy mode off."
            + (f" {_outcomes(stats.outcomes)}." if stats.outcomes.requests else "")
        )
        if stats.hosts and summary.by != "host":
            lines.append(f"{_sent(stats.recipient)} {_hosts(stats.hosts)}.")
        lines.append("")
        rows = [
            [
                _cell(c.category),
                str(v.count),
                short_time(v.first),
                short_time(v.last),
                str(v.privacy_off),
                _cell(v.value),
                *([", ".join(f"{day} ({n})" for day, n in v.days)] if summary.timeline else []),
            ]
            for c in stats.categories
            for v in c.values
        ]
        lines += _table(
            ["Category", "Count", "First (UTC)", "Last (UTC)", "Privacy mode off", "Value"]
            + (["Days (count)"] if summary.timeline else []),
            rows,
        )
    return _lines(lines)


def _report_tail(summary: Summary) -> str:
    """What was blocked, the notices and the lines skipped, after the recipients."""
    lines: List[str] = []
    if summary.blocked:
        lines += ["", "## Blocked (not sent)", ""]
        lines += [f"- {_text(name)}: {plural(count, 'request')}" for name, count in summary.blocked]
    if summary.notices:
        lines += ["", "## Notices (nothing sent)", ""]
        lines += [
            f"- {_text(n.recipient)}: {_text(n.kind)}"
            + (f", {_text(n.detail)}" if n.detail else "")
            + " "
            f"({plural(n.count, 'time')}, last {short_time(n.last)})"
            for n in summary.notices
        ]
    if summary.skipped:
        lines += ["", "## Lines skipped (not records)", ""]
        lines += [f"- {_text(p.where)}: {_text(p.message)}" for p in summary.problems]
        if len(summary.problems) < summary.skipped:
            lines.append(f"- and {summary.skipped - len(summary.problems)} more")
    return _lines(lines)


def by_host() -> ByHost:
    """The report grouped by host, host by host."""
    return ByHost(head=_report_head, block=_report_recipients, tail=_report_tail)


_NOT_GIVEN = "*not given: complete it (`{flag}`)*"


def _given(value: Optional[str], flag: str) -> str:
    return _text(value) if value else _NOT_GIVEN.format(flag=flag)


def _quote(label: str, quote: Optional[Quote]) -> List[str]:
    if quote is None:
        return [f"- {label}: {_NOT_STATED}"]
    how = "in its words" if quote.quoted else "paraphrased"
    lines = [
        f"- {label} ({how}):",
        "",
        f"  > {_text(quote.text)}",
        "",
        f"  Source: {_text(quote.document)}, {_link(quote.url)}",
    ]
    if quote.note:
        lines.append(f"  Our note: {_text(quote.note)}")
    return lines


_NOT_STATED = "*not stated in the sources we checked*"


def _or(value: Optional[str], otherwise: str, link: bool = False) -> str:
    if not value:
        return otherwise
    return _link(value) if link else _text(value)


def _sent(recipient: str) -> str:
    return "Ordered from" if published(recipient) else "Sent from"


def _requests(recipient: str) -> str:
    """The label of a recipient's count (the CT logs: the orders whose names are public)."""
    return "Finalized orders whose names the CA publishes" if published(recipient) else "Requests"


def _recipient(r: Recipient) -> List[str]:
    where = f"{_text(r.country_name or r.country)} ({r.country})" if r.country else _NOT_STATED
    lines = [
        f"### {_text(r.name)}",
        "",
        f"- Recipient as logged: {_text(r.recipient)}",
        f"- Kind: {r.kind}"
        + (
            ""
            if r.known or r.kind != "certificate authority (ACME)"
            else " (not in certbot-privacy's list of known CAs)"
        ),
        f"- Legal entity: {_or(r.legal_entity, _NOT_STATED)}",
        f"- Country: {where}",
        f"- Privacy policy: {_or(r.privacy_policy, '*none found*', link=True)}",
        f"- Personal data {sent_word(r.recipient)}: "
        f"{', '.join(_text(c) for c in r.categories) or '-'}",
        *([f"- {_sent(r.recipient)}: {_hosts(r.hosts)}"] if r.hosts else []),
        f"- {_requests(r.recipient)}: {r.requests}, {short_time(r.first)} to "
        f"{short_time(r.last)} UTC; "
        f"with privacy mode off: {r.privacy_off}"
        + (f"; {_outcomes(r.outcomes)}" if r.outcomes.requests else ""),
    ]
    if r.kind.startswith("certificate"):
        lines += _quote("Use of the contact email", r.contact_use)
    elif r.contact_use is not None:
        lines += _quote("Use of what it receives", r.contact_use)
    return lines


#: Up to how many hosts the Art. 30 record names when recording began on each.
BEGAN_LIMIT = 50


def _began(began: Tuple[Tuple[Optional[str], str], ...]) -> List[str]:
    """When recording began (per host): what happened before is not in the log."""
    if not began:
        return []
    intro = (
        "- Recording began (the first record; disclosures before it are not in the log and "
        "cannot be known from it):"
    )
    if len(began) == 1:
        return [f"{intro} {short_time(began[0][1])} UTC"]
    shown = [f"  - {_host(host)}: {short_time(time)} UTC" for host, time in began[:BEGAN_LIMIT]]
    if len(began) > BEGAN_LIMIT:
        latest = max(began, key=lambda item: item[1])
        shown.append(
            f"  - and {len(began) - BEGAN_LIMIT} more hosts (the latest to begin: "
            f"{_host(latest[0])}, {short_time(latest[1])} UTC; all in the JSON export)"
        )
    return [intro, *shown]


def render_art30(record: Art30Record) -> str:
    """Render *record* as a Markdown document with the sections of Art. 30(1)."""
    c = record.controller
    lines = [
        "# Record of processing activities (GDPR Article 30)",
        "",
        f"**Processing activity:** {record.activity}",
        "",
        f"Generated {short_time(record.generated)} UTC from the disclosure log: "
        f"{plural(record.requests, 'request')} between {short_time(record.first)} and "
        f"{short_time(record.last)} UTC.",
        "",
        "## 1. Controller (Art. 30(1)(a))",
        "",
    ]
    lines += _table(
        ["", ""],
        [
            ["Name", _given(c.name, "--controller-name")],
            ["Contact details", _given(c.contact, "--controller-contact")],
            ["Address", _given(c.address, "--controller-address")],
            ["Representative (Art. 27)", _given(c.representative, "--representative")],
            ["Data protection officer", _given(c.dpo, "--dpo")],
        ],
    )
    lines += ["", "## 2. Purposes of the processing (Art. 30(1)(b))", ""]
    lines += [f"- {_text(p)}" for p in record.purposes]
    lines += ["", "## 3. Categories of data subjects (Art. 30(1)(c))", ""]
    lines += [f"- {_text(s)}" for s in record.data_subjects]
    lines += ["", "## 4. Categories of personal data (Art. 30(1)(c))", ""]
    lines += (
        _table(
            ["Category", "What it is", "Disclosures", "Distinct values", "Sent to"],
            [
                [
                    _cell(cat.category),
                    _cell(cat.description),
                    str(cat.disclosures),
                    str(cat.distinct),
                    _cell(", ".join(cat.recipients)),
                ]
                for cat in record.categories
            ],
        )
        if record.categories
        else ["None in the selected records."]
    )
    lines += ["", "## 5. Recipients (Art. 30(1)(d))"]
    for r in record.recipients:
        lines += ["", *_recipient(r)]
    lines += ["", "## 6. Transfers to third countries (Art. 30(1)(e))", ""]
    if not record.transfers:
        lines.append("None: every recipient is in the EU/EEA.")
    for r in record.transfers:
        if r.third_country:
            lines.append(
                f"- {_text(r.name)}: {_text(r.country_name or r.country or '')} is a "
                "third country (outside the EU/EEA). "
                + (
                    "The safeguard it states is quoted below."
                    if r.safeguard is not None
                    else "It states no transfer safeguard (adequacy decision, Data Privacy "
                    "Framework certification, standard contractual clauses) in the sources "
                    "we checked: document the mechanism you rely on (Art. 45, 46 or 49)."
                )
            )
            if r.safeguard is not None:
                lines += ["  " + line for line in _quote("Safeguard", r.safeguard)]
        else:
            lines.append(
                f"- {_text(r.name)}: the country is not stated in the sources we "
                "checked; find out where the recipient processes the data."
            )
        if r.transfer is not None:
            lines += ["  " + line for line in _quote("What it says", r.transfer)]
    lines += ["", "## 7. Time limits for erasure (Art. 30(1)(f))", ""]
    for r in record.recipients:
        if r.kind.startswith("certificate"):
            lines += [f"**{_text(r.name)}**", ""]
            lines += _quote("Retention", r.retention)
            if r.after_closure is not None:
                lines += _quote("After the account is closed", r.after_closure)
            lines.append("")
    lines.append(
        f"- The disclosure log on the controller's hosts: "
        f"{_given(record.log_retention, '--log-retention')}"
    )
    lines += ["", "## 8. Security measures (Art. 30(1)(g))", ""]
    lines += [f"- {_text(m)}" for m in record.security_measures]
    lines += [f"  - {_text(sentence)}" for sentence in record.coverage]
    if record.privacy_off:
        lines.append(
            f"- **{plural(record.privacy_off, 'request')} in this period went out "
            "with privacy mode off.**"
        )
    lines += [
        "",
        "## Evidence",
        "",
        f"- Log files: {', '.join(_text(f) for f in record.files) or '-'}",
        *([f"- Hosts: {', '.join(_text(h) for h in record.hosts)}"] if record.hosts else []),
        *_began(record.began),
        f"- {plural(record.records, 'record')} read, "
        f"{plural(record.skipped, 'line')} skipped as not records; check the log's "
        "integrity with `certbot-privacy verify`.",
        *(f"- {note}" for note in copies_notes(record.copied)),
    ]
    return "\n".join(lines) + "\n"


def render_letters(letters: Tuple[Letter, ...]) -> str:
    """Render request letters as Markdown: a heading and the letter for each CA."""
    out: List[str] = []
    for index, letter in enumerate(letters, 1):
        to_label, subject_label, where_label = labels(letter.language)
        if index > 1:
            out += ["", "---", ""]
        out += [f"# {_text(heading(letter, index, len(letters)))}", ""]
        out.append(f"**{_text(to_label.strip())}** {_text(letter.to or '-')}  ")
        if letter.to is None:
            out.append(f"**{_text(where_label.strip())}** {_text(letter.where)}  ")
        out += [
            f"**{_text(subject_label.strip())}** {_text(letter.subject)}",
            "",
            _text(letter.greeting),
            "",
        ]
        for paragraph in letter.paragraphs:
            out += [_text(paragraph), ""]
        for section in letter.sections:
            out += [f"**{_text(section.heading)}**", ""]
            out.extend(f"- {_text(item)}" for item in section.items)
            out.append("")
        for paragraph in letter.closing:
            out += [_text(paragraph), ""]
        out += [_text(line) + "  " for line in letter.signature]
    return "\n".join(line.rstrip() if not line.endswith("  ") else line for line in out) + "\n"


FORMAT = Format(
    name="markdown",
    report=render_report,
    report_by_host=by_host,
    art30=render_art30,
    letters=render_letters,
)
