"""The report as an HTML page: an overview, then per recipient its totals, the timeline
and a table of every category and value (rendered from ``json.report_document``)."""

from typing import Any, Dict, List, Mapping, Optional, Sequence

from certbot_privacy._internal.audit.formats import json as json_format
from certbot_privacy._internal.audit.formats._common import ByHost, copies_notes, plural
from certbot_privacy._internal.audit.formats.html._page import (
    across,
    as_published,
    cell,
    facts,
    label,
    listing,
    now,
    numeric,
    page,
    page_head,
    page_tail,
    table,
    text,
    value,
)
from certbot_privacy._internal.audit.formats.html._timeline import timeline_svg
from certbot_privacy._internal.audit.summarise import Summary
from certbot_privacy._internal.audit.timeline import RecipientMonths, Timelines

#: How many hosts a recipient's section names, and a value's row (a fleet's full list is
#: in --format json).
HOST_LIMIT = 50
#: How many values of a category a section lists (per recipient, or per host and
#: recipient): the page of a fleet stays a size a browser opens and a printer prints.
VALUE_LIMIT = 20
#: How many hosts a page grouped by host has a section for: the others' figures are in
#: the totals, their sections in --format json and csv.
HOST_SECTIONS = 200

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


TITLE = "Personal data disclosed by certbot"


def render_report(summary: Summary, generated: Optional[str] = None) -> str:
    """Render *summary* as an HTML page (*generated*: the time it is made, default now)."""
    generated = generated or now()
    document = json_format.report_document(summary)
    body: List[str] = _head(document, summary.months)
    timelines = summary.months
    by_name = {t.recipient: t for t in timelines.recipients} if timelines else {}
    for recipient in document["recipients"]:
        body.append(_recipient(recipient, document["by"], timelines, by_name))
    body.extend(_tail(document))
    return page(TITLE, generated, body, "report")


def _head(document: Dict[str, Any], timelines: Optional[Timelines]) -> List[str]:
    """The overview and, grouped by host, the timelines per recipient: before the sections."""
    body = [_overview(document)]
    if timelines is not None and document["by"] == "host" and timelines.recipients:
        body.append("<section>\n<h2>Requests per month</h2>")
        for months in timelines.recipients:
            body.append(f"<h3>{text(months.recipient)}</h3>")
            body.append(timeline_svg(timelines.months, months))
        body.append("</section>")
    return body


def _tail(document: Dict[str, Any]) -> List[str]:
    """After the recipients' sections."""
    body = []
    if not document["recipients"]:
        body.append('<p class="none">No personal data was sent in the selected records.</p>')
    body.append(_report_rest(document))
    return body


def by_host(generated: Optional[str] = None) -> ByHost:
    """The page grouped by host, host by host (the timelines come from the totals)."""
    when = generated or now()

    def head(summary: Summary) -> str:
        body = _head(json_format.report_document(summary), summary.months)
        return page_head(TITLE, when, "report") + "\n".join(body)

    def tail(summary: Summary) -> str:
        body = _tail(json_format.report_document(summary))
        return "".join("\n" + part for part in body) + page_tail(when)

    def beyond(hosts: int) -> str:
        return (
            f'\n<p class="none">and {text(plural(hosts, "more host"))} not shown here: their '
            "figures are in the totals above, their sections in --format json and --format "
            "csv.</p>"
        )

    return ByHost(head=head, block=_host_sections, tail=tail, limit=HOST_SECTIONS, beyond=beyond)


def _host_sections(summary: Summary) -> str:
    """One host's sections (each after a newline, as the page joins them)."""
    return "".join(
        "\n" + _recipient(json_format.recipient_document(r, summary.timeline), "host", None, {})
        for r in summary.recipients
    )


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
    parts.append("<h3>Files</h3>" + listing(document["files"]))
    if hosts:
        parts.append("<h3>Hosts</h3>" + listing(hosts))
    extra = {k: v for k, v in document.items() if k not in _REPORT_SHOWN}
    for key, item in extra.items():  # fields this layout does not know: each under its name
        shown = value(item)
        parts.append(
            f"<h3>{label(key)}</h3>" + (shown if shown.startswith("<") else f"<p>{shown}</p>")
        )
    return "\n".join(parts) + "\n</section>"


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
        summary["hosts"] = _hosts(recipient["hosts"])
    parts.append(across(as_published(summary, name)))
    months = by_name.get(name)
    if timelines is not None and months is not None and by != "host":
        parts.append(timeline_svg(timelines.months, months))
    parts.append(_categories(recipient["categories"]))
    return "\n".join(parts) + "\n</section>"


def _hosts(hosts: List[str]) -> List[str]:
    """*hosts*, the first :data:`HOST_LIMIT` of them and how many more."""
    if len(hosts) <= HOST_LIMIT:
        return hosts
    return [*hosts[:HOST_LIMIT], f"and {len(hosts) - HOST_LIMIT} more (--format json)"]


def _shown(values: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """A category's first :data:`VALUE_LIMIT` values, each with at most :data:`HOST_LIMIT`
    hosts."""
    return [
        {**v, "hosts": _hosts(v["hosts"])} if len(v.get("hosts") or ()) > HOST_LIMIT else v
        for v in values[:VALUE_LIMIT]
    ]


def _categories(categories: Sequence[Mapping[str, Any]]) -> str:
    """One table for a recipient: a heading row per category (its totals), then its first
    values and, if it has more, a row saying how many and where they all are."""
    if not categories:
        return ""
    names: List[str] = []
    for category in categories:
        for row in category["values"]:
            names.extend(k for k in row if k not in names)
    rows = [_shown(category["values"]) for category in categories]
    flat = [row for group in rows for row in group]
    head = "".join(f"<th{numeric(flat, n)}>{label(n)}</th>" for n in names)
    body = []
    for category, shown in zip(categories, rows):
        about = ", ".join(
            f"{label(k).lower()} {cell(v)}" for k, v in category.items() if k not in _CATEGORY_SHOWN
        )
        body.append(
            f'<tr class="group"><th colspan="{len(names) or 1}">'
            f"{text(category['category'])}: {about}</th></tr>"
        )
        body.extend(
            "<tr>"
            + "".join(f"<td{numeric(flat, n)}>{cell(row.get(n))}</td>" for n in names)
            + "</tr>"
            for row in shown
        )
        more = len(category["values"]) - len(shown)
        if more:
            body.append(
                f'<tr><td class="none" colspan="{len(names) or 1}">and '
                f"{text(plural(more, 'more value'))} of {text(category['category'])}, not "
                "listed here: every value is in <code>--format json</code> and "
                "<code>--format csv</code>.</td></tr>"
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
