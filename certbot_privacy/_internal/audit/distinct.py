"""How many distinct values, in 8 bytes a value: a compact, mergeable count (pure).

The Art. 30 record needs how many different values of each category went to each
recipient and overall, not the values themselves. :class:`Distinct` keeps a 64-bit
digest of each value (BLAKE2b, the same in every process, so parts read by other
workers merge) in an ``array``, sorted and deduplicated whenever it has doubled: memory
is about 8 to 16 bytes per distinct value, whatever the log's size. Two different values
share a digest with a probability of about n²/2⁶⁵ (one in ten million for a million
values): the count is exact for any log this tool meets.
"""

from array import array
from hashlib import blake2b
from typing import Iterable


def digest(text: str) -> int:
    """The 64-bit digest of *text* (the same in every process)."""
    return int.from_bytes(
        blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big"
    )


class Distinct:
    """A count of distinct values (see the module documentation)."""

    __slots__ = ("_compact", "_digests")

    def __init__(self) -> None:
        self._digests = array("Q")
        self._compact = 0  # how many of the digests are sorted and unique

    def add(self, text: str) -> None:
        """Count *text* (again, or for the first time)."""
        self._digests.append(digest(text))
        if len(self._digests) >= 2 * self._compact + 1024:
            self._squeeze()

    def _squeeze(self) -> None:
        digests = sorted(self._digests)  # no set: a set of ints would cost far more
        unique = array("Q")
        last = -1
        for value in digests:
            if value != last:
                unique.append(value)
                last = value
        self._digests = unique
        self._compact = len(unique)

    def update(self, digests: Iterable[int]) -> None:
        """Count the digests of another count (squeezed only once they have doubled, so
        merging thousands of parts stays linear)."""
        self._digests.extend(digests)
        if len(self._digests) >= 2 * self._compact + 1024:
            self._squeeze()

    def merge(self, other: "Distinct") -> None:
        """Add what *other* counted."""
        self.update(other._digests)

    def digests(self) -> "array[int]":
        """Every distinct digest, once."""
        self._squeeze()
        return self._digests

    def __len__(self) -> int:
        self._squeeze()
        return self._compact
