"""Whether the facts shown about a CA may be out of date (pure).

The facts record, for a CA that has one, the terms of service URL its ACME directory
announces (``meta.termsOfService``); certbot fetches the directory anyway, so each run can
compare. Other terms (a new agreement usually comes with a new policy), or facts last
reviewed more than ``max_age_months`` ago, are drift: the consent notice says so, certbot
prints one warning, and the disclosure log gets a ``notice`` record.
"""

import datetime
from dataclasses import dataclass
from typing import Optional

from certbot_privacy._internal.rules.cas import CAInfo

__all__ = ["Drift", "add_months", "drift"]


@dataclass(frozen=True)
class Drift:
    """Why the facts shown about a CA may be out of date.

    ``terms_changed``: the directory announced other terms (``announced``, ``None`` for
    none) than the facts expect (``expected``). ``stale``: the facts were last reviewed
    on ``checked``, more than ``max_age_months`` before today.
    """

    ca_key: str
    terms_changed: bool
    expected: Optional[str]
    announced: Optional[str]
    stale: bool
    checked: str
    max_age_months: int


def add_months(day: datetime.date, months: int) -> datetime.date:
    """*day* plus *months* calendar months (the last day of the month where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def drift(
    ca: CAInfo, today: datetime.date, *, checked: str, max_age_months: int
) -> Optional[Drift]:
    """Compare what *ca*'s directory announced with the facts, and the facts' age with *today*.

    ``None`` when nothing suggests the facts are out of date, and always for a CA the
    facts do not know (there is nothing to be out of date). The terms are compared only
    where the facts record the URL the directory should announce.
    """
    if not ca.known:
        return None
    expected = ca.terms.url if ca.terms is not None else None
    announced = ca.terms_of_service
    changed = expected is not None and (announced or "").strip() != expected
    stale = today > add_months(datetime.date.fromisoformat(checked), max_age_months)
    if not (changed or stale):
        return None
    return Drift(
        ca_key=ca.key,
        terms_changed=changed,
        expected=expected,
        announced=announced,
        stale=stale,
        checked=checked,
        max_age_months=max_age_months,
    )
