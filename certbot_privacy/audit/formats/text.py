"""A verification as text: one line per file, the way compilers report (``file:line: ...``).

An intact file gets ``FILE: intact, N records, head sha256:...``; a file that is not gets
``FILE:LINE: KIND: what is wrong``; notices (a crash's truncated tail, a half line the
writer recovered) follow as ``notice: FILE:LINE: ...``. The last line sums up.
"""

from typing import List

from certbot_privacy.audit.formats._common import Format, plural
from certbot_privacy.audit.verify import FileVerdict, VerifyReport
from certbot_privacy.rules.escape import printable


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
        lines = [f"{name}: intact, {plural(verdict.records, 'record')}, head {verdict.head}"]
    if verdict.truncated_tail is not None:
        tail = verdict.truncated_tail
        lines.append(f"notice: {printable(tail.where)}: {tail.message}")
    if verdict.missing_newline and failure is None:
        lines.append(
            f"notice: {name}: the last record has no newline at its end (the "
            "next write will add one); the record itself is intact"
        )
    lines.extend(f"notice: {printable(p.where)}: {p.message}" for p in verdict.recovered)
    return lines


def render_verify(report: VerifyReport) -> str:
    """Render *report* as text, one verdict per line."""
    lines: List[str] = []
    for verdict in report.files:
        lines.extend(_file(verdict))
    bad = sum(1 for f in report.files if not f.intact)
    if not report.files:
        lines.append("no records: the log is empty")
    elif bad:
        lines.append(
            f"NOT INTACT: {plural(bad, 'file')} of {len(report.files)} failed the "
            "check (tampered with or damaged)"
        )
    else:
        lines.append(
            f"intact: {plural(len(report.files), 'file')}, "
            f"{plural(report.records, 'record')}; the head digests above let you "
            "check against a copy kept elsewhere that nothing was cut off the end"
        )
    return "\n".join(lines) + "\n"


FORMAT = Format(name="text", verify=render_verify)
