"""The figures of a report: the frozen values :mod:`.summarise` computes and every format
renders (per value, category, recipient, and the whole summary), and recipients' names
from the CA facts (pure)."""

from dataclasses import dataclass, field
from typing import Optional, Tuple

from certbot_privacy._internal.audit.coverage import CoverageStats
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.outcomes import Outcomes
from certbot_privacy._internal.audit.source import UNAUTHENTICATED, LineProblem
from certbot_privacy._internal.audit.timeline import Timelines
from certbot_privacy._internal.log.classify import CT_RECIPIENT, EFF_RECIPIENT


@dataclass(frozen=True)
class ValueStats:
    """One distinct value of one category sent to one recipient."""

    value: str
    count: int
    first: str
    last: str
    privacy_off: int
    #: The hosts that sent it (grouped by recipient; the one host, grouped by host).
    hosts: Tuple[str, ...] = ()
    #: With a timeline: ``(day, count)`` for each day it was sent, in order.
    days: Tuple[Tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CategoryStats:
    """One category of personal data sent to one recipient, value by value."""

    category: str
    disclosures: int
    first: str
    last: str
    privacy_off: int
    values: Tuple[ValueStats, ...]
    #: The number of distinct values, where they were counted but not kept (Art. 30).
    counted: Optional[int] = None

    @property
    def distinct(self) -> int:
        """How many different values of this category went to the recipient."""
        return self.counted if self.counted is not None else len(self.values)


@dataclass(frozen=True)
class RecipientStats:
    """Everything sent to one recipient (by one host, when the summary is grouped by host).

    ``host`` is the host when grouped by host (``None`` for lines no input attributes to
    a host); ``hosts`` names every host that sent to the recipient.
    """

    recipient: str
    requests: int
    first: str
    last: str
    privacy_off: int
    categories: Tuple[CategoryStats, ...]
    host: Optional[str] = None
    hosts: Tuple[str, ...] = ()
    outcomes: Outcomes = field(default_factory=Outcomes)

    @property
    def name(self) -> str:
        """Who the recipient is, from the CA facts (the log's name where they know none)."""
        return recipient_name(self.recipient)


@dataclass(frozen=True)
class CategoryTotal:
    """One category over every recipient: disclosures, distinct values (each value once,
    however many recipients got it), and the recipients."""

    category: str
    disclosures: int
    distinct: int
    recipients: Tuple[str, ...]


@dataclass(frozen=True)
class NoticeStats:
    """A warning the plugin gave (a ``notice`` record), and how often, first and last."""

    recipient: str
    kind: str
    detail: str
    count: int
    first: str
    last: str


@dataclass(frozen=True)
class Summary:
    """The result of :func:`summarise`."""

    recipients: Tuple[RecipientStats, ...]
    filters: Filters
    files: Tuple[str, ...]
    lines: int
    records: int
    events: Tuple[Tuple[str, int], ...]
    requests: int
    blocked: Tuple[Tuple[str, int], ...]
    skipped: int
    problems: Tuple[LineProblem, ...]
    first: Optional[str] = None
    last: Optional[str] = None
    notices: Tuple[NoticeStats, ...] = ()
    by: str = "recipient"
    hosts: Tuple[str, ...] = ()
    #: Every recipient's name once, whatever the grouping.
    recipient_names: Tuple[str, ...] = ()
    categories: Tuple[CategoryTotal, ...] = ()
    outcomes: Outcomes = field(default_factory=Outcomes)
    timeline: bool = False
    #: Requests per month by recipient and host, when asked for (the HTML report's timeline).
    months: Optional[Timelines] = None
    #: Records read from copies only (``"journal"``, ``"syslog"``: :func:`.source.provenance`),
    #: by kind; a record also in a host's file is the file's (``source.read``).
    copied: Tuple[Tuple[str, int], ...] = ()
    #: What the records say the log could see (:mod:`.coverage`).
    coverage: CoverageStats = field(default_factory=CoverageStats)
    #: When recording began: the first record's time, per host (``None``: no host named).
    began: Tuple[Tuple[Optional[str], str], ...] = ()

    @property
    def unauthenticated(self) -> int:
        """How many records come from copies that authenticate no sender (syslog)."""
        return sum(n for kind, n in self.copied if kind in UNAUTHENTICATED)

    @property
    def privacy_off(self) -> int:
        """How many selected requests went out with privacy mode off."""
        return sum(r.privacy_off for r in self.recipients if r.recipient != CT_RECIPIENT)

    @property
    def recipient_count(self) -> int:
        """How many recipients got something (the same grouped by host or not)."""
        return len(self.recipient_names)


def recipient_name(recipient: str) -> str:
    """The name of *recipient* as the CA facts give it: a CA's display name for its
    directory URL (a CA they do not know by its host, as the Art. 30 record names it), the
    EFF's; else the log's own name for it."""
    from certbot_privacy._internal.rules import facts_file

    if recipient.startswith(("https://", "http://")):
        return facts_file.for_directory(recipient).display_name or recipient
    if recipient == EFF_RECIPIENT:
        return facts_file.facts().other("eff").display_name
    return recipient
