"""Issue 11: a fleet's central syslog, from real certbot runs: a real rsyslogd, and the journal.

rsyslog: the test starts its own ``rsyslogd`` (Debian package ``rsyslog``) with its own
configuration, state and output in the test's temporary directory: it binds ``/dev/log``
(where glibc's ``syslog(3)``, and so ``--privacy-syslog``, writes; skipped where a daemon
already owns it), names itself as a host of the fleet, forwards what it hears over TCP
on loopback to a second ruleset that plays the central log server and writes the
certbot-privacy messages in RFC 3164 and RFC 5424 form. ``certbot-privacy`` then reads
those files as the host's copy, attributes the records to the host and compares the
host's file with it.

journal: no journald runs here, so the test plays the socket (as ``test_syslog.py``
does), and turns the datagrams certbot sent into the entries ``journalctl -o json``
prints for them, with journald's field names (:mod:`tests.helpers.fleet`). A sample made
this way from a real run is kept in ``tests/unit/data/fleet/``.
"""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Tuple

import pytest

from certbot_privacy._internal.audit import cli
from certbot_privacy._internal.log import classify
from harness import CertbotRunner, free_port, listens, require_success
from tests.helpers.audit import checked_verify_text
from tests.helpers.fleet import host_logs, journal_entry, journal_export
from tests.helpers.prerequisites import missing

from .conftest import DEV_LOG
from .conftest import SyslogDaemon as _Daemon
from .log_checks import read_lines

pytestmark = pytest.mark.e2e

RSYSLOGD = "/usr/sbin/rsyslogd"

_CONFIG = """\
global(workDirectory="{work}" localHostname="{host}")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
input(type="imuxsock" Socket="{socket}" CreatePath="on" RateLimit.Interval="0" ruleset="host")
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="central")
ruleset(name="host") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp")
}}
ruleset(name="central") {{
  if $programname == "certbot-privacy" then {{
    action(type="omfile" file="{out}/fleet-3164.log" template="RSYSLOG_TraditionalFileFormat")
    action(type="omfile" file="{out}/fleet-5424.log" template="RSYSLOG_SyslogProtocol23Format")
  }}
}}
"""


class Rsyslog:
    """An rsyslogd of the test's own: a host that forwards to a central log on loopback."""

    def __init__(self, base: Path, host: str) -> None:
        self.host = host
        self.base = base
        (base / "work").mkdir(parents=True)
        self.config = base / "rsyslog.conf"
        self.log = base / "rsyslogd.out"
        # free_port's port can be taken before rsyslogd binds it (another xdist worker's
        # connection): rsyslogd then goes on without that listener, and starts again here
        # on another port, three times in all.
        for _ in range(3):
            self.port = free_port()
            if self._start():
                return
            self.stop()
        raise RuntimeError(f"rsyslogd did not listen on a free port: {self.output()}")

    def _start(self) -> bool:
        """Start rsyslogd; whether it listens on its port (and has made /dev/log)."""
        self.config.write_text(
            _CONFIG.format(
                work=self.base / "work",
                host=self.host,
                socket=DEV_LOG,
                port=self.port,
                out=self.base,
            ),
            encoding="utf-8",
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [RSYSLOGD, "-n", "-f", str(self.config), "-i", str(self.base / "rsyslogd.pid")],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60  # generous: the wait ends when rsyslogd listens
        while not (os.path.exists(DEV_LOG) and self._listening()):
            if "Could not create tcp listener" in self.output():
                return False
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"rsyslogd did not start: {self.output()}")
            time.sleep(0.05)
        return True

    def _listening(self) -> bool:
        """Whether rsyslogd itself listens on the port (not another process that took it)."""
        return listens(self.process.pid, self.port)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def file(self, form: str) -> Path:
        return self.base / f"fleet-{form}.log"

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Wait until both central files hold *count* lines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(
                self.file(f).exists() and self.file(f).read_bytes().count(b"\n") >= count
                for f in ("3164", "5424")
            ):
                return
            time.sleep(0.1)
        raise AssertionError(f"rsyslog wrote fewer than {count} lines")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.path.exists(DEV_LOG):  # the fixture made sure no other daemon owned it
            os.unlink(DEV_LOG)


@pytest.fixture
def rsyslog(tmp_path: Path, certbot: CertbotRunner, dev_log: None) -> Iterator[Rsyslog]:
    if not os.path.exists(RSYSLOGD):
        missing("rsyslogd is not installed (run scripts/bootstrap)")
    if os.path.exists(DEV_LOG):
        pytest.skip("a syslog daemon owns /dev/log here; this test starts its own")
    daemon = Rsyslog(tmp_path / "rsyslog", f"web-{certbot.target.name}")
    try:
        yield daemon
    finally:
        daemon.stop()


def test_rsyslog_whose_port_was_taken_meanwhile_listens_on_another(
    tmp_path: Path, dev_log: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness: when the port free_port chose is taken before rsyslogd binds it,
    rsyslogd is started again on another, and a listener not its own does not count."""
    if not os.path.exists(RSYSLOGD):
        missing("rsyslogd is not installed (run scripts/bootstrap)")
    if os.path.exists(DEV_LOG):
        pytest.skip("a syslog daemon owns /dev/log here; this test starts its own")
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        ports = [taken.getsockname()[1]]
        real = free_port
        monkeypatch.setitem(globals(), "free_port", lambda: ports.pop() if ports else real())
        daemon = Rsyslog(tmp_path / "rsyslog", "web-test")
        try:
            assert daemon.port != taken.getsockname()[1] and daemon._listening()
            assert "Could not create tcp listener" not in daemon.output()
        finally:
            daemon.stop()


def _audit(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert err == "", err
    # verify's text: every line within 80 columns (copies, comparisons), then read whole
    return code, checked_verify_text(argv, code, out)


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's text is laid out for an 80-column terminal, whatever runs the tests."""
    monkeypatch.setenv("COLUMNS", "80")


def _issue_twice(certbot: CertbotRunner) -> Path:
    """Two issuances with the mirror on; the log they wrote."""
    for _ in range(2):
        require_success(certbot.run(*certbot.certonly_args(certbot.domain()), "--privacy-syslog"))
    return certbot.logs_dir / "disclosure.jsonl"


def test_rsyslog_copies_of_real_runs_are_read_per_host_and_match_the_file(
    certbot: CertbotRunner,
    rsyslog: Rsyslog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real rsyslogd's RFC 3164 and RFC 5424 files: the host's records, equal to its file."""
    log = _issue_twice(certbot)
    lines = read_lines(log)
    rsyslog.wait_for(len(lines))
    requests = sum(b'"event":"request"' in line for line in lines)
    fleet = host_logs(tmp_path / "hosts", {rsyslog.host: log})
    for form in ("3164", "5424"):
        copy = rsyslog.file(form)
        code, out = _audit(capsys, "report", "--format", "json", "--by", "host", str(copy))
        document = json.loads(out)
        assert code == 0 and document["skipped"] == 0, document["problems"]
        assert document["hosts"] == [rsyslog.host]
        sent = [r for r in document["recipients"] if r["recipient"] != classify.CT_RECIPIENT]
        assert sum(r["requests"] for r in sent) == requests == document["requests"]
        assert {r["host"] for r in document["recipients"]} == {rsyslog.host}
        code, out = _audit(capsys, "verify", "--format", "json", str(fleet), str(copy))
        document = json.loads(out)
        assert code == 0, out
        (comparison,) = document["comparisons"]
        assert (comparison["host"], comparison["matched"]) == (rsyslog.host, len(lines))
        assert comparison["not_in_copy"] == 0
    # The host's file loses its last two records: its chain cannot show it, the copy can.
    cut = fleet / rsyslog.host / "disclosure.jsonl"
    cut.write_bytes(b"".join(line + b"\n" for line in lines[:-2]))
    code, out = _audit(capsys, "verify", str(rsyslog.file("3164")), str(fleet))
    assert code == 1
    assert f"compare host {rsyslog.host}: NOT INTACT: 2 records of the copy are missing" in out


def test_journal_entries_of_real_runs_are_read_per_host(
    certbot: CertbotRunner,
    syslog_socket: _Daemon,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """journalctl -o json made from what certbot sent to /dev/log: hosts, report, comparison."""
    log = _issue_twice(certbot)
    datagrams = syslog_socket.received()
    lines = read_lines(log)
    assert len(datagrams) == len(lines)
    host = f"journal-{certbot.target.name}"
    entries = [journal_entry(d, host, n) for n, d in enumerate(datagrams)]
    journal = tmp_path / "journal.json"
    journal.write_bytes(journal_export(entries))
    code, out = _audit(capsys, "report", "--format", "json", "--by", "host", str(journal))
    document = json.loads(out)
    assert code == 0 and document["records"] == len(lines) and document["skipped"] == 0
    assert {r["host"] for r in document["recipients"]} == {host}
    fleet = host_logs(tmp_path / "hosts", {host: log})
    code, out = _audit(capsys, "verify", "--format", "json", str(fleet), str(journal))
    assert code == 0, out
    assert json.loads(out)["comparisons"][0]["matched"] == len(lines)
    keep = os.environ.get("CERTBOT_PRIVACY_KEEP_FLEET_SAMPLE")
    if keep:  # how tests/unit/data/fleet/ was made (see its README)
        target = Path(keep) / certbot.target.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(journal, target / "journal.json")
        shutil.copy(log, target / "disclosure.jsonl")


@pytest.mark.parametrize("thorough", [False, True], ids=["plain", "thorough"])
def test_a_forged_last_record_mirrored_again_is_a_fork(
    certbot: CertbotRunner,
    syslog_socket: _Daemon,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    thorough: bool,
) -> None:
    """Issue 19: root edits the last record of real runs, recomputes its line and mirrors the
    forged line again (as root, from Python): verify exits 1 and shows both versions."""
    log = _issue_twice(certbot)
    datagrams = syslog_socket.received()
    lines = read_lines(log)
    host = f"forked-{certbot.target.name}"
    original = json.loads(lines[-1])
    stamp = original["time"]  # ...T09:11:59.123Z: the forgery moves it within the second
    forged_record = dict(original, time=stamp[:-4] + ("998Z" if stamp.endswith("999Z") else "999Z"))
    forged = json.dumps(forged_record, separators=(",", ":")).encode()
    assert forged != lines[-1] and forged_record["prev"] == original["prev"]
    fleet = host_logs(tmp_path / "hosts", {host: log})
    (fleet / host / "disclosure.jsonl").write_bytes(
        b"".join(x + b"\n" for x in [*lines[:-1], forged])
    )
    entries = [journal_entry(d, host, n) for n, d in enumerate(datagrams)]
    entries.append(dict(entries[-1], MESSAGE=forged.decode(), __CURSOR="forged"))
    journal = tmp_path / "journal.json"
    journal.write_bytes(journal_export(entries))
    extra = ["--thorough"] if thorough else []
    code, out = _audit(capsys, "verify", "--format", "json", *extra, str(journal), str(fleet))
    document = json.loads(out)
    assert code == 1 and not document["intact"], out
    assert all(f["intact"] for f in document["files"])
    (copy,) = document["copies"]
    assert copy["forked"] == 1
    assert copy["forks"][0]["candidates"] == [
        f"{journal}:{len(lines)}",
        f"{journal}:{len(lines) + 1}",
    ]
    (comparison,) = document["comparisons"]
    assert comparison["forked_in_copy"] == 1 and not comparison["agrees"]


def test_a_record_any_sender_logs_through_rsyslog_is_marked_unauthenticated(
    certbot: CertbotRunner,
    rsyslog: Rsyslog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 19: `logger -t certbot-privacy '<record>'` reaches the central syslog file like
    the mirror does; report and the Art. 30 record count it as from syslog only, unauthenticated."""
    log = _issue_twice(certbot)
    lines = read_lines(log)
    made_up = json.loads(lines[0])  # a request, made up by anyone on the host
    made_up.update(prev="sha256:" + "0" * 64, time="2026-01-01T00:00:00.000Z")
    subprocess.run(
        ["logger", "-u", DEV_LOG, "-t", "certbot-privacy", json.dumps(made_up)],
        check=True,
        timeout=30,
    )
    rsyslog.wait_for(len(lines) + 1)
    copy = rsyslog.file("3164")
    fleet = host_logs(tmp_path / "hosts", {rsyslog.host: log})
    code, out = _audit(capsys, "report", "--format", "json", str(fleet), str(copy))
    document = json.loads(out)
    assert code == 0, out
    assert document["records"] == len(lines) + 1, document["problems"]  # each real one once
    assert (document["copied"], document["unauthenticated_records"]) == ({"syslog": 1}, 1)
    code, out = _audit(capsys, "export", "--art30", str(fleet), str(copy))
    assert (
        "1 record comes from syslog copies only (RFC 3164/5424), which are unauthenticated" in out
    )
    code, out = _audit(capsys, "verify", str(copy))
    assert "unauthenticated (syslog does not say which process sent a message)" in out
