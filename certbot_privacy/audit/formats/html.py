"""Reports and Article 30 records as one self-contained HTML page, to read and to print.

The page is rendered from the same document as ``--format json``
(:func:`~certbot_privacy.audit.formats.json.report_document`,
:func:`~certbot_privacy.audit.formats.json.art30_document`), so it shows the same figures;
fields it has no layout for are shown in a table at the end of their section rather than
dropped. The report adds, per recipient, an inline SVG timeline of the requests per month
by host (:mod:`certbot_privacy.audit.timeline`), months with requests outside privacy
mode marked.

Safe to open: no script, no external resource, and a Content-Security-Policy that forbids
both (``default-src 'none'``; the one stylesheet allowed by its hash; images only from
``data:``); every value is made printable (:func:`certbot_privacy.rules.escape.printable`:
controls and bidi overrides as visible escapes) and then HTML-escaped, attributes too.
Only the addresses of documents in certbot-privacy's own CA facts become links. A print
stylesheet makes the browser's "print to PDF" a dated A4 record with a signature block.
Standard library only; nothing here is imported on certbot runs.
"""

import base64
import hashlib
import re
from datetime import datetime, timezone
from html import escape
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from certbot_privacy.audit import times
from certbot_privacy.audit.art30 import Art30Record
from certbot_privacy.audit.formats import json as json_format
from certbot_privacy.audit.formats._common import Format, copies_notes, plural, short_time
from certbot_privacy.audit.summarise import Summary
from certbot_privacy.audit.timeline import RecipientMonths, Timelines
from certbot_privacy.rules.escape import printable

STYLE = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de;
  --band: #f6f8fa; --off: #fbe1e1; --offink: #a40e26; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 64rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule);
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p, ul { margin: .4rem 0; }
.meta { color: var(--muted); margin: 0 0 1rem; }
h2 .meta { font-size: .8rem; font-weight: 400; margin: 0 0 0 .5rem; overflow-wrap: anywhere; }
.none { color: var(--muted); font-style: italic; }
.warn { color: var(--offink); font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--rule); padding: .25rem .45rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { background: var(--band); font-weight: 600; }
tr.group th { background: #eaeef2; font-weight: 500; }
.t { white-space: nowrap; }
main, header, footer, .signature { padding: 0 1px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { width: 14rem; }
.value { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
blockquote { margin: .4rem 0 .8rem; padding: .3rem .8rem; border-left: 3px solid var(--rule);
  background: var(--band); }
blockquote p { margin: .2rem 0; }
.source { color: var(--muted); font-size: .85rem; }
figure { margin: .5rem 0 1rem; }
figure > svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .85rem; color: var(--muted); }
ul.legend { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap;
  gap: .2rem 1rem; font-size: .85rem; }
ul.legend svg { width: .8rem; height: .8rem; vertical-align: -.1rem; margin-right: .3rem; }
.signature { margin-top: 2.5rem; break-inside: avoid; page-break-inside: avoid; }
.signature table td { height: 2.6rem; }
.signature table th { width: 12rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm 18mm; }
  body { font-size: 10pt; max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, blockquote, figure { break-inside: avoid; page-break-inside: avoid; }
  tr.group, figure { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " <" attr(href) ">"; font-size: .8em; color: var(--muted); }
  th, .signature, figure { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

#: The page's Content-Security-Policy: nothing may load or run but this one stylesheet.
CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    + "'; img-src data:; base-uri 'none'; form-action 'none'"
)

#: How many hosts a recipient's section names (a fleet's full list is in --format json).
HOST_LIMIT = 50

#: Bar colours of the named hosts, then the colour of "other hosts".
COLOURS = ("#0969da", "#1a7f37", "#bf8700", "#8250df", "#cf222e", "#1b7c83", "#953800", "#6e7781")
OTHERS_COLOUR = "#afb8c1"
OFF_COLOUR = "#fbe1e1"

_URL = re.compile(r"https?://[^\s\"'<>\\\x00-\x1f\x7f]+")


def text(value: object) -> str:
    """*value* as HTML text: printable (controls, bidi as visible escapes), then escaped."""
    return escape(printable(str(value)), quote=True)


def _link(url: Optional[str]) -> str:
    """A link for a plain http(s) address from the CA facts; anything else as text."""
    if not url:
        return '<span class="none">none found</span>'
    if _URL.fullmatch(url):
        return f'<a href="{text(url)}" rel="noreferrer">{text(url)}</a>'
    return text(url)


def _time(canonical: Optional[str]) -> str:
    if not canonical:
        return '<span class="none">-</span>'
    return f'<span class="t">{text(short_time(canonical))}</span>'


#: Headings for field names that do not read well as they are.
LABELS = {
    "dpo": "Data protection officer",
    "representative": "Representative (Art. 27)",
    "privacy_off": "Privacy off",
}


def _label(key: str) -> str:
    return text(LABELS.get(key) or key.replace("_", " ").capitalize())


def value(item: Any) -> str:
    """Any JSON value as HTML: tables for objects and lists of objects, text for the rest."""
    if item is None:
        return '<span class="none">not stated</span>'
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, (int, float)):
        return text(item)
    if isinstance(item, str):
        return text(item) if item else '<span class="none">-</span>'
    if isinstance(item, Mapping):
        if not item:
            return '<span class="none">none</span>'
        if _is_quote(item):
            return _quote(item)
        if len(item) <= 8 and not any(isinstance(v, (list, dict)) for v in item.values()):
            return across(item)
        return facts(item)
    if isinstance(item, (list, tuple)):
        if not item:
            return '<span class="none">none</span>'
        if all(isinstance(i, Mapping) for i in item):
            return table(item)
        return ", ".join(value(i) for i in item)
    return text(item)


def facts(document: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    """A two-column table of *document*'s fields (but those in *skip*)."""
    hidden = set(skip)
    rows = [
        f"<tr><th>{_label(key)}</th><td>{_cell(item)}</td></tr>"
        for key, item in document.items()
        if key not in hidden
    ]
    return f'<table class="facts">{"".join(rows)}</table>' if rows else ""


def table(rows: Sequence[Mapping[str, Any]], columns: Optional[Sequence[str]] = None) -> str:
    """A table with a column per key (of the first row, then any the others add)."""
    names: List[str] = list(columns or ())
    if not names:
        for row in rows:
            names.extend(k for k in row if k not in names)
    head = "".join(f"<th{_numeric(rows, n)}>{_label(n)}</th>" for n in names)
    body = "".join(
        "<tr>"
        + "".join(f"<td{_numeric(rows, n)}>{_cell(row.get(n))}</td>" for n in names)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numeric(rows: Sequence[Mapping[str, Any]], name: str) -> str:
    numbers = [r.get(name) for r in rows if r.get(name) is not None]
    if numbers and all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return ' class="n"'
    return ""


def _cell(item: Any) -> str:
    if isinstance(item, str) and len(item) == 24 and item.endswith("Z") and item[10:11] == "T":
        return _time(item)
    return value(item)


def _is_quote(item: Mapping[str, Any]) -> bool:
    return {"text", "quoted", "document", "url"} <= set(item)


def _quote(item: Mapping[str, Any]) -> str:
    said = "In its words" if item.get("quoted") else "Our summary of what it says"
    note = f'<p class="source">Note: {text(item["note"])}</p>' if item.get("note") else ""
    extra = facts(item, skip=("text", "quoted", "document", "url", "note"))
    return (
        f"<blockquote><p>{text(item['text'])}</p>"
        f'<p class="source">{said}: {text(item.get("document") or "")}, '
        f"{_link(item.get('url'))}</p>{note}{extra}</blockquote>"
    )


def page(title: str, generated: str, body: List[str], kind: str) -> str:
    """The whole page around *body*: head with the policy and the stylesheet, a dated
    title, and the signature block for the printed record."""
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{text(CSP)}">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="referrer" content="no-referrer">\n',
            f"<title>{text(title)}, {text(short_time(generated))} UTC</title>\n",
            f"<style>{STYLE}</style>\n</head>\n<body>\n<header>\n",
            f"<h1>{text(title)}</h1>\n",
            f'<p class="meta">Generated {text(short_time(generated))} UTC by certbot-privacy '
            f"from the disclosure logs below ({text(kind)}).</p>\n</header>\n<main>\n",
            "\n".join(body),
            "\n</main>\n",
            _signature(generated),
            "<footer>Rendered from the same figures as <code>--format json</code>. Check "
            "the logs' integrity with <code>certbot-privacy verify</code>.</footer>\n",
            "</body>\n</html>\n",
        ]
    )


def _signature(generated: str) -> str:
    return (
        '<section class="signature">\n<h2>Review</h2>\n'
        f"<p>This record was generated on {text(generated[:10])}. Reviewed and filed by:</p>\n"
        '<table class="facts"><tr><th>Name and role</th><td></td></tr>'
        "<tr><th>Date</th><td></td></tr><tr><th>Signature</th><td></td></tr></table>\n"
        "</section>\n"
    )


def _now() -> str:
    return times.format_utc(datetime.now(timezone.utc))


# --- the report -------------------------------------------------------------------------

_REPORT_HEAD = ("format", "filters", "files", "by", "hosts", "lines", "records", "events")
_REPORT_SHOWN = (
    *_REPORT_HEAD,
    "requests",
    "privacy_off",
    "first",
    "last",
    "recipients",
    "blocked",
    "notices",
    "skipped",
    "problems",
)
_RECIPIENT_SHOWN = ("recipient", "name", "host", "hosts", "categories")
_CATEGORY_SHOWN = ("category", "values")


def render_report(summary: Summary, generated: Optional[str] = None) -> str:
    """Render *summary* as an HTML page (*generated*: the time it is made, default now)."""
    generated = generated or _now()
    document = json_format.report_document(summary)
    body: List[str] = [_overview(document)]
    timelines = summary.months
    by_name = {t.recipient: t for t in timelines.recipients} if timelines else {}
    if timelines is not None and document["by"] == "host" and timelines.recipients:
        body.append("<section>\n<h2>Requests per month</h2>")
        for months in timelines.recipients:
            body.append(f"<h3>{text(months.recipient)}</h3>")
            body.append(timeline_svg(timelines.months, months))
        body.append("</section>")
    for recipient in document["recipients"]:
        body.append(_recipient(recipient, document["by"], timelines, by_name))
    if not document["recipients"]:
        body.append('<p class="none">No personal data was sent in the selected records.</p>')
    body.append(_report_rest(document))
    return page("Personal data disclosed by certbot", generated, body, "report")


def _overview(document: Dict[str, Any]) -> str:
    filters = {k: v for k, v in document["filters"].items() if v}
    hosts = document["hosts"]
    sent = {
        "requests": document["requests"],
        "recipients": len({r["recipient"] for r in document["recipients"]}),
        "first": document["first"],
        "last": document["last"],
        "privacy_off": document["privacy_off"],
    }
    read = {
        "files": len(document["files"]),
        "hosts": len(hosts),
        "lines": document["lines"],
        "records": document["records"],
        "skipped": document["skipped"],
    }
    parts = ["<section>\n<h2>Overview</h2>"]
    if document["privacy_off"]:
        parts.append(
            f'<p class="warn">{text(plural(document["privacy_off"], "request"))} went out '
            "with privacy mode off.</p>"
        )
    parts.extend(
        f'<p class="warn">{text(note)}</p>'
        for note in copies_notes(tuple(document.get("copied", {}).items()))
    )
    parts += ["<h3>Sent</h3>", across(sent), "<h3>Read</h3>", across(read)]
    parts.append(across({"event " + k: v for k, v in document["events"].items()}))
    if filters:
        parts.append("<h3>Selected records</h3>" + facts(filters))
    parts.append("<h3>Files</h3>" + _list(document["files"]))
    if hosts:
        parts.append("<h3>Hosts</h3>" + _list(hosts))
    extra = {k: v for k, v in document.items() if k not in _REPORT_SHOWN}
    if extra:
        parts.append("<h3>More</h3>" + facts(extra))
    return "\n".join(parts) + "\n</section>"


def _list(items: Sequence[Any], limit: int = 200) -> str:
    shown = "".join(f"<li>{value(i)}</li>" for i in items[:limit])
    more = (
        f'<li class="none">and {len(items) - limit} more (see --format json)</li>'
        if len(items) > limit
        else ""
    )
    return f"<ul>{shown}{more}</ul>"


def _recipient(
    recipient: Dict[str, Any],
    by: str,
    timelines: Optional[Timelines],
    by_name: Dict[str, RecipientMonths],
) -> str:
    name = recipient["recipient"]
    heading = text(name)
    shown_name = recipient.get("name")
    if isinstance(shown_name, str) and shown_name and shown_name != name:
        heading = f'{text(shown_name)} <span class="meta">{text(name)}</span>'
    if by == "host":
        host = recipient.get("host")
        heading = (text(host) if host is not None else "no host named") + " to " + heading
    parts = [f"<section>\n<h2>{heading}</h2>"]
    summary = {k: v for k, v in recipient.items() if k not in _RECIPIENT_SHOWN}
    if recipient.get("hosts") and by != "host":
        hosts = recipient["hosts"]
        summary["hosts"] = (
            hosts
            if len(hosts) <= HOST_LIMIT
            else [*hosts[:HOST_LIMIT], f"and {len(hosts) - HOST_LIMIT} more (--format json)"]
        )
    parts.append(across(summary))
    months = by_name.get(name)
    if timelines is not None and months is not None and by != "host":
        parts.append(timeline_svg(timelines.months, months))
    parts.append(_categories(recipient["categories"]))
    return "\n".join(parts) + "\n</section>"


def across(document: Mapping[str, Any]) -> str:
    """*document*'s fields as one row under a row of headings (compact for a few fields)."""
    scalars = {k: v for k, v in document.items() if not isinstance(v, (list, dict))}
    rest = {k: v for k, v in document.items() if k not in scalars}
    head = "".join(f"<th{_numeric([scalars], k)}>{_label(k)}</th>" for k in scalars)
    row = "".join(f"<td{_numeric([scalars], k)}>{_cell(v)}</td>" for k, v in scalars.items())
    out = f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"
    return (out if scalars else "") + (facts(rest) if rest else "")


def _categories(categories: Sequence[Mapping[str, Any]]) -> str:
    """One table for a recipient: a heading row per category (its totals), then its values."""
    if not categories:
        return ""
    names: List[str] = []
    for category in categories:
        for row in category["values"]:
            names.extend(k for k in row if k not in names)
    rows = [category["values"] for category in categories]
    flat = [row for group in rows for row in group]
    head = "".join(f"<th{_numeric(flat, n)}>{_label(n)}</th>" for n in names)
    body = []
    for category in categories:
        about = ", ".join(
            f"{_label(k).lower()} {_cell(v)}"
            for k, v in category.items()
            if k not in _CATEGORY_SHOWN
        )
        body.append(
            f'<tr class="group"><th colspan="{len(names) or 1}">'
            f"{text(category['category'])}: {about}</th></tr>"
        )
        body.extend(
            "<tr>"
            + "".join(f"<td{_numeric(flat, n)}>{_cell(row.get(n))}</td>" for n in names)
            + "</tr>"
            for row in category["values"]
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _report_rest(document: Dict[str, Any]) -> str:
    parts = []
    if document["blocked"]:
        parts.append("<section>\n<h2>Requests refused by certbot-privacy</h2>")
        parts.append(facts(document["blocked"]) + "\n</section>")
    if document["notices"]:
        parts.append("<section>\n<h2>Notices</h2>" + table(document["notices"]) + "\n</section>")
    if document["problems"]:
        parts.append(
            "<section>\n<h2>Lines that are not records</h2>"
            f"<p>{text(plural(document['skipped'], 'line'))} skipped; the first ones:</p>"
            + table(document["problems"])
            + "\n</section>"
        )
    return "\n".join(parts)


# --- the timeline -----------------------------------------------------------------------

_W, _H = 720, 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 14, 30


def timeline_svg(months: Sequence[str], recipient: RecipientMonths) -> str:
    """Requests per month by host as an inline SVG bar chart, months with requests sent
    outside privacy mode on a red band, and its legend."""
    if not months:
        return ""
    span = len(months)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = plot_w / span
    bar = min(max(step * 0.72, 1.0), 36.0)
    peak = max(max(recipient.requests), 1)
    scale = plot_h / peak
    out = [
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" '
        f'role="img" aria-label="{text("Requests per month to " + recipient.recipient)}">',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" '
        'stroke="#d0d7de"/>',
    ]
    for i, off in enumerate(recipient.privacy_off):
        if off:
            out.append(
                f'<rect x="{_LEFT + i * step:.1f}" y="{_TOP}" width="{step:.1f}" '
                f'height="{plot_h}" fill="{OFF_COLOUR}"><title>{text(months[i])}: '
                f"{text(plural(off, 'request'))} outside privacy mode</title></rect>"
            )
            out.append(
                f'<text x="{_LEFT + (i + 0.5) * step:.1f}" y="{_TOP + 10}" font-size="9" '
                f'text-anchor="middle" fill="#a40e26">off</text>'
            )
    for i in range(span):
        x = _LEFT + i * step + (step - bar) / 2
        y = float(_TOP + plot_h)
        for n, host in enumerate(recipient.hosts):
            count = host.requests[i]
            if not count:
                continue
            h = count * scale
            y -= h
            colour = OTHERS_COLOUR if host.others else COLOURS[n % len(COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{text(months[i])}, {_host_name(host)}: '
                f"{text(plural(count, 'request'))}</title></rect>"
            )
    every = max(1, -(-span // 12))
    for i in range(0, span, every):
        out.append(
            f'<text x="{_LEFT + (i + 0.5) * step:.1f}" y="{_H - 12}" font-size="10" '
            f'text-anchor="middle" fill="#57606a">{text(months[i])}</text>'
        )
    out.append(
        f'<text x="{_LEFT - 6}" y="{_TOP + 9}" font-size="10" text-anchor="end" '
        f'fill="#57606a">{peak}</text>'
        f'<text x="{_LEFT - 6}" y="{_TOP + plot_h}" font-size="10" text-anchor="end" '
        'fill="#57606a">0</text>'
    )
    legend = "".join(
        '<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="'
        f'{OTHERS_COLOUR if host.others else COLOURS[n % len(COLOURS)]}"/></svg>'
        f"{_host_name(host)}: {text(host.total)}</li>"
        for n, host in enumerate(recipient.hosts)
    )
    if any(recipient.privacy_off):
        legend += (
            '<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" '
            f'aria-hidden="true"><rect width="10" height="10" fill="{OFF_COLOUR}" '
            'stroke="#a40e26"/></svg>months with requests outside privacy mode: '
            f"{text(sum(recipient.privacy_off))}</li>"
        )
    caption = (
        f"Requests per month to {text(recipient.recipient)} by host, "
        f"{text(months[0])} to {text(months[-1])} "
        f"({text(plural(recipient.host_count, 'host'))})."
    )
    out.append(f'</svg><ul class="legend">{legend}</ul><figcaption>{caption}</figcaption></figure>')
    return "".join(out)


def _host_name(host: Any) -> str:
    if host.others:
        return text(f"{plural(host.others, 'other host')}")
    return text(host.host) if host.host is not None else "this log (no host named)"


# --- the Article 30 record --------------------------------------------------------------

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
        f"{_time(record.first)} and {_time(record.last)} UTC.</p>",
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
    shown = {k: v for k, v in recipient.items() if k != "privacy_policy"}
    policy = recipient.get("privacy_policy")
    return (
        f"<h3>{text(name)}</h3>\n"
        + facts(shown, skip=("name",))
        + (
            f'<p class="source">Privacy policy: {_link(policy)}</p>'
            if "privacy_policy" in recipient
            else ""
        )
    )


FORMAT = Format(name="html", report=lambda summary: render_report(summary), art30=render_art30)
