"""The report as CSV: one row per recipient, category and distinct value, for spreadsheets.

Columns: ``recipient, category, value, count, first, last, privacy_off, host, name,
requests, answered, refused, not_delivered, no_outcome`` (times in UTC, RFC 3339;
``host``: the hosts that sent this value to this recipient, separated by spaces; ``name``:
the recipient's name from the CA facts; the last five: the requests of the row's
recipient (and host, grouped by host) and what became of them: answered, answered with an
error, never delivered (the send failed), no outcome in the log). Text from the log goes
through :func:`certbot_privacy._internal.rules.escape.csv_cell`: control, bidi and zero-width
characters as visible escapes, and a cell that would start a formula (``= + - @``, tab,
carriage return) prefixed with ``'`` (the OWASP rule), so opening the file in a
spreadsheet runs nothing. JSON keeps the values exact.
"""

import csv
import io

from certbot_privacy._internal.audit.formats._common import ByHost, Format
from certbot_privacy._internal.audit.summarise import Summary
from certbot_privacy._internal.rules.escape import csv_cell

COLUMNS = (
    "recipient",
    "category",
    "value",
    "count",
    "first",
    "last",
    "privacy_off",
    "host",
    "name",
    "requests",
    "answered",
    "refused",
    "not_delivered",
    "no_outcome",
)


def render_report(summary: Summary) -> str:
    """Render *summary* as CSV with a header row."""
    return _header() + _rows(summary)


def _header() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(COLUMNS)
    return out.getvalue()


def _rows(summary: Summary) -> str:
    """The rows of *summary*'s values (grouped by host: one host's)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for recipient in summary.recipients:
        outcomes = recipient.outcomes
        requests = (
            recipient.requests,
            outcomes.answered,
            outcomes.refused,
            outcomes.failed,
            outcomes.unknown,
        )
        for category in recipient.categories:
            for value in category.values:
                writer.writerow(
                    (
                        csv_cell(recipient.recipient),
                        csv_cell(category.category),
                        csv_cell(value.value),
                        value.count,
                        value.first,
                        value.last,
                        value.privacy_off,
                        csv_cell(" ".join(value.hosts)),
                        csv_cell(recipient.name),
                        *requests,
                    )
                )
    return out.getvalue()


def by_host() -> ByHost:
    """The report grouped by host, host by host: the header row, then each host's rows."""
    return ByHost(head=lambda _summary: _header(), block=_rows, tail=lambda _summary: "")


FORMAT = Format(name="csv", report=render_report, report_by_host=by_host)
