"""Reports, verifications and Article 30 records as JSON, for machines.

Each document names its kind and version in ``format`` (``certbot-privacy-report/1``,
``certbot-privacy-verify/1``, ``certbot-privacy-art30/1``, ``certbot-privacy-cas/1``) so
that consumers can check what they read. Times are the log's own (UTC, RFC 3339,
milliseconds); values are exactly as the report counts them (see
:mod:`certbot_privacy._internal.audit.values`). The text is ASCII
only: every non-ASCII character (C1 controls, bidi overrides, zero-width characters, line
separators, and letters) and DEL are ``\\u`` escapes, so printing it to a terminal is
safe, and a JSON parser reads the exact values back.
"""

import json
import math
from dataclasses import asdict
from json.encoder import encode_basestring_ascii as _string
from typing import Any, Callable, Dict, List, Optional, Tuple

from certbot_privacy._internal.audit.art30 import Art30Record, Quote
from certbot_privacy._internal.audit.coverage import sentences
from certbot_privacy._internal.audit.formats._common import ByHost, Format
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.summarise import RecipientStats, Summary, ValueStats
from certbot_privacy._internal.audit.verify import VerifyReport
from certbot_privacy._internal.rules.cas import Facts
from certbot_privacy._internal.rules.escape import json_ascii


def _dump(document: Dict[str, Any]) -> str:
    return json_ascii(indented(document)) + "\n"


class _Unlisted(Exception):
    """A value :func:`indented` leaves to ``json.dumps``."""


def indented(value: Any, newline: str = "\n") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=True)``: the same text, in about a third
    of the time (a big report's JSON is millions of pieces, and the standard library's
    encoder has no C code for indented output), every line after the first begun with
    *newline*'s indent. Strings are escaped by the standard library's own C function;
    anything but ``dict``, ``list``, ``tuple``, ``str``, ``int``, a finite ``float``,
    ``True``, ``False`` and ``None`` (or a key that is no ``str``) is left to
    ``json.dumps``, for the whole value."""
    pieces: List[str] = []
    try:
        _pieces(value, newline, pieces.append)
    except _Unlisted:
        text = json.dumps(value, indent=2, ensure_ascii=True)
        return text if newline == "\n" else text.replace("\n", newline)
    return "".join(pieces)


def _pieces(value: Any, newline: str, add: Callable[[str], None]) -> None:
    kind = value.__class__
    if kind is str:
        add(_string(value))
    elif kind is int:
        add(int.__repr__(value))
    elif kind is dict:
        if not value:
            add("{}")
            return
        inner = newline + "  "
        before, between = "{" + inner, "," + inner
        for key, item in value.items():
            if key.__class__ is not str:
                raise _Unlisted
            add(before)
            before = between
            add(_string(key))
            add(": ")
            if item.__class__ is str:  # most are: one call fewer
                add(_string(item))
            else:
                _pieces(item, inner, add)
        add(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            add("[]")
            return
        inner = newline + "  "
        before, between = "[" + inner, "," + inner
        for item in value:
            add(before)
            before = between
            _pieces(item, inner, add)
        add(newline + "]")
    elif value is True:
        add("true")
    elif value is False:
        add("false")
    elif value is None:
        add("null")
    elif kind is float and math.isfinite(value):
        add(float.__repr__(value))
    else:
        raise _Unlisted


def _outcomes(outcomes: Outcomes) -> Dict[str, int]:
    return {
        "requests": outcomes.requests,
        "answered": outcomes.answered,
        "refused": outcomes.refused,
        "not_delivered": outcomes.failed,
        "no_outcome": outcomes.unknown,
    }


def _value(value: ValueStats, timeline: bool) -> Dict[str, Any]:
    """One value's figures (its fields but ``days``, in their order; without asdict's deep
    copy: a big report has tens of thousands of values)."""
    document: Dict[str, Any] = {
        "value": value.value,
        "count": value.count,
        "first": value.first,
        "last": value.last,
        "privacy_off": value.privacy_off,
        "hosts": list(value.hosts),
    }
    if timeline:
        document["timeline"] = [{"day": day, "count": count} for day, count in value.days]
    return document


def recipient_document(r: RecipientStats, timeline: bool) -> Dict[str, Any]:
    """One recipient of a report (grouped by host: one host's) as a JSON-ready ``dict``."""
    return {
        "recipient": r.recipient,
        "name": r.name,
        "host": r.host,
        "hosts": list(r.hosts),
        "requests": r.requests,
        "outcomes": _outcomes(r.outcomes),
        "first": r.first,
        "last": r.last,
        "privacy_off": r.privacy_off,
        "categories": [
            {
                "category": c.category,
                "disclosures": c.disclosures,
                "distinct": c.distinct,
                "first": c.first,
                "last": c.last,
                "privacy_off": c.privacy_off,
                "values": [_value(v, timeline) for v in c.values],
            }
            for c in r.categories
        ],
    }


def report_document(summary: Summary) -> Dict[str, Any]:
    """The report as a JSON-ready ``dict``."""
    return {
        "format": "certbot-privacy-report/1",
        "filters": {
            "since": summary.filters.since,
            "until": summary.filters.until,
            "recipient": list(summary.filters.recipients),
            "domain": sorted(summary.filters.domains),
            "category": sorted(summary.filters.categories),
        },
        "files": list(summary.files),
        "by": summary.by,
        "hosts": list(summary.hosts),
        "lines": summary.lines,
        "records": summary.records,
        "events": dict(summary.events),
        "requests": summary.requests,
        "outcomes": _outcomes(summary.outcomes),
        "recipient_count": summary.recipient_count,
        "privacy_off": summary.privacy_off,
        "first": summary.first,
        "last": summary.last,
        "recipients": [recipient_document(r, summary.timeline) for r in summary.recipients],
        "categories": [asdict(c) | {"recipients": list(c.recipients)} for c in summary.categories],
        "coverage": asdict(summary.coverage) | {"sentences": list(sentences(summary.coverage))},
        "recording_began": [{"host": h, "first_record": t} for h, t in summary.began],
        "blocked": dict(summary.blocked),
        "notices": [asdict(n) for n in summary.notices],
        "skipped": summary.skipped,
        "copied": dict(summary.copied),
        "unauthenticated_records": summary.unauthenticated,
        "problems": [
            {"file": p.source, "line": p.lineno, "problem": p.message} for p in summary.problems
        ],
    }


def verify_document(report: VerifyReport) -> Dict[str, Any]:
    """The verification as a JSON-ready ``dict``."""
    files = []
    for verdict in report.files:
        failure = verdict.failure
        files.append(
            {
                "file": verdict.source,
                "host": verdict.host,
                "intact": verdict.intact,
                "lines": verdict.lines,
                "records": verdict.records,
                "parsed": verdict.parsed,
                "hash_checked": verdict.hash_checked,
                "head": verdict.head,
                "failure": None
                if failure is None
                else {
                    "line": failure.lineno,
                    "kind": failure.kind.value,
                    "message": failure.message,
                },
                "truncated_tail": None
                if verdict.truncated_tail is None
                else {
                    "line": verdict.truncated_tail.lineno,
                    "message": verdict.truncated_tail.message,
                },
                "missing_newline": verdict.missing_newline,
                "recovered_tails": [
                    {"line": p.lineno, "message": p.message} for p in verdict.recovered
                ],
                "discontinuities": [{"line": p.lineno, "message": p.message} for p in verdict.gaps],
            }
        )
    return {
        "format": "certbot-privacy-verify/1",
        "intact": report.intact,
        "records": report.records,
        "files": files,
        "copies": [
            {
                "host": c.host,
                "kind": c.kind,
                "files": list(c.sources),
                "records": c.records,
                "chains": c.chains,
                "gaps": c.gaps,
                "skipped": c.skipped,
                "problems": [
                    {"file": p.source, "line": p.lineno, "problem": p.message} for p in c.problems
                ],
                "intact": c.intact,
                "authenticated": c.authenticated,
                "repeated": c.repeated,
                "forked": c.forked,
                "forks": [
                    {
                        "seq": f.seq,
                        "time": f.time,
                        "candidates": list(f.candidates),
                        "message": f.message,
                    }
                    for f in c.forks
                ],
                "altered": c.altered,
                "alterations": [
                    {
                        "seq": a.seq,
                        "time": a.time,
                        "copy": a.where,
                        "after": a.before,
                        "message": a.message,
                    }
                    for a in c.alterations
                ],
                "rejected": c.rejected,
                "rejections": [
                    {"file": p.source, "line": p.lineno, "problem": p.message} for p in c.rejections
                ],
            }
            for c in report.copies
        ],
        "comparisons": [
            {
                "host": c.host,
                "agrees": c.agrees,
                "files": list(c.files),
                "copies": list(c.copies),
                "matched": c.matched,
                "missing_from_files": c.missing,
                "different_in_files": c.different,
                "forked_in_copy": c.forked,
                "not_in_copy": c.not_in_copy,
                "differences": [
                    {
                        "kind": d.kind,
                        "copy": d.copy_where,
                        "file": d.file_where,
                        "other_versions": list(d.others),
                        "seq": d.seq,
                        "time": d.time,
                        "message": d.message,
                    }
                    for d in c.differences
                ],
            }
            for c in report.comparisons
        ],
    }


def _quote(quote: Optional[Quote]) -> Optional[Dict[str, Any]]:
    return None if quote is None else asdict(quote)


def art30_document(record: Art30Record) -> Dict[str, Any]:
    """The Article 30 record as a JSON-ready ``dict``."""
    recipients = []
    for r in record.recipients:
        entry = asdict(r)
        for name in (
            "contact_use",
            "retention",
            "after_closure",
            "transfer",
            "deletion",
            "safeguard",
        ):
            entry[name] = _quote(getattr(r, name))
        entry["categories"] = list(r.categories)
        entry["hosts"] = list(r.hosts)
        recipients.append(entry)
    return {
        "format": "certbot-privacy-art30/1",
        "generated": record.generated,
        "activity": record.activity,
        "controller": asdict(record.controller),
        "purposes": list(record.purposes),
        "data_subjects": list(record.data_subjects),
        "personal_data": [
            asdict(c) | {"recipients": list(c.recipients)} for c in record.categories
        ],
        "recipients": recipients,
        "third_country_transfers": [
            {
                "recipient": r.recipient,
                "name": r.name,
                "country": r.country,
                "country_name": r.country_name,
                "third_country": r.third_country,
                "statement": _quote(r.transfer),
                "safeguard": _quote(r.safeguard),
            }
            for r in record.transfers
        ],
        "retention": {
            "recipients": [
                {
                    "recipient": r.recipient,
                    "name": r.name,
                    "statement": _quote(r.retention),
                    "after_closure": _quote(r.after_closure),
                }
                for r in record.recipients
            ],
            "disclosure_log": record.log_retention,
        },
        "security_measures": list(record.security_measures),
        "coverage": list(record.coverage),
        "period": {"first": record.first, "last": record.last},
        "evidence": {
            "files": list(record.files),
            "hosts": list(record.hosts),
            "recording_began": [{"host": h, "first_record": t} for h, t in record.began],
            "records": record.records,
            "requests": record.requests,
            "privacy_off": record.privacy_off,
            "skipped_lines": record.skipped,
            "copied": dict(record.copied),
        },
    }


def cas_document(facts: Facts) -> Dict[str, Any]:
    """The CA facts as shipped: ``facts`` is valid against ``rules/cas.schema.json``."""
    return {"format": "certbot-privacy-cas/1", "facts": dict(facts.document)}


#: Where the recipients go in a report's text (two spaces in: a key of the document).
_RECIPIENTS = '\n  "recipients": ['


def _around(summary: Summary) -> Tuple[str, str]:
    """The report's text before its recipients' objects, and after."""
    document = report_document(summary)
    document["recipients"] = []
    text = _dump(document)
    cut = text.index(_RECIPIENTS) + len(_RECIPIENTS)
    return text[:cut], text[cut:]


def _recipients(summary: Summary) -> str:
    """The recipients' objects of *summary* (one host's), as they are in the report's text."""
    return ",\n".join(
        "    " + json_ascii(indented(recipient_document(r, summary.timeline), "\n    "))
        for r in summary.recipients
    )


def by_host() -> ByHost:
    """The report grouped by host, host by host (the text of :func:`report_document`'s)."""
    return ByHost(
        head=lambda summary: _around(summary)[0],
        block=_recipients,
        tail=lambda summary: _around(summary)[1],
        opening="\n",
        separator=",\n",
        closing="\n  ",
    )


FORMAT = Format(
    name="json",
    report=lambda summary: _dump(report_document(summary)),
    report_by_host=by_host,
    verify=lambda report: _dump(verify_document(report)),
    art30=lambda record: _dump(art30_document(record)),
    cas=lambda facts: _dump(cas_document(facts)),
)
