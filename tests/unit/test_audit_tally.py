"""audit.tally.Stats: add_each, the inlined add of the report's inner loops, is add."""

from typing import List, Tuple

from hypothesis import given
from hypothesis import strategies as st

from certbot_privacy._internal.audit.tally import Stats

_TIMES = st.sampled_from(
    ["2024-05-01T00:00:00.000Z", "2024-05-01T12:00:00.000Z", "2024-05-02T00:00:00.000Z"]
)


def _state(stats: Stats) -> Tuple[object, ...]:
    return (stats.count, stats.first, stats.last, stats.off, stats.days)


@given(
    start=st.lists(st.tuples(_TIMES, st.integers(0, 1), st.booleans()), min_size=1, max_size=4),
    adds=st.lists(st.tuples(_TIMES, st.integers(0, 1)), max_size=6),
)
def test_add_each_is_add_on_each(
    start: List[Tuple[str, int, bool]], adds: List[Tuple[str, int]]
) -> None:
    """Tallies with and without days, some given twice: add_each leaves each as add does."""
    ours = [Stats(time, off, days) for time, off, days in start]
    theirs = [Stats(time, off, days) for time, off, days in start]
    for time, off in adds:
        Stats.add_each(ours + ours[:1], time, off)  # the first one twice, as a value can be
        for stats in theirs + theirs[:1]:
            stats.add(time, off)
    assert [_state(s) for s in ours] == [_state(s) for s in theirs]
