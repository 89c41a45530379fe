"""The page around the HTML formats: its stylesheet and policy, escaping, generic tables.

Every value goes through :func:`text` (printable, then HTML-escaped); :func:`value` shows
any JSON value (objects and lists of objects as tables), so fields a layout does not know
are shown rather than dropped.
"""

import base64
import hashlib
import re
from datetime import datetime, timezone
from html import escape
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from certbot_privacy._internal.audit import times
from certbot_privacy._internal.audit.formats._common import published, short_time
from certbot_privacy._internal.rules.escape import printable

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
  th, .signature, figure { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

#: The page's Content-Security-Policy: nothing may load or run but this one stylesheet.
CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    + "'; img-src data:; base-uri 'none'; form-action 'none'"
)

_URL = re.compile(r"https?://[^\s\"'<>\\\x00-\x1f\x7f]+")


def text(value: object) -> str:
    """*value* as HTML text: printable (controls, bidi as visible escapes), then escaped."""
    return escape(printable(str(value)), quote=True)


def link(url: Optional[str]) -> str:
    """A link for a plain http(s) address from the CA facts; anything else as text."""
    if not url:
        return '<span class="none">none found</span>'
    if _URL.fullmatch(url):
        return f'<a href="{text(url)}" rel="noreferrer">{text(url)}</a>'
    return text(url)


def time_cell(canonical: Optional[str]) -> str:
    """A log time as ``2024-05-01 12:34:56`` (UTC), kept on one line."""
    if not canonical:
        return '<span class="none">-</span>'
    return f'<span class="t">{text(short_time(canonical))}</span>'


#: Headings for field names that do not read well as they are.
LABELS = {
    "ct_orders": "Finalized orders whose names the CA publishes",
    "ordered_from": "Ordered from hosts",
    "dpo": "Data protection officer",
    "representative": "Representative (Art. 27)",
    "privacy_off": "Privacy off",
}


#: The CT logs' fields under their own names: no host sends them anything (see
#: :func:`.._common.published`).
_PUBLISHED_KEYS = {"requests": "ct_orders", "hosts": "ordered_from"}


def as_published(fields: Mapping[str, Any], recipient: str) -> Dict[str, Any]:
    """*fields* of *recipient*, with the CT logs' requests and hosts named for what they are."""
    if not published(recipient):
        return dict(fields)
    return {_PUBLISHED_KEYS.get(key, key): item for key, item in fields.items()}


def label(key: str) -> str:
    """The heading of a field: ``privacy_off`` as "Privacy off"."""
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
        f"<tr><th>{label(key)}</th><td>{cell(item)}</td></tr>"
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
    head = "".join(f"<th{numeric(rows, n)}>{label(n)}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td{numeric(rows, n)}>{cell(row.get(n))}</td>" for n in names) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def numeric(rows: Sequence[Mapping[str, Any]], name: str) -> str:
    """The class of a column whose cells are all counts (right-aligned)."""
    numbers = [r.get(name) for r in rows if r.get(name) is not None]
    if numbers and all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return ' class="n"'
    return ""


def cell(item: Any) -> str:
    """A table cell: log times shortened, anything else as :func:`value`."""
    if isinstance(item, str) and len(item) == 24 and item.endswith("Z") and item[10:11] == "T":
        return time_cell(item)
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
        f"{link(item.get('url'))}</p>{note}{extra}</blockquote>"
    )


def page(title: str, generated: str, body: List[str], kind: str) -> str:
    """The whole page around *body*: head with the policy and the stylesheet, a dated
    title, and the signature block for the printed record."""
    return page_head(title, generated, kind) + "\n".join(body) + page_tail(generated)


def page_head(title: str, generated: str, kind: str) -> str:
    """The page up to its body (:func:`page`)."""
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
        ]
    )


def page_tail(generated: str) -> str:
    """The page after its body (:func:`page`)."""
    return "".join(
        [
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


def now() -> str:
    """The current time, as the log writes times (the page's date)."""
    return times.format_utc(datetime.now(timezone.utc))


def across(document: Mapping[str, Any]) -> str:
    """*document*'s fields as one row under a row of headings (compact for a few fields)."""
    scalars = {k: v for k, v in document.items() if not isinstance(v, (list, dict))}
    rest = {k: v for k, v in document.items() if k not in scalars}
    head = "".join(f"<th{numeric([scalars], k)}>{label(k)}</th>" for k in scalars)
    row = "".join(f"<td{numeric([scalars], k)}>{cell(v)}</td>" for k, v in scalars.items())
    out = f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"
    return (out if scalars else "") + (facts(rest) if rest else "")


def listing(items: Sequence[Any], limit: int = 200) -> str:
    shown = "".join(f"<li>{value(i)}</li>" for i in items[:limit])
    more = (
        f'<li class="none">and {len(items) - limit} more (see --format json)</li>'
        if len(items) > limit
        else ""
    )
    return f"<ul>{shown}{more}</ul>"
