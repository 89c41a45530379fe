"""The report as a table for a terminal: one block per recipient, one row per value.

The value comes last, so long values (User-Agents, key descriptions) do not push the
numbers out of line. Times are UTC, without milliseconds. Every value from the log is
shown through :func:`certbot_privacy.rules.escape.printable`.
"""

from typing import List, Optional, Sequence

from certbot_privacy.audit.formats._common import Format, copies_notes, plural, short_time
from certbot_privacy.audit.summarise import RecipientStats, Summary
from certbot_privacy.rules.escape import printable

_HEADINGS = ("CATEGORY", "COUNT", "FIRST (UTC)", "LAST (UTC)", "OFF", "VALUE")


def _columns(rows: Sequence[Sequence[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in (1, 4) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  " + "  ".join(cells) + "  " + row[-1])
    return lines


def _privacy_note(count: int) -> str:
    if count == 0:
        return "all in privacy mode"
    return f"{count} of them with privacy mode OFF"


def host_name(host: Optional[str]) -> str:
    """A host as shown: its name, escaped, or a phrase for records of no named host."""
    return printable(host) if host is not None else "(no host named)"


def _recipient(stats: RecipientStats, by_host: bool) -> List[str]:
    heading = printable(stats.recipient)
    if by_host:
        heading = f"host {host_name(stats.host)}: {heading}"
    lines = [
        heading,
        f"  {plural(stats.requests, 'request')}, {short_time(stats.first)} to "
        f"{short_time(stats.last)} UTC, {_privacy_note(stats.privacy_off)}",
    ]
    if stats.hosts and not by_host:
        lines.append("  from " + ", ".join(printable(h) for h in stats.hosts))
    rows = [_HEADINGS]
    for category in stats.categories:
        for value in category.values:
            rows.append(
                (
                    printable(category.category),
                    str(value.count),
                    short_time(value.first),
                    short_time(value.last),
                    str(value.privacy_off),
                    printable(value.value),
                )
            )
    lines.extend(_columns(rows))
    return lines


def render_report(summary: Summary) -> str:
    """Render *summary* as text for a terminal."""
    lines = []
    if summary.requests:
        lines.append(
            f"Personal data sent in {plural(summary.requests, 'request')} to "
            f"{plural(len(summary.recipients), 'recipient')}, {short_time(summary.first)} "
            f"to {short_time(summary.last)} UTC"
        )
    else:
        lines.append("No personal data was sent (no request records match).")
    lines.append(
        f"Read {plural(len(summary.files), 'file')}, {plural(summary.records, 'record')}"
        + (f", from {plural(len(summary.hosts), 'host')}" if summary.hosts else "")
        + "."
    )
    lines.extend(copies_notes(summary.copied))
    if summary.filters.active:
        lines.append(
            "Selected: "
            + ", ".join(
                f"--{flag} {printable(value)}" for flag, value in summary.filters.describe()
            )
        )
    if summary.privacy_off:
        lines.append(
            f"{plural(summary.privacy_off, 'request')} went out with privacy mode "
            "OFF (column OFF counts them per value)."
        )
    for stats in summary.recipients:
        lines.append("")
        lines.extend(_recipient(stats, summary.by == "host"))
    if summary.blocked:
        lines.append("")
        lines.append("Blocked by certbot-privacy (not sent):")
        lines.extend(
            f"  {printable(name)}: {plural(count, 'request')}" for name, count in summary.blocked
        )
    if summary.notices:
        lines.append("")
        lines.append("Notices (what the plugin did or warned about; nothing was sent):")
        lines.extend(
            f"  {printable(n.recipient)}: {printable(n.kind)}, {printable(n.detail)} "
            f"({plural(n.count, 'time')}, last {short_time(n.last)})"
            for n in summary.notices
        )
    if summary.skipped:
        lines.append("")
        lines.append(
            f"Skipped {plural(summary.skipped, 'line')} that are not records"
            + (
                f" (the first {len(summary.problems)} below)"
                if len(summary.problems) < summary.skipped
                else ""
            )
            + ":"
        )
        lines.extend(f"  {printable(p.where)}: {printable(p.message)}" for p in summary.problems)
    return "\n".join(lines) + "\n"


FORMAT = Format(name="table", report=render_report)
