"""--since/--until bounds and the record selection they and the other filters make."""

import pytest

from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.times import parse_bound


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("2024-05-01", False, "2024-05-01T00:00:00.000Z"),
        ("2024-05-01", True, "2024-05-01T23:59:59.999Z"),
        ("2024-02-29", True, "2024-02-29T23:59:59.999Z"),
        ("2024-05-01T12:00:00Z", False, "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T12:00:00.123456789+02:00", True, "2024-05-01T10:00:00.123Z"),
        ("2024-05-01t01:30:00-05:30", False, "2024-05-01T07:00:00.000Z"),
        ("2016-12-31T23:59:60Z", False, "2016-12-31T23:59:59.999Z"),
        (" 2024-05-01 ", False, "2024-05-01T00:00:00.000Z"),
    ],
)
def test_bounds_become_canonical_utc_times(text: str, end_of_day: bool, expected: str) -> None:
    """Dates and RFC 3339 times with any offset become the log's own time form."""
    assert parse_bound(text, end_of_day=end_of_day) == expected


@pytest.mark.parametrize(
    "text", ["2024-13-01", "yesterday", "2024-05-01T12:00:00", "2024-05-01T25:00:00Z", "1714521600"]
)
def test_other_bounds_are_refused_with_a_reason(text: str) -> None:
    """Anything else is a ValueError whose message names the accepted forms."""
    with pytest.raises(ValueError, match=r"date|RFC 3339"):
        parse_bound(text, end_of_day=False)


def test_time_bounds_are_inclusive() -> None:
    """A record exactly at --since or --until is selected."""
    filters = Filters.create(since="2024-05-01T00:00:00.000Z", until="2024-05-01T23:59:59.999Z")
    assert filters.time_matches("2024-05-01T00:00:00.000Z")
    assert filters.time_matches("2024-05-01T23:59:59.999Z")
    assert not filters.time_matches("2024-05-02T00:00:00.000Z")
    assert not filters.time_matches("2024-04-30T23:59:59.999Z")


def test_domains_match_whatever_the_case_and_trailing_dot() -> None:
    """--domain Example.ORG. selects a request that disclosed example.org."""
    filters = Filters.create(domains=("Example.ORG.",))
    assert filters.domains_match(["www.example.org", "example.org"])
    assert not filters.domains_match(["www.example.org"])
    assert not filters.domains_match(None)


def test_no_filters_select_everything() -> None:
    """The default selection is everything, and says it is not active."""
    filters = Filters()
    assert not filters.active and filters.describe() == ()
    assert filters.recipient_matches("anything") and filters.category_matches("contact")
    assert filters.domains_match(None)
