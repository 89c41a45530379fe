"""Which records an audit looks at: ``--since/--until/--recipient/--domain/--category`` (pure).

* ``since``/``until``: canonical UTC times (see :mod:`.times`), both inclusive;
* ``recipients``: a record matches if its recipient contains any of them, ignoring case,
  so ``letsencrypt.org`` selects every Let's Encrypt endpoint and a full directory URL
  selects just that one;
* ``domains``: a request matches if it disclosed one of these domain names (exact, ignoring
  case and a trailing dot), and then all of its personal data counts, so that the report
  shows what else went out together with that name (account key, contact, User-Agent);
* ``categories``: only these personal-data categories are counted.

Empty means "no restriction" throughout.
"""

from dataclasses import dataclass
from typing import FrozenSet, Optional, Tuple


def normalize_domain(name: str) -> str:
    """Return *name* in the form domains are compared in: lower case, no trailing dot."""
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True)
class Filters:
    """The selection an audit applies; the default selects everything."""

    since: Optional[str] = None
    until: Optional[str] = None
    recipients: Tuple[str, ...] = ()
    domains: FrozenSet[str] = frozenset()
    categories: FrozenSet[str] = frozenset()

    @classmethod
    def create(
        cls,
        since: Optional[str] = None,
        until: Optional[str] = None,
        recipients: Tuple[str, ...] = (),
        domains: Tuple[str, ...] = (),
        categories: Tuple[str, ...] = (),
    ) -> "Filters":
        """Build filters from user input, normalising recipients, domains and categories."""
        return cls(
            since=since,
            until=until,
            recipients=tuple(r.strip().lower() for r in recipients if r.strip()),
            domains=frozenset(normalize_domain(d) for d in domains if d.strip()),
            categories=frozenset(c.strip() for c in categories if c.strip()),
        )

    @property
    def active(self) -> bool:
        """Whether anything is filtered out at all."""
        return bool(self.since or self.until or self.recipients or self.domains or self.categories)

    def time_matches(self, canonical_time: str) -> bool:
        """Whether a canonical time lies within ``since``..``until``."""
        if self.since is not None and canonical_time < self.since:
            return False
        return self.until is None or canonical_time <= self.until

    def recipient_matches(self, recipient: str) -> bool:
        """Whether *recipient* is one the user asked for (any, if none was named)."""
        if not self.recipients:
            return True
        lowered = recipient.lower()
        return any(wanted in lowered for wanted in self.recipients)

    def domains_match(self, disclosed: object) -> bool:
        """Whether a request that disclosed the domain names *disclosed* is selected."""
        if not self.domains:
            return True
        if not isinstance(disclosed, list):
            return False
        return any(
            isinstance(name, str) and normalize_domain(name) in self.domains for name in disclosed
        )

    def category_matches(self, category: str) -> bool:
        """Whether personal-data *category* is counted."""
        return not self.categories or category in self.categories

    def describe(self) -> Tuple[Tuple[str, str], ...]:
        """The active filters as ``(flag, value)`` pairs, for the header of a report."""
        shown = []
        if self.since:
            shown.append(("since", self.since))
        if self.until:
            shown.append(("until", self.until))
        shown.extend(("recipient", r) for r in self.recipients)
        shown.extend(("domain", d) for d in sorted(self.domains))
        shown.extend(("category", c) for c in sorted(self.categories))
        return tuple(shown)
