"""What the format modules share: the :class:`Format` interface and small text helpers.

Text from a log is shown through :func:`certbot_privacy._internal.rules.escape.printable`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, List, Optional, Tuple

from certbot_privacy._internal.log.classify import CT_RECIPIENT

if TYPE_CHECKING:
    from certbot_privacy._internal.audit.art30 import Art30Record
    from certbot_privacy._internal.audit.letters import Letter
    from certbot_privacy._internal.audit.summarise import Summary
    from certbot_privacy._internal.audit.verify import VerifyReport
    from certbot_privacy._internal.rules.cas import Facts


@dataclass(frozen=True)
class ByHost:
    """How a format writes a report grouped by host one host at a time, in memory bounded
    by the largest host (:func:`certbot_privacy._internal.audit.parallel.by_host`):
    ``block`` renders one host's summary (in a worker process: a module-level function or
    a ``functools.partial`` of one); ``head`` and ``tail`` render what comes before and
    after the hosts from the totals (a summary whose recipients carry no values);
    ``opening``, ``separator`` and ``closing`` go before the first, between two and after
    the last block that is not empty. Together they write what the whole summary's
    renderer writes, byte for byte. With *limit*, only the first *limit* blocks that are
    not empty are written, then ``beyond(N)`` for the N left out (their figures still
    count in the totals): a page for a fleet stays a size a browser opens."""

    head: Callable[["Summary"], str]
    block: Callable[["Summary"], str]
    tail: Callable[["Summary"], str]
    opening: str = ""
    separator: str = ""
    closing: str = ""
    limit: Optional[int] = None
    beyond: Optional[Callable[[int], str]] = None


@dataclass(frozen=True)
class Format:
    """One output format: its name and the renderers it has (``None``: not this format);
    ``report_by_host`` makes the :class:`ByHost` of a report grouped by host."""

    name: str
    report: Optional[Callable[["Summary"], str]] = None
    report_by_host: Optional[Callable[[], ByHost]] = None
    verify: Optional[Callable[["VerifyReport"], str]] = None
    art30: Optional[Callable[["Art30Record"], str]] = None
    letters: Optional[Callable[[Tuple["Letter", ...]], str]] = None
    cas: Optional[Callable[["Facts"], str]] = None


def short_time(canonical: Optional[str]) -> str:
    """``2024-05-01T12:34:56.789Z`` as ``2024-05-01 12:34:56`` (UTC, said in headings)."""
    if not canonical:
        return "-"
    return canonical[:10] + " " + canonical[11:19]


def plural(count: int, noun: str, nouns: Optional[str] = None) -> str:
    """``1 record``, ``2 records``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def published(recipient: str) -> bool:
    """Whether *recipient* is the Certificate Transparency logs: no host sends them anything;
    the CA publishes the names of the orders the hosts finalized (the records'
    ``published``). Its figures are said as such, never as requests a host sent."""
    return recipient == CT_RECIPIENT


def requests_words(recipient: str, count: int) -> str:
    """*count* requests to *recipient*, in words (for the CT logs: the finalized orders
    whose names the CA publishes)."""
    if published(recipient):
        return f"the names of {plural(count, 'finalized order')}, published by the CA"
    return plural(count, "request")


def senders_word(recipient: str) -> str:
    """How the hosts stand to *recipient*: they sent to it, or ordered what is published."""
    return "ordered from" if published(recipient) else "from"


def sent_word(recipient: str) -> str:
    """What happened to the values: sent to *recipient*, or published (the CT logs)."""
    return "published" if published(recipient) else "sent"


def copies_notes(copied: Tuple[Tuple[str, int], ...]) -> List[str]:
    """What the records read from copies only rest on, one sentence per kind of copy
    (``Summary.copied``): syslog's are unauthenticated, the journal's were checked."""
    notes = []
    for kind, count in copied:
        come = "comes" if count == 1 else "come"
        if kind == "syslog":
            notes.append(
                f"{plural(count, 'record')} {come} from syslog copies only (RFC 3164/5424), "
                "which are unauthenticated: any local user, or any sender a log server "
                "accepts, can write such a line; the hosts' own files and the journal are "
                "better evidence."
            )
        elif kind == "journal":
            notes.append(
                f"{plural(count, 'record')} {come} from journal copies only, not from the "
                "hosts' own files (journald's trusted fields show the certbot process "
                "wrote them)."
            )
    return notes
