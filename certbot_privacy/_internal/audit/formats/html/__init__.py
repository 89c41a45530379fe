"""Reports and Article 30 records as one self-contained HTML page, to read and to print.

The page is rendered from the same document as ``--format json``
(:func:`~certbot_privacy._internal.audit.formats.json.report_document`,
:func:`~certbot_privacy._internal.audit.formats.json.art30_document`), so it shows the same figures;
fields it has no layout for are shown in a table at the end of their section rather than
dropped. The report adds, per recipient, an inline SVG timeline of the requests per month
by host (:mod:`certbot_privacy._internal.audit.timeline`), months with requests outside privacy
mode marked.

Safe to open: no script, no external resource, and a Content-Security-Policy that forbids
both (``default-src 'none'``; the one stylesheet allowed by its hash; images only from
``data:``); every value is made printable (:func:`certbot_privacy._internal.rules.escape.printable`:
controls and bidi overrides as visible escapes) and then HTML-escaped, attributes too.
Only the addresses of documents in certbot-privacy's own CA facts become links. A print
stylesheet makes the browser's "print to PDF" a dated A4 record with a signature block.
Standard library only; nothing here is imported on certbot runs.
"""

from certbot_privacy._internal.audit.formats._common import Format
from certbot_privacy._internal.audit.formats.html._art30 import render_art30
from certbot_privacy._internal.audit.formats.html._page import CSP, STYLE, page, text
from certbot_privacy._internal.audit.formats.html._report import by_host, render_report
from certbot_privacy._internal.audit.formats.html._timeline import OFF_COLOUR, timeline_svg

__all__ = [
    "CSP",
    "FORMAT",
    "OFF_COLOUR",
    "STYLE",
    "by_host",
    "page",
    "render_art30",
    "render_report",
    "text",
    "timeline_svg",
]

FORMAT = Format(
    name="html",
    report=lambda summary: render_report(summary),
    report_by_host=lambda: by_host(),
    art30=render_art30,
)
