"""The report for a terminal: what was read, then one block per recipient, one entry per value.

Every line fits the terminal (``shutil.get_terminal_size``: its width when output is a
terminal, else 80 columns): a value gets a line of its own under its category, wrapped
with an indent when longer, and its count and times on the line below, so long values
(User-Agents, key descriptions, URLs) are never cut and the numbers never pushed out of
sight. Recipients are named from the CA facts with their address beside them. Times are
UTC, without milliseconds. Every value from the log is shown through
:func:`certbot_privacy._internal.rules.escape.printable`.
"""

import functools
import shutil
import textwrap
from typing import List, Optional

from certbot_privacy._internal.audit.coverage import sentences
from certbot_privacy._internal.audit.formats._common import (
    ByHost,
    Format,
    copies_notes,
    plural,
    requests_words,
    senders_word,
    sent_word,
    short_time,
)
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.summarise import RecipientStats, Summary, ValueStats
from certbot_privacy._internal.rules.escape import printable

#: The narrowest and widest layout (a terminal outside these gets the nearest).
MIN_WIDTH, MAX_WIDTH = 40, 120


def width() -> int:
    """The width to lay the report out in: the terminal's, or 80 columns."""
    columns = shutil.get_terminal_size((80, 24)).columns
    return min(max(columns, MIN_WIDTH), MAX_WIDTH)


def _wrap(
    text: str, indent: str, columns: int, later: Optional[str] = None, cut: bool = False
) -> List[str]:
    """*text* (already escaped) in lines of at most *columns*; a word longer than a line is
    cut only with *cut* (values), never a file name or an address in a sentence."""
    if (
        text
        and len(indent) + len(text) <= columns
        and text.isprintable()  # so no tab or line break, which textwrap makes spaces
        and text[-1] != " "  # which textwrap drops (a first line keeps its leading ones)
    ):  # one line, as textwrap would make it (most values are): without its 30 calls
        return [indent + text]
    return textwrap.wrap(
        text,
        width=columns,
        initial_indent=indent,
        subsequent_indent=later if later is not None else indent,
        break_long_words=cut,
        break_on_hyphens=False,
    ) or [indent]


def _privacy_note(count: int) -> str:
    if count == 0:
        return "all in privacy mode"
    return f"{count} of them with privacy mode OFF"


def outcome_words(outcomes: Outcomes, zeros: bool = True) -> str:
    """What became of the requests, in words (every kind, or with *zeros* false only the
    kinds that happened)."""
    parts = (
        (outcomes.answered, "answered"),
        (outcomes.refused, "answered with an error"),
        (outcomes.failed, "never delivered (the send failed)"),
        (outcomes.unknown, "with no outcome in the log"),
    )
    return ", ".join(f"{count} {words}" for count, words in parts if zeros or count)


def host_name(host: Optional[str]) -> str:
    """A host as shown: its name, escaped, or a phrase for records of no named host."""
    return printable(host) if host is not None else "(no host named)"


def _value(value: ValueStats, columns: int, timeline: bool) -> List[str]:
    lines = _wrap(printable(value.value), "    ", columns, cut=True)
    when = (
        f"on {short_time(value.first)}"
        if value.first == value.last
        else f"{short_time(value.first)} to {short_time(value.last)}"
    )
    details = f"{plural(value.count, 'time')}, {when}"
    if value.privacy_off:
        details += f", {value.privacy_off} with privacy mode OFF"
    lines += _wrap(details, "      ", columns)
    if timeline and value.days:
        days = ", ".join(f"{day} ({count})" for day, count in value.days)
        lines += _wrap("days: " + days, "      ", columns, "        ")
    return lines


def _recipient(stats: RecipientStats, summary: Summary, columns: int) -> List[str]:
    by_host = summary.by == "host"
    heading = printable(stats.name)
    if by_host:
        heading = f"host {host_name(stats.host)}: {heading}"
    lines = _wrap(heading, "", columns, "  ")
    if stats.name != stats.recipient:
        lines += _wrap(printable(stats.recipient), "  ", columns)
    lines += _wrap(
        f"{requests_words(stats.recipient, stats.requests)}, {short_time(stats.first)} to "
        f"{short_time(stats.last)} UTC, {_privacy_note(stats.privacy_off)}",
        "  ",
        columns,
    )
    if stats.outcomes.requests:
        lines += _wrap(outcome_words(stats.outcomes, zeros=False), "  ", columns, "    ")
    if stats.hosts and not by_host:
        lines += _wrap(
            f"{senders_word(stats.recipient)} " + ", ".join(printable(h) for h in stats.hosts),
            "  ",
            columns,
        )
    for category in stats.categories:
        lines += _wrap(
            f"{printable(category.category)}: {plural(category.distinct, 'value')}, "
            f"{sent_word(stats.recipient)} {plural(category.disclosures, 'time')}",
            "  ",
            columns,
        )
        for value in category.values:
            lines += _value(value, columns, summary.timeline)
    return lines


def headline(summary: Summary) -> List[str]:
    """What was read, then whether anything was sent (never "nothing was sent" from a log
    of which nothing could be read)."""
    read = (
        f"Read {plural(len(summary.files), 'file')}"
        + (f" from {plural(len(summary.hosts), 'host')}" if summary.hosts else "")
        + f": {plural(summary.records, 'record')}"
        + f", {plural(summary.skipped, 'line')} not readable as records."
    )
    lines = [read]
    if summary.records == 0 and summary.skipped:
        lines.append(
            "Nothing in the input could be read as a record: this report cannot tell what "
            "was sent (see the lines skipped below)."
        )
    elif summary.requests:
        lines.append(
            f"Personal data sent in {plural(summary.requests, 'request')} to "
            f"{plural(summary.recipient_count, 'recipient')}, {short_time(summary.first)} "
            f"to {short_time(summary.last)} UTC: {outcome_words(summary.outcomes)}."
        )
    else:
        lines.append("No personal data was sent (no request records match).")
    return lines


def _head(summary: Summary, columns: int) -> List[str]:
    """What was read, what the log could see, the selection: before the recipients."""
    lines: List[str] = []
    for line in headline(summary):
        lines += _wrap(line, "", columns)
    for line in copies_notes(summary.copied):
        lines += _wrap(line, "", columns)
    if summary.records:
        lines.append("What the log could see:")
        for sentence in sentences(summary.coverage):
            lines += _wrap(printable(sentence), "  ", columns, "    ")
    if summary.filters.active:
        lines += _wrap(
            "Selected: "
            + ", ".join(
                f"--{flag} {printable(value)}" for flag, value in summary.filters.describe()
            ),
            "",
            columns,
            "  ",
        )
    if summary.privacy_off:
        lines += _wrap(
            f"{plural(summary.privacy_off, 'request')} went out with privacy mode OFF.",
            "",
            columns,
        )
    return lines


def _tail(summary: Summary, columns: int) -> List[str]:
    """What was blocked, the notices and the lines skipped: after the recipients."""
    lines: List[str] = []
    if summary.blocked:
        lines.append("")
        lines.append("Blocked by certbot-privacy (not sent):")
        for name, count in summary.blocked:
            lines += _wrap(f"{printable(name)}: {plural(count, 'request')}", "  ", columns)
    if summary.notices:
        lines.append("")
        lines += _wrap(
            "Notices (what the plugin did or warned about; nothing was sent):", "", columns
        )
        for n in summary.notices:
            lines += _wrap(
                f"{printable(n.recipient)}: {printable(n.kind)}"
                + (f", {printable(n.detail)}" if n.detail else "")
                + " "
                f"({plural(n.count, 'time')}, last {short_time(n.last)})",
                "  ",
                columns,
                "    ",
            )
    if summary.skipped:
        lines.append("")
        lines += _wrap(
            f"Skipped {plural(summary.skipped, 'line')} that are not records"
            + (
                f" (the first {len(summary.problems)} below)"
                if len(summary.problems) < summary.skipped
                else ""
            )
            + ":",
            "",
            columns,
        )
        for p in summary.problems:
            lines += _wrap(f"{printable(p.where)}: {printable(p.message)}", "  ", columns, "    ")
    return lines


def _text(lines: List[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def render_head(summary: Summary, columns: int = 0) -> str:
    """The part of the report before the recipients (a report streamed host by host
    prints it first, from the totals)."""
    return _text(_head(summary, columns or width()))


def render_blocks(summary: Summary, columns: int = 0) -> str:
    """The recipients' blocks of *summary* (one host's, when streamed)."""
    columns = columns or width()
    lines: List[str] = []
    for stats in summary.recipients:
        lines.append("")
        lines.extend(_recipient(stats, summary, columns))
    return _text(lines)


def render_tail(summary: Summary, columns: int = 0) -> str:
    """The part of the report after the recipients."""
    return _text(_tail(summary, columns or width()))


def render_report(summary: Summary, columns: int = 0) -> str:
    """Render *summary* as text for a terminal of *columns* (default: :func:`width`)."""
    columns = columns or width()
    return (
        render_head(summary, columns)
        + render_blocks(summary, columns)
        + render_tail(summary, columns)
    )


def by_host() -> ByHost:
    """The report grouped by host, host by host, laid out for the terminal's width."""
    columns = width()
    return ByHost(
        head=functools.partial(render_head, columns=columns),
        block=functools.partial(render_blocks, columns=columns),
        tail=functools.partial(render_tail, columns=columns),
    )


FORMAT = Format(name="table", report=render_report, report_by_host=by_host)
