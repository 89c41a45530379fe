"""contract.Repeats: a line that repeats an earlier one but for seq, time, request and prev
gives the record and the problem that contract.parse gives, whatever else differs."""

import re
from pathlib import Path
from typing import Any, Iterable, List, Optional, Tuple

import pytest

from certbot_privacy._internal.audit import contract, formats
from certbot_privacy._internal.audit import summarise as summarise_module
from certbot_privacy._internal.audit.filters import Filters
from certbot_privacy._internal.audit.summarise import summarise
from certbot_privacy._internal.log import chain, records
from tests.helpers.audit import (
    DAY,
    LE,
    REAL_LOGS,
    T0,
    fleet_log,
    lines_of,
    read_items,
    request,
    response,
    write_log,
)

PREV = "sha256:" + "ab" * 32
OTHER_PREV = "sha256:" + "0c" * 32


def _response(seq: int, request: int, prev: str = PREV, rest: str = "") -> bytes:
    """A response line in the writer's form (its fields in the writer's order)."""
    return (
        f'{{"schema":1,"seq":{seq},"time":"2024-05-01T00:00:0{seq % 10}.000Z",'
        f'"event":"response","request":{request},"recipient":"https://ca.example/dir",'
        f'"method":"GET","url":"https://ca.example/ari/1","status":200{rest},"prev":"{prev}"}}'
    ).encode()


def _kept(repeats: contract.Repeats, line: bytes) -> None:
    """Meet *line* as often as it takes for its middle to be kept."""
    for _ in range(repeats.MET):
        repeats.parse(line)
    assert repeats._known


def _moved(line: bytes, shift: int) -> bytes:
    """*line* with its seq moved on by *shift* thousand and another prev (if in the
    writer's form)."""
    match = re.match(rb'\{"schema":1,"seq":([0-9]+),', line)
    if match is None or not re.search(rb',"prev":"sha256:[0-9a-f]{64}"\}\Z', line):
        return line
    seq = int(match[1]) + 1000 * shift
    return (
        b'{"schema":1,"seq":%d,' % seq
        + line[match.end() : -66]
        + chain.digest(b"%d" % shift)[7:].encode()
        + b'"}'
    )


def test_every_line_of_real_logs_read_again_gives_the_same_record(tmp_path: Path) -> None:
    """Each line of the real logs and of a fleet's log, met four times with other seq
    and prev, gives exactly contract.parse's record (the fourth is read from the kept
    middle)."""
    repeats = contract.Repeats()
    lines: List[bytes] = [
        line for path in [*REAL_LOGS, fleet_log(tmp_path / "f.jsonl")] for line in lines_of(path)
    ]
    assert len(lines) > 100
    for line in lines:
        for shift in range(repeats.MET + 1):
            moved = _moved(line, shift)
            assert repeats.parse(moved) == contract.parse(moved)
    assert len(repeats._known) > 50  # most lines were read from a kept middle


def test_a_repeated_response_gets_its_own_seq_time_request_and_prev() -> None:
    repeats = contract.Repeats()
    _kept(repeats, _response(5, 4))
    record, problem = repeats.parse(_response(17, 9, OTHER_PREV))
    assert problem is None and record is not None
    assert (record["seq"], record["time"], record["request"], record["prev"]) == (
        17,
        "2024-05-01T00:00:07.000Z",
        9,
        OTHER_PREV,
    )
    assert list(record) == list(contract.parse(_response(17, 9, OTHER_PREV))[0] or {})


def test_a_repeated_response_to_a_later_request_is_refused_as_parse_refuses_it() -> None:
    repeats = contract.Repeats()
    _kept(repeats, _response(5, 4))
    later = _response(6, 6)
    assert repeats.parse(later) == (
        None,
        'not a record: "request" is 6, not the seq of an earlier request',
    )


def test_a_repeated_middle_with_another_event_is_not_taken_for_the_first() -> None:
    repeats = contract.Repeats()
    _kept(repeats, _response(5, 4))
    error = _response(7, 6).replace(b'"event":"response"', b'"event":"error"')
    record, problem = repeats.parse(error)
    assert problem is None and record is not None and record["event"] == "error"


@pytest.mark.parametrize(
    "prev",
    ["sha256:" + "AB" * 32, "sha256:" + "ab" * 31 + "a", "md5:" + "ab" * 32],
    ids=["upper-case", "short", "not-sha256"],
)
def test_a_repeated_line_with_a_bad_prev_gets_parse_s_problem(prev: str) -> None:
    repeats = contract.Repeats()
    _kept(repeats, _response(5, 4))
    line = _response(7, 6, prev)
    assert repeats.parse(line) == contract.parse(line)
    assert repeats.parse(line)[0] is None


def test_a_key_given_twice_in_the_middle_is_refused_every_time() -> None:
    repeats = contract.Repeats()
    line = _response(5, 4, rest=',"status":201')
    for _ in range(3):
        assert repeats.parse(line) == (None, "not a record: the key 'status' appears twice")
    assert not repeats._known


def test_what_is_kept_stays_within_its_bound() -> None:
    """Thousands of distinct middles, each kept: the kept bytes never pass BYTES."""
    repeats = contract.Repeats()
    repeats.BYTES = 64 * 1024
    for n in range(3000):
        line = _response(5, 4, chain.digest(b"%d" % n), rest=f',"reason":"{n:0500d}"')
        _kept(repeats, line)
        assert repeats._bytes <= repeats.BYTES
        assert sum(map(len, repeats._known)) == repeats._bytes
        assert sum(map(len, repeats._older)) <= repeats.BYTES
        assert len(repeats._seen) <= repeats.SEEN and len(repeats._seen_older) <= repeats.SEEN


def test_a_middle_met_every_day_stays_kept_among_lines_met_once() -> None:
    """A daily line, kept, then each day more lines met once than a generation holds (the
    unique lines of a renewal's signed requests): it is still read from its kept middle
    every day, and so is a daily line that came after them and was met three times."""
    repeats = contract.Repeats()
    repeats.BYTES = 16 * 1024
    repeats.SEEN = 256
    daily = _response(5, 4)
    later = _response(5, 4, rest=',"reason":"later"')
    _kept(repeats, daily)
    for day in range(10):
        for n in range(200):  # each met once: counted, then forgotten, never kept
            repeats.parse(_response(5, 4, rest=f',"reason":"{day}-{n}{"x" * 200}"'))
            if n % 50 == 0:  # met often enough to be kept: they fill the generations
                for _ in range(repeats.MET):
                    repeats.parse(_response(5, 4, rest=f',"reason":"{day}-{n}{"y" * 2000}"'))
        repeats.parse(daily)
        assert repeats.hit is not None, day
        repeats.parse(later)
        assert (repeats.hit is not None) == (day >= repeats.MET), day


class _Plain:
    """contract.parse alone, in Repeats' place: nothing kept, nothing shared, no line
    counted from what an earlier one changed."""

    hit = None
    drops = 0

    @staticmethod
    def parse(raw: bytes) -> Tuple[Optional[contract.Record], Optional[str]]:
        return contract.parse(raw)

    read = parse

    def clear(self) -> None:
        pass


def _repeating_log(path: Path, days: Iterable[int]) -> Path:
    """A log of three ARI requests a day, on *days* in that order (a clock set back: in
    reverse), each with its response, but for the second on odd days, whose send failed;
    the third is refused and sent with privacy mode off."""
    for day in days:
        for n in range(3):
            url = f"https://acme-v02.api.letsencrypt.org/acme/renewal-info/{n}"
            sent = request(T0 + day * DAY + n, method="GET", url=url)
            if n == 2:
                sent["privacy_mode"] = False
            write_log(path, [sent])
            seq = len(lines_of(path)) - 1
            if n == 1 and day % 2:
                outcome = records.error_record(
                    request_seq=seq,
                    error="timed out",
                    recipient=LE,
                    method="GET",
                    url=url,
                    when=T0 + day * DAY + n + 1,
                )
            else:
                outcome = response(T0 + day * DAY + n + 1, seq, status=200 + 300 * (n == 2))
            write_log(path, [outcome])
    return path


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters.create(categories=("user_agent", "certificate")),
        Filters.create(since="2024-05-03T00:00:00.000Z"),
    ],
    ids=["all", "categories", "since"],
)
@pytest.mark.parametrize(
    ("timeline", "months", "by"),
    [(False, False, "recipient"), (True, False, "recipient"), (False, True, "host")],
    ids=["", "timeline", "months-by-host"],
)
def test_the_summary_of_repeated_lines_is_the_summary_without_repeats(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filters: Filters,
    timeline: bool,
    months: bool,
    by: str,
) -> None:
    """A log whose requests and responses repeat day after day (most lines read from a kept
    middle, their personal data labelled once, and, without filters, counted from what
    the first line counted changed), with a fleet's log after it: the same summary, and
    the same JSON, as with every line parsed afresh."""
    path = _repeating_log(tmp_path / "repeated.jsonl", range(100, 112))  # after the fleet
    backwards = _repeating_log(tmp_path / "backwards.jsonl", reversed(range(-12, 0)))
    fleet = fleet_log(tmp_path / "fleet.jsonl")
    items = read_items(backwards, path, fleet, path)
    again = summarise_module.Accumulator._repeat
    repeated: List[str] = []

    def counted_again(self: summarise_module.Accumulator, *args: Any) -> None:
        repeated.append(args[0][2])
        again(self, *args)

    monkeypatch.setattr(summarise_module.Accumulator, "_repeat", counted_again)
    ours = summarise(items, filters, by=by, months=months, timeline=timeline)
    assert summarise_module._REPEATS._known and summarise_module._LABELLED  # both were used
    if not filters.active:
        assert {"request", "response", "error"} <= set(repeated)
    monkeypatch.setattr(summarise_module, "_REPEATS", _Plain())
    plain = summarise(items, filters, by=by, months=months, timeline=timeline)
    assert ours == plain
    render = formats.report_renderer("json")
    assert render(ours) == render(plain)
    assert ours.requests >= 24 if not filters.active else ours.requests > 0


def test_what_a_summary_keeps_per_kept_record_goes_when_the_record_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With generations small enough to be dropped many times over a log of daily lines,
    every record the accumulator keeps what it changed for is one Repeats still keeps:
    none is kept alive past its generation."""
    monkeypatch.setattr(summarise_module, "_REPEATS", contract.Repeats())
    summarise_module._REPEATS.BYTES = 2048
    path = tmp_path / "daily.jsonl"
    for day in range(12):
        for n in range(12 if day < 6 else 1):  # the generations overflow, then do not
            url = f"https://acme-v02.api.letsencrypt.org/acme/renewal-info/{n}"
            write_log(path, [request(T0 + day * DAY + n, method="GET", url=url)])
    accumulator = summarise_module.accumulate(read_items(path))
    repeats = summarise_module._REPEATS
    assert repeats.drops > 2 and accumulator._again
    kept = {id(record) for _, record in [*repeats._known.values(), *repeats._older.values()]}
    assert {id(again[0]) for again in accumulator._again.values()} <= kept
