"""The log writer: hash chain, write-ahead durability, file safety, crash tails, rotation."""

import base64
import errno
import json
import multiprocessing
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log import chain, records
from certbot_privacy._internal.log.reader import iter_lines
from certbot_privacy._internal.log.writer import DisclosureLog
from tests.helpers.logs import assert_valid_log, chain_breaks, log_lines, pem_private_key

NOBODY = 65534


def record(n: int = 0) -> dict[str, Any]:
    """A small, schema-valid request record, told apart by its URL."""
    return records.request_record(
        method="POST",
        url=f"https://ca.example/r/{n}",
        headers={"User-Agent": "UA/1"},
        body=b"{}",
        recipient="https://ca.example/dir",
        when=1_800_000_000.0,
    )


@pytest.fixture
def no_umask() -> Iterator[None]:
    """Run with umask 000, the worst case for file and directory modes."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_append_chains_records_from_genesis(tmp_path: Path) -> None:
    """Records get seq 0, 1, 2 and each prev is the digest of the line before."""
    log = DisclosureLog(tmp_path / "disclosure.jsonl")
    written = [log.append(record(n)) for n in range(3)]
    lines = log_lines(log.path)
    assert [r["seq"] for r in written] == [0, 1, 2]
    assert written[0]["prev"] == chain.GENESIS
    assert written[2]["prev"] == chain.digest(lines[1])
    assert [json.loads(line) for line in lines] == written
    assert_valid_log(log.path)


def test_seq_follows_the_file_when_another_writer_appended_in_between(tmp_path: Path) -> None:
    """A writer knows the seq after its own last line, and reads the file's last line
    when someone else's is there: two writers on one log, alternating, make 0 to 4."""
    first = DisclosureLog(tmp_path / "disclosure.jsonl")
    second = DisclosureLog(tmp_path / "disclosure.jsonl")
    written = [(first if n % 2 == 0 else second).append(record(n)) for n in range(4)]
    written.append(first.append(record(4)))
    assert [r["seq"] for r in written] == [0, 1, 2, 3, 4]
    assert_valid_log(first.path)


def test_record_fields_owned_by_the_log_are_replaced(tmp_path: Path) -> None:
    """A caller's seq, prev or truncated_tail never reach the file."""
    log = DisclosureLog(tmp_path / "d.jsonl")
    entry = log.append(
        {
            **record(),
            "seq": 99,
            "prev": "sha256:" + "0" * 64,
            "truncated_tail": {"bytes": 1, "sha256": chain.GENESIS},
        }
    )
    assert entry["seq"] == 0 and entry["prev"] == chain.GENESIS
    assert "truncated_tail" not in entry


def test_lines_are_compact_ascii_json(tmp_path: Path) -> None:
    """Each line is one compact JSON object, non-ASCII escaped, so any tool reads it."""
    log = DisclosureLog(tmp_path / "d.jsonl")
    log.append(
        records.consent_record(
            purpose="share_email",
            text="Zustimmung für ä@x.de",
            granted=True,
            recipient="https://ca.example",
            when=0,
        )
    )
    (line,) = log_lines(log.path)
    assert line.isascii() and b", " not in line[:40]
    assert json.loads(line)["text"] == "Zustimmung für ä@x.de"


def test_file_is_0600_and_new_directories_0700_whatever_the_umask(
    tmp_path: Path, no_umask: None
) -> None:
    """With umask 000 the log is still 0600 and every directory created for it 0700."""
    path = tmp_path / "a" / "b" / "disclosure.jsonl"
    DisclosureLog(path).append(record())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700


def test_existing_looser_file_is_made_private(tmp_path: Path) -> None:
    """A log file that was world-readable is narrowed to 0600 on the next append."""
    path = tmp_path / "d.jsonl"
    path.touch()
    path.chmod(0o644)
    DisclosureLog(path).append(record())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_directory_mode_is_left_alone(tmp_path: Path) -> None:
    """A directory that already exists (say /tmp) is not chmod-ed."""
    tmp_path.chmod(0o755)
    DisclosureLog(tmp_path / "d.jsonl").append(record())
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


@pytest.mark.parametrize("dangling", [False, True])
def test_symlink_at_the_log_path_is_refused(tmp_path: Path, dangling: bool) -> None:
    """A symlink at the log path is refused, and its target is neither created nor written."""
    target = tmp_path / "target"
    if not dangling:
        target.write_bytes(b"precious\n")
    link = tmp_path / "disclosure.jsonl"
    link.symlink_to(target)
    with pytest.raises(DisclosureLogError) as caught:
        DisclosureLog(link).append(record())
    assert str(caught.value) == (
        f"Cannot write the disclosure log {link}: it is a symbolic link, which is refused so "
        "that the log cannot be redirected to another file; replace it with a regular file "
        "or give --privacy-log the real path."
    )
    assert target.exists() != dangling
    assert dangling or target.read_bytes() == b"precious\n"


def test_directory_at_the_log_path_is_refused(tmp_path: Path) -> None:
    """A directory at the log path gives one sentence naming it and the fix."""
    with pytest.raises(
        DisclosureLogError,
        match=r"^Cannot write the disclosure log .*: it is "
        r"a directory; remove it or give --privacy-log the path of a file\.$",
    ):
        DisclosureLog(tmp_path).append(record())


def test_hard_linked_log_is_refused(tmp_path: Path) -> None:
    """A log path that is another name of some other file is refused."""
    other = tmp_path / "other"
    other.write_bytes(b"")
    os.link(other, tmp_path / "d.jsonl")
    with pytest.raises(DisclosureLogError, match="2 hard links"):
        DisclosureLog(tmp_path / "d.jsonl").append(record())
    assert other.read_bytes() == b""


def test_fifo_at_the_log_path_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO (with no reader) is refused at once instead of hanging certbot."""
    os.mkfifo(tmp_path / "d.jsonl")
    with pytest.raises(DisclosureLogError, match="not a regular file"):
        DisclosureLog(tmp_path / "d.jsonl").append(record())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create another user's file")
def test_log_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    """Root does not write into a file another user owns (and could read)."""
    path = tmp_path / "d.jsonl"
    path.touch(mode=0o600)
    os.chown(path, NOBODY, NOBODY)
    with pytest.raises(DisclosureLogError, match=f"belongs to another user \\(uid {NOBODY}\\)"):
        DisclosureLog(path).append(record())


def _append_as_unprivileged(path: str) -> str:
    """In a child process: drop root if we have it, try to append, return the error text."""
    if os.geteuid() == 0:
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    try:
        DisclosureLog(path).append(record())
    except DisclosureLogError as error:
        return str(error)
    return "appended"


def test_read_only_directory_gives_a_clear_error(tmp_path: Path) -> None:
    """A directory the user cannot write to: one sentence with the path and the fix."""
    directory = tempfile.mkdtemp(prefix="ro-log-", dir="/tmp")
    try:
        os.chmod(directory, 0o555)
        path = os.path.join(directory, "disclosure.jsonl")
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            message = pool.apply_async(_append_as_unprivileged, (path,)).get(timeout=120)
        assert message == (
            f"Cannot write the disclosure log {path}: permission was denied; run certbot as "
            "a user that may write there (usually root) or choose another path with "
            "--privacy-log."
        )
        assert not os.path.exists(path)
    finally:
        os.rmdir(directory)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EROFS, "it is on a read-only file system; make that file system writable"),
        (errno.EACCES, "permission was denied"),
        (errno.ENOSPC, "the disk is full; free some space on it"),
    ],
)
def test_open_errors_are_one_sentence_with_path_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """Each way opening can fail is explained in one sentence naming the path."""
    real_open = os.open
    path = str(tmp_path / "d.jsonl")

    def failing_open(name: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if os.fspath(name) == path:
            raise OSError(code, os.strerror(code), name)
        return real_open(name, flags, mode, **kw)

    monkeypatch.setattr(os, "open", failing_open)
    with pytest.raises(DisclosureLogError) as caught:
        DisclosureLog(path).append(record())
    message = str(caught.value)
    assert message.startswith(f"Cannot write the disclosure log {path}: {words}")
    assert message.endswith("--privacy-log.") and message.count(". ") == 0


def test_disk_full_during_write_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short write (disk full) is undone and reported; the chain stays valid."""
    log = DisclosureLog(tmp_path / "d.jsonl")
    log.append(record(0))
    before = (tmp_path / "d.jsonl").read_bytes()
    real_write = os.write

    def short_write(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", short_write)
    with pytest.raises(DisclosureLogError, match="the disk is full"):
        log.append(record(1))
    monkeypatch.undo()
    assert (tmp_path / "d.jsonl").read_bytes() == before
    assert log.append(record(2))["seq"] == 1
    assert_valid_log(log.path)


def test_a_record_holding_a_private_key_is_never_written(tmp_path: Path) -> None:
    """The writer refuses a record with a private key; the file is not even created."""
    log = DisclosureLog(tmp_path / "d.jsonl")
    with pytest.raises(DisclosureLogError, match="PEM private key"):
        log.append({**record(), "note": pem_private_key()})
    assert not (tmp_path / "d.jsonl").exists()


# --- crash tails --------------------------------------------------------------------------


def test_crash_tail_is_cut_and_described_in_the_next_record(tmp_path: Path) -> None:
    """A half line left by a crash is removed; the next record chains past it and keeps it."""
    log = DisclosureLog(tmp_path / "d.jsonl")
    log.append(record(0))
    log.append(record(1))
    fragment = b'{"schema":1,"seq":2,"time":"2026-11-'
    with open(log.path, "ab") as handle:
        handle.write(fragment)
    tail = list(iter_lines(log.path))[-1]
    assert (tail.number, tail.raw, tail.complete) == (3, fragment, False)
    entry = log.append(record(2))
    assert entry["seq"] == 2
    assert entry["truncated_tail"] == {
        "bytes": len(fragment),
        "sha256": chain.digest(fragment),
        "data_b64": base64.b64encode(fragment).decode(),
    }
    assert len(assert_valid_log(log.path)) == 3


def test_crash_tail_in_an_otherwise_empty_file_starts_the_chain(tmp_path: Path) -> None:
    """A file holding only a fragment: the first record is seq 0 with prev GENESIS."""
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"sche')
    entry = DisclosureLog(path).append(record())
    assert (entry["seq"], entry["prev"], entry["truncated_tail"]["bytes"]) == (0, chain.GENESIS, 6)
    assert_valid_log(path)


def test_seq_counts_lines_when_the_last_line_is_not_a_record(tmp_path: Path) -> None:
    """If the last complete line cannot be parsed, seq is the number of complete lines."""
    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path)
    log.append(record(0))
    with open(path, "ab") as handle:
        handle.write(b"not json\n")
    entry = log.append(record(1))
    assert entry["seq"] == 2
    assert entry["prev"] == chain.digest(b"not json")


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_a_crash_at_any_byte_never_breaks_the_chain(cut: int) -> None:
    """Whatever byte a writer died at, the next append leaves a valid chain."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "d.jsonl")
        log = DisclosureLog(path)
        for n in range(4):
            log.append(record(n))
        data = Path(path).read_bytes()
        cut = cut % (len(data) + 1)
        Path(path).write_bytes(data[:cut])
        complete = data[:cut].count(b"\n")
        entry = log.append(record(9))
        assert entry["seq"] == complete
        assert ("truncated_tail" in entry) == (cut > 0 and data[cut - 1 : cut] != b"\n")
        assert len(assert_valid_log(path)) == complete + 1


# --- the chain makes tampering visible ----------------------------------------------------

_edits = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
)


@settings(max_examples=150, deadline=None)
@given(count=st.integers(2, 7), edit=_edits)
def test_any_edit_removal_insertion_or_swap_breaks_the_chain(
    count: int, edit: tuple[str, int, int]
) -> None:
    """Changing, removing, inserting or reordering lines (before the last) is detected."""
    with tempfile.TemporaryDirectory() as directory:
        log = DisclosureLog(os.path.join(directory, "d.jsonl"))
        for n in range(count):
            log.append(record(n))
        lines = log_lines(log.path)
    kind, a, b = edit
    changed = list(lines)
    if kind == "edit":  # any byte of any line but the last (nothing follows it)
        index = a % (count - 1)
        line = bytearray(changed[index])
        position = b % len(line)
        line[position] = (line[position] + b) % 256 or 1
        changed[index] = bytes(line)
    elif kind == "delete":  # any line but the last
        del changed[a % (count - 1)]
    elif kind == "insert":  # a copy of any line, anywhere before the last
        changed.insert(a % count, lines[b % count])
    else:
        i, j = sorted((a % count, b % count))
        if i == j:
            j = (i + 1) % count
            i, j = sorted((i, j))
        changed[i], changed[j] = changed[j], changed[i]
    assert changed != lines
    assert chain_breaks(changed) != []


# --- several writers ----------------------------------------------------------------------


def _append_many(path: str, writer: int, count: int, start: Any) -> None:
    assert start.wait(120)
    log = DisclosureLog(path)
    for n in range(count):
        log.append(record(writer * 1000 + n))


def test_concurrent_processes_never_interleave_and_keep_the_chain(tmp_path: Path) -> None:
    """Six processes appending at once: every line whole, seq gapless, chain valid."""
    path = str(tmp_path / "d.jsonl")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_append_many, args=(path, w, 30, start)) for w in range(6)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    parsed = assert_valid_log(path)
    assert [r["seq"] for r in parsed] == list(range(180))
    assert sorted(r["url"] for r in parsed) == sorted(
        f"https://ca.example/r/{w * 1000 + n}" for w in range(6) for n in range(30)
    )


def test_rotation_by_rename_starts_a_new_chain_and_loses_nothing(tmp_path: Path) -> None:
    """After logrotate renames the file, appends go to a new file starting at seq 0."""
    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path)
    log.append(record(0))
    log.append(record(1))
    path.rename(tmp_path / "d.jsonl.1")
    entry = log.append(record(2))
    assert (entry["seq"], entry["prev"]) == (0, chain.GENESIS)
    assert len(assert_valid_log(tmp_path / "d.jsonl.1")) == 2
    assert len(assert_valid_log(path)) == 1


@pytest.fixture
def rotate_at(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Install a writer hook that renames the log at the named point, *times* times (at
    ``opened`` only a file with records in it, as logrotate's ``notifempty``)."""
    from certbot_privacy._internal.log import writer

    def install(point: str, times: int = 1) -> list[str]:
        done: list[str] = []

        def hook(at: str, path: str) -> None:
            if at != point or len(done) >= times or not os.path.exists(path):
                return
            if at == "opened" and not os.path.getsize(path):
                return
            target = f"{path}.{len(done) + 1}"
            os.rename(path, target)
            done.append(target)

        monkeypatch.setattr(writer, "hook", hook)
        return done

    return install


def test_new_file_renamed_before_its_predecessor_is_read_does_not_deadlock(
    tmp_path: Path, rotate_at: Callable[..., list[str]]
) -> None:
    """The reproduced deadlock: the file just created is rotated before the writer reads
    its predecessor; the writer must not take a shared lock on the file it holds."""
    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path, lock_timeout=0.5)
    log.append(record(0))
    path.rename(tmp_path / "d.jsonl.2")  # an older rotation, the real predecessor
    renamed = rotate_at("created")
    entry = log.append(record(1))  # creates d.jsonl, which is renamed to d.jsonl.1 at once
    assert renamed == [f"{path}.1"]
    assert (entry["seq"], entry["prev"]) == (0, chain.GENESIS)
    (only,) = log_lines(tmp_path / "d.jsonl.2")
    assert entry["predecessor"] == {"file": "d.jsonl.2", "head": chain.digest(only), "lines": 1}
    assert [r["url"] for r in assert_valid_log(tmp_path / "d.jsonl.1")] == [
        "https://ca.example/r/1"
    ]


def test_a_lock_held_by_another_process_fails_the_append_after_the_bound(tmp_path: Path) -> None:
    """A lock nobody releases makes append fail with one sentence after lock_timeout
    (the request is then not sent), and nothing is written."""
    import fcntl

    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path, lock_timeout=0.2)
    log.append(record(0))
    holder = os.open(path, os.O_RDONLY)  # its own open file: a lock like another process's
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(DisclosureLogError) as raised:
            log.append(record(1))
        assert time.monotonic() - started < 30  # bounded (the bound is 0.2 s; a loaded machine)
    finally:
        os.close(holder)
    message = str(raised.value)
    assert message.startswith(f"Cannot write the disclosure log {path}: another process")
    assert "more than 0.2 seconds" in message and "\n" not in message
    assert len(log_lines(path)) == 1
    assert log.append(record(2))["seq"] == 1  # released: appends go on


def test_a_predecessor_locked_too_long_is_not_named_and_the_append_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Waiting for a writer still appending to the rotated file is bounded too."""
    import fcntl

    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path, lock_timeout=0.2)
    log.append(record(0))
    path.rename(tmp_path / "d.jsonl.1")
    holder = os.open(tmp_path / "d.jsonl.1", os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        entry = log.append(record(1))
    finally:
        os.close(holder)
    assert "predecessor" not in entry
    assert "Could not read the rotated disclosure log" in caplog.text


@pytest.mark.parametrize("point", ["opened", "created", "between"])
def test_rotation_at_every_point_of_an_append_loses_no_record(
    tmp_path: Path, rotate_at: Callable[..., list[str]], point: str
) -> None:
    """Renaming the log 20 times, each at the same moment of an append (between open and
    lock, after creating a file, between appends): all records land, every file chains,
    and each new file names the file it follows."""
    path = tmp_path / "d.jsonl"
    log = DisclosureLog(path, lock_timeout=0.5)
    renamed = rotate_at(point, times=20) if point != "between" else []
    for n in range(40):
        log.append(record(n))
        if point == "between" and n % 2:
            renamed.append(f"{path}.{len(renamed) + 1}")
            os.rename(path, renamed[-1])
    assert len(renamed) == 20
    files = sorted(tmp_path.iterdir())
    parsed = {f.name: assert_valid_log(f) for f in files}
    urls = [r["url"] for records_ in parsed.values() for r in records_]
    assert sorted(urls) == sorted(f"https://ca.example/r/{n}" for n in range(40))
    for name, records_ in parsed.items():
        named = records_[0].get("predecessor")
        if named is not None:
            before = log_lines(tmp_path / named["file"])
            assert named == {
                "file": named["file"],
                "head": chain.digest(before[-1]),
                "lines": len(before),
            }, name


# --- the syslog mirror --------------------------------------------------------------------


class _FakeSyslog:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[int, str]] = []
        self.fail = fail

    def __call__(self, priority: int, message: str) -> None:
        if self.fail:
            raise OSError(errno.ENOENT, "no /dev/log")
        self.sent.append((priority, message))


def _mirrored_log(path: Path, sink: Callable[[int, str], None], **kw: Any) -> DisclosureLog:
    from certbot_privacy._internal.log.syslog import SyslogMirror

    return DisclosureLog(path, mirror=SyslogMirror(send=sink, **kw))


def test_syslog_mirror_sends_each_line_to_authpriv_info(tmp_path: Path) -> None:
    """Each record goes to syslog as its exact JSON line, facility authpriv, priority info."""
    import syslog

    sink = _FakeSyslog()
    log = _mirrored_log(tmp_path / "d.jsonl", sink)
    log.append(record(0))
    log.append(record(1))
    lines = [line.decode() for line in log_lines(log.path)]
    assert sink.sent == [(syslog.LOG_AUTHPRIV | syslog.LOG_INFO, line) for line in lines]


def test_syslog_mirror_shortens_long_records_and_points_to_the_line(tmp_path: Path) -> None:
    """A record too long for syslog loses its body and jws, and carries the line's digest."""
    sink = _FakeSyslog()
    log = _mirrored_log(tmp_path / "d.jsonl", sink, max_bytes=200)
    log.append(record(0))
    (line,) = log_lines(log.path)
    mirrored = json.loads(sink.sent[0][1])
    assert mirrored["mirror_omitted"] == ["body"]
    assert mirrored["line_sha256"] == chain.digest(line)
    assert mirrored["personal_data"] == json.loads(line)["personal_data"]


def test_syslog_failure_never_blocks_the_append(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """If syslog cannot take the record, the file still gets it and a warning is logged."""
    log = _mirrored_log(tmp_path / "d.jsonl", _FakeSyslog(fail=True))
    assert log.append(record(0))["seq"] == 0
    assert len(log_lines(log.path)) == 1
    assert "Could not mirror disclosure record 0" in caplog.text


def test_real_syslog_mirror_warns_once_without_a_daemon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With no socket to send to, every record is still written, and one warning says so."""
    from certbot_privacy._internal.log.syslog import SyslogMirror

    log = DisclosureLog(tmp_path / "d.jsonl", mirror=SyslogMirror(path=str(tmp_path / "none")))
    assert [log.append(record(i))["seq"] for i in range(3)] == [0, 1, 2]
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "Could not mirror disclosure record 0" in warnings[0].message
    assert log.mirror_failures == 3


def test_ensure_writable_checks_without_writing(tmp_path: Path, no_umask: None) -> None:
    """The up-front check creates an empty private log, or fails like append would."""
    path = tmp_path / "logs" / "d.jsonl"
    DisclosureLog(path).ensure_writable()
    assert path.read_bytes() == b""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(DisclosureLogError, match="it is a directory"):
        DisclosureLog(tmp_path).ensure_writable()
