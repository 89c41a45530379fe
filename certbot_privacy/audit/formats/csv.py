"""The report as CSV: one row per recipient, category and distinct value, for spreadsheets.

Columns: ``recipient, category, value, count, first, last, privacy_off`` (times in UTC,
RFC 3339). Values are written exactly as counted; a spreadsheet that evaluates cells
starting with ``=`` should import the file as text.
"""

import csv
import io

from certbot_privacy.audit.formats._common import Format
from certbot_privacy.audit.summarise import Summary

COLUMNS = ("recipient", "category", "value", "count", "first", "last", "privacy_off")


def render_report(summary: Summary) -> str:
    """Render *summary* as CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for recipient in summary.recipients:
        for category in recipient.categories:
            for value in category.values:
                writer.writerow(
                    (
                        recipient.recipient,
                        category.category,
                        value.value,
                        value.count,
                        value.first,
                        value.last,
                        value.privacy_off,
                    )
                )
    return out.getvalue()


FORMAT = Format(name="csv", report=render_report)
