"""What became of each request: answered, answered with an error, or never delivered (pure).

The log is write-ahead: a ``request`` record is written before the request leaves, and a
``response`` (the status that came back) or an ``error`` (the send failed: DNS, refused
connection, timeout) follows it, naming the request by its ``seq``. So a request record
alone does not say the recipient got it: :class:`Tracker` pairs each counted request with
its outcome. A request whose outcome never came (a crash, a log cut short) is counted as
such, never as delivered. Memory is bounded: requests wait for their outcome in a map of
at most :data:`PENDING_LIMIT` entries (outcomes follow their request within a run).
"""

from dataclasses import dataclass
from typing import Dict, Generic, Hashable, Optional, Tuple, TypeVar

#: How many requests at most wait for their outcome (the oldest then count as "none").
PENDING_LIMIT = 4096

#: HTTP statuses from this one up are an answer with an error (the recipient refused).
ERROR_STATUS = 400

ANSWERED = "answered"
REFUSED = "refused"
FAILED = "failed"

Key = TypeVar("Key", bound=Hashable)
#: Where a request was read: (source, host, seq).
Place = Tuple[str, Optional[str], int]


@dataclass(frozen=True)
class Outcomes:
    """What became of *requests* requests (``unknown``: no outcome in the log)."""

    requests: int = 0
    answered: int = 0
    refused: int = 0
    failed: int = 0

    @property
    def unknown(self) -> int:
        """Requests with no response or error record: the log cannot say they arrived."""
        return max(self.requests - self.answered - self.refused - self.failed, 0)

    @property
    def delivered(self) -> int:
        """Requests the recipient answered (with or without an error): it received them."""
        return self.answered + self.refused

    def __add__(self, other: "Outcomes") -> "Outcomes":
        return Outcomes(
            self.requests + other.requests,
            self.answered + other.answered,
            self.refused + other.refused,
            self.failed + other.failed,
        )


def kind(event: str, status: object) -> str:
    """The outcome an ``error`` or ``response`` record (with *status*) stands for."""
    if event == "error":
        return FAILED
    if isinstance(status, int) and not isinstance(status, bool) and status >= ERROR_STATUS:
        return REFUSED
    return ANSWERED


class Tracker(Generic[Key]):
    """Pairs requests (by where they were read) with their outcomes, per *Key* (a recipient,
    or a host and recipient): :meth:`counts` says how many of each."""

    def __init__(self) -> None:
        self._pending: Dict[Place, Key] = {}
        self._orphans: Dict[Place, str] = {}
        self._counts: Dict[Key, Dict[str, int]] = {}

    def request(self, place: Place, key: Key) -> None:
        """A counted request was read at *place*, for *key*."""
        orphan = self._orphans.pop(place, None)
        if orphan is not None:  # its outcome came first (a file read in parts)
            self._count(key, orphan)
            return
        if len(self._pending) >= PENDING_LIMIT:
            del self._pending[next(iter(self._pending))]
        self._pending[place] = key

    def outcome(self, place: Place, outcome: str, keep_orphan: bool = False) -> None:
        """The request read at *place* had *outcome*. *keep_orphan*: remember it if that
        request was not seen (yet: the part of the file before this one)."""
        key = self._pending.pop(place, None)
        if key is not None:
            self._count(key, outcome)
        elif keep_orphan and len(self._orphans) < PENDING_LIMIT:
            self._orphans[place] = outcome

    def _count(self, key: Key, outcome: str) -> None:
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = {}
        counts[outcome] = counts.get(outcome, 0) + 1

    def merge(self, other: "Tracker[Key]") -> None:
        """Take in *other* (the tracker of a later part or file)."""
        for place, outcome in other._orphans.items():
            self.outcome(place, outcome)
        for key, counts in other._counts.items():
            for outcome, count in counts.items():
                mine = self._counts.setdefault(key, {})
                mine[outcome] = mine.get(outcome, 0) + count
        for place, key in other._pending.items():
            self.request(place, key)

    def counts(self, key: Key, requests: int) -> Outcomes:
        """The outcomes of the *requests* requests counted for *key*."""
        counts = self._counts.get(key, {})
        return Outcomes(
            requests, counts.get(ANSWERED, 0), counts.get(REFUSED, 0), counts.get(FAILED, 0)
        )
